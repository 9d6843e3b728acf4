"""Pre-training at equal cost: the steps a pinned (data-unaware) run takes so that it spends
what a shared supernet over the whole data space spends (training.match_pinned_pretraining).

A MobileNetV2 step's multiply-accumulates scale with the input's area (height x width: every
layer's feature maps are the input's, strided); the input channels change only the stem's,
less than 1 % of the small spec's network. A shared supernet's step is on a configuration drawn
uniformly, so its expected cost is the mean area. Measured (wakevision_small, 2 cores, 300 steps
each): the shared supernet over 32-96 px mono/rgb pre-trained in 68-98 s, one at 96 px rgb in
130-168 s, a ratio of 0.52-0.58 against the 0.52 this model gives.
"""

from __future__ import annotations

from typing import Sequence


def matched_pretrain_steps(steps: int, pinned_area: int, areas: Sequence[int]) -> int:
    """The steps at an input of `pinned_area` that cost what `steps` steps drawn uniformly over
    inputs of `areas` cost (at least one when `steps` is).

    Example:
        >>> matched_pretrain_steps(600, 96 * 96, [32 * 32, 64 * 64, 96 * 96] * 2)
        311
        >>> matched_pretrain_steps(600, 96 * 96, [96 * 96])
        600
    """
    if steps == 0:
        return 0
    return max(1, round(steps * sum(areas) / (len(areas) * pinned_area)))
