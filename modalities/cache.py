"""On-disk cache of decoded arrays, memory-mapped, keyed by a fingerprint of what made them.

Writes go to a temporary name and are renamed into place, so a killed process never leaves a
half-written entry that a later run would trust.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable

import numpy as np


def cache_root(configured: str | None) -> Path:
    """The cache folder: the spec's `dataset.cache_dir`, else $DANAS_CACHE, else ~/.cache/danas."""
    if configured:
        return Path(configured).expanduser()
    env = os.environ.get("DANAS_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "danas"


def cache_key(**parts: Any) -> str:
    """A stable short key for the given parts (JSON, sorted keys)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def cached_arrays(folder: Path, key: str,
                  build: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Loads the arrays stored under `key` (memory-mapped), or builds and stores them first."""
    entry = folder / key
    if not (entry / "done").exists():
        arrays = build()
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(array))
        (tmp / "done").write_text("ok")
        try:
            os.replace(tmp, entry)
        except OSError:  # another process finished first; its entry is as good as ours
            _remove(tmp)
    return {p.stem: np.load(p, mmap_mode="r") for p in sorted(entry.glob("*.npy"))}


def _remove(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
