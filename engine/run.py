"""The one place that wires the stages: config -> modality -> search space -> strategy loop ->
evaluator + hardware estimator -> report records and bundle.

Every candidate is appended to trials.jsonl as soon as it is known. A resumed run replays the
strategy over the recorded trials (asks must match them) and goes on from there, so it ends
with the trials an uninterrupted run would have had.
"""

from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from danas import interrupts
from danas.budget import Budget
from danas.config import SpecConfig
from danas.records import ParetoEntry, TrialRecord, architecture_label
from danas.registry import Registry
from engine.backend import enable_compilation_cache, load_keras
from engine.deploy.export import export_run, require_deploy_extra
from engine.environment import environment
from engine.evaluate.compiles import compile_stats, reset_compile_stats
from engine.evaluate.darts_retrain import retrain
from engine.evaluate.darts_search import DartsSearch, darts_summary
from engine.evaluate.finalize import (FinalJob, FinalSystem, FinalWeights, final_jobs, final_systems, reusing,
                                      screening_jobs)
from engine.evaluate.metrics import positive_index
from engine.evaluate.parts import SupernetParts, data_configs, supernet_parts
from engine.execution.jobs import Executor, Job
from engine.execution.local import LocalExecutor
from engine.execution.ray_cluster import require_ray
from engine.hardware.targets import hardware_budget
from engine.space.joint import JointSpace
from engine.spec import Spec
from engine.strategies import Exhausted, make_strategy, replay
from modalities import open_modality
from modalities.cache import cache_root
from reports.bundle import Bundle
from reports.checkpoints import CheckpointStore
from reports.finish import finish_bundle, load_report
from reports.live import RunStatus, RunView
from reports.render import skipped_sentence
from reports.summary import run_summary
from reports.terminal import Terminal

# A run whose proposals are almost all over budget stops instead of spinning.
MAX_REJECTIONS_PER_EVALUATION = 20


@dataclass(frozen=True, kw_only=True)
class Stage:
    """What every search is handed: the settings, the data, where results go, what they must fit."""

    config: SpecConfig
    modality: Any
    classes: tuple[str, ...]
    bundle: Bundle
    terminal: Terminal
    view: RunView
    budget: Budget
    start: float

    def positive(self) -> int | None:
        objective = self.config.objective
        return positive_index(objective.average, objective.positive_class, self.classes)


@dataclass(frozen=True, kw_only=True)
class SearchResult:
    """What a search hands back: every trial, the systems to export, and its own report section."""

    trials: list[TrialRecord]
    systems: list[FinalSystem]
    end: float
    darts: dict[str, Any] | None = None
    screening: dict[str, Any] | None = None  # data key -> {"trial", "steps", "metrics"} (training.screen_steps)


def run(spec: Spec, terminal: Terminal, resume: Path | None = None) -> int:
    """Runs (or resumes) the search a spec describes; returns the exit code."""
    config = spec.config
    if config.export.int8_tflite:
        require_deploy_extra()  # before the search, not after it
    if config.execution.backend == "ray":
        require_ray()
    load_keras()
    enable_compilation_cache(cache_root(config.dataset.cache_dir) / "xla")
    reset_compile_stats()  # this run's compilations only
    bundle = Bundle(resume) if resume else Bundle.create(config.output.root, config.name)
    bundle.lock()
    previous = interrupts.install()
    try:
        return _run(spec, terminal, bundle, resumed=resume is not None)
    except KeyboardInterrupt:
        terminal.error(f"interrupted; every finished candidate is saved. Resume with: run-spec --resume {bundle.root}")
        return 130
    finally:
        interrupts.restore(previous)
        bundle.unlock()


def _run(spec: Spec, terminal: Terminal, bundle: Bundle, resumed: bool) -> int:
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
    bundle.write_json("env.json", environment())
    budget = hardware_budget(config.hardware)
    start = time.time() - bundle.elapsed_seconds()
    status = RunStatus(config.budget.max_evaluations, config.budget.max_minutes, budget, start)
    with RunView(terminal, status) as view:
        stage = Stage(config=config, modality=modality, classes=tuple(info.classes), bundle=bundle,
                      terminal=terminal, view=view, budget=budget, start=start)
        result = SEARCHES.get(config.strategy.type)(stage)
        interrupts.check()
    pareto = [_export(stage, system) for system in result.systems]
    info.skipped = modality.skipped_files()  # known once every split has been decoded
    bundle.write_json("dataset.json", info.as_dict())
    if any(info.skipped.values()):
        terminal.warning(skipped_sentence(info.skipped))
    seconds = {"final_report": time.time() - result.end, "total": time.time() - start}
    summary = run_summary(config.name, config.seed, result.trials, len(pareto), info.as_dict(), compile_stats(),
                          seconds, objective=_objective(stage), screening=result.screening, budget=budget)
    report = finish_bundle(bundle, result.trials, pareto, summary, budget, config.name, result.darts)
    if config.export.int8_tflite:
        export_run(bundle.root, None, terminal.info)
        report = load_report(bundle)
    terminal.result(report)
    return 0


def _objective(stage: Stage) -> dict[str, Any]:
    """How fitness was computed, for summary.json and the report."""
    objective, positive = stage.config.objective, stage.positive()
    return {"average": objective.average, "positive_class": None if positive is None else stage.classes[positive],
            "weights": dict(objective.weights.__dict__)}


def _export(stage: Stage, system: FinalSystem) -> ParetoEntry:
    """Saves a system's model and preprocessing into the bundle; returns its pareto.json entry."""
    trial = system.trial
    stem = f"models/{trial.index + 1:04d}-{trial.data_key}"
    stage.bundle.write_with(f"{stem}.keras", system.model.save)
    stage.bundle.write_json(f"{stem}.preprocessing.json", stage.modality.preprocessing(trial.candidate["data"]))
    return ParetoEntry(trial=trial, test_metrics=system.test_metrics, feasible=stage.budget.fits(trial.estimate),
                       model=f"{stem}.keras", preprocessing=f"{stem}.preprocessing.json", steps=system.steps)


def supernet_search(stage: Stage) -> SearchResult:
    """Evolution or random search over the supernet space; the Pareto set measured on test."""
    config = stage.config
    store = CheckpointStore(stage.bundle, cache_root(config.dataset.cache_dir) / "supernets", stage.terminal.warning)
    parts = supernet_parts(config, stage.modality, stage.classes, stage.budget, load=store.load, save=store.save,
                           progress=stage.view.phase)
    executor = _executor(stage, parts, store)
    try:
        trials = _loop(stage, parts.space, executor)
        end = time.time()
        screening = _screen(stage, executor, trials)
        jobs = final_jobs(trials, config.training, lambda t: stage.budget.fits(t.estimate),
                          {entry["trial"]: entry["metrics"] for entry in screening.table.values()})
        jobs = reusing(jobs, screening.weights)
        stage.view.phase(f"measuring the returned systems on the test split ({_final_phrase(jobs)})")
        systems = final_systems(parts.evaluator, jobs, stage.terminal.warning, executor.finalize)
    finally:
        executor.close()
    return SearchResult(trials=trials, systems=systems, end=end, screening=screening.table or None)


@dataclass(frozen=True, kw_only=True)
class Screening:
    """What the screening measured (data key -> {"trial": index, "steps", "metrics"}, for the
    summary) and the screened weights (trial index -> weights, for the final phase)."""

    table: dict[str, Any]
    weights: dict[int, FinalWeights]


def _screen(stage: Stage, executor: Executor, trials: list[TrialRecord]) -> Screening:
    """Each data configuration's fittest system within the budget, fine-tuned for
    training.screen_steps and measured on validation again (nothing when not screening)."""
    jobs = screening_jobs(trials, stage.config.training, lambda t: stage.budget.fits(t.estimate))
    screening = Screening(table={}, weights={})
    if not jobs:
        return screening
    stage.view.phase(f"screening the fittest system within budget of each of {len(jobs)} data configurations "
                     f"({stage.config.training.screen_steps} fine-tuning steps each, then validation)")
    for job, result in zip(jobs, executor.finalize(jobs)):
        if result.warning:
            stage.terminal.warning(result.warning)
        screening.table[job.trial.data_key] = {"trial": job.trial.index, "steps": result.steps,
                                               "metrics": result.metrics}
        screening.weights[job.trial.index] = result
    return screening


def _final_phrase(jobs: list[FinalJob]) -> str:
    """How the returned systems are fine-tuned before their test, for the phase line.

    Example:
        >>> from types import SimpleNamespace as J
        >>> _final_phrase([J(steps=300, trained=None), J(steps=300, trained=None)])
        'each fine-tuned for 300 steps first'
        >>> _final_phrase([J(steps=20, trained=None), J(steps=300, trained=None), J(steps=20, trained=None)])
        'the most accurate 1 fine-tuned for 300 steps first, the other 2 for 20'
        >>> _final_phrase([J(steps=0, trained=None), J(steps=300, trained=object())])
        'the most accurate 1 fine-tuned for 300 steps first (1 in the screening), the other 1 as the search measured them'
    """
    if not jobs:
        return "no successful candidate"
    longer, shorter = max(j.steps for j in jobs), min(j.steps for j in jobs)
    if longer == shorter:
        return f"each fine-tuned for {longer} steps first"
    many = sum(j.steps == longer for j in jobs)
    others = f"for {shorter}" if shorter else "as the search measured them"
    reused = sum(j.trained is not None for j in jobs)
    return (f"the most accurate {many} fine-tuned for {longer} steps first"
            + (f" ({reused} in the screening)" if reused else "") + f", the other {len(jobs) - many} {others}")


def _executor(stage: Stage, parts: SupernetParts, store: CheckpointStore) -> Executor:
    """Where the candidates are evaluated (execution.backend)."""
    return BACKENDS.get(stage.config.execution.backend)(stage, parts, store)


def _local(stage: Stage, parts: SupernetParts, store: CheckpointStore) -> Executor:
    def announce(job: Job) -> None:
        label = f"{stage.modality.key(job.candidate.data)} {architecture_label(job.candidate.to_json())}"
        stage.view.phase(f"evaluating candidate {job.index + 1}: {label}", log=False)

    return LocalExecutor(parts.evaluator, announce)


def _ray(stage: Stage, parts: SupernetParts, store: CheckpointStore) -> Executor:
    from engine.execution.ray_executor import RayExecutor  # imports Ray: only for runs that use it

    return RayExecutor(stage.config, parts.pool.checkpoint_of, stage.modality.key, store.load, store.save,
                       stage.view.phase, stage.terminal.warning)


# The executor each `execution.backend` builds, keyed by the name a spec uses (the schema's enum).
BACKENDS: Registry[Callable[[Stage, SupernetParts, CheckpointStore], Executor]] = Registry("execution backend")
BACKENDS.add("local", _local)
BACKENDS.add("ray", _ray)


def darts_search(stage: Stage) -> SearchResult:
    """DARTS with data weights: one search, one derived system trained from scratch."""
    config, modality, bundle = stage.config, stage.modality, stage.bundle
    configs = data_configs(config, modality)

    def save(name: str, data: bytes) -> None:
        bundle.save_checkpoint(name, data)
        bundle.save_elapsed(time.time() - stage.start)

    minutes = config.budget.max_minutes
    search = DartsSearch(config, modality, configs, len(stage.classes), load=bundle.load_checkpoint, save=save,
                         progress=stage.view.phase, ram_budget=stage.budget.ram_bytes,
                         deadline=None if minutes is None else stage.start + 60 * minutes)
    outcome = search.run()
    data = configs[outcome.chosen]
    result = retrain(config, modality, data, outcome.genotype, len(stage.classes), stage.positive(), stage.budget,
                     stage.view.phase)
    end = time.time()
    record = TrialRecord(index=0, candidate={"data": data, "genotype": outcome.genotype.to_json()},
                         data_key=modality.key(data), status="failed" if result.failure else "ok",
                         reason=result.failure, metrics=result.validation, estimate=result.estimate,
                         fitness=result.fitness, seconds=round(outcome.seconds + result.seconds, 3),
                         pretrain_seconds=round(outcome.seconds, 3))
    recorded, _ = bundle.read_trials()
    if not recorded:  # a resumed run that had finished its search recomputes the same record
        bundle.append_trial(record)
    stage.view.trial(record)
    systems = [] if result.failure else [
        FinalSystem(trial=record, test_metrics=result.test, steps=config.training.retrain_steps, model=result.model)]
    darts = darts_summary(outcome, [modality.key(d) for d in configs], config.strategy.early_stop_ratio)
    bundle.write_json("darts.json", darts)
    return SearchResult(trials=[record], systems=systems, end=end, darts=darts)


# The search each `strategy.type` runs, keyed by the name a spec uses (the schema's enum).
SEARCHES: Registry[Callable[[Stage], SearchResult]] = Registry("search")
SEARCHES.add("evolution", supernet_search)
SEARCHES.add("random", supernet_search)
SEARCHES.add("differentiable", darts_search)


def _loop(stage: Stage, space: JointSpace, executor: Executor) -> list[TrialRecord]:
    """Asks the strategy for a batch (`strategy.batch`), has the executor evaluate it, and tells
    and records the results in ask order: the trials one-at-a-time asking would give."""
    config, bundle, view = stage.config, stage.bundle, stage.view
    strategy = make_strategy(config)
    trials, repaired = bundle.read_trials()
    if repaired:
        stage.terminal.warning("the last record of trials.jsonl was cut off by the interruption; it was removed "
                               "and that candidate is evaluated again")
    state = replay(strategy, space, strategy.init(space, config.seed), trials)
    for trial in trials:
        view.status.add(trial)
    if trials:
        stage.terminal.info(f"{len(trials)} recorded candidates replayed; going on")
    counts = {"evaluated": sum(t.status != "rejected" for t in trials)}
    counts["rejected"] = len(trials) - counts["evaluated"]
    stopped, exhausted = not _go_on(stage, counts), False
    while not (stopped or exhausted):
        jobs = []
        for _ in range(_batch_size(strategy.batch(state), config.budget.max_evaluations, counts["evaluated"])):
            try:
                candidate, state = strategy.ask(space, state)
            except Exhausted as err:
                stage.terminal.info(f"stopping: {err}")
                exhausted = True
                break
            jobs.append(Job(index=len(trials) + len(jobs), candidate=candidate))
        with closing(executor.evaluate(jobs)) as records:  # closed early: workers finish what they hold
            for job, record in zip(jobs, records):
                state = strategy.tell(state, job.candidate, record.fitness)
                bundle.append_trial(record)
                bundle.save_elapsed(time.time() - stage.start)
                trials.append(record)
                counts["evaluated" if record.status != "rejected" else "rejected"] += 1
                view.trial(record)
                interrupts.check()
                stopped = not _go_on(stage, counts)
                if stopped:
                    break
    bundle.write_json("strategy_state.json", state.to_json())
    return trials


def _batch_size(batch: int, limit: int | None, evaluated: int) -> int:
    """A batch never asks for more candidates than the evaluation limit leaves (each adds at most one)."""
    return max(1, batch if limit is None else min(batch, limit - evaluated))


def _go_on(stage: Stage, counts: dict[str, int]) -> bool:
    """False once the budget is spent or almost every proposal is over the hardware budget
    (checked after every record, so a batch stops where one-at-a-time asking would have)."""
    limit, minutes = stage.config.budget.max_evaluations, stage.config.budget.max_minutes
    if limit is not None and counts["evaluated"] >= limit:
        return False
    if minutes is not None and time.time() - stage.start >= 60 * minutes:
        return False
    if counts["rejected"] > MAX_REJECTIONS_PER_EVALUATION * max(1, limit or 50):
        stage.terminal.warning(f"stopping: {counts['rejected']} proposals were over budget; the budget may be too "
                               "small for this search space")
        return False
    return True
