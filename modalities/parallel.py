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
    workers = max(1, min(workers or min(2, os.cpu_count() or 1), len(jobs)))
    if workers == 1:
        return [fn(job) for job in jobs]
    target = f"{fn.__module__}:{fn.__qualname__}"
    with tempfile.TemporaryDirectory(prefix="danas-workers-") as tmp:
        procs = []
        for worker in range(workers):
            inbox, outbox = Path(tmp) / f"in{worker}.pkl", Path(tmp) / f"out{worker}.pkl"
            inbox.write_bytes(pickle.dumps((target, list(jobs[worker::workers]))))
            procs.append((subprocess.Popen([sys.executable, "-m", "modalities._worker", str(inbox), str(outbox)]),
                          outbox))
        parts = []
        for proc, outbox in procs:
            if proc.wait() != 0:
                raise FatalError(f"a worker process preparing the data ({target}) failed (exit {proc.returncode})"
                                 f"{OOM_HINT if proc.returncode in (-9, 137) else ''}")
            parts.append(pickle.loads(outbox.read_bytes()))
    results: list[Any] = [None] * len(jobs)
    for worker, part in enumerate(parts):
        results[worker::workers] = part
    return results
