"""After the search: the Pareto-optimal systems, measured once on the test split and extracted
as standalone narrow Keras models.

Fine-tuning is deterministic per (seed, candidate), so each system is fine-tuned again here
rather than keeping every candidate's weights in memory during the search: for
training.final_steps steps when that is set (a longer fine-tune for the few systems the search
returns), else for the search's own finetune_steps. `final_weights` (the training and the test)
runs where the candidates were evaluated, in the run's process or a worker; `final_system`
(the extraction) in the run's process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

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
class FinalWeights:
    """A returned system's fine-tuned supernet weights (host arrays, so they can travel from a
    worker), its test metrics, and a warning to show ('' if none)."""

    trainable: list
    non_trainable: list
    test_metrics: dict[str, float]
    warning: str = ""


def final_weights(evaluator: Evaluator, trial: TrialRecord) -> FinalWeights:
    """Fine-tunes a Pareto-optimal system for `final_steps` and measures it on the test split.
    A longer final fine-tune that diverges is reported in `warning`, and the system the search
    measured (its finetune_steps) is returned instead."""
    steps, candidate = final_steps(evaluator.config.training), Candidate.from_json(trial.candidate)
    # in the search's programs: no compilation per system, and on CPU a narrower program saves
    # little (a 96 px step of the 1/3-width mono subnet costs 0.64x the full width's, 2 cores),
    # less than compiling it costs over a few hundred steps
    net = evaluator.pool.for_candidate(candidate)
    trainable, non_trainable, failure = evaluator.finetune(net, candidate, steps)
    warning = ""
    if failure:
        warning = (f"trial {trial.index + 1}: the {steps}-step final fine-tune diverged ({failure}); returning "
                   f"the system the search measured ({evaluator.config.training.finetune_steps} steps); "
                   "lower training.final_steps or training.learning_rate")
        trainable, non_trainable, _ = evaluator.finetune(net, candidate)
    test = evaluator.measure(net, trainable, non_trainable, candidate, "test")
    return FinalWeights(trainable=[np.asarray(v) for v in trainable], non_trainable=[np.asarray(v) for v in non_trainable],
                        test_metrics=test, warning=warning)


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
    return FinalSystem(trial=trial, test_metrics=weights.test_metrics, model=model)


def final_systems(evaluator: Evaluator, trials: list[TrialRecord], warn: Callable[[str], None],
                  weights: Callable[[list[TrialRecord]], Iterable[FinalWeights]] | None = None) -> list[FinalSystem]:
    """The Pareto-optimal systems of `trials`, fine-tuned, measured and extracted. `weights`
    gives their `FinalWeights` in order (an executor's workers); by default `final_weights` here."""
    pareto = pareto_trials(trials)
    trained = weights(pareto) if weights else (final_weights(evaluator, trial) for trial in pareto)
    systems = []
    for trial, result in zip(pareto, trained):
        if result.warning:
            warn(result.warning)
        systems.append(final_system(evaluator, trial, result))
    return systems
