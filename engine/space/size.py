"""Size of the joint search space (data configurations x architectures), for `--check`.

The data side is the modality's to count (`modalities.MODALITIES`); this counts architectures.
"""

from __future__ import annotations

from dataclasses import dataclass

from danas.config import MobileNetV2SpaceConfig, SpecConfig
from engine.space.darts_genes import darts_space_size
from engine.space.mobilenet_genes import valid_depths


@dataclass(frozen=True, kw_only=True)
class SpaceSize:
    """How many data configurations and architectures a spec searches, with how they multiply."""

    data: int
    data_detail: str
    architectures: int
    architecture_detail: str

    @property
    def joint(self) -> int:
        return self.data * self.architectures


def space_size(config: SpecConfig, data: int, data_detail: str) -> SpaceSize:
    """The joint space of `config`, given its data space's size (and how it multiplies out)."""
    if not config.strategy.data_aware:
        pinned = ", ".join(f"{k} {v}" for k, v in config.strategy.pinned_data.items())
        data, data_detail = 1, f"pinned ({pinned}): data_aware is false"
    space = config.search_space
    if isinstance(space, MobileNetV2SpaceConfig):
        depths = len(valid_depths(space.stage_depths.as_tuple()))
        arch = depths * len(space.alphas)
        arch_detail = f"{depths} valid stage-depth patterns x {len(space.alphas)} alphas"
    else:
        arch = darts_space_size(space.nodes, space.ops)
        arch_detail = f"normal x reduction cells of {space.nodes} nodes over {len(space.ops)} ops"
    return SpaceSize(data=data, data_detail=data_detail, architectures=arch, architecture_detail=arch_detail)
