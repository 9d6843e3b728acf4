"""Random search: uniform over the valid joint space, never the same candidate twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.space.candidate import Candidate
from engine.space.joint import JointSpace
from engine.strategies.base import unseen


@dataclass(frozen=True)
class RandomState:
    seed: int
    counter: int = 0
    seen: frozenset = field(default_factory=frozenset)

    def to_json(self) -> dict[str, Any]:
        return {"seed": self.seed, "counter": self.counter, "seen": sorted(map(repr, self.seen))}


# Candidates asked at a time: random proposals never depend on what was told, so any size gives
# the same trials; a fixed one keeps every worker count's batches alike.
BATCH = 8


class RandomSearch:
    name = "random"

    def init(self, space: JointSpace, seed: int) -> RandomState:
        return RandomState(seed)

    def ask(self, space: JointSpace, state: RandomState) -> tuple[Candidate, RandomState]:
        candidate, counter = unseen(space, state.seen, state.seed, state.counter, space.sample)
        return candidate, RandomState(state.seed, counter, state.seen | {candidate.key()})

    def tell(self, state: RandomState, candidate: Candidate, fitness: float | None) -> RandomState:
        return state

    def batch(self, state: RandomState) -> int:
        return BATCH
