"""summary.json: counts, best systems, compilations and seconds per phase, from trial records."""

from __future__ import annotations

from typing import Any

from danas.budget import Budget
from danas.records import TrialRecord, best_per_data


def run_summary(name: str, seed: int, trials: list[TrialRecord], pareto_size: int, dataset: dict[str, Any],
                compiles: dict[str, float], seconds: dict[str, float], objective: dict[str, Any],
                budget: Budget, screening: dict[str, Any] | None = None) -> dict[str, Any]:
    """summary.json: `dataset` is dataset.json's content (its skipped-file counts are carried over),
    `objective` how fitness was computed (which precision and recall, the weights), `screening`
    each data configuration's best system measured again after a longer fine-tune (data key ->
    {"trial", "steps", "metrics"}), if the run screened them; each configuration's best is its
    fittest system within `budget` if it has one."""
    ok = [t for t in trials if t.status == "ok"]
    best = max(ok, key=lambda t: t.fitness, default=None)
    per_data = {key: trial.to_json() for key, trial in best_per_data(trials, lambda t: budget.fits(t.estimate)).items()}
    pretrain = sum(t.pretrain_seconds for t in trials)
    return {
        "name": name, "seed": seed, "builtin_data": dataset["builtin"], "dataset_fingerprint": dataset["fingerprint"],
        "skipped_files": dict(dataset.get("skipped", {})), "objective": objective,
        "counts": {s: sum(t.status == s for t in trials) for s in ("ok", "rejected", "failed")},
        "best": best.to_json() if best else None, "best_per_data_configuration": per_data,
        **({"screening": screening} if screening else {}),
        "pareto_size": pareto_size, "xla_compilations": int(compiles["compiles"]),
        "xla_compile_seconds": round(compiles["seconds"], 2),
        "seconds": {"supernet_pretraining": round(pretrain, 2),
                    "candidates": round(sum(t.seconds for t in trials) - pretrain, 2),
                    **{k: round(v, 2) for k, v in seconds.items()}},
    }
