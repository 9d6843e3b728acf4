"""Compiled training and evaluation steps of a supernet: `stateless_call` + `jax.jit` + optax.

A candidate enters as data (masks, gates, exit selector), never as a new graph, so all
candidates of a data configuration share these compiled functions. One gradient function
serves supernet pre-training and candidate fine-tuning alike: the sandwich rule calls it once
per subnet and sums the gradients, which compiles one supernet graph instead of three.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import jax
import optax

from engine.backend import supernet_compiler_options


@dataclass
class TrainState:
    trainable: list
    non_trainable: list
    opt_state: Any


def make_grad(model, augment: Callable | None) -> Callable:
    """grad(trainable, non_trainable, x, y, candidate, key) -> (loss, grads, non_trainable)."""

    def grad(trainable, non_trainable, x, y, candidate, key):
        if augment is not None:
            x = augment(x, key)

        def loss_fn(t):
            logits, stats = model.stateless_call(t, non_trainable, x, training=True, **candidate)
            return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean(), stats

        (loss, stats), grads = jax.value_and_grad(loss_fn, has_aux=True)(trainable)
        return loss, grads, stats

    return jax.jit(grad, compiler_options=supernet_compiler_options())


def make_apply(optimizer: optax.GradientTransformation) -> Callable:
    """apply(trainable, opt_state, grads_list) -> (trainable, opt_state): sums, then updates."""

    def apply(trainable, opt_state, grads_list):
        grads = jax.tree.map(lambda *g: sum(g), *grads_list)
        updates, opt_state = optimizer.update(grads, opt_state, trainable)
        return optax.apply_updates(trainable, updates), opt_state

    return jax.jit(apply, compiler_options=supernet_compiler_options())


def make_train_step(grad: Callable, optimizer: optax.GradientTransformation) -> Callable:
    """step(state, x, y, candidates, key) -> (state, loss of the first candidate).

    With several candidates (the sandwich rule of BigNAS, Yu et al. 2020: largest, smallest,
    random) their gradients are summed; batch-norm statistics follow the first.
    """
    apply = make_apply(optimizer)

    def step(state: TrainState, x, y, candidates: Sequence[dict], key) -> tuple[TrainState, jax.Array]:
        results = [grad(state.trainable, state.non_trainable, x, y, c, key) for c in candidates]
        trainable, opt_state = apply(state.trainable, state.opt_state, [g for _, g, _ in results])
        return TrainState(trainable, results[0][2], opt_state), results[0][0]

    return step


def make_predict(model) -> Callable:
    """predict(trainable, non_trainable, x, candidate) -> logits (inference mode)."""

    def predict(trainable, non_trainable, x, candidate):
        logits, _ = model.stateless_call(trainable, non_trainable, x, training=False, **candidate)
        return logits

    return jax.jit(predict, compiler_options=supernet_compiler_options())
