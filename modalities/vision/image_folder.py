"""Images in class folders: `<root>/<split>/<class>/*.jpg`.

For Wake Vision the classes are '0' (no person) and '1' (person), the layout Harvard's
download script builds; any other binary or multi-class folder works too (classes are the
folder names, sorted).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Sequence

from danas.errors import DataError
from modalities.base import Record, SplitIndex

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")


class ImageFolderSource:
    """Class-per-folder images; `classes` are the class folder names found in the first split."""

    def __init__(self, root: Path, classes: tuple[str, ...] | None = None):
        self.root = Path(root)
        self._classes = classes

    @staticmethod
    def detect(root: Path) -> bool:
        return any(p.is_dir() for p in Path(root).glob("*/*"))

    @property
    def classes(self) -> tuple[str, ...]:
        if self._classes is None:
            names = {p.name for p in self.root.glob("*/*") if p.is_dir()}
            self._classes = tuple(sorted(names))
        return self._classes

    def index(self, split: str) -> SplitIndex:
        folder = self.root / split
        if not folder.is_dir():
            raise DataError(f"{folder}: no such split folder; expected {self.root}/<split>/<class>/*.jpg "
                            f"(found splits: {', '.join(sorted(p.name for p in self.root.iterdir() if p.is_dir())) or 'none'})")
        records = [
            Record(f"{class_name}/{path.name}", label)
            for label, class_name in enumerate(self.classes)
            for path in sorted((folder / class_name).glob("*"))
            if path.suffix.lower() in IMAGE_SUFFIXES
        ]
        return SplitIndex(records)

    def read(self, split: str, records: Sequence[Record]) -> Iterator[tuple[int, bytes]]:
        for position, record in enumerate(records):
            yield position, (self.root / split / record.name).read_bytes()

    def files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
