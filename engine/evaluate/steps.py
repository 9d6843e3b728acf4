"""Compiled training and evaluation steps of a supernet: `stateless_call` + `jax.jit` + optax.

A candidate enters as data (masks, gates, exit selector), never as a new graph, so all
candidates of a data configuration share these compiled functions. One gradient function
serves supernet pre-training and candidate fine-tuning alike: the sandwich rule calls it once
per subnet and sums the gradients, which compiles one supernet graph instead of three.

The gradient and prediction programs take the supernet's whole weights and run `model` on their
leading slices: `model` may be a narrower copy of the supernet (its own width's program, which
costs what that width costs); gradients come back whole (zero outside the slice) and batch
statistics are written back into the slice, so the optimizer and its one update program always
see the supernet's weights, whatever width a step ran at.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import jax
import optax

from engine.backend import supernet_compiler_options


@dataclass(frozen=True, kw_only=True)
class Subnet:
    """One subnet of a training step: the gradient program of its width and its inputs."""

    grad: Callable
    inputs: dict


@dataclass
class TrainState:
    trainable: list
    non_trainable: list
    opt_state: Any


def leading(values: Sequence, variables: Sequence) -> list:
    """The leading block of each array with the shape of the matching variable (inside a program:
    a static slice; the array itself when the shapes are equal, so the program is unchanged)."""
    return [value if tuple(value.shape) == tuple(variable.shape) else value[tuple(slice(0, n) for n in variable.shape)]
            for value, variable in zip(values, variables)]


def write_back(wholes: Sequence, parts: Sequence) -> list:
    """Each part written over the leading block of its whole array (the part itself when it is whole)."""
    return [part if tuple(whole.shape) == tuple(part.shape) else whole.at[tuple(slice(0, n) for n in part.shape)].set(part)
            for whole, part in zip(wholes, parts)]


def make_grad(model, augment: Callable | None) -> Callable:
    """grad(trainable, non_trainable, x, y, candidate, key) -> (loss, grads, non_trainable), for
    weights at least as wide as `model`'s (see the module note). The augmentation runs as its
    own program, one per input shape (`compiled_augmentation`), not inside every gradient
    program: at 96 px on 2 cores it added 2.9 s to each gradient program's compilation and 1.3 s
    to its tracing, where alone it compiles in 1.6 s, and mono and rgb inputs share it."""

    def grad(trainable, non_trainable, x, y, candidate):
        own_stats = leading(non_trainable, model.non_trainable_variables)

        def loss_fn(t):
            logits, stats = model.stateless_call(leading(t, model.trainable_variables), own_stats, x,
                                                 training=True, **candidate)
            return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean(), stats

        (loss, stats), grads = jax.value_and_grad(loss_fn, has_aux=True)(trainable)
        return loss, grads, write_back(non_trainable, stats)

    program = jax.jit(grad, compiler_options=supernet_compiler_options())
    if augment is None:
        return lambda trainable, non_trainable, x, y, candidate, key: program(trainable, non_trainable, x, y,
                                                                              candidate)
    augmentation = compiled_augmentation(augment)
    return lambda trainable, non_trainable, x, y, candidate, key: program(trainable, non_trainable,
                                                                          augmentation(x, key), y, candidate)


@functools.cache
def compiled_augmentation(augment: Callable) -> Callable:
    """augment(x, key) -> x, compiled (once per input shape, shared by every program)."""
    return jax.jit(augment)


@functools.cache
def make_init(optimizer: optax.GradientTransformation) -> Callable:
    """optimizer.init, compiled; one per optimizer (the weights are always the supernet's whole)."""
    return jax.jit(optimizer.init)


@functools.cache
def make_apply(optimizer: optax.GradientTransformation) -> Callable:
    """apply(trainable, opt_state, grads_list) -> (trainable, opt_state): sums, then updates.
    One per optimizer, so every width's step shares its compiled update."""

    def apply(trainable, opt_state, grads_list):
        grads = jax.tree.map(lambda *g: sum(g), *grads_list)
        updates, opt_state = optimizer.update(grads, opt_state, trainable)
        return optax.apply_updates(trainable, updates), opt_state

    return jax.jit(apply, compiler_options=supernet_compiler_options())


def make_train_step(grad: Callable, optimizer: optax.GradientTransformation) -> Callable:
    """step(state, x, y, candidates, key) -> (state, loss of the first candidate).

    With several candidates (the sandwich rule of BigNAS, Yu et al. 2020: largest, smallest,
    random) their gradients are summed; batch-norm statistics follow the first. A candidate may
    be a `Subnet` (a gradient program and its inputs) where subnets run at different widths.
    """
    apply = make_apply(optimizer)

    def step(state: TrainState, x, y, candidates: Sequence, key) -> tuple[TrainState, jax.Array]:
        results = [c.grad(state.trainable, state.non_trainable, x, y, c.inputs, key) if isinstance(c, Subnet)
                   else grad(state.trainable, state.non_trainable, x, y, c, key) for c in candidates]
        trainable, opt_state = apply(state.trainable, state.opt_state, [g for _, g, _ in results])
        return TrainState(trainable, results[0][2], opt_state), results[0][0]

    return step


def make_predict(model) -> Callable:
    """predict(trainable, non_trainable, x, candidate) -> logits (inference mode), for weights at
    least as wide as `model`'s."""

    def predict(trainable, non_trainable, x, candidate):
        logits, _ = model.stateless_call(leading(trainable, model.trainable_variables),
                                         leading(non_trainable, model.non_trainable_variables), x,
                                         training=False, **candidate)
        return logits

    return jax.jit(predict, compiler_options=supernet_compiler_options())
