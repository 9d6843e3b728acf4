"""The strategy contract: a pure, seeded ask/tell state machine over plain candidates.

Lifecycle: `init(space, seed) -> state`; then repeatedly `ask(space, state) -> (candidate,
state)` and, once the candidate is evaluated, `tell(state, candidate, fitness) -> state`.
`batch(state)` says how many candidates may be asked before the next tell: what those asks
propose does not depend on the fitness told in between, so a batch evaluated in parallel and
told in ask order gives the trials one-at-a-time asking gives.
`fitness` is None for a candidate rejected before training or failed: it never becomes a
parent. A state is JSON data (`state.to_json()` / `from_json`), so a run can resume it, and
every random draw comes from (seed, draw counter), so a resumed state draws what the
uninterrupted one would have.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from engine.space.candidate import Candidate
from engine.space.joint import JointSpace

MAX_TRIES = 200  # draws to find an unseen candidate before the space counts as exhausted


class Exhausted(Exception):
    """No unseen candidate could be found: the space is (nearly) fully explored."""


class Strategy(Protocol):
    name: str

    def init(self, space: JointSpace, seed: int) -> Any: ...

    def ask(self, space: JointSpace, state: Any) -> tuple[Candidate, Any]: ...

    def tell(self, state: Any, candidate: Candidate, fitness: float | None) -> Any: ...

    def batch(self, state: Any) -> int: ...


def rng_for(seed: int, counter: int) -> np.random.Generator:
    """The generator of draw number `counter`: no hidden RNG state to save or restore."""
    return np.random.default_rng([seed, counter])


def unseen(space: JointSpace, seen: set, seed: int, counter: int, propose) -> tuple[Candidate, int]:
    """Calls `propose(rng)` until it gives a candidate not in `seen`; falls back to uniform
    samples, then raises `Exhausted`."""
    for attempt in range(MAX_TRIES):
        rng = rng_for(seed, counter)
        counter += 1
        candidate = propose(rng) if attempt < MAX_TRIES // 2 else space.sample(rng)
        if candidate.key() not in seen:
            return candidate, counter
    raise Exhausted(f"no unseen candidate in {MAX_TRIES} draws; the search space is explored")
