"""Helpers for the tests that run the vision smoke spec in subprocesses (resume, kills, faults)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from danas.budget import Budget
from engine.spec import resolve
from tests.conftest import REPO, SPECS

SMOKE = str(SPECS / "smoke" / "wakevision_smoke.yaml")
TIMINGS = ("seconds", "pretrain_seconds")


def run_command(tmp: Path, runs: str, cache: str = "cache", *overrides: str) -> list[str]:
    """`python -m engine SMOKE` into `tmp/runs`, 5 candidates, 16 px only, the cache in `tmp/cache`.
    (Compiled programs are shared by the whole session: they never change a result.)"""
    return [sys.executable, "-m", "engine", SMOKE, "--set", f"output.root={tmp / runs}",
            "--set", f"dataset.cache_dir={tmp / cache}", "--set", "budget.max_evaluations=5",
            "--set", "modality.resolutions=[16]", *sum((["--set", o] for o in overrides), [])]


def trials(run_dir: Path) -> list[dict]:
    """The records without their timings; the unrounded validation loss in each tells whether
    two runs trained the same weights (two models can classify 64 examples alike)."""
    path = run_dir / "trials.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [{k: v for k, v in row.items() if k not in TIMINGS} for row in rows]


def only_run(parent: Path) -> Path:
    (run,) = parent.iterdir()
    return run


def wait_for(predicate, timeout: float = 240) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the run")


def make_baseline(tmp: Path) -> list[dict]:
    """The uninterrupted run every resumed one is compared with (in `tmp/base`, cache `tmp/cache`)."""
    subprocess.run(run_command(tmp, "base"), check=True, cwd=REPO, capture_output=True)
    return trials(only_run(tmp / "base"))


def start(tmp: Path, runs: str, watch_output: bool = False) -> subprocess.Popen:
    output = subprocess.PIPE if watch_output else subprocess.DEVNULL
    return subprocess.Popen(run_command(tmp, runs), cwd=REPO, stdout=output, stderr=subprocess.STDOUT, text=True)


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL, and proof that it interrupted the run (a run that had finished exits 0)."""
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the run had already finished: the kill interrupted nothing"
    if proc.stdout:
        proc.stdout.close()


def resume(tmp: Path, runs: str) -> None:
    result = subprocess.run([sys.executable, "-m", "engine", "--resume", str(only_run(tmp / runs))], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def small_pool(tmp_path, **training):
    """(pool, evaluator, space) of a tiny search (8 px rgb, alpha 0.5, 5 blocks) built in this process;
    the tests that use it share its compiled programs through the session's XLA cache."""
    from engine.evaluate.evaluator import Evaluator
    from engine.evaluate.supernets import SupernetPool
    from engine.space.joint import JointSpace
    from modalities import open_modality

    _, config = resolve({"dataset": {"source": "builtin_person", "builtin_size": 100, "cache_dir": str(tmp_path)},
                         "modality": {"resolutions": [8], "color": ["rgb"]},
                         "search_space": {"stage_depths": {"stage3": [1], "stage4": [0, 1], "stage5": [0],
                                                           "stage6": [0], "stage7": [0]}},
                         "training": {"pretrain_steps": 2, "finetune_steps": 2, "batch_size": 8, **training}})
    modality = open_modality(config)
    modality.load()
    space = JointSpace(tuple(modality.data_configs()), config.search_space.stage_depths.as_tuple(), (0.5,))
    pool = SupernetPool(config, modality, space, 2, lambda name: None, lambda name, data: None, lambda m: None)
    return pool, Evaluator(config, modality, pool, 2, 1, Budget(ram_bytes=10**9, flash_bytes=10**9)), space
