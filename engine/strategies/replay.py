"""Resuming a strategy: replaying the recorded trials through ask/tell.

A strategy is a pure function of (seed, what it was told), so asking again over the recorded
trials must propose them in order; anything else means the spec or danas changed, and the run
refuses to mix two searches in one bundle.
"""

from __future__ import annotations

from typing import Any, Sequence

from danas.errors import FatalError
from danas.records import TrialRecord
from engine.space.joint import JointSpace
from engine.strategies.base import Strategy


def replay(strategy: Strategy, space: JointSpace, state: Any, trials: Sequence[TrialRecord]) -> Any:
    """The state after asking for and telling every recorded trial."""
    for trial in trials:
        candidate, state = strategy.ask(space, state)
        if candidate.to_json() != trial.candidate:
            raise FatalError(f"cannot resume: trial {trial.index + 1} was {trial.candidate}, but the strategy now "
                             f"proposes {candidate.to_json()}; resume with the spec and danas version of the run")
        state = strategy.tell(state, candidate, trial.fitness)
    return state
