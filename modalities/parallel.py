"""Runs a pure function over jobs in worker processes started as `python -m modalities._worker`.

Why not multiprocessing: 'spawn' re-imports the caller's __main__ (a user script without a
`if __name__ == "__main__"` guard then starts itself again), and 'fork' after JAX has started
its threads can deadlock. A fresh interpreter that imports only the worker function avoids both.
Results come back in job order, so output does not depend on the number of workers.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Sequence

from danas.errors import FatalError

# A worker killed by SIGKILL is almost always the kernel's out-of-memory killer.
OOM_HINT = ("; it was killed, most likely for lack of memory: lower dataset.builtin_size or "
            "dataset.max_examples and run again")


def parallel_map(fn: Callable[[Any], Any], jobs: Sequence[Any], workers: int | None = None) -> list[Any]:
    """[fn(job) for job in jobs], spread over `workers` fresh processes (default: 2 or fewer CPUs)."""
    workers = _workers(workers, jobs)
    if workers == 1:
        return [fn(job) for job in jobs]
    target = f"{fn.__module__}:{fn.__qualname__}"
    with tempfile.TemporaryDirectory(prefix="danas-workers-") as tmp:
        procs = [_start(target, list(jobs[worker::workers]), Path(tmp), str(worker)) for worker in range(workers)]
        parts = [_finish(proc, outbox, target) for proc, outbox in procs]
    results: list[Any] = [None] * len(jobs)
    for worker, part in enumerate(parts):
        results[worker::workers] = part
    return results


def isolated_map(fn: Callable[[Any], Any], jobs: Sequence[Any], workers: int | None = None) -> list[Any]:
    """[fn(job) for job in jobs], each job in a fresh process of its own, at most `workers` at a
    time: for a function whose results depend on state a library keeps between calls (eSpeak
    NG's), so that a job's result depends on the job alone, never on which jobs ran before it
    in the same process, nor on the number of workers.

    Example:
        >>> isolated_map(abs, [-2, 3], workers=2)
        [2, 3]
    """
    workers = _workers(workers, jobs)
    target = f"{fn.__module__}:{fn.__qualname__}"
    results: list[Any] = [None] * len(jobs)
    with tempfile.TemporaryDirectory(prefix="danas-isolated-") as tmp:
        pending, running = list(enumerate(jobs)), []
        while pending or running:
            while pending and len(running) < workers:
                index, job = pending.pop(0)
                running.append((index, *_start(target, [job], Path(tmp), str(index))))
            index, proc, outbox = running.pop(0)
            results[index] = _finish(proc, outbox, target)[0]
    return results


def _workers(workers: int | None, jobs: Sequence[Any]) -> int:
    return max(1, min(workers or min(2, os.cpu_count() or 1), len(jobs)))


def _start(target: str, jobs: list, folder: Path, name: str) -> tuple[subprocess.Popen, Path]:
    """A worker process running `target` over `jobs`, and where it writes the results."""
    inbox, outbox = folder / f"in{name}.pkl", folder / f"out{name}.pkl"
    inbox.write_bytes(pickle.dumps((target, jobs)))
    return subprocess.Popen([sys.executable, "-m", "modalities._worker", str(inbox), str(outbox)]), outbox


def _finish(proc: subprocess.Popen, outbox: Path, target: str) -> list:
    """The results of a worker process, once it has ended; a clear error if it failed."""
    if proc.wait() != 0:
        raise FatalError(f"a worker process preparing the data ({target}) failed (exit {proc.returncode})"
                         f"{OOM_HINT if proc.returncode in (-9, 137) else ''}")
    return pickle.loads(outbox.read_bytes())
