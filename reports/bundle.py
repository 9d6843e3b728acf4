"""The run folder, written only here: every file atomically (write, then rename), trials.jsonl
append-only and flushed per record, a lock so two runs never share a folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from danas.errors import FatalError
from reports.atomic import write_atomic
from danas.records import TrialRecord
from reports.resume import jsonl_line, read_trials_repairing

LOCK = ".lock"


RUN_STATE = "run_state.json"


class Bundle:
    """One run's folder."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @classmethod
    def create(cls, parent: str | Path, name: str) -> "Bundle":
        """A new folder `<parent>/<name>-<timestamp>`; checks it can be written before any work."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        root = Path(parent) / f"{name}-{stamp}"
        suffix = 1
        while root.exists():
            suffix += 1
            root = Path(parent) / f"{name}-{stamp}-{suffix}"
        try:
            root.mkdir(parents=True)
            probe = root / ".write-probe"
            probe.write_bytes(b"0" * 4096)
            probe.unlink()
        except OSError as err:
            raise FatalError(f"cannot write the run folder {root}: {err.strerror}; set output.root to a "
                             "writable folder with free space") from None
        return cls(root)

    def lock(self) -> None:
        """Takes the folder's lock; a second run on the same folder stops with a clear message."""
        path = self.root / LOCK
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            owner = path.read_text().strip() if path.exists() else "?"
            if owner.isdigit() and _alive(int(owner)):
                raise FatalError(f"{self.root} is in use by another run (process {owner}); wait for it "
                                 "or use another folder") from None
            path.unlink(missing_ok=True)  # left by a run that was killed
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)

    def unlock(self) -> None:
        (self.root / LOCK).unlink(missing_ok=True)

    def write_text(self, name: str, text: str) -> None:
        self.write_bytes(name, text.encode("utf-8"))

    def write_json(self, name: str, data: Any) -> None:
        self.write_text(name, json.dumps(data, indent=1, sort_keys=False, default=str) + "\n")

    def write_bytes(self, name: str, data: bytes) -> None:
        write_atomic(self.root / name, data)

    def write_with(self, name: str, writer) -> None:
        """Lets `writer(path)` write a file (a Keras model, say), then renames it into place."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".tmp-{path.name}")  # keeps the suffix writers check for
        writer(str(tmp))
        os.replace(tmp, path)

    def append_trial(self, record: TrialRecord) -> None:
        """Appends one line to trials.jsonl and makes it durable before returning."""
        line = jsonl_line(record)
        with open(self.root / "trials.jsonl", "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def read_trials(self) -> tuple[list[TrialRecord], bool]:
        """The recorded trials, and whether a torn last record had to be cut off."""
        return read_trials_repairing(self.root / "trials.jsonl")

    def elapsed_seconds(self) -> float:
        """Search time already spent by earlier sessions of this run (0 for a new run)."""
        path = self.root / RUN_STATE
        return json.loads(path.read_text())["elapsed_seconds"] if path.exists() else 0.0

    def save_elapsed(self, seconds: float) -> None:
        """Records the search time spent so far, for a resumed run's time budget."""
        self.write_json(RUN_STATE, {"elapsed_seconds": round(seconds, 3)})

    def save_checkpoint(self, name: str, data: bytes) -> None:
        """A supernet checkpoint and its SHA-256 (checked when it is loaded again)."""
        self.write_bytes(f"supernets/{name}.npz", data)
        self.write_text(f"supernets/{name}.sha256", hashlib.sha256(data).hexdigest() + "\n")

    def load_checkpoint(self, name: str) -> bytes | None:
        """The checkpoint's bytes if present and intact, else None."""
        return load_checked(self.root / "supernets" / f"{name}.npz")


def load_checked(path: Path) -> bytes | None:
    """Bytes of `path` if its .sha256 sidecar matches, else None."""
    digest = path.with_suffix(".sha256")
    if not path.exists() or not digest.exists():
        return None
    data = path.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == digest.read_text().strip() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
