"""Data pipelines, one package per modality, registered by the name a spec uses.

A modality loads its dataset, lists its data genes (the data configurations it contributes to
the search space), serves arrays per data configuration, and says what an input costs in RAM.

A modality defined outside this package joins by `MODALITIES.add(name, cls)`: its class brings
the `modality:` fields it reads (`schema_properties`, JSON Schema with defaults) and its
`sources`, which extend the spec schema (`engine.spec.schema.load_schema`); nothing else
changes (tests/engine/sensor_modality.py is such a modality).
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


def modality_kinds() -> dict[str, type]:
    """Each registered modality's name -> the dataclass of its `modality:` section."""
    return {name: MODALITIES.get(name).space_type for name in MODALITIES}


__all__ = ["MODALITIES", "AudioModality", "Modality", "VisionModality", "modality_kinds", "open_modality"]
