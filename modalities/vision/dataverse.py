"""The Harvard Dataverse release of Wake Vision: image tar.gz archives plus label CSVs.

Archives are streamed (`tarfile` mode 'r|gz'), never extracted; CSV rows are joined to tar
members by base file name, as TFDS does. The member listing of each archive is cached next to
the decoded arrays, so a split's archives are scanned once to list them and once to read.
"""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path
from typing import Iterator, Sequence

from danas.errors import DataError
from modalities.base import Record, SplitIndex
from modalities.vision import wake_vision_labels as labels


class DataverseSource:
    """Wake Vision as downloaded from Harvard Dataverse (doi:10.7910/DVN/1HOPXC)."""

    classes = labels.CLASSES

    def __init__(self, root: Path, listing_cache: Path | None = None):
        self.root = Path(root)
        self.listing_cache = listing_cache

    @staticmethod
    def detect(root: Path) -> bool:
        return any(Path(root).glob("wake-vision-*.tar.gz"))

    def archives(self, split: str) -> list[Path]:
        pattern = "wake-vision-train-*.tar.gz" if split.startswith("train") else f"wake-vision-{split}.tar.gz"
        return sorted(self.root.glob(pattern))

    def label_csv(self, split: str) -> Path:
        for name in labels.csv_candidates(split):
            if (self.root / name).is_file():
                return self.root / name
        raise DataError(f"{self.root}: no label file for split {split!r}; expected "
                        f"{' or '.join(labels.csv_candidates(split))}")

    def index(self, split: str) -> SplitIndex:
        table = labels.read_label_csv(self.label_csv(split))
        archives = self.archives(split)
        if not archives:
            raise DataError(f"{self.root}: no image archive for split {split!r}; expected "
                            f"{'wake-vision-train-<N>.tar.gz' if split.startswith('train') else f'wake-vision-{split}.tar.gz'}")
        members = {os.path.basename(m) for archive in archives for m in self._members(archive)}
        records = [r for r in table.records if r.name in members]
        dropped = dict(table.dropped)
        absent = len(table.records) - len(records)
        if absent:
            dropped["labelled but not in the archives present"] = absent
        return SplitIndex(records, dropped)

    def read(self, split: str, records: Sequence[Record]) -> Iterator[tuple[int, bytes]]:
        wanted = {r.name: i for i, r in enumerate(records)}
        for archive in self.archives(split):
            if not wanted:
                return
            for name, data in _stream_members(archive, set(wanted)):
                yield wanted.pop(name), data

    def files(self) -> list[Path]:
        return sorted([*self.root.glob("wake-vision-*.tar.gz"), *self.root.glob("wake_vision_*.csv")])

    def _members(self, archive: Path) -> list[str]:
        stamp = f"{archive.name}-{archive.stat().st_size}-{int(archive.stat().st_mtime)}"
        cached = self.listing_cache / f"{stamp}.json" if self.listing_cache else None
        if cached and cached.exists():
            return json.loads(cached.read_text())
        try:
            with _open(archive) as tar:
                names = [info.name for info in tar if info.isfile()]
        except (tarfile.TarError, EOFError, OSError) as err:
            raise DataError(f"{archive}: archive is damaged ({err}); download it again") from None
        if cached:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(names))
            os.replace(tmp, cached)
        return names


def _open(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, mode="r|gz")
    except (tarfile.TarError, OSError) as err:
        raise DataError(f"{archive}: not a readable tar.gz archive ({err})") from None


def _stream_members(archive: Path, names: set[str]) -> Iterator[tuple[str, bytes]]:
    try:
        with _open(archive) as tar:
            for info in tar:
                base = os.path.basename(info.name)
                if info.isfile() and base in names:
                    handle = tar.extractfile(info)
                    if handle is not None:
                        yield base, handle.read()
    except (tarfile.TarError, EOFError, OSError) as err:
        raise DataError(f"{archive}: archive is damaged ({err}); download it again") from None
