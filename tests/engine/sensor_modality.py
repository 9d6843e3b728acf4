"""A third modality, defined entirely here, to show that one needs no file outside its own:
1-D sensor windows (an accelerometer), with the window length and the axes encoding as data genes.

Importing this module registers it; `test_third_modality.py` then runs `run-spec --check` and a
smoke search on a spec with `modality: {type: sensor}` in a fresh process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from modalities import MODALITIES
from modalities.base import SPLITS, CachedModality, SplitArrays
from modalities.dataset_info import DatasetInfo

SIGNAL_SAMPLES = 128
SPLIT_SIZES = {"train": 256, "validation": 64, "test": 64}


@dataclass(frozen=True)
class SensorConfig:
    type: str
    windows: tuple[int, ...]
    axes: tuple[str, ...]


class SensorModality(CachedModality):
    """Still (noise) vs moving (a 5 Hz swing on one axis, in noise), read through a window."""

    name = "sensor"
    space_type = SensorConfig
    sources = ("builtin_sensor",)
    builtin_sources = ("builtin_sensor",)
    gene_names = ("window", "axes")
    schema_properties = {
        "windows": {"description": "Window lengths in samples (50 Hz).", "type": "array",
                    "items": {"type": "integer", "minimum": 8, "maximum": SIGNAL_SAMPLES}, "minItems": 1,
                    "uniqueItems": True, "default": [32, 64]},
        "axes": {"description": "'xyz': three channels; 'magnitude': their Euclidean norm.", "type": "array",
                 "items": {"type": "string", "enum": ["magnitude", "xyz"]}, "minItems": 1, "uniqueItems": True,
                 "default": ["magnitude", "xyz"]},
    }

    @classmethod
    def space_configs(cls, space: SensorConfig) -> list[dict[str, Any]]:
        return [{"window": w, "axes": a} for w in sorted(space.windows) for a in sorted(space.axes)]

    @classmethod
    def gene_values(cls, space: SensorConfig) -> dict[str, tuple]:
        return {"window": space.windows, "axes": space.axes}

    @classmethod
    def space_detail(cls, space: SensorConfig) -> str:
        return f"{len(space.windows)} windows x {len(space.axes)} axis encodings"

    @classmethod
    def reference_data(cls, section: dict[str, Any]) -> dict[str, Any]:
        return {"window": max(section["windows"]), "axes": "xyz" if "xyz" in section["axes"] else section["axes"][0]}

    @staticmethod
    def key(data: dict[str, Any]) -> str:
        return f"{data['window']}s-{data['axes']}"

    @staticmethod
    def input_shape(data: dict[str, Any]) -> tuple[int, int, int]:
        return (data["window"], 1, 3 if data["axes"] == "xyz" else 1)

    def input_bytes(self, data: dict[str, Any], bytes_per_value: int) -> int:
        return int(np.prod(self.input_shape(data))) * bytes_per_value

    def frontend_scratch_bytes(self, data: dict[str, Any], bytes_per_value: int) -> int:
        return 0

    def load(self) -> DatasetInfo:
        rng = np.random.default_rng(self.config.seed)
        self._signals = {}
        for split in SPLITS:
            n = SPLIT_SIZES[split]
            y = np.arange(n) % 2
            t = np.arange(SIGNAL_SAMPLES) / 50.0
            signal = 0.3 * rng.standard_normal((n, SIGNAL_SAMPLES, 3))
            phase = rng.uniform(0, 2 * np.pi, n)
            signal[:, :, 0] += y[:, None] * np.sin(2 * np.pi * 5 * t[None] + phase[:, None])
            self._signals[split] = (signal.astype(np.float32), y.astype(np.int32))
        self.info = DatasetInfo(source="builtin_sensor", format="generated", root="(memory)", builtin=True,
                                fingerprint=f"sensor-{self.config.seed}", classes=("still", "moving"),
                                split_names={s: s for s in SPLITS}, counts=dict(SPLIT_SIZES))
        return self.info

    def arrays(self, split: str, data: dict[str, Any]) -> SplitArrays:
        signal, y = self._signals[split]
        window = signal[:, : data["window"]]
        if data["axes"] == "magnitude":
            window = np.linalg.norm(window, axis=-1, keepdims=True)
        return SplitArrays(window[:, :, None, :].astype(np.float32), y)

    def _decoded(self, split: str) -> None:
        self.info.skipped[split] = 0

    @staticmethod
    def to_model_input(x: np.ndarray) -> np.ndarray:
        return np.asarray(x, np.float32)

    @staticmethod
    def augmentation():
        return None

    def preprocessing(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"modality": "sensor", **data, "input_shape": list(self.input_shape(data)),
                "steps": [f"the first {data['window']} samples at 50 Hz",
                          "x, y, z as channels" if data["axes"] == "xyz" else "sqrt(x^2 + y^2 + z^2)"]}


if "sensor" not in MODALITIES:
    MODALITIES.add("sensor", SensorModality)
