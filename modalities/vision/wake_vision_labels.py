"""Wake Vision label files: the split names, the 19 label fields, and CSV parsing.

Every field is 0/1, and -1 means "not labelled" (never a class). Rows whose `person` is -1
are dropped and counted. Field names are kept as the dataset writes them, hyphens included.
"""

from __future__ import annotations

import csv
from pathlib import Path

from danas.errors import DataError
from modalities.base import Record, SplitIndex

FIELDS = (
    "person", "depiction", "body_part",
    "predominantly_female", "predominantly_male", "gender_unknown",
    "young", "middle_age", "older", "age_unknown",
    "near", "medium_distance", "far",
    "dark", "normal_lighting", "bright",
    "person_depiction", "non-person_depiction", "non-person_non-depiction",
)
SPLITS = ("train_quality", "train_large", "validation", "test")
DEFAULT_TRAIN = "train_quality"
CLASSES = ("no_person", "person")
# Dataverse v1 names that Harvard's download scripts still use.
CSV_ALIASES = {"train_quality": ("train_bbox",), "train_large": ("train_image",)}


def csv_candidates(split: str) -> list[str]:
    """File names a split's label CSV may have, newest name first."""
    return [f"wake_vision_{name}.csv" for name in (split, *CSV_ALIASES.get(split, ()))]


def read_label_csv(path: Path) -> SplitIndex:
    """Reads a Wake Vision label CSV into records; rows with person -1 are dropped and counted.

    Raises:
        DataError: the file has no `filename` or `person` column.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:  # a BOM (Excel's "UTF-8") is not a column name
        reader = csv.DictReader(handle)
        missing = [c for c in ("filename", "person") if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path}: missing column(s) {', '.join(missing)}; expected a Wake "
                            f"Vision label CSV with columns filename, person, ... "
                            f"(found: {', '.join(reader.fieldnames or []) or 'no header'})")
        present = [f for f in FIELDS if f in reader.fieldnames]
        records, dropped = [], {"person label -1": 0, "malformed rows": 0}
        for row in reader:
            parsed = _parse_row(row, present)
            if parsed is None:
                dropped["malformed rows"] += 1
            elif parsed.label == -1:
                dropped["person label -1"] += 1
            else:
                records.append(parsed)
    return SplitIndex(records, {k: v for k, v in dropped.items() if v})


def _parse_row(row: dict[str, str], present: list[str]) -> Record | None:
    """A record, or None for a row that is blank or not 0/1/-1 (Harvard's own scripts skip
    an odd trailing row of the test CSV)."""
    name = (row.get("filename") or "").strip()
    try:
        fields = {f: int(row[f]) for f in present}
    except (TypeError, ValueError):
        return None
    if not name or any(v not in (-1, 0, 1) for v in fields.values()):
        return None
    fields.update({f: -1 for f in FIELDS if f not in fields})
    return Record(name, fields["person"], fields)
