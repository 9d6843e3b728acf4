"""Batch-norm recalibration: the statistics a candidate is measured with are its own batches',
whatever the supernet's moving statistics were."""

from __future__ import annotations

import numpy as np

from engine.evaluate.calibration import unblend
from tests.smoke_runs import small_pool


def test_unblend_leaves_the_batches_weighted_average_whatever_the_start():
    rng = np.random.default_rng(0)
    batches = rng.normal(size=(5, 3))
    for start in (np.zeros(3), rng.normal(size=3) * 100):
        stats = start
        for batch in batches:
            stats = 0.9 * stats + 0.1 * batch
        weights = 0.9 ** np.arange(4, -1, -1)
        expected = (weights[:, None] * batches).sum(0) / weights.sum()
        # 5 updates of values up to ~100: float64 rounding far below 1e-9
        np.testing.assert_allclose(unblend([stats], [start], 5, 0.9)[0], expected, atol=1e-9)


def test_a_measured_candidate_has_the_same_statistics_from_any_supernet_statistics(tmp_path):
    """The real gradient program's batch-norm update is the one `unblend` undoes (Keras's
    momentum rule at BN_MOMENTUM): starting from the pre-trained statistics or from scrambled
    ones gives the same recalibrated statistics, and a different measurement than without."""
    pool, evaluator, space = small_pool(tmp_path, finetune_steps=0, calibration_batches=3)
    candidate = space.sample(np.random.default_rng(1))
    net = pool.for_candidate(candidate)
    calibrated = evaluator.finetune(net, candidate)[1]
    rng = np.random.default_rng(2)
    net.non_trainable = [np.asarray(v) + rng.uniform(1, 5, np.shape(v)).astype(np.float32) for v in net.non_trainable]
    again = evaluator.finetune(net, candidate)[1]
    for a, b in zip(calibrated, again):
        # float32 statistics of size ~1-5, divided by 1 - 0.9^3 = 0.271: a few ulps of 5 / 0.271
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-4)


def test_no_calibration_batches_keeps_the_statistics(tmp_path):
    pool, evaluator, space = small_pool(tmp_path, finetune_steps=0, calibration_batches=0)
    candidate = space.sample(np.random.default_rng(1))
    net = pool.for_candidate(candidate)
    trainable, non_trainable, failure = evaluator.finetune(net, candidate)
    assert failure == "" and trainable is net.trainable and non_trainable is net.non_trainable

