"""The one training loop: supernet pre-training, candidate fine-tuning and DARTS retraining all
run their steps through `train`, so the interrupt check and the loss check exist once.

Losses stay on the device until the loop ends (reading each one would wait for its step), then
one transfer checks them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import jax
import numpy as np

from danas import interrupts
from engine.evaluate.steps import TrainState

# step(state, x, y, candidates, key) -> (state, loss), as `steps.make_train_step` builds it.
Step = Callable[[TrainState, Any, Any, Sequence[dict], Any], tuple[TrainState, Any]]


@dataclass(frozen=True, kw_only=True)
class TrainOutcome:
    """The state after the last step, the losses, and why training failed ('' if it did not)."""

    state: TrainState
    losses: np.ndarray
    failure: str


def train(step: Step, state: TrainState, batches: Iterator[tuple[Any, Any]], steps: int, seed: int,
          candidates: Callable[[int], Sequence[dict]], what: str) -> TrainOutcome:
    """Runs `steps` steps on `batches`; `candidates(i)` gives step i's subnet inputs.

    The augmentation key of step i is the i-th split of PRNGKey(seed). `what` names the phase
    in a failure ('fine-tuning step 3: loss became nan')."""
    key = jax.random.PRNGKey(seed)
    losses = []
    for i in range(steps):
        x, y = next(batches)
        key, sub = jax.random.split(key)
        state, loss = step(state, x, y, candidates(i), sub)
        losses.append(loss)
        interrupts.check()
    values = np.asarray(jax.device_get(losses), np.float64) if losses else np.zeros(0)
    return TrainOutcome(state=state, losses=values, failure=non_finite(values, what))


def non_finite(losses: np.ndarray, what: str) -> str:
    """'' if every loss is finite, else where the first one that is not appeared.

    Example:
        >>> non_finite(np.array([0.7, np.nan]), "fine-tuning step")
        'loss became nan at fine-tuning step 1'
    """
    bad = ~np.isfinite(losses)
    if not bad.any():
        return ""
    first = int(np.argmax(bad))
    return f"loss became {losses[first]} at {what} {first}"
