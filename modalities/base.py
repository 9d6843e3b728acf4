"""What every modality and data source provides.

A `Source` reads one on-disk format: it lists a split as `Record`s (name, label, fine-grained
fields) and reads the raw bytes of chosen records. A `Modality` turns raw bytes into arrays
for one data configuration (the data genes), caches them, and says what an input costs in RAM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Protocol, Sequence

import numpy as np

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

    def __init__(self, config: Any):
        if not isinstance(config.modality, self.space_type):
            raise TypeError(f"{type(self).__name__} needs a {self.name} spec; received {config.modality.type}")
        self.config = config
        self.space = config.modality
        self.cache = cache_root(config.dataset.cache_dir)
        self.info: Any = None
        self._records: dict[str, list[Record]] = {}
        self._opened: Any = None
