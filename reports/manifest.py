"""manifest.json: the SHA-256 of every file of a bundle, and its verification."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST = "manifest.json"
SKIP = {MANIFEST, ".lock"}


def file_hashes(root: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under `root` (temporary and lock files aside)."""
    hashes = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and relative not in SKIP and not path.name.startswith("."):
            hashes[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def verify(root: Path) -> list[str]:
    """Problems found comparing the bundle with its manifest (empty: intact).

    Example:
        >>> verify(Path("/nonexistent"))
        ['/nonexistent/manifest.json: missing; this is not a finished danas bundle']
    """
    manifest = root / MANIFEST
    if not manifest.is_file():
        return [f"{manifest}: missing; this is not a finished danas bundle"]
    expected = json.loads(manifest.read_text())["files"]
    actual = file_hashes(root)
    problems = [f"{name}: missing" for name in sorted(set(expected) - set(actual))]
    problems += [f"{name}: changed (SHA-256 differs)" for name in sorted(set(expected) & set(actual))
                 if expected[name] != actual[name]]
    problems += [f"{name}: not in the manifest" for name in sorted(set(actual) - set(expected))]
    return problems
