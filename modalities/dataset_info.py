"""Indexing splits the same way for every modality: sample, count what was dropped, fingerprint."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from danas.errors import DataError
from danas.config import DatasetConfig
from modalities.base import SPLITS, Record, Source
from modalities.sampling import balanced_sample

# More unreadable files than this fraction of a split stops the run: it means a wrong folder
# or a broken download, not a stray bad file.
MAX_CORRUPT_FRACTION = 0.05


@dataclass
class DatasetInfo:
    """What a run read: for the report bundle and the terminal."""

    source: str
    format: str
    root: str
    builtin: bool
    fingerprint: str
    classes: tuple[str, ...]
    split_names: dict[str, str]
    counts: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__, classes=list(self.classes))


def index_splits(source: Source, split_names: dict[str, str], dataset: DatasetConfig,
                 seed: int) -> tuple[dict[str, list[Record]], dict[str, dict[str, int]]]:
    """The sampled records of each split (train, validation, test), and what was dropped.

    Raises:
        DataError: a split is empty, or the training split has a single class.
    """
    for role in ("validation", "test"):
        if split_names[role] == split_names["train"]:
            raise DataError(f"dataset.splits: the train and {role} splits are both {split_names['train']!r}; "
                            f"a model would be measured on its own training examples, expected separate splits")
    records, dropped = {}, {}
    for role in SPLITS:
        index = source.index(split_names[role])
        limit = getattr(dataset.max_examples, role)
        records[role] = balanced_sample(index.records, limit, seed + SPLITS.index(role))
        dropped[role] = index.dropped
        if not records[role]:
            raise DataError(f"split {split_names[role]!r} is empty after reading labels "
                            f"(dropped: {index.dropped or 'nothing'}); expected labelled examples")
    classes = {r.label for r in records["train"]}
    if len(classes) < 2:
        raise DataError(f"split {split_names['train']!r} has a single class "
                        f"({sorted(classes)}); expected examples of at least two classes")
    return records, dropped


def check_corrupt(split: str, skipped: int, total: int) -> None:
    """Raises DataError if too many files of a split could not be read."""
    if total and skipped > max(1, MAX_CORRUPT_FRACTION * total):
        raise DataError(f"split {split!r}: {skipped} of {total} files could not be read; expected "
                        f"at most {MAX_CORRUPT_FRACTION:.0%} (wrong folder or a damaged download?)")
