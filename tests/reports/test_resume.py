"""Same spec + seed = same trials, in fresh processes and across SIGKILL + --resume."""

from __future__ import annotations

import signal

import pytest

from tests.smoke_runs import kill, only_run, resume, run_command, start, trials, wait_for


@pytest.mark.slow
def test_another_seed_gives_other_trials(baseline, tmp_path):
    """(That two fresh processes, each with its own data and supernets, give the same trials is
    test_sigkill_during_supernet_pretraining_then_resume's comparison with the baseline.)"""
    from engine.cli import main

    tmp, expected = baseline
    assert len(expected) >= 5 and all("loss" in t["metrics"] for t in expected if t["status"] == "ok")
    # in this process (its compiled programs, the baseline's data cache); two candidates are enough to differ
    command = run_command(tmp_path, "seed1", "cache", "seed=1", "budget.max_evaluations=2")
    assert main(command[3:] + ["--set", f"dataset.cache_dir={tmp / 'cache'}", "-q"]) == 0
    other = trials(only_run(tmp_path / "seed1"))
    assert len(other) == 2 and [t["candidate"] for t in other] != [t["candidate"] for t in expected[:2]]


@pytest.mark.slow
def test_sigkill_right_after_a_record_then_resume_loses_and_repeats_nothing(baseline):
    """Killed right after the run has said its 5th line, the second candidate's (an event of the
    run, never a wall-clock delay, so the moment is the same on any machine), and its last
    record torn as if the kill had landed while it was written: the resume repairs the file,
    keeps the records before it and evaluates that candidate again. (During pre-training: below.)"""
    tmp, expected = baseline
    lines = 5
    runs = f"moment{lines}"
    proc = start(tmp, runs, watch_output=True)
    said = [proc.stdout.readline() for _ in range(lines)]
    assert all(said) and said[-1].startswith("[2/5]"), said
    kill(proc)
    path = only_run(tmp / runs) / "trials.jsonl"
    data = path.read_bytes()
    assert 2 <= len(trials(only_run(tmp / runs))) < len(expected)  # killed mid-search
    path.write_bytes(data[: len(data) - 40])
    resume(tmp, runs)
    assert trials(only_run(tmp / runs)) == expected


@pytest.mark.slow
def test_sigkill_during_supernet_pretraining_then_resume(baseline, tmp_path):
    _, expected = baseline
    runs = "pretraining"
    proc = start(tmp_path, runs, watch_output=True)  # a cold cache, so the first supernet really trains
    output = []
    wait_for(lambda: "pre-training" in (output.append(proc.stdout.readline()) or "".join(output)))
    kill(proc)
    bundle = only_run(tmp_path / runs)
    assert not list((bundle / "supernets").glob("*.npz")) if (bundle / "supernets").exists() else True
    assert trials(bundle) == []  # killed before any candidate finished
    resume(tmp_path, runs)
    # the baseline pre-trained its own supernets from its own data cache in another process, so a
    # resume that pre-trained differently, or a process that computed differently, would show
    # in the losses
    assert trials(only_run(tmp_path / runs)) == expected


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
