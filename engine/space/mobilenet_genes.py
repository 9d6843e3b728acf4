"""MobileNetV2 model genes: blocks per searchable stage and the width multiplier alpha.

Pure Python (no JAX, no Keras) so strategies and `run-spec --check` can use it.
Njor et al. 2025, eq. 3: stages 1-2 are fixed; stage 3 has 0..3 blocks, stage 4 0..4,
stage 5 0..3, stage 6 0..3, stage 7 0..1; a stage may be empty only if every later stage
is empty, so the classification head attaches to the last kept stage.
"""

from __future__ import annotations

import itertools
from typing import Sequence

STAGE_NAMES = ("stage3", "stage4", "stage5", "stage6", "stage7")
# Blocks that exist in each searchable stage of MobileNetV2 (Sandler et al. 2018, table 2).
STAGE_MAX_BLOCKS = (3, 4, 3, 3, 1)

Depths = tuple[int, int, int, int, int]


def is_valid_depths(depths: Sequence[int]) -> bool:
    """True if no stage after an empty stage has blocks ("prefix-contiguous").

    Example:
        >>> is_valid_depths((2, 0, 0, 0, 0)), is_valid_depths((2, 0, 1, 0, 0))
        (True, False)
    """
    seen_empty = False
    for blocks in depths:
        if blocks == 0:
            seen_empty = True
        elif seen_empty:
            return False
    return True


def valid_depths(choices: Sequence[Sequence[int]]) -> list[Depths]:
    """Every valid combination of the allowed depths per stage, in sorted order.

    Example:
        >>> len(valid_depths([range(4), range(5), range(4), range(4), range(2)]))
        268
    """
    combos = itertools.product(*(sorted(set(c)) for c in choices))
    return [tuple(c) for c in combos if is_valid_depths(c)]  # type: ignore[misc]
