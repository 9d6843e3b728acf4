"""After the search: the Pareto-optimal systems, measured once on the test split and extracted
as standalone narrow Keras models.

Fine-tuning is deterministic per (seed, candidate), so each system is fine-tuned again here
rather than keeping every candidate's weights in memory during the search: for
training.final_steps steps when that is set (a longer fine-tune for the few systems the search
returns), else for the search's own finetune_steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

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


def final_systems(evaluator: Evaluator, trials: list[TrialRecord],
                  warn: Callable[[str], None]) -> list[FinalSystem]:
    """The Pareto-optimal systems, fine-tuned for `final_steps` and measured on the test split.
    A longer final fine-tune that diverges is said through `warn`, and the system the search
    measured (its finetune_steps) is returned instead."""
    systems, steps = [], final_steps(evaluator.config.training)
    for trial in pareto_trials(trials):
        candidate = Candidate.from_json(trial.candidate)
        # in the search's programs: no compilation per system, and on CPU a narrower program saves
        # little (a 96 px step of the 1/3-width mono subnet costs 0.64x the full width's, 2 cores),
        # less than compiling it costs over a few hundred steps
        net = evaluator.pool.for_candidate(candidate)
        trainable, non_trainable, failure = evaluator.finetune(net, candidate, steps)
        if failure:
            warn(f"trial {trial.index + 1}: the {steps}-step final fine-tune diverged ({failure}); returning "
                 f"the system the search measured ({evaluator.config.training.finetune_steps} steps); "
                 "lower training.final_steps or training.learning_rate")
            trainable, non_trainable, _ = evaluator.finetune(net, candidate)
        test = evaluator.measure(net, trainable, non_trainable, candidate, "test")
        for variable, value in zip(net.whole.trainable_variables, trainable):
            variable.assign(value)
        for variable, value in zip(net.whole.non_trainable_variables, non_trainable):
            variable.assign(value)
        model = extract_subnet(net.whole, candidate.depths, candidate.alpha * net.factor,
                               name=f"danas_{trial.index:04d}",
                               input_shape=evaluator.modality.input_shape(candidate.data))
        systems.append(FinalSystem(trial=trial, test_metrics=test, model=model))
    return systems
