"""The one checkpoint format: named groups of arrays (pytrees) and optional JSON metadata, in
one `.npz` held in memory as bytes (the bundle writes it atomically with its SHA-256).

A group's leaves are stored as `<group><i>` in `jax.tree.leaves` order, so restoring needs a
template with the same tree structure (the freshly built network or optimizer state).

Example:
    >>> data = pack({"t": [np.ones(2)], "n": [np.zeros(1)]}, meta={"step": 3})
    >>> groups, meta = unpack(data, {"t": [np.empty(2)], "n": [np.empty(1)]})
    >>> groups["t"][0].tolist(), meta
    ([1.0, 1.0], {'step': 3})
"""

from __future__ import annotations

import io
import json
from typing import Any

import jax
import numpy as np

META = "meta"


def pack(groups: dict[str, Any], meta: dict[str, Any] | None = None) -> bytes:
    """The groups' leaves (as host arrays) and `meta` (as JSON) in one .npz."""
    arrays = {f"{name}{i}": np.asarray(leaf) for name, tree in groups.items()
              for i, leaf in enumerate(jax.tree.leaves(tree))}
    if meta is not None:
        arrays[META] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def unpack(data: bytes, templates: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Each group rebuilt in its template's tree structure (as device arrays), and the metadata."""
    arrays = np.load(io.BytesIO(data))
    groups = {}
    for name, template in templates.items():
        leaves, tree = jax.tree.flatten(template)
        # device_put is a copy; jnp.asarray would compile a program per array shape
        groups[name] = jax.tree.unflatten(tree, [jax.device_put(arrays[f"{name}{i}"])
                                                 for i in range(len(leaves))])
    meta = json.loads(bytes(arrays[META]).decode()) if META in arrays.files else None
    return groups, meta
