"""Reading an interrupted run back: its trials, with a torn last line repaired."""

from __future__ import annotations

import json
from pathlib import Path

from reports.atomic import write_atomic
from danas.records import TrialRecord


def jsonl_line(record: TrialRecord) -> str:
    """The exact line trials.jsonl holds for a record."""
    return json.dumps(record.to_json(), sort_keys=True) + "\n"


def read_trials_repairing(path: Path) -> tuple[list[TrialRecord], bool]:
    """The complete records of trials.jsonl, and whether a torn tail (a kill while a record
    was being written) had to be cut off; the file is then rewritten atomically."""
    if not path.exists():
        return [], False
    records = []
    for line in path.read_bytes().split(b"\n"):
        if not line.strip():
            continue
        try:
            records.append(TrialRecord.from_json(json.loads(line)))
        except (ValueError, TypeError, KeyError):
            break  # the torn record and anything after it
    canonical = "".join(jsonl_line(r) for r in records).encode()
    if canonical == path.read_bytes():
        return records, False
    write_atomic(path, canonical)
    return records, True
