"""The ray backend: Ray workers record the trials the local backend records, a killed worker
included; checking a spec never imports Ray; no Ray, one line naming the extra."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.smoke_runs import SMOKE, only_run, run_command, trials

WORKER_TITLE = "ray::EvaluationWorker.evaluate"  # Ray's process title while an actor runs evaluate


def test_checking_a_ray_spec_never_imports_ray():
    code = ("import sys\nfrom engine.cli import main\n"
            f"code = main([{SMOKE!r}, '--check', '--set', 'execution.backend=ray', '--set', 'execution.workers=3'])\n"
            "assert code == 0, code\nassert 'ray' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, capture_output=True)


def test_a_ray_run_without_ray_says_which_extra_to_install(tmp_path, monkeypatch, capsys):
    import importlib.util

    from engine.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    code = main([SMOKE, "--set", "execution.backend=ray", "--set", f"output.root={tmp_path}",
                 "--set", f"dataset.cache_dir={tmp_path / 'cache'}"])
    err = capsys.readouterr().err
    assert code == 2 and 'pip install -e ".[distributed]"' in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not list(tmp_path.iterdir())  # stopped before the run folder or any data work


def test_ray_with_a_differentiable_search_is_a_spec_error(capsys):
    from engine.cli import main

    assert main([str(REPO / "specs/smoke/kws_darts_smoke.yaml"), "--check", "--set", "execution.backend=ray"]) == 2
    assert "execution.backend" in capsys.readouterr().err


def evaluating_workers() -> list[int]:
    """Processes running an EvaluationWorker's evaluate now."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes().startswith(WORKER_TITLE.encode()):
                found.append(int(entry.name))
        except OSError:
            pass
    return found


LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}


def listening() -> set[tuple[str, str]]:
    """(address, port) of every listening TCP socket on this machine, as /proc/net lists them (hex)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A":  # LISTEN
                found.add(tuple(local.split(":")))
    return found


def kill_one_evaluating_worker(killed: list[int], opened: set, stop: threading.Event) -> None:
    before = listening()
    while not stop.is_set() and not killed:
        busy = evaluating_workers()
        if busy:
            opened |= listening() - before  # Ray's servers, while the run is at work
            os.kill(busy[0], signal.SIGKILL)
            killed.append(busy[0])
        time.sleep(0.02)


@pytest.mark.slow
def test_two_ray_workers_record_the_local_trials_even_when_one_is_killed(baseline, tmp_path, capsys):
    """A local Ray instance of 2 CPUs (started by the run, listening on loopback only), 2 workers, a fresh
    cache (a worker pre-trains the supernet and ships it back); a worker process is SIGKILLed in
    the middle of its first candidate. The run must still record the local baseline's trials."""
    from engine.cli import main

    tmp, expected = baseline
    killed: list[int] = []
    opened: set = set()
    stop = threading.Event()
    killer = threading.Thread(target=kill_one_evaluating_worker, args=(killed, opened, stop), daemon=True)
    killer.start()
    command = run_command(tmp_path, "ray", "cache", "execution.backend=ray", "execution.workers=2")
    try:
        code = main(command[3:] + ["-q"])
    finally:
        stop.set()
        killer.join()
    err = capsys.readouterr().err
    assert code == 0, err
    assert killed and "died during its task" in err
    assert opened and {address for address, _ in opened} <= LOOPBACK, opened  # nothing on other interfaces
    assert trials(only_run(tmp_path / "ray")) == expected
    # the returned systems' final fine-tune and test ran on the workers too
    pareto = [json.loads((run / "pareto.json").read_text()) for run in (only_run(tmp / "base"), only_run(tmp_path / "ray"))]
    assert [p["test_metrics"] for p in pareto[0]] == [p["test_metrics"] for p in pareto[1]]
    assert not evaluating_workers()  # the run stopped its workers
