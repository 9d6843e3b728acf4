"""The joint search space of data configurations x MobileNetV2 architectures (pure Python).

Sampling is uniform over the valid joint space; mutations step one gene to a neighbouring
value (Njor et al. 2025: a data gene, a stage depth +-1, or alpha +-0.1); every child is
repaired to a valid architecture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from engine.space.candidate import Candidate
from engine.space.mobilenet_genes import is_valid_depths, valid_depths


@dataclass(frozen=True)
class JointSpace:
    data_configs: tuple[dict[str, Any], ...]
    depth_choices: tuple[tuple[int, ...], ...]
    alphas: tuple[float, ...]

    @property
    def valid_depths(self) -> list[tuple[int, ...]]:
        return valid_depths(self.depth_choices)

    def size(self) -> int:
        return len(self.data_configs) * len(self.valid_depths) * len(self.alphas)

    def sample(self, rng: np.random.Generator) -> Candidate:
        depths = self.valid_depths
        return Candidate(dict(self.data_configs[rng.integers(len(self.data_configs))]),
                         tuple(depths[rng.integers(len(depths))]),
                         float(sorted(self.alphas)[rng.integers(len(self.alphas))]))

    def data_genes(self) -> dict[str, list]:
        """Each data gene's values, sorted; tied genes (window, hop) move together."""
        keys = list(self.data_configs[0])
        tied = ("window", "hop") if {"window", "hop"} <= set(keys) else ()
        genes: dict[str, list] = {}
        if tied:
            genes["window_hop"] = sorted({(c["window"], c["hop"]) for c in self.data_configs})
        for key in keys:
            if key not in tied:
                genes[key] = sorted({c[key] for c in self.data_configs})
        return {k: v for k, v in genes.items() if len(v) > 1}

    def mutate_data(self, candidate: Candidate, rng: np.random.Generator) -> Candidate:
        genes = self.data_genes()
        if not genes:
            return candidate
        name = sorted(genes)[rng.integers(len(genes))]
        values = genes[name]
        current = (candidate.data["window"], candidate.data["hop"]) if name == "window_hop" else candidate.data[name]
        new = _step(values, current, rng)
        data = dict(candidate.data)
        if name == "window_hop":
            data["window"], data["hop"] = new
        else:
            data[name] = new
        return Candidate(self._nearest_data(data), candidate.depths, candidate.alpha)

    def mutate_depth(self, candidate: Candidate, rng: np.random.Generator) -> Candidate:
        stage = int(rng.integers(len(self.depth_choices)))
        depths = list(candidate.depths)
        depths[stage] = _step(sorted(self.depth_choices[stage]), depths[stage], rng)
        return Candidate(candidate.data, self.repair(depths), candidate.alpha)

    def mutate_width(self, candidate: Candidate, rng: np.random.Generator) -> Candidate:
        return Candidate(candidate.data, candidate.depths, float(_step(sorted(self.alphas), candidate.alpha, rng)))

    def crossover(self, a: Candidate, b: Candidate, rng: np.random.Generator) -> Candidate:
        """Uniform crossover: each gene from either parent, then repaired."""
        data = {k: (a.data if rng.random() < 0.5 else b.data)[k] for k in a.data}
        if "window" in data:  # (window, hop) is one gene
            parent = a if rng.random() < 0.5 else b
            data["window"], data["hop"] = parent.data["window"], parent.data["hop"]
        depths = [x if rng.random() < 0.5 else y for x, y in zip(a.depths, b.depths)]
        alpha = a.alpha if rng.random() < 0.5 else b.alpha
        return Candidate(self._nearest_data(data), self.repair(depths), alpha)

    def repair(self, depths: Sequence[int]) -> tuple[int, ...]:
        """Valid depths: every stage after an empty stage is emptied, values kept in their
        choices. (The reference code left crossover children invalid.)"""
        out, empty = [], False
        for value, choices in zip(depths, self.depth_choices):
            value = 0 if empty and 0 in choices else value
            if value not in choices:
                value = min(choices, key=lambda c: (abs(c - value), c))
            empty = empty or value == 0
            out.append(value)
        if not is_valid_depths(out):  # a stage that cannot be empty after an empty one
            return tuple(self.valid_depths[0])
        return tuple(out)

    def _nearest_data(self, data: dict[str, Any]) -> dict[str, Any]:
        """The listed data configuration equal to `data`, else the one sharing most genes."""
        for config in self.data_configs:
            if config == data:
                return dict(config)
        return dict(max(self.data_configs, key=lambda c: sum(c[k] == data[k] for k in c)))


def _step(values: list, current, rng: np.random.Generator):
    """A neighbouring value of `current` in the sorted `values` (a colour flips)."""
    index = values.index(current) if current in values else 0
    options = [i for i in (index - 1, index + 1) if 0 <= i < len(values)]
    return values[options[rng.integers(len(options))]] if options else current
