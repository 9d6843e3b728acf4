"""After the search: the Pareto-optimal systems, measured once on the test split and extracted
as standalone narrow Keras models.

Fine-tuning is deterministic per (seed, candidate), so each system is fine-tuned again here
rather than keeping every candidate's weights in memory during the search: for
training.final_steps steps when that is set (a longer fine-tune for the systems the search
returns; with training.final_systems k > 0 only for the k most accurate of them), else for the
search's own finetune_steps. `final_weights` (the training and the test) runs where the
candidates were evaluated, in the run's process or a worker; `final_system` (the extraction) in
the run's process.

Screening (training.screen_steps > 0): a candidate's validation accuracy after the search's
short fine-tune hardly tells data configurations apart (wakevision_small, seed 0, from its
supernet: 96px rgb and mono candidates 0.673-0.687 after 20 steps; after 150 steps rgb
0.810-0.823, mono 0.707-0.733). So before the final phase the fittest system within the budget
of each data configuration is fine-tuned for screen_steps and measured on validation again (a
configuration with none is skipped: nothing of it could be returned); the long final
fine-tune goes to the most accurate of those (which joins the returned systems if the search's
Pareto front left it out), and the report ranks the data configurations by them. A final
fine-tune longer than the screening's continues from the screened weights: the remaining steps,
on batches of their own, with the schedule started again over them (a warm restart,
Loshchilov and Hutter 2017), so the screening's steps are not paid twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from danas.config import TrainingConfig
from danas.records import TrialRecord, best_per_data
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
    """A system, the fine-tuning steps it gets, and the split it is then measured on (the test
    split for a returned system, validation for a screening). `trained`: its weights already
    fine-tuned (a screening's); used as they are when they come from `steps` steps."""

    trial: TrialRecord
    steps: int
    split: str = "test"
    trained: FinalWeights | None = None


def screening_jobs(trials: list[TrialRecord], training: TrainingConfig,
                   fits: Callable[[TrialRecord], bool]) -> list[FinalJob]:
    """The fittest system within the budget of each data configuration, to fine-tune for
    training.screen_steps and measure on validation (none when screen_steps is 0). A
    configuration with no system within the budget is not screened: none of its systems could
    be returned."""
    if not training.screen_steps:
        return []
    return [FinalJob(trial=t, steps=training.screen_steps, split="validation")
            for t in best_per_data(trials, fits).values() if fits(t)]


def most_accurate(trials: Sequence[TrialRecord], count: int, fits: Callable[[TrialRecord], bool]) -> set[int]:
    """Indices of the `count` most accurate trials by validation accuracy, those within the
    budget first (ties: higher fitness, then the earlier trial); all of them when count is 0."""
    ranked = sorted(trials, key=lambda t: (not fits(t), -t.metrics["accuracy"], -(t.fitness or 0.0), t.index))
    return {t.index for t in (ranked[:count] if count else ranked)}


def final_jobs(trials: list[TrialRecord], training: TrainingConfig, fits: Callable[[TrialRecord], bool],
               screened: dict[int, dict[str, float]] | None = None) -> list[FinalJob]:
    """The systems to return, each with its fine-tuning steps: the Pareto-optimal systems of
    `trials` in front order; `final_steps` for the training.final_systems most accurate (all
    when 0), the search's own finetune_steps for the others (the exact systems the search
    measured). With `screened` (trial index -> validation metrics after the screening
    fine-tune) the most accurate are chosen among the screened systems instead, and those not on
    the front follow it.

    On 2 cores the final phase of wakevision_small was 444 s of a 917 s run with 300 steps for
    each of its 8 systems; the most accurate one alone is ~100 s of it."""
    pareto = pareto_trials(trials)
    if screened:
        by_index = {t.index: t for t in trials}
        pool = [replace(by_index[i], metrics=dict(metrics)) for i, metrics in screened.items()]
        longer = most_accurate(pool, training.final_systems, fits)
        on_front = {t.index for t in pareto}
        pareto += [by_index[i] for i in sorted(longer - on_front)]
    else:
        longer = most_accurate(pareto, training.final_systems, fits)
    return [FinalJob(trial=t, steps=final_steps(training) if t.index in longer else training.finetune_steps)
            for t in pareto]


def reusing(jobs: list[FinalJob], trained: dict[int, FinalWeights]) -> list[FinalJob]:
    """`jobs`, each with its system's screened weights (trial index -> weights) where those come
    from at most the job's own number of steps: from as many, they are the job's weights
    (fine-tuning is deterministic per (seed, system), so training again would give the same);
    from fewer, the job's fine-tune continues from them (`final_weights`) rather than starting
    over from the supernet's weights.

    Example:
        >>> from types import SimpleNamespace as T
        >>> jobs = [FinalJob(trial=T(index=3), steps=300), FinalJob(trial=T(index=4), steps=20),
        ...         FinalJob(trial=T(index=5), steps=600)]
        >>> screened = {3: T(steps=300), 4: T(steps=300), 5: T(steps=300)}
        >>> [job.trained is not None for job in reusing(jobs, screened)]
        [True, False, True]
    """
    return [replace(job, trained=trained[job.trial.index])
            if job.trial.index in trained and trained[job.trial.index].steps <= job.steps else job for job in jobs]


@dataclass(frozen=True, kw_only=True)
class FinalWeights:
    """A system's fine-tuned supernet weights (host arrays, so they can travel from a worker),
    its metrics on its job's split, the fine-tuning steps they come from, and a warning to show
    ('' if none)."""

    trainable: list
    non_trainable: list
    metrics: dict[str, float]
    steps: int
    warning: str = ""


def final_weights(evaluator: Evaluator, job: FinalJob) -> FinalWeights:
    """Fine-tunes a system for `job.steps` and measures it on `job.split`.
    A longer final fine-tune that diverges is reported in `warning`, and the system falls back
    to its screened weights if it continued from them, else to the system the search measured
    (its finetune_steps)."""
    trial, steps, candidate = job.trial, job.steps, Candidate.from_json(job.trial.candidate)
    net = evaluator.pool.for_candidate(candidate)
    if job.trained is not None and job.trained.steps == steps:
        metrics = evaluator.measure(net, job.trained.trainable, job.trained.non_trainable, candidate, job.split)
        return replace(job.trained, metrics=metrics)
    # in the search's programs: no compilation per system, and on CPU a narrower program saves
    # little (a 96 px step of the 1/3-width mono subnet costs 0.64x the full width's, 2 cores),
    # less than compiling it costs over a few hundred steps
    if job.trained is not None:  # screened for fewer steps: the rest continue from there
        trainable, non_trainable, failure = evaluator.finetune(
            net, candidate, steps - job.trained.steps, start=(job.trained.trainable, job.trained.non_trainable),
            after=job.trained.steps)
    else:
        trainable, non_trainable, failure = evaluator.finetune(net, candidate, steps)
    warning = ""
    if failure:
        kind, setting = ("screening", "screen_steps") if job.split == "validation" else ("final", "final_steps")
        if job.trained is not None:  # the screened system stands
            steps, instead = job.trained.steps, f"its screened weights ({job.trained.steps} steps)"
            trainable, non_trainable = job.trained.trainable, job.trained.non_trainable
        else:
            steps = evaluator.config.training.finetune_steps
            instead = f"the system the search measured ({steps} steps)"
            trainable, non_trainable, _ = evaluator.finetune(net, candidate)
        warning = (f"trial {trial.index + 1}: the {job.steps}-step {kind} fine-tune diverged ({failure}); using "
                   f"{instead}; lower training.{setting} or training.learning_rate")
    metrics = evaluator.measure(net, trainable, non_trainable, candidate, job.split)
    return FinalWeights(trainable=[np.asarray(v) for v in trainable], non_trainable=[np.asarray(v) for v in non_trainable],
                        metrics=metrics, steps=steps, warning=warning)


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
    return FinalSystem(trial=trial, test_metrics=weights.metrics, steps=weights.steps, model=model)


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
