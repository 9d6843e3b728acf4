"""What every modality and data source provides.

A `Source` reads one on-disk format: it lists a split as `Record`s (name, label, fine-grained
fields) and reads the raw bytes of chosen records. A `Modality` turns raw bytes into arrays
for one data configuration (the data genes), caches them, and says what an input costs in RAM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Protocol, Sequence

import numpy as np

from danas.errors import Problem
from modalities.cache import cache_root

SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class Record:
    """One example of a split index: where it is, its class, and any fine-grained labels.

    `fields` keeps the dataset's own label names (Wake Vision's 'non-person_depiction' keeps
    its hyphen); -1 means "not labelled".
    """

    name: str
    label: int
    fields: Mapping[str, int] = field(default_factory=dict)


@dataclass
class SplitIndex:
    """A split as listed: its records, plus what was dropped or skipped and why."""

    records: list[Record]
    dropped: dict[str, int] = field(default_factory=dict)


class Source(Protocol):
    """One on-disk dataset format."""

    classes: tuple[str, ...]

    def index(self, split: str) -> SplitIndex:
        """Lists the split's usable records."""

    def read(self, split: str, records: Sequence[Record]) -> Iterator[tuple[int, bytes]]:
        """Yields (position in `records`, raw file bytes) for each record found."""

    def files(self) -> list[Any]:
        """The paths whose names, sizes (and, for label files, contents) fingerprint the data."""


class Modality(Protocol):
    """A data pipeline that contributes data genes to the search space."""

    name: str

    def data_configs(self) -> list[dict[str, Any]]:
        """Every data configuration of the spec's data search space."""

    def key(self, data_config: dict[str, Any]) -> str:
        """A short stable name for a data configuration ('96px-rgb')."""

    def input_shape(self, data_config: dict[str, Any]) -> tuple[int, ...]:
        """Shape of one model input, without the batch axis."""

    def input_bytes(self, data_config: dict[str, Any], bytes_per_value: int) -> int:
        """RAM of one input sample (streaming: one sample in memory)."""

    def frontend_scratch_bytes(self, data_config: dict[str, Any], bytes_per_value: int) -> int:
        """RAM the feature front-end needs while it runs (0 for images)."""

    def load(self) -> Any:
        """Finds and indexes the data; returns a `DatasetInfo`."""

    def arrays(self, split: str, data_config: dict[str, Any]) -> "SplitArrays":
        """A split's inputs and labels at a data configuration (cached)."""

    def to_model_input(self, x: np.ndarray) -> np.ndarray:
        """Stored values (uint8 pixels, features) to the float32 the model reads."""

    def augmentation(self) -> Any:
        """augment(x, key) -> x applied to each training batch inside the compiled step, or None."""

    def preprocessing(self, data_config: dict[str, Any]) -> dict[str, Any]:
        """Exactly how a deployed system turns a raw input into its model input (for the bundle)."""

    def skipped_files(self) -> dict[str, int]:
        """Unreadable files skipped per split (train, validation, test)."""


@dataclass
class SplitArrays:
    """A split in one data configuration: inputs (memory-mapped when cached) and labels."""

    x: np.ndarray
    y: np.ndarray
    skipped: int = 0


class CachedModality:
    """What both modalities keep: the config, its data search space, the cache folder, and the
    sampled split records once `load()` has run."""

    name = ""
    space_type: type = object
    # What the modality says of its genes before any data is read (spec checks, --check, keys).
    sources: tuple[str, ...] = ()          # the dataset.source values that hold this modality's data
    builtin_sources: tuple[str, ...] = ()  # those that are generated, needing no dataset.path
    gene_names: tuple[str, ...] = ()       # the keys of a data configuration
    # The `modality:` fields of a modality registered outside the schema file, as JSON Schema
    # properties with defaults and descriptions (the built-in ones are in the file already).
    schema_properties: dict[str, Any] = {}

    @classmethod
    def space_configs(cls, space: Any) -> list[dict[str, Any]]:
        """Every data configuration of a `modality:` section (the typed config)."""
        raise NotImplementedError

    @classmethod
    def gene_values(cls, space: Any) -> dict[str, tuple]:
        """Each data gene's allowed values in a `modality:` section."""
        raise NotImplementedError

    @classmethod
    def space_detail(cls, space: Any) -> str:
        """How the data space multiplies out, for `--check` ('3 resolutions x 2 colours')."""
        raise NotImplementedError

    @classmethod
    def reference_data(cls, section: dict[str, Any]) -> dict[str, Any]:
        """The configuration a Hardware-Aware NAS baseline pins unless told otherwise, from the
        resolved `modality:` section (plain data: it is filled in before the typed config exists)."""
        raise NotImplementedError

    @classmethod
    def problems(cls, config: Any) -> Iterator[Problem]:
        """Cross-field problems of a spec that only this modality can see (none by default)."""
        return iter(())

    def __init__(self, config: Any):
        if not isinstance(config.modality, self.space_type):
            raise TypeError(f"{type(self).__name__} needs a {self.name} spec; received {config.modality.type}")
        self.config = config
        self.space = config.modality
        self.cache = cache_root(config.dataset.cache_dir)
        self.info: Any = None
        self._records: dict[str, list[Record]] = {}
        self._opened: Any = None

    def data_configs(self) -> list[dict[str, Any]]:
        """Every data configuration of the spec's data search space."""
        return self.space_configs(self.space)

    def skipped_files(self) -> dict[str, int]:
        """Unreadable files skipped per split (every split is decoded for the count; cached)."""
        for split in SPLITS:
            self._decoded(split)
        return {split: self.info.skipped.get(split, 0) for split in SPLITS}

    def _decoded(self, split: str) -> Any:
        """The split decoded once at its source resolution or rate (sets info.skipped[split])."""
        raise NotImplementedError
