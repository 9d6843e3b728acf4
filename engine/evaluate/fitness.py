"""Fitness (Njor et al. 2025, eq. B.1) and the Pareto front over (accuracy, RAM, flash)."""

from __future__ import annotations

from typing import Sequence

from danas.budget import Budget
from danas.config import FitnessWeightsConfig
from danas.records import Estimate


def fitness(metrics: dict[str, float], estimate: Estimate, budget: Budget, weights: FitnessWeightsConfig) -> float:
    """f = w1 a + w2 p + w3 r + w4 (1 - v_r / x_r) + w5 (1 - v_f / x_f), where v is the excess
    over the budget x (0 when within it).

    Example:
        >>> from danas.config import FitnessWeightsConfig as W
        >>> used = Estimate(ram_bytes=150, flash_bytes=50, macs=0, params=0, peak_op="conv")
        >>> fitness({"accuracy": .8, "precision": .7, "recall": .6}, used, Budget(ram_bytes=100, flash_bytes=100),
        ...         W(1, 1, 1, 1, 1))
        3.6
    """
    ram_term = 1.0 - max(0, estimate.ram_bytes - budget.ram_bytes) / budget.ram_bytes
    flash_term = 1.0 - max(0, estimate.flash_bytes - budget.flash_bytes) / budget.flash_bytes
    return round(weights.accuracy * metrics["accuracy"] + weights.precision * metrics["precision"]
                 + weights.recall * metrics["recall"] + weights.ram * ram_term + weights.flash * flash_term, 6)


def pareto_front(points: Sequence[tuple[float, int, int]]) -> list[int]:
    """Indices of the points not dominated in (accuracy up, RAM down, flash down).

    Example:
        >>> pareto_front([(0.9, 100, 100), (0.8, 50, 100), (0.7, 60, 100), (0.9, 100, 100)])
        [0, 1]
    """
    front = []
    for i, (acc, ram, flash) in enumerate(points):
        dominated = any(
            (a >= acc and r <= ram and f <= flash) and (a > acc or r < ram or f < flash)
            for j, (a, r, f) in enumerate(points) if j != i)
        duplicate = any(points[j] == points[i] for j in front)
        if not dominated and not duplicate:
            front.append(i)
    return front
