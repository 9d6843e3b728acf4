"""Tournament genetic algorithm (Njor et al. 2025), with the reference code's defects fixed.

Generation 0 is `population` samples: with `initial_population: stratified` (the default) its
first individuals take one data configuration each, in a seeded order, so every configuration
is measured (the reference draws them uniformly, and with 30 candidates over 6 configurations
a configuration could go unmeasured: 32px-mono in wakevision_small's seed 0); the rest are
uniform samples. Each later generation breeds `population`
children: parents are tournament winners (the fittest of `tournament_size` individuals drawn
from the population); a child is a uniform crossover of two parents with probability
`crossover_rate`, else a copy of one; copies are always mutated, crossovers with probability
`mutation_rate`; a mutation steps one data gene, one stage depth or alpha (odds from
`mutation_mix`). Fixed against the reference: children are repaired to valid architectures,
duplicates are never proposed, rejected or failed children are replaced so each generation
keeps its size, and the population is the fittest of parents and children ((mu + lambda)),
whose scores stay valid because candidates fine-tune copies of a supernet that never drifts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from engine.space.candidate import Candidate
from engine.space.joint import JointSpace
from danas.config import EvolutionConfig
from engine.strategies.base import rng_for, unseen


STRATA_DRAW = 0x5354524154  # the draw number of generation 0's order of data configurations (counters never reach it)


@dataclass(frozen=True)
class EvolutionState:
    seed: int
    counter: int = 0
    generation: int = 0
    population: tuple = ()       # ((candidate, fitness), ...) the current parents
    children: tuple = ()         # ((candidate, fitness), ...) told in this generation
    in_flight: int = 0           # asked but not yet told
    seen: frozenset = field(default_factory=frozenset)

    def to_json(self) -> dict[str, Any]:
        pairs = lambda items: [{"candidate": c.to_json(), "fitness": f} for c, f in items]  # noqa: E731
        return {"seed": self.seed, "counter": self.counter, "generation": self.generation,
                "population": pairs(self.population), "children": pairs(self.children),
                "in_flight": self.in_flight, "seen": len(self.seen)}


class Evolution:
    name = "evolution"

    def __init__(self, config: EvolutionConfig):
        self.config = config
        mix = config.mutation_mix
        total = mix.data + mix.depth + mix.width
        self.mix = (mix.data / total, mix.depth / total, mix.width / total)

    def init(self, space: JointSpace, seed: int) -> EvolutionState:
        return EvolutionState(seed)

    def ask(self, space: JointSpace, state: EvolutionState) -> tuple[Candidate, EvolutionState]:
        parents = [(c, f) for c, f in state.population if f is not None]
        propose = self._first(space, state) if state.generation == 0 or not parents else \
            (lambda rng: self._child(space, parents, rng))
        candidate, counter = unseen(space, state.seen, state.seed, state.counter, propose)
        return candidate, replace(state, counter=counter, in_flight=state.in_flight + 1,
                                  seen=state.seen | {candidate.key()})

    def tell(self, state: EvolutionState, candidate: Candidate, fitness: float | None) -> EvolutionState:
        children = state.children + ((candidate, fitness),)
        state = replace(state, children=children, in_flight=state.in_flight - 1)
        valid = [(c, f) for c, f in children if f is not None]
        if len(valid) < self.config.population:
            return state
        pool = sorted(state.population + tuple(valid), key=lambda cf: -cf[1])
        return replace(state, population=tuple(pool[: self.config.population]), children=(),
                       generation=state.generation + 1)

    def batch(self, state: EvolutionState) -> int:
        """The children this generation still needs: parents change only when it is complete, so
        asking them all before any is told proposes what asking one at a time would."""
        return self.config.population - sum(f is not None for _, f in state.children)

    def _first(self, space: JointSpace, state: EvolutionState):
        """How generation 0's next individual is drawn: its ask number j (asks so far in this
        generation, the same whether asked in a batch or one at a time) picks stratum j. A later
        generation left without parents (all rejected) samples uniformly."""
        asked = len(state.children) + state.in_flight
        configs = space.data_configs
        if self.config.initial_population != "stratified" or state.generation or asked >= len(configs):
            return space.sample
        order = rng_for(state.seed, STRATA_DRAW).permutation(len(configs))
        data = configs[order[asked]]
        return lambda rng: replace(space.sample(rng), data=dict(data))

    def _child(self, space: JointSpace, parents: list, rng: np.random.Generator) -> Candidate:
        first = self._tournament(parents, rng)
        if rng.random() < self.config.crossover_rate:
            child = space.crossover(first, self._tournament(parents, rng), rng)
            mutate = rng.random() < self.config.mutation_rate
        else:
            child, mutate = first, True
        if not mutate:
            return child
        kind = rng.choice(3, p=self.mix)
        return (space.mutate_data, space.mutate_depth, space.mutate_width)[kind](child, rng)

    def _tournament(self, parents: list, rng: np.random.Generator) -> Candidate:
        size = min(self.config.tournament_size, len(parents))
        drawn = rng.choice(len(parents), size=size, replace=False)
        return max((parents[i] for i in drawn), key=lambda cf: cf[1])[0]
