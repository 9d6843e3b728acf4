"""Picks the reader for a vision dataset spec: Dataverse, parquet or image folders, or the
built-in generated set when the data is missing and the spec allows it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from danas.errors import DataError
from danas.config import DatasetConfig
from modalities.base import Source
from modalities.vision.builtin.person_dataset import builtin_person_folder
from modalities.vision.dataverse import DataverseSource
from modalities.vision.image_folder import ImageFolderSource
from modalities.vision.parquet import ParquetSource
from modalities.vision.wake_vision_labels import DEFAULT_TRAIN

FORMATS = {"dataverse": DataverseSource, "parquet": ParquetSource, "image_folder": ImageFolderSource}


@dataclass(frozen=True)
class OpenedSource:
    """A source ready to read, and how it was found."""

    source: Source
    root: Path
    format: str
    builtin: bool
    train_split: str


def open_vision_source(dataset: DatasetConfig, cache: Path) -> OpenedSource:
    """The reader for `dataset`.

    Raises:
        DataError: the folder holds no dataset in a known format and `when_missing` is error.
    """
    if dataset.source == "builtin_person":
        return _builtin(dataset, cache)
    root = Path(dataset.path) if dataset.path else None
    fmt = _detect(root, dataset) if root and root.is_dir() else None
    if fmt is None:
        if dataset.when_missing == "generate" and dataset.source == "wake_vision":
            return _builtin(dataset, cache)
        raise DataError(_missing_message(dataset, root))
    if dataset.source == "image_folder" or fmt == "image_folder":
        train = dataset.splits.train or ("train" if dataset.source == "image_folder" else DEFAULT_TRAIN)
        return OpenedSource(ImageFolderSource(root), root, "image_folder", False, train)
    source = DataverseSource(root, cache / "listings") if fmt == "dataverse" else ParquetSource(root)
    return OpenedSource(source, root, fmt, False, dataset.splits.train or DEFAULT_TRAIN)


def _builtin(dataset: DatasetConfig, cache: Path) -> OpenedSource:
    folder = builtin_person_folder(cache, dataset.builtin_size)
    return OpenedSource(DataverseSource(folder, cache / "listings"), folder, "dataverse", True,
                        DEFAULT_TRAIN)


def _detect(root: Path, dataset: DatasetConfig) -> str | None:
    if dataset.source == "image_folder":
        return "image_folder" if ImageFolderSource.detect(root) else None
    wanted = dataset.format or "auto"
    if wanted != "auto":
        return wanted if FORMATS[wanted].detect(root) else None
    for name, reader in FORMATS.items():
        if reader.detect(root):
            return name
    return None


def _missing_message(dataset: DatasetConfig, root: Path | None) -> str:
    where = str(root) if root else "dataset.path (not set)"
    expected = {
        "wake_vision": "the Wake Vision Dataverse release (wake-vision-*.tar.gz + wake_vision_*.csv), "
                       "Hugging Face parquet shards (data/<split>*.parquet) or <split>/{0,1}/*.jpg folders",
        "image_folder": "<split>/<class>/*.jpg folders",
    }[dataset.source]
    hint = " (or set dataset.when_missing: generate to use the built-in stand-in)" \
        if dataset.source == "wake_vision" else ""
    if dataset.format not in (None, "auto"):
        expected = f"format {dataset.format}: " + expected
    return f"{where}: no dataset found; expected {expected}{hint}"
