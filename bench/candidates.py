"""Candidate evaluations per hour: danas's evaluator against the reference method, which builds
a stock Keras model per candidate (weights copied from the supernet), compiles it and `fit`s.

    python -m bench candidates [--quick]

Both evaluate the same candidates, sampled with a fixed seed from specs/wakevision_small.yaml's
joint space, with the same fine-tuning steps, batch size and optimizer, then measure the
validation split. Supernets are built and pre-trained (one step: pre-training is a per-run cost
of both methods and is left out) before the clock starts. danas's compilations, once per (data
configuration, width), are inside the timed "cold" pass (with JAX's persistent compilation
cache on, as in a run, in an empty folder); a second "steady" pass over the same candidates
shows the cost once every pair is compiled. Each (method, steps) runs in a fresh process, so
peak memory is per method.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np

from bench.timing import peak_rss_mib

SPEC = "specs/wakevision_small.yaml"


def setup(steps: int):
    from danas.budget import Budget
    from engine.run import supernet_parts
    from engine.spec import load_spec
    from modalities import open_modality

    config = load_spec(SPEC, ["training.pretrain_steps=1", f"training.finetune_steps={steps}"]).config
    modality = open_modality(config)
    info = modality.load()
    # an unlimited budget: every sampled candidate is trained, none rejected
    parts = supernet_parts(config, modality, tuple(info.classes), Budget(ram_bytes=10**12, flash_bytes=10**12))
    return config, modality, parts.space, parts.pool, parts.evaluator


def sample(space, count: int) -> list:
    rng = np.random.default_rng(0)
    return [space.sample(rng) for _ in range(count)]


def run_ours(steps: int, count: int) -> dict:
    import tempfile
    from pathlib import Path

    from engine.backend import enable_compilation_cache
    from engine.evaluate.compiles import compile_stats

    enable_compilation_cache(Path(tempfile.mkdtemp(prefix="danas-bench-xla-")))
    config, modality, space, pool, evaluator = setup(steps)
    candidates = sample(space, count)
    for candidate in candidates:
        pool.get(candidate.data)  # built and pre-trained before the clock starts
        modality.arrays("validation", candidate.data)
    before, start = compile_stats(), time.perf_counter()
    for candidate in candidates:
        assert evaluator.evaluate(candidate, 0).status == "ok"
    seconds = time.perf_counter() - start
    after = compile_stats()
    start = time.perf_counter()
    for candidate in candidates:
        evaluator.evaluate(candidate, 0)
    return {"seconds": seconds, "steady_seconds": time.perf_counter() - start,
            "compiles": after["compiles"] - before["compiles"],
            "compile_seconds": round(after["seconds"] - before["seconds"], 2),
            "pairs": len({(c.data["resolution"], c.data["color"], c.alpha) for c in candidates})}


def run_rebuild(steps: int, count: int) -> dict:
    from engine.backend import load_keras
    from engine.evaluate.compiles import compile_stats
    from engine.space.extract import extract_subnet

    keras = load_keras()
    config, modality, space, pool, _ = setup(steps)
    candidates = sample(space, count)
    for candidate in candidates:
        pool.get(candidate.data)
        modality.arrays("validation", candidate.data)
    batch = config.training.batch_size
    before, start = compile_stats(), time.perf_counter()
    for candidate in candidates:
        net = pool.get(candidate.data)
        model = extract_subnet(net.whole, candidate.depths, candidate.alpha * net.factor,
                               input_shape=modality.input_shape(candidate.data))
        model.compile(optimizer=keras.optimizers.Adam(config.training.learning_rate),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        train = modality.arrays("train", candidate.data)
        x = modality.to_model_input(train.x[:steps * batch])
        model.fit(x, np.asarray(train.y[:steps * batch]), batch_size=batch, epochs=1, verbose=0)
        validation = modality.arrays("validation", candidate.data)
        predicted = model.predict(modality.to_model_input(validation.x), batch_size=config.training.eval_batch_size,
                                  verbose=0).argmax(-1)
        float(np.mean(predicted == np.asarray(validation.y)))
    seconds = time.perf_counter() - start
    after = compile_stats()
    return {"seconds": seconds, "compiles": after["compiles"] - before["compiles"],
            "compile_seconds": round(after["seconds"] - before["seconds"], 2)}


def run(quick: bool = False) -> dict:
    count = 4 if quick else 8
    rows = []
    for steps in (10, 50, 100):
        measured = {method: _subprocess(method, steps, count) for method in ("ours", "rebuild")}
        per_hour = {m: 3600 * count / r["seconds"] for m, r in measured.items()}
        steady = 3600 * count / measured["ours"]["steady_seconds"]
        rows.append({"finetune_steps": steps, "candidates": count, "data_width_pairs": measured["ours"]["pairs"],
                     "danas_evals_per_hour": round(per_hour["ours"]), "rebuild_evals_per_hour": round(per_hour["rebuild"]),
                     "ratio": round(per_hour["ours"] / per_hour["rebuild"], 2),
                     "danas_steady_evals_per_hour": round(steady),
                     "steady_ratio": round(steady / per_hour["rebuild"], 2),
                     "danas_compiles": measured["ours"]["compiles"],
                     "danas_compile_seconds": measured["ours"]["compile_seconds"],
                     "rebuild_compiles": measured["rebuild"]["compiles"],
                     "rebuild_compile_seconds": measured["rebuild"]["compile_seconds"],
                     "danas_peak_rss_mib": measured["ours"]["peak_rss_mib"],
                     "rebuild_peak_rss_mib": measured["rebuild"]["peak_rss_mib"]})
    return {"rows": rows, "goal": "ratio >= 5 at 10 steps, >= 3 at 100 steps (cold: compiles included; steady: "
                                  "every (data configuration, width) pair compiled)"}


def _subprocess(method: str, steps: int, count: int) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.candidates", method, str(steps), str(count)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    from engine.backend import select_backend

    select_backend()
    method, steps, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    result = (run_ours if method == "ours" else run_rebuild)(steps, count)
    print(json.dumps({**result, "peak_rss_mib": round(peak_rss_mib(), 1)}))
