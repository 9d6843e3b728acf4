"""A narrow program (a subnet's own width, on the leading slices of the supernet's weights)
computes what the masked supernet computes; programs are compiled once per (input size, colour).

The narrow program checked is the mono one of the 16 px smoke search (mono candidates train in
the 1/3-width subnet's program), against the whole supernet's program masked to the same width:
both are programs the smoke runs compile anyway."""

from __future__ import annotations

import numpy as np
import pytest

from engine.space.candidate import Candidate


def reorder_tolerance(model, x: np.ndarray) -> float:
    """Relative error allowed between two float32 computations of one network that sum the same
    terms in another order (narrow vs masked): each of the L layers with weights reduces at most
    n terms (a kernel's fan-in, or batch norm's batch x positions), and a sum of n float32 terms
    in any order is within sqrt(n) x eps of exact, relatively, with high probability (Higham and
    Mary 2019, probabilistic rounding error analysis); errors add over the layers.
    """
    weights = [w for w in model.trainable_weights if len(w.shape) >= 2]
    fan_in = max(int(np.prod(w.shape[:-1])) for w in weights)
    positions = int(np.prod(x.shape[:3]))  # batch x height x width
    return 4 * len(weights) * float(np.sqrt(max(fan_in, positions))) * float(np.finfo(np.float32).eps)


def outside(array, where: tuple) -> np.ndarray:
    """A boolean mask of the entries of `array` outside the slice `where`."""
    mask = np.ones(np.shape(array), bool)
    mask[where] = False
    return mask


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """The vision smoke search at 16 px (mono and rgb): the smoke runs' programs."""
    from tests.smoke_runs import smoke_pool

    _, evaluator, space = smoke_pool(tmp_path_factory.mktemp("cache"), "modality.resolutions=[16]")
    return evaluator, space


# every block, the shallowest, and a mix (the smoke space: stage 3 holds 1-2 blocks, the others 0-1)
@pytest.mark.parametrize("depths", [(2, 1, 1, 1, 1), (1, 0, 0, 0, 0), (2, 0, 1, 0, 1)])
def test_a_narrow_step_computes_what_the_masked_supernet_computes(setup, depths):
    import jax

    import dataclasses

    evaluator, space = setup
    mono, rgb = space.data_configs
    candidate = Candidate(mono, depths, 0.5)  # width 0.5 / 3: the mono program's own
    narrow = evaluator.pool.for_candidate(candidate)
    # the same candidate in the whole supernet's program, masked
    wide = dataclasses.replace(narrow, programs=evaluator.pool.get(rgb).programs)
    assert wide.model is wide.whole and narrow.whole is wide.whole
    assert narrow.model.count_params() < wide.model.count_params()
    split = evaluator.modality.arrays("train", candidate.data)
    batch = evaluator.config.training.batch_size  # the training step's own program
    x = narrow.model_input(evaluator.modality.to_model_input(split.x[:batch]))
    y = np.asarray(split.y[:batch], np.int32)
    key = jax.random.PRNGKey(0)
    # both take the supernet's whole weights; the narrow program runs on their leading slices
    loss_w, grads_w, stats_w = wide.programs.grad(wide.trainable, wide.non_trainable, x, y, wide.inputs(candidate), key)
    loss_n, grads_n, stats_n = narrow.programs.grad(narrow.trainable, narrow.non_trainable, x, y,
                                                    narrow.inputs(candidate), key)
    tolerance = reorder_tolerance(wide.model, x)
    assert abs(float(loss_w) - float(loss_n)) <= tolerance * abs(float(loss_w))
    kept_t, kept_n = ([tuple(slice(0, n) for n in v.shape) for v in variables]
                      for variables in (narrow.model.trainable_variables, narrow.model.non_trainable_variables))
    # outside its slice a narrow step leaves no gradient, and the batch statistics as they were
    for grad, where in zip(grads_n, kept_t):
        assert not np.asarray(grad)[outside(grad, where)].any()
    for new, old, where in zip(stats_n, narrow.non_trainable, kept_n):
        assert np.array_equal(np.asarray(new)[outside(new, where)], np.asarray(old)[outside(old, where)])
    # inside it, what the masked supernet computes
    for wide_values, narrow_values, kept in ((grads_w, grads_n, kept_t), (stats_w, stats_n, kept_n)):
        assert len(wide_values) == len(narrow_values) == len(kept)
        wide_values = [np.asarray(a)[where] for a, where in zip(wide_values, kept)]
        narrow_values = [np.asarray(b)[where] for b, where in zip(narrow_values, kept)]
        # A gradient that nearly cancels (a bias's 1e-6 from terms of the network's gradient scale)
        # carries the rounding of the terms summed, not of its own size: the bound is relative to
        # the larger of the tensor's magnitude and the largest magnitude flowing through the network.
        network_scale = max(float(np.abs(np.asarray(a)).max()) for a in wide_values)
        for a, b in zip(wide_values, narrow_values):
            scale = max(float(np.abs(a).max()), tolerance * network_scale)
            assert np.abs(a - np.asarray(b)).max() <= tolerance * scale, (a.shape, scale)
    # and fine-tuned, the two measure alike (Adam turns rounding in near-zero gradients into lr-sized steps,
    # so weights agree only approximately)
    masked = evaluator.measure(wide, *evaluator.finetune(wide, candidate)[:2], candidate, "validation")
    sliced = evaluator.measure(narrow, *evaluator.finetune(narrow, candidate)[:2], candidate, "validation")
    assert abs(masked["accuracy"] - sliced["accuracy"]) <= 0.05


def test_compilations_are_bounded_by_input_size_and_colour(setup):
    from engine.evaluate.compiles import compile_stats

    evaluator, space = setup
    rng = np.random.default_rng(0)
    for data in space.data_configs:  # each (input size, colour) once: candidates of any width share them
        evaluator.evaluate(Candidate(data, space.sample(rng).depths, min(space.alphas)), 0)
    before = compile_stats()
    for _ in range(5):
        assert evaluator.evaluate(space.sample(rng), 0).status == "ok"
    after = compile_stats()
    # traced: a rebuilt step is traced even when the persistent cache spares its compilation
    assert (after["traces"], after["compiles"]) == (before["traces"], before["compiles"])


def test_final_steps_fine_tune_the_returned_systems_longer(tmp_path):
    """The records keep the search's measurement; the returned system is fine-tuned for
    training.final_steps (another loss on the test split), 0 returning the searched one."""
    import dataclasses

    from engine.evaluate.finalize import final_jobs, final_systems
    from tests.smoke_runs import small_pool

    pool, evaluator, space = small_pool(tmp_path)
    record = evaluator.evaluate(Candidate(space.data_configs[0], (1, 0, 0, 0, 0), 0.5), 0)
    training = evaluator.config.training
    (same,) = final_systems(evaluator, final_jobs([record], training, lambda t: True), warn=pytest.fail)
    longer_training = dataclasses.replace(training, final_steps=6)
    (longer,) = final_systems(evaluator, final_jobs([record], longer_training, lambda t: True), warn=pytest.fail)
    assert same.trial is record and longer.trial is record
    assert (same.steps, longer.steps) == (training.finetune_steps, 6)
    assert same.test_metrics["loss"] != longer.test_metrics["loss"]
    assert same.test_metrics == evaluator.measure(*_searched(evaluator, record), "test")


def test_a_diverging_final_fine_tune_is_said_and_the_searched_system_returned(tmp_path, monkeypatch):
    from engine.evaluate.finalize import FinalJob, final_systems
    from tests.smoke_runs import small_pool

    _, evaluator, space = small_pool(tmp_path)
    record = evaluator.evaluate(Candidate(space.data_configs[0], (1, 0, 0, 0, 0), 0.5), 0)
    (searched,) = final_systems(evaluator, [FinalJob(trial=record, steps=evaluator.config.training.finetune_steps)],
                                warn=pytest.fail)
    original = evaluator.finetune

    def diverging(net, candidate, steps=None):
        trainable, non_trainable, failure = original(net, candidate, steps)
        return trainable, non_trainable, "loss became nan at fine-tuning step 4" if steps == 6 else failure

    monkeypatch.setattr(evaluator, "finetune", diverging)
    warnings = []
    (returned,) = final_systems(evaluator, [FinalJob(trial=record, steps=6)], warn=warnings.append)
    assert len(warnings) == 1 and "6-step final fine-tune diverged" in warnings[0]
    assert returned.test_metrics == searched.test_metrics
    assert returned.steps == searched.steps == evaluator.config.training.finetune_steps


def _searched(evaluator, record):
    """The searched system's net and weights, fine-tuned as the search did."""
    candidate = Candidate.from_json(record.candidate)
    net = evaluator.pool.for_candidate(candidate)
    trainable, non_trainable, _ = evaluator.finetune(net, candidate)
    return net, trainable, non_trainable, candidate
