"""Fitness (Njor et al. 2025, eq. B.1) and the Pareto front over (accuracy, RAM, flash)."""

from __future__ import annotations

from typing import Sequence

from engine.spec.config import FitnessWeightsConfig


def fitness(metrics: dict[str, float], ram: int, flash: int, ram_budget: int, flash_budget: int,
            weights: FitnessWeightsConfig) -> float:
    """f = w1 a + w2 p + w3 r + w4 (1 - v_r / x_r) + w5 (1 - v_f / x_f), where v is the excess
    over the budget x (0 when within it).

    Example:
        >>> from engine.spec.config import FitnessWeightsConfig as W
        >>> fitness({"accuracy": .8, "precision": .7, "recall": .6}, 150, 50, 100, 100, W(1, 1, 1, 1, 1))
        3.6
    """
    ram_term = 1.0 - max(0, ram - ram_budget) / ram_budget
    flash_term = 1.0 - max(0, flash - flash_budget) / flash_budget
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
