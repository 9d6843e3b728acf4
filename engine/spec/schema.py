"""Finds and reads the spec's JSON Schema, the contract users and editors read.

The file describes the built-in modalities. A modality registered from outside danas brings
its own `modality:` fields and dataset sources; `load_schema` adds them (the name to
`modality.type`'s enum, its fields with `x-when: [name]`, its sources to `dataset.source`), so
specs for it fill defaults, validate and report problems like any other.
"""

from __future__ import annotations

import copy
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
def file_schema() -> dict[str, Any]:
    """The schema file as written (cached)."""
    return json.loads(schema_path().read_text(encoding="utf-8"))


def load_schema() -> dict[str, Any]:
    """The schema in force: the file's, plus the modalities registered outside it."""
    return _extended(schema_key())


def schema_key() -> tuple[str, ...]:
    """What the schema in force depends on: the registered modalities' names."""
    from modalities import MODALITIES

    return tuple(MODALITIES.names())


@functools.lru_cache(maxsize=8)
def _extended(modalities: tuple[str, ...]) -> dict[str, Any]:
    from modalities import MODALITIES

    schema = file_schema()
    extra = [MODALITIES.get(name) for name in modalities
             if name not in schema["properties"]["modality"]["properties"]["type"]["enum"]]
    if not extra:
        return schema
    schema = copy.deepcopy(schema)
    section = schema["properties"]["modality"]["properties"]
    sources = schema["properties"]["dataset"]["properties"]["source"]["enum"]
    for modality in extra:
        section["type"]["enum"].append(modality.name)
        for name, prop in modality.schema_properties.items():
            if name in section:
                section[name]["x-when"] = [*section[name].get("x-when", []), modality.name]
            else:
                section[name] = {**copy.deepcopy(prop), "x-when": [modality.name]}
        sources.extend(s for s in modality.sources if s not in sources)
    return schema


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
