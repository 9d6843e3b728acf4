"""Size of a DARTS cell space (pure Python, for `run-spec --check`).

A derived cell keeps, for each intermediate node i (0-based), two distinct inputs among the
i + 2 earlier states, each with one operation other than 'none' (Liu et al. 2019, DARTS);
normal and reduction cells are chosen independently.
"""

from __future__ import annotations

import math
from typing import Sequence


def darts_cell_count(nodes: int, ops: Sequence[str]) -> int:
    """Number of distinct derived cells for `nodes` intermediate nodes.

    Example:
        >>> darts_cell_count(1, ["none", "skip_connect", "sep_conv_3x3"])
        4
    """
    real_ops = len([op for op in ops if op != "none"])
    return math.prod(math.comb(i + 2, 2) * real_ops**2 for i in range(nodes))


def darts_space_size(nodes: int, ops: Sequence[str]) -> int:
    """Number of (normal cell, reduction cell) pairs."""
    return darts_cell_count(nodes, ops) ** 2
