"""Successive halving over data configurations in shared pre-training (training.pretrain_data
'halving'; Jamieson & Talwalkar 2016, as Hyperband's inner loop).

Uniform pre-training draws every step's data configuration from all of them, so the
configuration the search will return gets 1/n of the steps (wakevision_small: 50 of 300 for
96 px rgb, whose subnets then measure 0.70-0.72 on validation against 0.83-0.85 in a supernet
pre-trained on it alone). Halving spends the first half of the steps on all configurations,
then ranks them by a probe (the largest subnet, its batch-norm statistics re-estimated, on the
validation split) and spends each further rung on the better half, down to one configuration.
The weights stay shared, so a configuration dropped early still has a trained network, only a
less specialised one; the rungs and their probes go to the report as a data ranking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True, kw_only=True)
class Rung:
    """One rung of pre-training: its steps, the data configurations it trained (by key), and
    the probe's validation accuracy of each after it (empty after the last rung)."""

    steps: int
    configurations: tuple[str, ...]
    probe: dict[str, float]

    def to_json(self) -> dict:
        return {"steps": self.steps, "configurations": list(self.configurations), "probe": dict(self.probe)}

    @classmethod
    def from_json(cls, data: dict) -> "Rung":
        return cls(steps=data["steps"], configurations=tuple(data["configurations"]), probe=data["probe"])


def kept(count: int) -> int:
    """How many of `count` configurations go on to the next rung: the better half, rounded up.

    Example:
        >>> [kept(n) for n in (6, 3, 2, 1)]
        [3, 2, 1, 1]
    """
    return max(1, math.ceil(count / 2)) if count > 1 else 1


def rung_sizes(configurations: int) -> list[int]:
    """The number of configurations each rung trains, halving (rounded up) down to one.

    Example:
        >>> rung_sizes(6), rung_sizes(2), rung_sizes(1)
        ([6, 3, 2, 1], [2, 1], [1])
    """
    sizes = [configurations]
    while sizes[-1] > 1:
        sizes.append(kept(sizes[-1]))
    return sizes


def rung_steps(steps: int, rungs: int) -> list[int]:
    """Steps per rung: half of `steps` for the first rung (every configuration), the rest split
    evenly over the others (the earlier ones take the remainder).

    Example:
        >>> rung_steps(300, 4), rung_steps(301, 4), rung_steps(300, 1)
        ([150, 50, 50, 50], [151, 50, 50, 50], [300])
    """
    if rungs == 1:
        return [steps]
    first = steps - steps // 2
    rest, extra = divmod(steps - first, rungs - 1)
    return [first] + [rest + (1 if i < extra else 0) for i in range(rungs - 1)]


def survivors(probe: dict[str, float], order: Sequence[str], count: int) -> list[str]:
    """The `count` configurations with the highest probe accuracy, in `order` (the run's order
    of configurations); ties go to the earlier one in `order`.

    Example:
        >>> survivors({"a": 0.6, "b": 0.7, "c": 0.6}, ["a", "b", "c"], 2)
        ['a', 'b']
    """
    ranked = sorted(order, key=lambda key: (-probe[key], order.index(key)))[:count]
    return [key for key in order if key in ranked]
