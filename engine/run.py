"""The one place that wires the stages: config -> modality -> search space -> strategy loop ->
evaluator + hardware estimator -> report records and bundle.

Every candidate is appended to trials.jsonl as soon as it is known. A resumed run replays the
strategy over the recorded trials (asks must match them) and goes on from there, so it ends
with the trials an uninterrupted run would have had.
"""

from __future__ import annotations

import json
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

from engine import interrupts
from engine.backend import enable_compilation_cache, keras as load_keras
from engine.errors import DataError, FatalError
from engine.evaluate.compiles import compile_stats, reset_compile_stats
from engine.evaluate.evaluator import Evaluator, TrialResult
from engine.evaluate.darts_retrain import retrain
from engine.evaluate.darts_search import DartsSearch, darts_summary
from engine.evaluate.finalize import FinalSystem, final_systems
from engine.evaluate.supernets import SupernetPool
from engine.hardware.targets import budget as hardware_budget
from engine.space.joint import JointSpace
from engine.spec import Spec
from engine.strategies import Exhausted, make_strategy
from modalities import open_modality
from modalities.cache import cache_root
from reports.bundle import Bundle, load_checked
from reports.finish import finish_bundle
from reports.records import TrialRecord
from reports.live import RunStatus, RunView
from reports.summary import run_summary
from reports.terminal import Terminal

# A run whose proposals are almost all over budget stops instead of spinning.
MAX_REJECTIONS_PER_EVALUATION = 20


def run(spec: Spec, terminal: Terminal, resume: Path | None = None) -> int:
    """Runs (or resumes) the search a spec describes; returns the exit code."""
    config = spec.config
    keras = load_keras()
    enable_compilation_cache(cache_root(config.dataset.cache_dir) / "xla")
    reset_compile_stats()  # this run's compilations only
    bundle = Bundle(resume) if resume else Bundle.create(config.output.root, config.name)
    bundle.lock()
    previous = interrupts.install()
    try:
        return _run(spec, terminal, bundle, keras, resumed=resume is not None)
    except KeyboardInterrupt:
        terminal.error(f"interrupted; every finished candidate is saved. Resume with: run-spec --resume {bundle.root}")
        return 130
    finally:
        interrupts.restore(previous)
        bundle.unlock()


def _run(spec: Spec, terminal: Terminal, bundle: Bundle, keras, resumed: bool) -> int:
    config = spec.config
    if not resumed:
        bundle.write_text("spec.yaml", spec.text.text)
        bundle.write_json("spec.resolved.json", spec.resolved)
        bundle.write_json("overrides.json", list(spec.overrides))
    terminal.info(f"{'resuming' if resumed else 'run folder:'} {bundle.root}")
    modality = open_modality(config)
    info = modality.load()
    if info.builtin:
        why = "" if config.dataset.source.startswith("builtin") else \
            f"no {config.dataset.source} data at {config.dataset.path}; "
        terminal.warning(f"{why}using the BUILT-IN GENERATED data set ({info.root}). Results say nothing "
                         "about real data.")
    bundle.write_json("dataset.json", info.as_dict())
    bundle.write_json("env.json", _environment(keras))
    budget = hardware_budget(config.hardware.target, config.hardware.ram_bytes, config.hardware.flash_bytes)
    start = time.time() - _elapsed(bundle)
    status = RunStatus(config.budget.max_evaluations, config.budget.max_minutes, budget, start)
    with RunView(terminal, status) as view:
        search = _differentiable if config.strategy.type == "differentiable" else _evolutionary
        trials, systems, search_end, darts = search(config, modality, info, bundle, terminal, view, budget, start)
        interrupts.check()
    pareto = []
    for system in systems:
        stem = f"models/{system.trial.index + 1:04d}-{system.trial.data_key}"
        bundle.write_with(f"{stem}.keras", system.model.save)
        bundle.write_json(f"{stem}.preprocessing.json", modality.preprocessing(system.trial.candidate["data"]))
        pareto.append({"trial": system.trial, "test_metrics": system.test_metrics, "feasible": system.feasible,
                       "model": f"{stem}.keras", "preprocessing": f"{stem}.preprocessing.json"})
    seconds = {"final_report": time.time() - search_end, "total": time.time() - start}
    summary = run_summary(config.name, config.seed, trials, len(pareto), info.as_dict(), compile_stats(), seconds)
    terminal.result(finish_bundle(bundle, trials, pareto, summary, budget, config.name, darts))
    return 0


def _evolutionary(config, modality, info, bundle, terminal, view, budget, start):
    """Evolution or random search over the supernet space; the Pareto set measured on test."""
    space = _joint_space(config, modality)
    cache = cache_root(config.dataset.cache_dir) / "supernets"
    pool = SupernetPool(config, modality, space, len(info.classes),
                        load=lambda name: _load_checkpoint(bundle, cache, name, terminal),
                        save=lambda name, data: _save_checkpoint(bundle, cache, name, data),
                        progress=view.phase)
    evaluator = Evaluator(config, modality, pool, len(info.classes), _positive(config, info.classes), budget)
    trials = _loop(config, space, evaluator, bundle, terminal, view, start)
    search_end = time.time()
    view.phase("measuring the Pareto-optimal systems on the test split")
    return trials, final_systems(evaluator, trials), search_end, None


def _differentiable(config, modality, info, bundle, terminal, view, budget, start):
    """DARTS with data weights: one search, one derived system trained from scratch."""
    configs = _data_configs(config, modality)

    def save(name: str, data: bytes) -> None:
        bundle.save_checkpoint(name, data)
        bundle.write_json("run_state.json", {"elapsed_seconds": round(time.time() - start, 3)})

    search = DartsSearch(config, modality, configs, len(info.classes), load=bundle.load_checkpoint, save=save,
                         progress=view.phase)
    outcome = search.run()
    data = configs[outcome.chosen]
    result = retrain(config, modality, data, outcome.genotype, len(info.classes),
                     _positive(config, info.classes), budget, view.phase)
    search_end = time.time()
    record = TrialRecord(0, {"data": data, "genotype": outcome.genotype.to_json()}, modality.key(data),
                         "failed" if result.failure else "ok", result.failure, result.validation,
                         result.estimate.as_dict(), result.fitness, round(outcome.seconds + result.seconds, 3),
                         round(outcome.seconds, 3))
    recorded, _ = bundle.read_trials()
    if not recorded:  # a resumed run that had finished its search recomputes the same record
        bundle.append_trial(record)
    view.trial(record)
    feasible = record.estimate["ram_bytes"] <= budget[0] and record.estimate["flash_bytes"] <= budget[1]
    systems = [FinalSystem(record, result.test, result.model, feasible)] if not result.failure else []
    darts = darts_summary(outcome, [modality.key(d) for d in configs], config.strategy.early_stop_ratio)
    bundle.write_json("darts.json", darts)
    return [record], systems, search_end, darts


def _loop(config, space, evaluator, bundle, terminal, view: RunView, start) -> list[TrialRecord]:
    strategy = make_strategy(config)
    state = strategy.init(space, config.seed)
    trials, repaired = bundle.read_trials()
    if repaired:
        terminal.warning("the last record of trials.jsonl was cut off by the interruption; it was removed "
                         "and that candidate is evaluated again")
    for trial in trials:  # replay: the strategy must ask for what was recorded
        candidate, state = strategy.ask(space, state)
        if candidate.to_json() != trial.candidate:
            raise FatalError(f"cannot resume: trial {trial.index + 1} was {trial.candidate}, but the strategy now "
                             f"proposes {candidate.to_json()}; resume with the spec and danas version of the run")
        state = strategy.tell(state, candidate, trial.fitness)
    for trial in trials:
        view.status.add(trial)
    if trials:
        terminal.info(f"{len(trials)} recorded candidates replayed; going on")
    evaluated = sum(t.status != "rejected" for t in trials)
    rejected = len(trials) - evaluated
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
        view.phase(f"evaluating candidate {len(trials) + 1}: {candidate.short()}", log=False)
        result = evaluator.evaluate(candidate)
        state = strategy.tell(state, candidate, result.fitness)
        record = _record(len(trials), result)
        bundle.append_trial(record)
        bundle.write_json("run_state.json", {"elapsed_seconds": round(time.time() - start, 3)})
        trials.append(record)
        evaluated += result.status != "rejected"
        rejected += result.status == "rejected"
        view.trial(record)
        interrupts.check()
    bundle.write_json("strategy_state.json", state.to_json())
    return trials


def _record(index: int, result: TrialResult) -> TrialRecord:
    return TrialRecord(index, result.candidate.to_json(), result.data_key, result.status, result.reason,
                       result.metrics, result.estimate, result.fitness, result.seconds,
                       round(result.pretrain_seconds, 3))


def _data_configs(config, modality) -> list[dict[str, Any]]:
    """The data search space, or the one pinned configuration of a data-unaware run."""
    configs = modality.data_configs()
    if not config.strategy.data_aware:
        pinned = config.strategy.pinned_data
        configs = [{key: pinned[key] for key in configs[0]}]
    return configs


def _joint_space(config, modality) -> JointSpace:
    space = config.search_space
    return JointSpace(tuple(_data_configs(config, modality)), space.stage_depths.as_tuple(), tuple(space.alphas))


def _positive(config, classes: tuple[str, ...]) -> int | None:
    name = config.objective.positive_class
    if name is None:
        return 1 if len(classes) == 2 else None
    if name not in classes:
        raise DataError(f"objective.positive_class {name!r} is not a class of this data; "
                        f"expected one of: {', '.join(classes)}")
    return classes.index(name)


def _elapsed(bundle: Bundle) -> float:
    path = bundle.root / "run_state.json"
    return json.loads(path.read_text())["elapsed_seconds"] if path.exists() else 0.0


def _load_checkpoint(bundle: Bundle, cache: Path, name: str, terminal: Terminal) -> bytes | None:
    """The run folder's checkpoint, else the cache's (copied in, so the bundle stands alone)."""
    data = bundle.load_checkpoint(name)
    if data is None and (bundle.root / "supernets" / f"{name}.npz").exists():
        terminal.warning(f"supernet checkpoint {name} is damaged (SHA-256 mismatch); ignoring it")
    if data is None:
        data = load_checked(cache / f"{name}.npz")
        if data is not None:
            bundle.save_checkpoint(name, data)
    return data


def _save_checkpoint(bundle: Bundle, cache: Path, name: str, data: bytes) -> None:
    bundle.save_checkpoint(name, data)
    Bundle(cache.parent).save_checkpoint(name, data)


def _environment(keras) -> dict[str, Any]:
    import jax
    import jaxlib
    import optax

    return {"python": platform.python_version(), "platform": platform.platform(), "keras": keras.__version__,
            "jax": jax.__version__, "jaxlib": jaxlib.__version__, "optax": optax.__version__,
            "backend": keras.backend.backend(), "devices": [str(d) for d in jax.devices()],
            "danas_commit": _git_commit()}


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True,
                             text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None
