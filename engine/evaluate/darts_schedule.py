"""The differentiable strategy's schedule (Shi, Njor et al. 2025), as a pure state machine.

A DARTS search is not ask/tell: one network is trained by gradient. What is decided, when,
is still a strategy's business and lives here, without JAX: epochs below `warmup_epochs`
train the weights only; later epochs alternate weight steps (train split) and architecture
steps (validation split). The data search stops at the first architecture step after which
the largest softmax(gamma) is at least `early_stop_ratio` times the second; from then on the
chosen configuration alone is featurised and gamma is frozen.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np


@dataclass
class DartsState:
    """Where a search stands: the next epoch to run and the data decision, if made."""

    epoch: int = 0
    arch_steps: int = 0
    chosen: int | None = None         # index of the chosen data configuration
    stopped_at_step: int | None = None  # architecture step at which the data search stopped

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "DartsState":
        return cls(**data)


class Differentiable:
    """Warm-up, alternating bilevel epochs and the gamma early-stop rule."""

    name = "differentiable"

    def __init__(self, config):
        self.epochs, self.warmup = config.epochs, config.warmup_epochs
        self.ratio = config.early_stop_ratio

    def init(self, data_configs: int) -> DartsState:
        """A lone data configuration is chosen from the start: there is nothing to search."""
        return DartsState(chosen=0, stopped_at_step=0) if data_configs == 1 else DartsState()

    def searches_architecture(self, epoch: int) -> bool:
        return epoch >= self.warmup

    def done(self, state: DartsState) -> bool:
        return state.epoch >= self.epochs

    def after_arch_step(self, state: DartsState, gamma: Sequence[float]) -> DartsState:
        """Counts the step; chooses the data configuration once gamma is decisive."""
        steps = state.arch_steps + 1
        if state.chosen is None and decisive(gamma, self.ratio):
            return DartsState(state.epoch, steps, int(np.argmax(gamma)), steps)
        return DartsState(state.epoch, steps, state.chosen, state.stopped_at_step)

    def after_epoch(self, state: DartsState) -> DartsState:
        return DartsState(state.epoch + 1, state.arch_steps, state.chosen, state.stopped_at_step)

    @staticmethod
    def final_choice(state: DartsState, gamma: Sequence[float]) -> int:
        """The chosen configuration, or the strongest if the search ended undecided."""
        return state.chosen if state.chosen is not None else int(np.argmax(gamma))


def data_weights(gamma: Sequence[float]) -> np.ndarray:
    """softmax(gamma)."""
    g = np.asarray(gamma, np.float64)
    e = np.exp(g - g.max())
    return e / e.sum()


def decisive(gamma: Sequence[float], ratio: float) -> bool:
    """Whether the largest softmax(gamma) is at least `ratio` times the second.

    Example:
        >>> decisive([0.0, 0.0], 2.0), decisive([np.log(2.0), 0.0], 2.0), decisive([0.0], 2.0)
        (False, True, True)
    """
    weights = np.sort(data_weights(gamma))[::-1]
    return len(weights) == 1 or bool(weights[0] >= ratio * weights[1] * (1 - 1e-9))
