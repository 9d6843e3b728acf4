"""A dataset fingerprint: changes when the data on disk changes, cheap to compute.

Data files (archives, images, WAVs) count by relative name and size; label files (CSV, lists)
by their full contents, since a relabelled row keeps the size.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

LABEL_SUFFIXES = (".csv", ".txt")


def fingerprint(root: Path, files: Iterable[Path], extra: str = "") -> str:
    """SHA-256 (hex, first 16 characters) over the files under `root` and `extra` text."""
    digest = hashlib.sha256(extra.encode())
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode())
        if path.suffix.lower() in LABEL_SUFFIXES:
            digest.update(path.read_bytes())
        else:
            digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:16]
