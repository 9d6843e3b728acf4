"""`run-spec SPEC --check` wall time: validation must feel instant (it imports no JAX/Keras)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

SPECS = ("specs/wakevision_small.yaml", "specs/kws_darts_small.yaml")


def run(quick: bool = False) -> dict:
    rows = []
    for spec in SPECS:
        times = []
        for _ in range(3 if quick else 7):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "engine", spec, "--check"], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        rows.append({"spec": spec, "median_seconds": round(statistics.median(times), 3),
                     "max_seconds": round(max(times), 3)})
    return {"rows": rows, "goal": "median < 0.5 s"}
