"""The one place that wires the stages: config -> modality -> search space -> strategy loop ->
evaluator + hardware estimator -> report records and bundle.

Every evaluated candidate is appended to trials.jsonl as soon as it is known.
"""

from __future__ import annotations

import platform
import time
from typing import Any

from engine.backend import enable_compilation_cache, keras as load_keras
from engine.errors import DataError
from engine.evaluate.compiles import compile_stats
from engine.evaluate.evaluator import Evaluator, TrialResult
from engine.evaluate.finalize import final_systems
from engine.evaluate.supernets import SupernetPool
from engine.hardware.targets import budget as hardware_budget
from engine.space.joint import JointSpace
from engine.spec import Spec
from engine.strategies import Exhausted, make_strategy
from modalities import open_modality
from modalities.cache import cache_root
from reports.bundle import Bundle, load_checked
from reports.records import TrialRecord
from reports.render import pareto_table, trial_line
from reports.terminal import Terminal

# A run whose proposals are almost all over budget stops instead of spinning.
MAX_REJECTIONS_PER_EVALUATION = 20


def run(spec: Spec, terminal: Terminal) -> int:
    """Runs the search a spec describes and writes its bundle; returns the exit code."""
    keras = load_keras()
    config = spec.config
    enable_compilation_cache(cache_root(config.dataset.cache_dir) / "xla")
    compile_stats()  # start counting compilations
    start = time.time()
    bundle = Bundle.create(config.output.root, config.name)
    bundle.lock()
    try:
        return _search(spec, terminal, bundle, keras, start)
    finally:
        bundle.unlock()


def _search(spec: Spec, terminal: Terminal, bundle: Bundle, keras, start: float) -> int:
    config = spec.config
    bundle.write_text("spec.yaml", spec.text.text)
    bundle.write_json("spec.resolved.json", spec.resolved)
    terminal.info(f"run folder: {bundle.root}")
    modality = open_modality(config)
    info = modality.load()
    if info.builtin:
        terminal.warning(f"no {config.dataset.source} data at {config.dataset.path}; using the BUILT-IN "
                         f"GENERATED stand-in ({info.root}). Results say nothing about real data.")
    bundle.write_json("dataset.json", info.as_dict())
    bundle.write_json("env.json", _environment(keras))
    ram, flash = hardware_budget(config.hardware.target, config.hardware.ram_bytes, config.hardware.flash_bytes)
    space = _joint_space(config, modality)
    cache = cache_root(config.dataset.cache_dir) / "supernets"
    pool = SupernetPool(config, modality, space, len(info.classes),
                        load=lambda name: bundle.load_checkpoint(name) or load_checked(cache / f"{name}.npz"),
                        save=lambda name, data: _save_checkpoint(bundle, cache, name, data),
                        progress=terminal.info)
    evaluator = Evaluator(config, modality, pool, len(info.classes), _positive(config, info.classes), (ram, flash))
    trials = _loop(config, space, evaluator, bundle, terminal, start, (ram, flash))
    search_seconds = time.time() - start
    terminal.info("measuring the Pareto-optimal systems on the test split")
    systems = final_systems(evaluator, trials)
    pareto = []
    for system in systems:
        stem = f"models/{system.trial.index:04d}-{system.trial.data_key}"
        bundle.write_with(f"{stem}.keras", system.model.save)
        bundle.write_json(f"{stem}.preprocessing.json", modality.preprocessing(system.trial.candidate["data"]))
        pareto.append({"trial": system.trial, "test_metrics": system.test_metrics, "feasible": system.feasible,
                       "model": f"{stem}.keras", "preprocessing": f"{stem}.preprocessing.json"})
    bundle.write_json("pareto.json", [dict(p, trial=p["trial"].to_json()) for p in pareto])
    bundle.write_json("summary.json", _summary(config, trials, pareto, info, start, search_seconds))
    terminal.result(pareto_table(pareto, (ram, flash)))
    terminal.result(f"bundle: {bundle.root}")
    return 0


def _loop(config, space, evaluator, bundle, terminal, start, budget) -> list[TrialRecord]:
    strategy = make_strategy(config)
    state = strategy.init(space, config.seed)
    trials: list[TrialRecord] = []
    evaluated = rejected = 0
    limit, minutes = config.budget.max_evaluations, config.budget.max_minutes
    while (limit is None or evaluated < limit) and (minutes is None or time.time() - start < 60 * minutes):
        if rejected > MAX_REJECTIONS_PER_EVALUATION * max(1, limit or 50):
            terminal.warning(f"stopping: {rejected} proposals were over budget; the budget may be too small "
                             "for this search space")
            break
        try:
            candidate, state = strategy.ask(space, state)
        except Exhausted as err:
            terminal.info(f"stopping: {err}")
            break
        result = evaluator.evaluate(candidate)
        state = strategy.tell(state, candidate, result.fitness)
        record = _record(len(trials), result)
        bundle.append_trial(record)
        trials.append(record)
        evaluated += result.status != "rejected"
        rejected += result.status == "rejected"
        if result.status == "rejected":
            terminal.debug(trial_line(record, limit, budget))
        else:
            terminal.info(trial_line(record, limit, budget))
    bundle.write_json("strategy_state.json", state.to_json())
    return trials


def _record(index: int, result: TrialResult) -> TrialRecord:
    return TrialRecord(index, result.candidate.to_json(), result.data_key, result.status, result.reason,
                       result.metrics, result.estimate, result.fitness, result.seconds,
                       round(result.pretrain_seconds, 3))


def _joint_space(config, modality) -> JointSpace:
    configs = modality.data_configs()
    if not config.strategy.data_aware:
        pinned = config.strategy.pinned_data
        configs = [{key: pinned[key] for key in configs[0]}]
    space = config.search_space
    return JointSpace(tuple(configs), space.stage_depths.as_tuple(), tuple(space.alphas))


def _positive(config, classes: tuple[str, ...]) -> int | None:
    name = config.objective.positive_class
    if name is None:
        return 1 if len(classes) == 2 else None
    if name not in classes:
        raise DataError(f"objective.positive_class {name!r} is not a class of this data; "
                        f"expected one of: {', '.join(classes)}")
    return classes.index(name)


def _save_checkpoint(bundle: Bundle, cache, name: str, data: bytes) -> None:
    bundle.save_checkpoint(name, data)
    Bundle(cache.parent).save_checkpoint(name, data)


def _environment(keras) -> dict[str, Any]:
    import jax
    import optax

    return {"python": platform.python_version(), "platform": platform.platform(), "keras": keras.__version__,
            "jax": jax.__version__, "jaxlib": jax.lib.__version__ if hasattr(jax.lib, "__version__") else "",
            "optax": optax.__version__, "backend": keras.backend.backend(),
            "devices": [str(d) for d in jax.devices()]}


def _summary(config, trials, pareto, info, start, search_seconds) -> dict[str, Any]:
    ok = [t for t in trials if t.status == "ok"]
    best = max(ok, key=lambda t: t.fitness, default=None)
    per_data = {}
    for trial in ok:
        if trial.data_key not in per_data or trial.fitness > per_data[trial.data_key]["fitness"]:
            per_data[trial.data_key] = trial.to_json()
    pretrain = sum(t.pretrain_seconds for t in trials)
    return {
        "name": config.name, "seed": config.seed, "builtin_data": info.builtin,
        "dataset_fingerprint": info.fingerprint,
        "counts": {s: sum(t.status == s for t in trials) for s in ("ok", "rejected", "failed")},
        "best": best.to_json() if best else None, "best_per_data_configuration": per_data,
        "pareto_size": len(pareto), "xla_compilations": compile_stats()["compiles"],
        "xla_compile_seconds": round(compile_stats()["seconds"], 2),
        "seconds": {"supernet_pretraining": round(pretrain, 2),
                    "candidates": round(sum(t.seconds for t in trials) - pretrain, 2),
                    "final_report": round(time.time() - start - search_seconds, 2),
                    "total": round(time.time() - start, 2)},
    }
