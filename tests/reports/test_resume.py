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


def run_command(tmp: Path, runs: str) -> list[str]:
    """`python -m engine SMOKE` into `tmp/runs`, 5 candidates, 16 px only, the cache in `tmp`."""
    return [sys.executable, "-m", "engine", SMOKE, "--set", f"output.root={tmp / runs}",
            "--set", f"dataset.cache_dir={tmp / 'cache'}", "--set", "budget.max_evaluations=5",
            "--set", "modality.resolutions=[16]"]


def trials(run_dir: Path) -> list[dict]:
    rows = [json.loads(line) for line in (run_dir / "trials.jsonl").read_text().splitlines()]
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


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("resume")
    subprocess.run(run_command(tmp, "base"), check=True, cwd=REPO,
                   capture_output=True)
    return tmp, trials(only_run(tmp / "base"))


def start(tmp: Path, runs: str, watch_output: bool = False) -> subprocess.Popen:
    output = subprocess.PIPE if watch_output else subprocess.DEVNULL
    return subprocess.Popen(run_command(tmp, runs), cwd=REPO, stdout=output, stderr=subprocess.STDOUT, text=True)


def kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    if proc.stdout:
        proc.stdout.close()


def resume(tmp: Path, runs: str) -> None:
    result = subprocess.run([sys.executable, "-m", "engine", "--resume", str(only_run(tmp / runs))], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_two_fresh_processes_give_the_same_trials(baseline):
    tmp, expected = baseline
    subprocess.run(run_command(tmp, "again"), check=True, cwd=REPO,
                   capture_output=True)
    assert trials(only_run(tmp / "again")) == expected
    assert len(expected) >= 5


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
    resume(tmp, runs)
    assert trials(only_run(tmp / runs)) == expected


@pytest.mark.slow
def test_sigkill_during_supernet_pretraining_then_resume(tmp_path):
    runs = "pretraining"
    fresh_cache = tmp_path  # a cold cache, so the first supernet really trains
    proc = start(fresh_cache, runs, watch_output=True)
    output = []
    wait_for(lambda: "pre-training" in (output.append(proc.stdout.readline()) or "".join(output)))
    time.sleep(1.0)  # inside the pre-training loop
    kill(proc)
    resume(fresh_cache, runs)
    reference = tmp_path / "reference"
    subprocess.run(run_command(tmp_path, "reference"), check=True,
                   cwd=REPO, capture_output=True)
    assert trials(only_run(tmp_path / runs)) == trials(only_run(reference))


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
