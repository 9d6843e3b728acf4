"""Finds and reads the spec's JSON Schema, the contract users and editors read."""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

SCHEMA_FILE = "spec.schema.json"
# In a checkout (or an editable install) the schema sits in specs/schema/; a wheel carries it
# as the package `engine.spec.schema_data` (see pyproject.toml's package-dir mapping).
_CHECKOUT_PATH = Path(__file__).resolve().parents[2] / "specs" / "schema" / SCHEMA_FILE


def schema_path() -> Path:
    """Path of the schema file, from the checkout if there is one, else from the wheel."""
    if _CHECKOUT_PATH.is_file():
        return _CHECKOUT_PATH
    return Path(str(resources.files("engine.spec.schema_data") / SCHEMA_FILE))


@functools.lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The parsed schema (cached)."""
    return json.loads(schema_path().read_text(encoding="utf-8"))


def subschema(path: tuple[str, ...]) -> dict[str, Any] | None:
    """The schema of the property at `path` (object keys only), or None if there is none.

    Example:
        >>> subschema(("strategy", "population"))["default"]
        10
    """
    node: dict[str, Any] = load_schema()
    for key in path:
        node = node.get("properties", {}).get(key)
        if node is None:
            return None
    return node


def property_names(path: tuple[str, ...]) -> list[str]:
    """Names allowed in the object at `path`, in schema order."""
    node = subschema(path) or {}
    return list(node.get("properties", {}))
