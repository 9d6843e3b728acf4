"""Optimizers and learning-rate schedules by the optax names a spec uses."""

from __future__ import annotations

import functools

import optax

from danas.registry import Registry
from danas.config import TrainingConfig

SCHEDULES: Registry = Registry("learning-rate schedule")
OPTIMIZERS: Registry = Registry("optimizer")

SCHEDULES.add("constant", lambda t, steps: optax.constant_schedule(t.learning_rate))
SCHEDULES.add("cosine_decay", lambda t, steps: optax.cosine_decay_schedule(t.learning_rate, max(1, steps)))
SCHEDULES.add("warmup_cosine_decay", lambda t, steps: optax.warmup_cosine_decay_schedule(
    0.0, t.learning_rate, min(t.warmup_steps, max(0, steps - 1)), max(1, steps)))
# Decays to 1 % of the peak over the run.
SCHEDULES.add("exponential_decay", lambda t, steps: optax.exponential_decay(
    t.learning_rate, max(1, steps), 0.01))

OPTIMIZERS.add("adam", lambda t, lr: optax.chain(optax.add_decayed_weights(t.weight_decay), optax.adam(lr))
               if t.weight_decay else optax.adam(lr))
OPTIMIZERS.add("adamw", lambda t, lr: optax.adamw(lr, weight_decay=t.weight_decay))
OPTIMIZERS.add("sgd", lambda t, lr: optax.chain(optax.add_decayed_weights(t.weight_decay),
                                                optax.sgd(lr, momentum=t.momentum or None)))
OPTIMIZERS.add("rmsprop", lambda t, lr: optax.chain(optax.add_decayed_weights(t.weight_decay),
                                                    optax.rmsprop(lr, momentum=t.momentum)))


@functools.cache
def make_optimizer(training: TrainingConfig, steps: int) -> optax.GradientTransformation:
    """The spec's optimizer with its schedule over `steps` steps, updating all weights as one flat
    vector (`optax.flatten`): the same arithmetic, elementwise, but one loop instead of one per
    weight, so XLA compiles the update of the 94-weight smoke supernet in 1.4 s instead of 3.5 s
    and runs it in 1.3 ms instead of 3.1 ms (2 cores). The same (training, steps) gives the same
    object, so the programs compiled for it (`steps.make_apply`, `make_init`) are shared.

    Example:
        >>> from engine.spec import resolve
        >>> _, cfg = resolve({"training": {"optimizer": "sgd"}})
        >>> make_optimizer(cfg.training, 100).init({"w": 0.0}) is not None
        True
    """
    schedule = SCHEDULES.get(training.schedule)(training, steps)
    return optax.flatten(OPTIMIZERS.get(training.optimizer)(training, schedule))
