"""Size of the joint search space (data configurations x architectures), for `--check`."""

from __future__ import annotations

from dataclasses import dataclass

from engine.space.darts_genes import darts_space_size
from engine.space.mobilenet_genes import valid_depths
from engine.spec.config import MobileNetV2SpaceConfig, SpecConfig, VisionConfig
from modalities.audio.genes import audio_data_configs
from modalities.vision.genes import vision_data_configs


@dataclass(frozen=True)
class SpaceSize:
    """How many data configurations and architectures a spec searches, with how they multiply."""

    data: int
    data_detail: str
    architectures: int
    architecture_detail: str

    @property
    def joint(self) -> int:
        return self.data * self.architectures


def space_size(config: SpecConfig) -> SpaceSize:
    """Counts the joint space of `config`."""
    data, data_detail = _data_size(config)
    space = config.search_space
    if isinstance(space, MobileNetV2SpaceConfig):
        depths = len(valid_depths(space.stage_depths.as_tuple()))
        arch = depths * len(space.alphas)
        arch_detail = f"{depths} valid stage-depth patterns x {len(space.alphas)} alphas"
    else:
        arch = darts_space_size(space.nodes, space.ops)
        arch_detail = f"normal x reduction cells of {space.nodes} nodes over {len(space.ops)} ops"
    return SpaceSize(data, data_detail, arch, arch_detail)


def _data_size(config: SpecConfig) -> tuple[int, str]:
    if not config.strategy.data_aware:
        pinned = ", ".join(f"{k} {v}" for k, v in config.strategy.pinned_data.items())
        return 1, f"pinned ({pinned}): data_aware is false"
    modality = config.modality
    if isinstance(modality, VisionConfig):
        count = len(vision_data_configs(modality.resolutions, modality.color))
        return count, f"{len(modality.resolutions)} resolutions x {len(modality.color)} colours"
    count = len(audio_data_configs(modality.sample_rate, modality.window_hops(),
                                   modality.mel_bins, modality.n_mfcc))
    parts = [len(modality.sample_rate), len(modality.window_hops()), len(modality.mel_bins),
             len(modality.n_mfcc)]
    return count, (f"{parts[0]} sample rates x {parts[1]} (window, hop) pairs x "
                   f"{parts[2]} mel sizes x {parts[3]} MFCC counts")
