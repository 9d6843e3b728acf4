"""The training step: the sandwich's gradients summed, and in-place distillation's targets."""

from __future__ import annotations

import numpy as np
import optax

from engine.evaluate.steps import Subnet, TrainState, make_train_step


def recording_subnet(name: str, seen: list) -> Subnet:
    """A subnet whose 'gradient program' records the targets it was given and returns its own
    name's predictions, and a gradient of ones."""

    def grad(trainable, non_trainable, x, y, inputs, key):
        seen.append((name, y))
        return np.float32(1.0), [np.ones(2, np.float32)], non_trainable, f"{name}'s predictions"

    return Subnet(grad=grad, inputs={})


def run_step(distill: bool) -> tuple[list, TrainState]:
    seen: list = []
    step = make_train_step(None, optax.sgd(0.5), distill=distill)
    trainable = [np.zeros(2, np.float32)]
    state = TrainState(trainable, [], optax.sgd(0.5).init(trainable))
    subnets = [recording_subnet(name, seen) for name in ("largest", "smallest", "random")]
    state, _ = step(state, "x", "labels", subnets, None)
    return seen, state


def test_in_place_distillation_teaches_the_smaller_subnets_with_the_largest_predictions():
    seen, state = run_step(distill=True)
    assert seen == [("largest", "labels"), ("smallest", "largest's predictions"),
                    ("random", "largest's predictions")]
    assert np.allclose(np.asarray(state.trainable[0]), -0.5 * 3)  # the three gradients summed


def test_without_distillation_every_subnet_learns_from_the_labels():
    seen, _ = run_step(distill=False)
    assert [y for _, y in seen] == ["labels"] * 3
