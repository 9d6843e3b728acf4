"""Candidates per hour: the local backend against Ray workers, on this machine.

    python -m bench distributed [--quick]

`run-spec specs/wakevision_small.yaml` (fewer evaluations, pre-training and final steps, so
that the candidates dominate) in fresh processes: a warm-up run that pre-trains the supernet and fills
the compilation cache (not counted), then the local backend and `execution.backend=ray` with 2
workers, each reusing the warm-up's supernet checkpoint and compiled programs. Reports each
run's search seconds (from its start to the last candidate's record: data loading, Ray start and
worker start-up included, the final test report not), candidates per hour of search, the
process's wall time, and whether the trials are the same (times aside).
`--quick`: the smoke spec at 16 and 24 px.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC, EVALUATIONS, PRETRAIN = "specs/wakevision_small.yaml", 16, 50
QUICK_SPEC, QUICK_EVALUATIONS = "specs/smoke/wakevision_smoke.yaml", 8
TIMINGS = ("seconds", "pretrain_seconds")


def search(root: Path, spec: str, evaluations: int, *overrides: str) -> dict:
    out = Path(tempfile.mkdtemp(dir=root))
    command = [sys.executable, "-m", "engine", spec, "-q", "--set", f"output.root={out}",
               "--set", f"dataset.cache_dir={root / 'cache'}", "--set", f"budget.max_evaluations={evaluations}",
               *sum((["--set", o] for o in overrides), [])]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - start
    (bundle,) = out.iterdir()
    seconds = json.loads((bundle / "summary.json").read_text())["seconds"]
    trials = [json.loads(line) for line in (bundle / "trials.jsonl").read_text().splitlines()]
    evaluated = sum(t["status"] != "rejected" for t in trials)
    search_seconds = seconds["total"] - seconds["final_report"]
    return {"evaluated": evaluated, "search_seconds": round(search_seconds, 1),
            "per_hour": round(3600 * evaluated / search_seconds, 1), "wall_seconds": round(wall, 1),
            "trials": [{k: v for k, v in t.items() if k not in TIMINGS} for t in trials]}


def run(quick: bool) -> dict:
    spec, evaluations = (QUICK_SPEC, QUICK_EVALUATIONS) if quick else (SPEC, EVALUATIONS)
    # the returned systems' final fine-tune at 100 steps (the spec's is 300): candidates are the point
    settings = [] if quick else [f"training.pretrain_steps={PRETRAIN}", "training.final_steps=100"]
    root = Path(tempfile.mkdtemp(prefix="danas-bench-distributed-"))
    search(root, spec, 2, *settings)  # warm-up: data, supernet checkpoint, compiled programs (not counted)
    local = search(root, spec, evaluations, *settings)
    ray = search(root, spec, evaluations, *settings, "execution.backend=ray", "execution.workers=2")
    rows = [{"backend": name, **{k: v for k, v in result.items() if k != "trials"}}
            for name, result in (("local", local), ("ray, 2 workers", ray))]
    ratio = ray["per_hour"] / local["per_hour"]
    same = local["trials"] == ray["trials"]
    return {"goal": f"same trials on both backends ({same}); ray / local candidates per hour {ratio:.2f}",
            "met": same, "ratio": round(ratio, 3), "same_trials": same, "spec": spec, "rows": rows}
