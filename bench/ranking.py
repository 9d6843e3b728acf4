"""Does the supernet rank candidates as standalone training does? Kendall's tau.

    python -m bench ranking [--quick]

Samples candidates evenly over the spec's data configurations (>= 12 over >= 3 configurations;
`--quick`: 6 over 2), then measures each twice:
- supernet: as the search does (the spec's pre-trained shared supernet, `finetune_steps`, then
  `calibration_batches` of batch-norm recalibration; validation accuracy, and its loss);
- standalone: trained from scratch (the masked subnet of an untrained supernet: the same
  function as its narrow network) for `STANDALONE_STEPS` steps with the spec's optimizer,
  schedule, batch and augmentation, once per seed of `STANDALONE_SEEDS` (each its own initial
  weights and batches), measured on the validation and test splits together (1,800 images) and
  averaged over the seeds: the truth the supernet is held to, as sharp as the bench can afford.
Reports Kendall's tau-b between the two accuracies across all candidates and within each data
configuration (goal: tau >= 0.6 across all), tau of the supernet's loss (lower first), and both
figures per candidate.

Measured (2 cores, wakevision_small seed 0, `bench/results/ranking.json`): with one standalone
run each on validation only (+-0.02 per figure): 20-step fine-tunes tau 0.606 across all,
within 32px-mono / 64px-mono / 96px-rgb 0.33 / -0.33 / 0.0; recalibrated statistics and no
fine-tune (the spec now) 0.412, within 0.0 / 0.67 / 0.33. The same candidates and supernet
figures against the 2-seed, 1,800-image truth: 0.534 across all, within 0.33 / 0.33 / 0.33;
by loss 0.515 (28 min). The same code on another 2-core host (AMD EPYC, 2.3x faster; its
floating-point rounding sends every training elsewhere): **0.739** across all, within 0.18 /
-0.33 / 0.67, by loss 0.697 (10 min alone). So one
12-candidate tau moves by 0.2 between hosts (its standard error is ~0.2): read it with that
spread. A third 2-core host (avx512, the first host's speed), with the supernet programs at
LLVM -O1 (other rounding, another supernet): **0.739** across all, within 32px-mono / 64px-mono
/ 96px-rgb 0.0 / 0.18 / 0.18, by loss 0.504 (18 min). What decides it:
whether the shared supernet rates the smallest 96 px rgb networks above the mono ones (trained
alone they reach 0.76-0.80 against 0.61-0.72): on the first host it did not (0.653 / 0.663
against 0.675-0.688), on the second it did (0.672-0.722 against 0.62-0.69); within a data
configuration neither host's supernet orders the candidates reliably at 300 pre-training steps.
At 600 pre-training steps (wakevision_small's default since then; a fourth 2-core AMD EPYC with
avx512, 12 min; `bench/results/ranking.json` is now this run): **0.687** across all, within
32px-mono / 64px-mono / 96px-rgb 1.0 / -0.67 / 0.91, by loss 0.576; the supernet now rates
three of the four 96 px rgb networks (0.732-0.743) above every mono one (0.650-0.703), its
depth-0 one (0.688; 0.78 trained alone) below the 64 px mono ones.
"""

from __future__ import annotations

import time

import numpy as np

SPEC = "specs/wakevision_small.yaml"
STANDALONE_STEPS = 300
STANDALONE_SEEDS = (0, 1)
GOAL = 0.6


def kendall_tau(a, b) -> float:
    """Kendall's tau-b (ties in either ranking counted as in scipy.stats.kendalltau).

    Example:
        >>> kendall_tau([1, 2, 3], [1, 3, 2]), kendall_tau([1, 2, 3], [3, 2, 1])
        (0.3333333333333333, -1.0)
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    i, j = np.triu_indices(len(a), k=1)
    da, db = np.sign(a[i] - a[j]), np.sign(b[i] - b[j])
    concordance = float((da * db).sum())
    pairs_a, pairs_b = float((da != 0).sum()), float((db != 0).sum())
    return float(concordance / np.sqrt(pairs_a * pairs_b)) if pairs_a and pairs_b else float("nan")


def stratified(space, per_config: int, configs: int, seed: int = 0) -> list:
    """`per_config` distinct candidates in each of the first `configs` data configurations (spread
    from the smallest to the largest input)."""
    from engine.space.candidate import Candidate

    rng = np.random.default_rng(seed)
    chosen_configs = [space.data_configs[int(i)] for i in np.linspace(0, len(space.data_configs) - 1, configs)]
    out = []
    for data in chosen_configs:
        seen = set()
        while len(seen) < per_config:
            draw = space.sample(rng)
            candidate = Candidate(dict(data), draw.depths, draw.alpha)
            if candidate not in seen:
                seen.add(candidate)
                out.append(candidate)
    return out


def parts(overrides: list[str]):
    from danas.budget import Budget
    from engine.run import supernet_parts
    from engine.spec import load_spec
    from modalities import open_modality

    config = load_spec(SPEC, overrides).config
    modality = open_modality(config)
    info = modality.load()
    # an unlimited budget: every sampled candidate is trained, none rejected
    return config, modality, supernet_parts(config, modality, tuple(info.classes),
                                            Budget(ram_bytes=10**12, flash_bytes=10**12))


def pooled_accuracy(evaluator, net, trainable, non_trainable, candidate) -> float:
    """Accuracy over the validation and test splits together (a sharper truth than either: the
    bench selects nothing on it, so the test split may serve)."""
    sizes, correct = 0, 0.0
    for split in ("validation", "test"):
        size = len(evaluator.modality.arrays(split, candidate.data).y)
        correct += size * evaluator.measure(net, trainable, non_trainable, candidate, split)["accuracy"]
        sizes += size
    return correct / sizes


def standalone_accuracy(candidates: list, steps: int, seeds: tuple) -> list[float]:
    """Each candidate trained from scratch (an untrained supernet's masked subnet) once per seed
    (its own initial weights and batches), the pooled accuracies averaged over the seeds."""
    totals = np.zeros(len(candidates))
    for seed in seeds:
        # an untrained supernet: training from scratch
        _, _, scratch = parts(["training.pretrain_steps=0", f"seed={seed}"])
        for i, candidate in enumerate(candidates):
            net = scratch.pool.for_candidate(candidate)
            trainable, non_trainable, failure = scratch.evaluator.finetune(net, candidate, steps)
            if not failure:
                totals[i] += pooled_accuracy(scratch.evaluator, net, trainable, non_trainable, candidate)
    return [round(float(t) / len(seeds), 6) for t in totals]


def per_data(rows: list[dict], ours: str, truth: str) -> dict[str, float]:
    return {key: round(kendall_tau([r[ours] for r in rows if r["data"] == key],
                                   [r[truth] for r in rows if r["data"] == key]), 3)
            for key in dict.fromkeys(r["data"] for r in rows)}


def run(quick: bool) -> dict:
    from engine.backend import select_backend

    select_backend()
    per_config, configs = (3, 2) if quick else (4, 3)
    config, _, searched = parts([])
    candidates = stratified(searched.space, per_config, configs)
    start = time.perf_counter()
    records = [searched.evaluator.evaluate(c, i) for i, c in enumerate(candidates)]
    supernet_seconds = time.perf_counter() - start
    steps, seeds = (STANDALONE_STEPS // 3, STANDALONE_SEEDS[:1]) if quick else (STANDALONE_STEPS, STANDALONE_SEEDS)
    start = time.perf_counter()
    standalone = standalone_accuracy(candidates, steps, seeds)
    rows = [{"data": searched.pool.modality.key(c.data), "depths": "".join(map(str, c.depths)), "alpha": c.alpha,
             "supernet_acc": r.metrics["accuracy"], "supernet_loss": round(r.metrics["loss"], 4),
             "standalone_acc": a} for c, r, a in zip(candidates, records, standalone)]
    overall = round(kendall_tau([r["supernet_acc"] for r in rows], standalone), 3)
    by_loss = round(kendall_tau([-r["supernet_loss"] for r in rows], standalone), 3)  # lower loss ranks higher
    return {"goal": f"Kendall tau >= {GOAL} across all ({overall})", "tau": overall,
            "tau_per_data": per_data(rows, "supernet_acc", "standalone_acc"), "tau_by_loss": by_loss,
            "met": bool(overall >= GOAL), "candidates": len(rows), "standalone_steps": steps,
            "standalone_seeds": list(seeds), "pretrain_steps": config.training.pretrain_steps,
            "finetune_steps": config.training.finetune_steps,
            "calibration_batches": config.training.calibration_batches,
            "supernet_seconds": round(supernet_seconds, 1),
            "standalone_seconds": round(time.perf_counter() - start, 1), "rows": rows}
