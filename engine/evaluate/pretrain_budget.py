"""Pre-training at equal cost: the steps a pinned (data-unaware) run takes so that it spends
what a shared supernet over the whole data space spends (training.match_pinned_pretraining).

A MobileNetV2 step's multiply-accumulates scale with the input's area (height x width: every
layer's feature maps are the input's, strided), so a shared supernet's step, on a configuration
drawn uniformly, costs the mean area on average. The model leaves out that a mono step runs in a
narrower subnet (search_space.mono_width_factor) and so costs less still: the matched pinned run
spends a little more than the shared one, never less. Measured (wakevision_small, 2 cores, bench
data_aware, 5 seeds): the shared supernet's 600 steps over 32-96 px mono/rgb took 128-132 s,
the pinned 311 at 96 px rgb 140-161 s.
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
