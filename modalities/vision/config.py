"""The `modality:` section of a vision spec, as the typed config holds it (frozen; lists as tuples).
The schema's vision fields (`x-when: [vision]`) and these fields are kept equal by a test."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VisionConfig:
    type: str
    resolutions: tuple[int, ...]
    color: tuple[str, ...]
