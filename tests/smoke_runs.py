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
    """`run-spec --resume` of the killed run, in the test's process (not the one killed; its
    compiled programs spare the suite a fresh JAX start, and never change a result)."""
    from engine.cli import main

    assert main(["--resume", str(only_run(tmp / runs)), "-q"]) == 0


def smoke_pool(tmp_path, *overrides: str):
    """(pool, evaluator, space) of the vision smoke spec with `--set` overrides, built in this
    process. Its shapes (batch 16, two classes, the shallow depths, alphas 0.25 and 0.5) are the
    smoke runs', so the tests that use it share their compiled programs (the session's XLA cache)."""
    from engine.evaluate.evaluator import Evaluator
    from engine.evaluate.supernets import SupernetPool
    from engine.space.joint import JointSpace
    from engine.spec import load_spec
    from modalities import open_modality

    config = load_spec(SMOKE, [f"dataset.cache_dir={tmp_path}", *overrides]).config
    modality = open_modality(config)
    modality.load()
    search = config.search_space
    space = JointSpace(tuple(modality.data_configs()), search.stage_depths.as_tuple(), tuple(search.alphas))
    pool = SupernetPool(config, modality, space, 2, lambda name: None, lambda name, data: None, lambda m: None)
    return pool, Evaluator(config, modality, pool, 2, 1, Budget(ram_bytes=10**9, flash_bytes=10**9)), space


def small_pool(tmp_path, **training):
    """`smoke_pool` at 8 px rgb (the detail known-answer task's programs), `training` overridden."""
    return smoke_pool(tmp_path, "modality.resolutions=[8]", "modality.color=[rgb]",
                      *(f"training.{name}={value}" for name, value in training.items()))
