"""The vision modality: Wake Vision-style person detection (or any image-folder task).

Data genes are resolution x colour. Each split is decoded once into a square "source" array at
the largest resolution searched; each data configuration is resized from it once. Both levels
are cached on disk as memory-mapped uint8 arrays keyed by the dataset fingerprint, so a search
that revisits a configuration, or a later run, pays nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from modalities.vision.config import VisionConfig
from modalities.base import CachedModality, SplitArrays
from modalities.cache import cache_key, cached_arrays
from modalities.dataset_info import DatasetInfo, check_corrupt, index_splits
from modalities.fingerprint import fingerprint
from modalities.vision import transforms
from modalities.vision.genes import vision_data_configs, vision_input_shape, vision_key
from modalities.vision.sources import open_vision_source

CACHE_VERSION = 1


class VisionModality(CachedModality):
    """Loads an image dataset and serves it per data configuration."""

    name = "vision"
    space_type = VisionConfig
    sources = ("wake_vision", "image_folder", "builtin_person")
    builtin_sources = ("builtin_person",)
    gene_names = ("resolution", "color")

    @classmethod
    def space_configs(cls, space: VisionConfig) -> list[dict[str, Any]]:
        return vision_data_configs(space.resolutions, space.color)

    @classmethod
    def gene_values(cls, space: VisionConfig) -> dict[str, tuple]:
        return {"resolution": space.resolutions, "color": space.color}

    @classmethod
    def space_detail(cls, space: VisionConfig) -> str:
        return f"{len(space.resolutions)} resolutions x {len(space.color)} colours"

    @classmethod
    def reference_data(cls, section: dict[str, Any]) -> dict[str, Any]:
        """The highest resolution, in colour when colour is searched (the papers' baseline)."""
        colors = section["color"]
        return {"resolution": max(section["resolutions"]), "color": "rgb" if "rgb" in colors else colors[0]}

    key = staticmethod(vision_key)
    input_shape = staticmethod(vision_input_shape)

    def input_bytes(self, data_config: dict[str, Any], bytes_per_value: int) -> int:
        """One input sample held in RAM (streaming: one image at a time)."""
        return int(np.prod(self.input_shape(data_config))) * bytes_per_value

    def frontend_scratch_bytes(self, data_config: dict[str, Any], bytes_per_value: int) -> int:
        """Vision has no front-end beyond the input buffer."""
        return 0

    def load(self) -> DatasetInfo:
        """Finds the data, lists and samples the splits; decoding happens on first use."""
        opened = open_vision_source(self.config.dataset, self.cache)
        names = {"train": opened.train_split, "validation": self.config.dataset.splits.validation,
                 "test": self.config.dataset.splits.test}
        self._records, dropped = index_splits(opened.source, names, self.config.dataset,
                                              self.config.seed)
        self._opened = opened
        self.info = DatasetInfo(
            source=self.config.dataset.source, format=opened.format, root=str(opened.root),
            builtin=opened.builtin, fingerprint=fingerprint(opened.root, opened.source.files()),
            classes=tuple(opened.source.classes), split_names=names,
            counts={s: len(r) for s, r in self._records.items()}, dropped=dropped)
        return self.info

    def arrays(self, split: str, data_config: dict[str, Any]) -> SplitArrays:
        """The split at this data configuration: uint8 images [N, R, R, C] and int32 labels."""
        source = self._source_arrays(split)
        key = cache_key(source=source["key"].tobytes().decode(), config=data_config)

        def build():
            images = transforms.resize_batch(source["x"], data_config["resolution"])
            if data_config["color"] == "mono":
                images = transforms.to_mono(images)
            return {"x": images, "y": np.asarray(source["y"])}

        arrays = cached_arrays(self.cache / "vision", key, build)
        return SplitArrays(arrays["x"], arrays["y"], skipped=self.info.skipped.get(split, 0))

    @staticmethod
    def augmentation():
        """The in-step training augmentation: random crop and flip of a batch, in JAX."""
        from modalities.vision.augment import random_crop_flip

        return random_crop_flip

    @staticmethod
    def to_model_input(x: np.ndarray) -> np.ndarray:
        return transforms.to_model_input(x)

    def preprocessing(self, data_config: dict[str, Any]) -> dict[str, Any]:
        """Exactly how to turn a camera image into this model's input."""
        return {
            "modality": "vision", **data_config, "input_shape": list(self.input_shape(data_config)),
            "steps": ["decode to RGB",
                      f"resize the shorter side to {data_config['resolution']} px (area filter when shrinking)",
                      f"crop the centre {data_config['resolution']} x {data_config['resolution']}",
                      *(["mono: Y = 0.2989 R + 0.5870 G + 0.1140 B, rounded to uint8"]
                        if data_config["color"] == "mono" else []),
                      "scale: x / 127.5 - 1 (float32 in [-1, 1])"],
        }

    def _decoded(self, split: str) -> dict[str, np.ndarray]:
        return self._source_arrays(split)

    def _source_arrays(self, split: str) -> dict[str, np.ndarray]:
        if self.info is None:
            self.load()
        records = self._records[split]
        size = max(self.space.resolutions)
        key = cache_key(version=CACHE_VERSION, data=self.info.fingerprint, split=self.info.split_names[split],
                        names=[r.name for r in records], size=size)

        def build():
            images = np.zeros((len(records), size, size, 3), np.uint8)
            found = np.zeros(len(records), bool)
            for position, data in self._opened.source.read(self.info.split_names[split], records):
                image = transforms.decode(data)
                if image is not None:
                    images[position] = transforms.center_square(image, size)
                    found[position] = True
            labels = np.array([r.label for r in records], np.int32)
            check_corrupt(self.info.split_names[split], int((~found).sum()), len(records))
            return {"x": images[found], "y": labels[found],
                    "key": np.frombuffer(key.encode(), np.uint8), "skipped": np.array([(~found).sum()])}

        arrays = cached_arrays(self.cache / "vision", key, build)
        self.info.skipped[split] = int(arrays["skipped"][0])
        return arrays
