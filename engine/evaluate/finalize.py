"""After the search: the Pareto-optimal systems, measured once on the test split and extracted
as standalone narrow Keras models.

Fine-tuning is deterministic per (seed, candidate), so each system is fine-tuned again here
rather than keeping every candidate's weights in memory during the search: for
training.final_steps steps when that is set (a longer fine-tune for the systems the search
returns; with training.final_systems k > 0 only for the k most accurate of them), else for the
search's own finetune_steps. `final_weights` (the training and the test) runs where the
candidates were evaluated, in the run's process or a worker; `final_system` (the extraction) in
the run's process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from danas.config import TrainingConfig
from danas.records import TrialRecord
from engine.evaluate.evaluator import Evaluator
from engine.evaluate.fitness import pareto_front
from engine.space.candidate import Candidate
from engine.space.extract import extract_subnet


@dataclass(frozen=True, kw_only=True)
class FinalSystem:
    """A Pareto-optimal system ready to leave the process: its trial, test metrics and model."""

    trial: TrialRecord
    test_metrics: dict[str, float]
    steps: int  # the fine-tuning steps of its weights
    model: Any  # keras.Model with the trained weights, stock layers only


def pareto_trials(trials: list[TrialRecord]) -> list[TrialRecord]:
    """The successful trials on the (accuracy, RAM, flash) Pareto front."""
    ok = [t for t in trials if t.status == "ok"]
    points = [(t.metrics["accuracy"], t.estimate.ram_bytes, t.estimate.flash_bytes) for t in ok]
    return [ok[i] for i in pareto_front(points)]


def final_steps(training: TrainingConfig) -> int:
    """Fine-tuning steps of a returned system.

    Example:
        >>> from engine.spec import resolve
        >>> final_steps(resolve({"training": {"finetune_steps": 20, "final_steps": 300}})[1].training)
        300
        >>> final_steps(resolve({"training": {"finetune_steps": 20}})[1].training)
        20
    """
    return training.final_steps or training.finetune_steps


@dataclass(frozen=True, kw_only=True)
class FinalJob:
    """A returned system and the fine-tuning steps it gets before its test."""

    trial: TrialRecord
    steps: int


def most_accurate(trials: Sequence[TrialRecord], count: int, fits: Callable[[TrialRecord], bool]) -> set[int]:
    """Indices of the `count` most accurate trials by validation accuracy, those within the
    budget first (ties: higher fitness, then the earlier trial); all of them when count is 0."""
    ranked = sorted(trials, key=lambda t: (not fits(t), -t.metrics["accuracy"], -(t.fitness or 0.0), t.index))
    return {t.index for t in (ranked[:count] if count else ranked)}


def final_jobs(trials: list[TrialRecord], training: TrainingConfig, fits: Callable[[TrialRecord], bool]) -> list[FinalJob]:
    """The Pareto-optimal systems of `trials` in front order, each with its fine-tuning steps:
    `final_steps` for the training.final_systems most accurate (all when 0), the search's own
    finetune_steps for the others (the exact systems the search measured).

    On 2 cores the final phase of wakevision_small was 444 s of a 917 s run with 300 steps for
    each of its 8 systems; the most accurate one alone is ~100 s of it."""
    pareto = pareto_trials(trials)
    longer = most_accurate(pareto, training.final_systems, fits)
    return [FinalJob(trial=t, steps=final_steps(training) if t.index in longer else training.finetune_steps)
            for t in pareto]


@dataclass(frozen=True, kw_only=True)
class FinalWeights:
    """A returned system's fine-tuned supernet weights (host arrays, so they can travel from a
    worker), its test metrics, the fine-tuning steps they come from, and a warning to show
    ('' if none)."""

    trainable: list
    non_trainable: list
    test_metrics: dict[str, float]
    steps: int
    warning: str = ""


def final_weights(evaluator: Evaluator, job: FinalJob) -> FinalWeights:
    """Fine-tunes a Pareto-optimal system for `job.steps` and measures it on the test split.
    A longer final fine-tune that diverges is reported in `warning`, and the system the search
    measured (its finetune_steps) is returned instead."""
    trial, steps, candidate = job.trial, job.steps, Candidate.from_json(job.trial.candidate)
    # in the search's programs: no compilation per system, and on CPU a narrower program saves
    # little (a 96 px step of the 1/3-width mono subnet costs 0.64x the full width's, 2 cores),
    # less than compiling it costs over a few hundred steps
    net = evaluator.pool.for_candidate(candidate)
    trainable, non_trainable, failure = evaluator.finetune(net, candidate, steps)
    warning = ""
    if failure:
        steps = evaluator.config.training.finetune_steps
        warning = (f"trial {trial.index + 1}: the {job.steps}-step final fine-tune diverged ({failure}); returning "
                   f"the system the search measured ({steps} steps); "
                   "lower training.final_steps or training.learning_rate")
        trainable, non_trainable, _ = evaluator.finetune(net, candidate)
    test = evaluator.measure(net, trainable, non_trainable, candidate, "test")
    return FinalWeights(trainable=[np.asarray(v) for v in trainable], non_trainable=[np.asarray(v) for v in non_trainable],
                        test_metrics=test, steps=steps, warning=warning)


def final_system(evaluator: Evaluator, trial: TrialRecord, weights: FinalWeights) -> FinalSystem:
    """The system as a standalone narrow Keras model with `weights` (stock layers only)."""
    candidate = Candidate.from_json(trial.candidate)
    net = evaluator.pool.for_candidate(candidate)
    for variable, value in zip(net.whole.trainable_variables, weights.trainable):
        variable.assign(value)
    for variable, value in zip(net.whole.non_trainable_variables, weights.non_trainable):
        variable.assign(value)
    model = extract_subnet(net.whole, candidate.depths, candidate.alpha * net.factor, name=f"danas_{trial.index:04d}",
                           input_shape=evaluator.modality.input_shape(candidate.data))
    return FinalSystem(trial=trial, test_metrics=weights.test_metrics, steps=weights.steps, model=model)


def final_systems(evaluator: Evaluator, jobs: list[FinalJob], warn: Callable[[str], None],
                  weights: Callable[[list[FinalJob]], Iterable[FinalWeights]] | None = None) -> list[FinalSystem]:
    """The systems of `jobs` (`final_jobs`), fine-tuned, measured and extracted. `weights` gives
    their `FinalWeights` in order (an executor's workers); by default `final_weights` here."""
    trained = weights(jobs) if weights else (final_weights(evaluator, job) for job in jobs)
    systems = []
    for job, result in zip(jobs, trained):
        if result.warning:
            warn(result.warning)
        systems.append(final_system(evaluator, job.trial, result))
    return systems
