"""Where checkpoints live: in the run folder (so a bundle stands alone and resumes), and in the
cache (so a later run with the same settings reuses a pre-trained supernet).

A checkpoint is read from the run folder first; one found only in the cache is copied into the
run folder. A damaged copy (SHA-256 mismatch) is ignored with a warning, never loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from reports.bundle import Bundle, load_checked


class CheckpointStore:
    """`load(name)` / `save(name, data)` over a run folder and a cache folder."""

    def __init__(self, bundle: Bundle, cache: Path | None, warn: Callable[[str], None]):
        self.bundle, self.cache, self.warn = bundle, cache, warn

    def load(self, name: str) -> bytes | None:
        data = self.bundle.load_checkpoint(name)
        if data is None and (self.bundle.root / "supernets" / f"{name}.npz").exists():
            self.warn(f"supernet checkpoint {name} is damaged (SHA-256 mismatch); ignoring it")
        if data is None and self.cache is not None:
            data = load_checked(self.cache / f"{name}.npz")
            if data is not None:
                self.bundle.save_checkpoint(name, data)
        return data

    def save(self, name: str, data: bytes) -> None:
        self.bundle.save_checkpoint(name, data)
        if self.cache is not None:
            Bundle(self.cache.parent).save_checkpoint(name, data)
