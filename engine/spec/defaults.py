"""Fills the schema's defaults into a spec (Ludwig's `merge_with_defaults`, driven by the schema).

Objects with an `x-discriminator` hold fields for several kinds (vision and audio, say); a
field's `x-when` lists the kinds it belongs to, and its default is filled only for those.
"""

from __future__ import annotations

import copy
from typing import Any

from engine.spec.schema import load_schema


def fill_defaults(spec: dict[str, Any]) -> dict[str, Any]:
    """Returns a copy of `spec` with every missing default filled in.

    Values of the wrong type are left alone for validation to report.

    Example:
        >>> fill_defaults({"name": "x"})["strategy"]["population"]
        10
    """
    filled = copy.deepcopy(spec)
    _fill(filled, load_schema())
    return filled


def _fill(instance: Any, schema: dict[str, Any]) -> None:
    if not isinstance(instance, dict) or schema.get("x-fill-defaults") is False:
        return
    properties: dict[str, Any] = schema.get("properties", {})
    discriminator = schema.get("x-discriminator")
    if discriminator and discriminator not in instance and "default" in properties[discriminator]:
        instance[discriminator] = copy.deepcopy(properties[discriminator]["default"])
    kind = instance.get(discriminator) if discriminator else None
    for name, prop in properties.items():
        if name not in instance and "default" in prop and _applies(prop, kind):
            instance[name] = copy.deepcopy(prop["default"])
        if name in instance and "properties" in prop:
            _fill(instance[name], prop)


def _applies(prop: dict[str, Any], kind: Any) -> bool:
    when = prop.get("x-when")
    return when is None or kind in when
