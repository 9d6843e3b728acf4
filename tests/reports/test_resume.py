"""Same spec + seed = same trials, in fresh processes and across SIGKILL + --resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


# The tests that share the baseline run go to one pytest-xdist worker, which runs it once.
pytestmark = pytest.mark.xdist_group("smoke-baseline")


@pytest.fixture(scope="session")
def baseline(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("resume")
    subprocess.run(run_command(tmp, "base"), check=True, cwd=REPO,
                   capture_output=True)
    return tmp, trials(only_run(tmp / "base"))


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


@pytest.mark.slow
def test_two_fresh_processes_give_the_same_trials_and_another_seed_does_not(baseline):
    tmp, expected = baseline
    subprocess.run(run_command(tmp, "again", "cache-again"), check=True, cwd=REPO,  # its own data and supernets
                   capture_output=True)
    assert trials(only_run(tmp / "again")) == expected
    assert len(expected) >= 5 and all("loss" in t["metrics"] for t in expected if t["status"] == "ok")
    subprocess.run(run_command(tmp, "seed1", "cache-again", "seed=1"), check=True, cwd=REPO, capture_output=True)
    other = trials(only_run(tmp / "seed1"))
    assert [t["candidate"] for t in other] != [t["candidate"] for t in expected]


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [1, 3])
def test_sigkill_mid_search_then_resume_loses_and_repeats_nothing(baseline, kill_after):
    tmp, expected = baseline
    runs = f"killed{kill_after}"
    proc = start(tmp, runs)
    wait_for(lambda: (tmp / runs).exists() and any((tmp / runs).iterdir())
             and (only_run(tmp / runs) / "trials.jsonl").exists()
             and len((only_run(tmp / runs) / "trials.jsonl").read_text().splitlines()) >= kill_after)
    kill(proc)
    assert len(trials(only_run(tmp / runs))) < len(expected)  # killed mid-search
    resume(tmp, runs)
    assert trials(only_run(tmp / runs)) == expected


@pytest.mark.slow
def test_sigkill_during_supernet_pretraining_then_resume(tmp_path):
    runs = "pretraining"
    proc = start(tmp_path, runs, watch_output=True)  # a cold cache, so the first supernet really trains
    output = []
    wait_for(lambda: "pre-training" in (output.append(proc.stdout.readline()) or "".join(output)))
    kill(proc)
    bundle = only_run(tmp_path / runs)
    assert not list((bundle / "supernets").glob("*.npz")) if (bundle / "supernets").exists() else True
    assert trials(bundle) == []  # killed before any candidate finished
    resume(tmp_path, runs)
    # the reference pre-trains its own supernets (its own cache), so a resume that pre-trained
    # differently would show in the losses
    subprocess.run(run_command(tmp_path, "reference", "cache-reference"), check=True, cwd=REPO,
                   capture_output=True)
    assert trials(only_run(tmp_path / runs)) == trials(only_run(tmp_path / "reference"))


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_says_how_to_resume(baseline, tmp_path):
    _, expected = baseline
    runs = "interrupted"
    proc = start(tmp_path, runs, watch_output=True)  # a cold cache: the next supernet takes seconds
    wait_for(lambda: (tmp_path / runs).exists() and any((tmp_path / runs).iterdir())
             and (only_run(tmp_path / runs) / "trials.jsonl").exists())
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, output
    assert f"run-spec --resume {only_run(tmp_path / runs)}" in output.replace("\n", "")
    resume(tmp_path, runs)
    assert trials(only_run(tmp_path / runs)) == expected
