"""Which returned systems get the long final fine-tune (training.final_systems)."""

import dataclasses

from danas.records import Estimate, TrialRecord
from engine.evaluate.finalize import final_jobs, most_accurate, screening_jobs
from engine.spec import resolve


def trial(index: int, accuracy: float, ram: int, fitness: float = 4.0, flash: int = 1000) -> TrialRecord:
    return TrialRecord(index=index, candidate={"data": {"resolution": 32, "color": "rgb"}, "depths": [1, 0, 0, 0, 0],
                                               "alpha": 0.5},
                       data_key="32px-rgb", status="ok", metrics={"accuracy": accuracy},
                       estimate=Estimate(ram_bytes=ram, flash_bytes=flash, macs=1, params=1, peak_op="x"),
                       fitness=fitness, seconds=1.0)


# a Pareto front: more RAM buys more accuracy (2 ties 1's accuracy with less flash); trial 3 is
# over a 250-byte RAM budget
FRONT = [trial(0, 0.60, 100), trial(1, 0.70, 200), trial(2, 0.70, 210, fitness=4.5, flash=900), trial(3, 0.90, 300)]


def within(t: TrialRecord) -> bool:
    return t.estimate.ram_bytes <= 250


def test_the_most_accurate_within_budget_come_first_ties_by_fitness():
    assert most_accurate(FRONT, 1, within) == {2}  # 3 is more accurate but over budget; 2 ties 1, fitter
    assert most_accurate(FRONT, 2, within) == {1, 2}
    assert most_accurate(FRONT, 3, within) == {0, 1, 2}
    assert most_accurate(FRONT, 4, within) == most_accurate(FRONT, 0, within) == {0, 1, 2, 3}
    assert most_accurate(FRONT, 1, lambda t: True) == {3}


def test_final_jobs_give_final_steps_to_the_chosen_and_the_searched_steps_to_the_rest():
    training = resolve({"training": {"finetune_steps": 20, "final_steps": 300, "final_systems": 1}})[1].training
    jobs = final_jobs(FRONT, training, within)
    assert [(j.trial.index, j.steps) for j in jobs] == [(0, 20), (1, 20), (2, 300), (3, 20)]
    every = final_jobs(FRONT, dataclasses.replace(training, final_systems=0), within)
    assert [j.steps for j in every] == [300] * 4
    unset = final_jobs(FRONT, dataclasses.replace(training, final_steps=0), within)
    assert [j.steps for j in unset] == [20] * 4


def test_final_jobs_keep_only_the_pareto_front():
    dominated = trial(4, 0.65, 220)  # less accurate than 1 for more RAM, same flash
    assert [j.trial.index for j in final_jobs([*FRONT, dominated], resolve({})[1].training, within)] == [0, 1, 2, 3]


def test_screening_takes_the_fittest_of_each_data_configuration():
    other = dataclasses.replace(trial(5, 0.5, 50, fitness=3.0), data_key="32px-mono")
    rejected = dataclasses.replace(trial(6, 0.0, 10, fitness=9.0), data_key="16px-mono", status="rejected")
    training = resolve({"training": {"finetune_steps": 20, "screen_steps": 100}})[1].training
    jobs = screening_jobs([*FRONT, other, rejected], training, within)
    assert [(j.trial.index, j.steps, j.split) for j in jobs] == [(2, 100, "validation"), (5, 100, "validation")]
    assert screening_jobs(FRONT, dataclasses.replace(training, screen_steps=0), within) == []


def test_screening_takes_a_system_within_budget_over_a_fitter_one_over_it_and_skips_a_configuration_with_none():
    over = trial(8, 0.95, 300, fitness=5.0)  # the fittest 32px-rgb system, over the 250-byte budget
    only_over = dataclasses.replace(trial(9, 0.9, 400, fitness=4.9), data_key="96px-rgb")
    training = resolve({"training": {"screen_steps": 100}})[1].training
    jobs = screening_jobs([*FRONT, over, only_over], training, within)
    assert [j.trial.index for j in jobs] == [2]  # 32px-rgb's fittest within budget; 96px-rgb has none
    assert [j.trial.index for j in screening_jobs([*FRONT, over, only_over], training, lambda t: True)] == [8, 9]


def test_with_screening_the_long_fine_tune_goes_to_the_most_accurate_screened_system_which_joins_the_front():
    off_front = dataclasses.replace(trial(7, 0.50, 400), data_key="96px-rgb")  # dominated by the search's figures
    training = resolve({"training": {"finetune_steps": 20, "final_steps": 300, "final_systems": 1,
                                     "screen_steps": 100}})[1].training
    screened = {2: {"accuracy": 0.75}, 7: {"accuracy": 0.85}}
    jobs = final_jobs([*FRONT, off_front], training, lambda t: True, screened)
    assert [(j.trial.index, j.steps) for j in jobs] == [(0, 20), (1, 20), (2, 20), (3, 20), (7, 300)]
    assert jobs[-1].trial.metrics == {"accuracy": 0.50}  # the record keeps the search's measurement
    # a screened system over budget yields to one within it
    jobs = final_jobs([*FRONT, off_front], training, lambda t: t.index != 7, screened)
    assert [(j.trial.index, j.steps) for j in jobs] == [(0, 20), (1, 20), (2, 300), (3, 20)]


def screened_system(tmp_path):
    """(pool, evaluator, candidate, record, its weights screened for 3 steps) of an 8 px system."""
    from engine.evaluate.finalize import FinalJob, final_weights
    from engine.space.candidate import Candidate
    from tests.smoke_runs import small_pool

    pool, evaluator, _ = small_pool(tmp_path, calibration_batches=2)
    candidate = Candidate({"resolution": 8, "color": "rgb"}, (1, 0, 0, 0, 0), 0.5)
    record = dataclasses.replace(FRONT[0], candidate=candidate.to_json(), data_key="8px-rgb")
    return pool, evaluator, candidate, record, final_weights(evaluator, FinalJob(trial=record, steps=3,
                                                                                  split="validation"))


def test_a_screened_system_is_measured_with_its_screened_weights_which_are_the_retrained_ones(tmp_path):
    """Reusing a screening's weights for a final job of as many steps is only an economy: fine-
    tuning the system again gives the very same weights, hence the same test metrics."""
    import numpy as np

    from engine.evaluate.finalize import FinalJob, final_weights, reusing

    _, evaluator, _, record, screened = screened_system(tmp_path)
    (reused,) = reusing([FinalJob(trial=record, steps=3)], {record.index: screened})
    assert reused.trained is screened
    tested, retrained = final_weights(evaluator, reused), final_weights(evaluator, FinalJob(trial=record, steps=3))
    assert tested.metrics == retrained.metrics and tested.steps == retrained.steps == 3
    for a, b in zip(tested.trainable + tested.non_trainable, retrained.trainable + retrained.non_trainable):
        np.testing.assert_array_equal(a, b)
    assert reusing([FinalJob(trial=record, steps=2)], {record.index: screened})[0].trained is None


def test_a_final_fine_tune_longer_than_the_screening_continues_from_the_screened_weights(tmp_path):
    """The screening's 3 steps are not paid again: a 5-step final job trains 2 more steps from
    the screened weights (its own batches, its own schedule), which is not what 5 steps from
    the supernet's weights give."""
    import numpy as np

    from engine.evaluate.finalize import FinalJob, final_weights, reusing

    pool, evaluator, candidate, record, screened = screened_system(tmp_path)
    (job,) = reusing([FinalJob(trial=record, steps=5)], {record.index: screened})
    assert job.trained is screened
    continued = final_weights(evaluator, job)
    assert continued.steps == 5 and continued.warning == ""
    trainable, _, failure = evaluator.finetune(pool.for_candidate(candidate), candidate, 2,
                                              start=(screened.trainable, screened.non_trainable), after=3)
    assert failure == ""
    for a, b in zip(continued.trainable, trainable):
        np.testing.assert_array_equal(a, np.asarray(b))
    afresh = final_weights(evaluator, FinalJob(trial=record, steps=5))
    assert any(not np.array_equal(a, b) for a, b in zip(continued.trainable, afresh.trainable))


def test_a_continued_fine_tune_that_diverges_falls_back_to_the_screened_weights(tmp_path, monkeypatch):
    """Not to the search's unfine-tuned system: the screened one is a working system."""
    import numpy as np

    from engine.evaluate.finalize import FinalJob, final_weights, reusing

    _, evaluator, _, record, screened = screened_system(tmp_path)
    finetune = evaluator.finetune

    def diverging(net, candidate, steps=None, start=None, after=0):
        trainable, non_trainable, _ = finetune(net, candidate, steps, start, after)
        return trainable, non_trainable, ("loss became nan at fine-tuning step 1" if start is not None else "")

    monkeypatch.setattr(evaluator, "finetune", diverging)
    (job,) = reusing([FinalJob(trial=record, steps=5)], {record.index: screened})
    result = final_weights(evaluator, job)
    assert result.steps == 3 and "5-step final fine-tune diverged" in result.warning
    assert "its screened weights (3 steps)" in result.warning
    for a, b in zip(result.trainable, screened.trainable):
        np.testing.assert_array_equal(a, b)
