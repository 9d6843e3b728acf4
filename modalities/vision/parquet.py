"""Wake Vision as Hugging Face parquet shards: `data/<split>*.parquet`.

The `image` column is a struct {bytes, path}. Labels are read without the image column, and
images only from the row groups that hold chosen rows, so a 5 GB shard is never loaded whole.
Needs pyarrow (`pip install danas[parquet]`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Sequence

from danas.errors import DataError
from modalities.base import Record, SplitIndex
from modalities.vision import wake_vision_labels as labels


def _pyarrow_parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError("reading Wake Vision parquet shards needs pyarrow; install it with "
                        "pip install 'danas[parquet]'") from None
    return pq


class ParquetSource:
    """Wake Vision parquet shards as published on Hugging Face (Harvard-Edge/Wake-Vision)."""

    classes = labels.CLASSES

    def __init__(self, root: Path):
        self.root = Path(root)

    @staticmethod
    def detect(root: Path) -> bool:
        return any((Path(root) / "data").glob("*.parquet"))

    def shards(self, split: str) -> list[Path]:
        shards = sorted((self.root / "data").glob(f"{split}*.parquet"))
        if not shards:
            raise DataError(f"{self.root / 'data'}: no parquet shard for split {split!r}; "
                            f"expected files named {split}*.parquet")
        return shards

    def index(self, split: str) -> SplitIndex:
        pq = _pyarrow_parquet()
        records, dropped = [], {}
        for shard in self.shards(split):
            schema_names = pq.read_schema(shard).names
            missing = [c for c in ("filename", "person", "image") if c not in schema_names]
            if missing:
                raise DataError(f"{shard}: missing column(s) {', '.join(missing)}; expected "
                                "Wake Vision columns filename, person, image, ...")
            columns = ["filename", *[f for f in labels.FIELDS if f in schema_names]]
            table = pq.read_table(shard, columns=columns).to_pydict()
            for row in range(len(table["filename"])):
                fields = {f: int(table[f][row]) if f in table else -1 for f in labels.FIELDS}
                if fields["person"] == -1:
                    dropped["person label -1"] = dropped.get("person label -1", 0) + 1
                    continue
                records.append(Record(str(table["filename"][row]), fields["person"], fields))
        return SplitIndex(records, dropped)

    def read(self, split: str, records: Sequence[Record]) -> Iterator[tuple[int, bytes]]:
        pq = _pyarrow_parquet()
        wanted = {r.name: i for i, r in enumerate(records)}
        for shard in self.shards(split):
            parquet = pq.ParquetFile(shard)
            for group in range(parquet.num_row_groups):
                if not wanted:
                    return
                names = parquet.read_row_group(group, columns=["filename"]).column(0).to_pylist()
                if not wanted.keys() & set(names):
                    continue
                images = parquet.read_row_group(group, columns=["filename", "image"]).to_pydict()
                for name, image in zip(images["filename"], images["image"]):
                    if name in wanted and image and image.get("bytes"):
                        yield wanted.pop(name), image["bytes"]

    def files(self) -> list[Path]:
        return sorted((self.root / "data").glob("*.parquet"))
