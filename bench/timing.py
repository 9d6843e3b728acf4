"""Timing helpers shared by the benchmarks: steady-state seconds per call, peak memory."""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path
from typing import Callable


def seconds_per_call(call: Callable[[], object], min_calls: int = 3, max_calls: int = 20,
                     min_seconds: float = 4.0) -> float:
    """Mean wall seconds of `call` after one warm-up call (compilation), over at least
    `min_calls` calls and about `min_seconds`."""
    call()
    calls, start = 0, time.perf_counter()
    while calls < min_calls or (calls < max_calls and time.perf_counter() - start < min_seconds):
        call()
        calls += 1
    return (time.perf_counter() - start) / calls


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB.

    On Linux from /proc/self/status (VmHWM): getrusage's ru_maxrss survives fork + exec, so a
    benchmark subprocess would report its parent's peak."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)
