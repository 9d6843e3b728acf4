"""Data pipelines, one package per modality, registered by the name a spec uses.

A modality loads its dataset, lists its data genes (the data configurations it contributes to
the search space), serves arrays per data configuration, and says what an input costs in RAM.
"""

from danas.registry import Registry
from modalities.audio.modality import AudioModality
from modalities.base import Modality
from modalities.vision.modality import VisionModality

MODALITIES: Registry[type] = Registry("modality")
MODALITIES.add("vision", VisionModality)
MODALITIES.add("audio", AudioModality)


def open_modality(config) -> Modality:
    """The modality object for a spec config (`config.modality.type`)."""
    return MODALITIES.get(config.modality.type)(config)


__all__ = ["MODALITIES", "AudioModality", "Modality", "VisionModality", "open_modality"]
