"""JSON Schema validation that reports every problem as one line a person can act on.

Each jsonschema error becomes a `Problem`: the dotted path, what was received, what is
allowed, and a "did you mean" for near-miss names (Keras's "Received: ..., expected ..." rule).
"""

from __future__ import annotations

import difflib
import functools
import math
from typing import Any, Iterator

import jsonschema

from danas.errors import Problem
from engine.spec.load import describe_type
from engine.spec.schema import load_schema, schema_key

# The schema's pattern for paths and split names (they become file names).
NO_CONTROL_CHARACTERS = "^[^\\u0000-\\u001f]*$"


def schema_problems(spec: dict[str, Any]) -> list[Problem]:
    """Every problem of `spec` (defaults already filled) against the schema."""
    problems: list[Problem] = []
    for error in _validator(schema_key()).iter_errors(spec):
        problems.extend(_describe(error))
    problems.extend(_non_finite(spec, ()))
    problems.extend(_misplaced_fields(spec, load_schema(), ()))
    return problems


@functools.lru_cache(maxsize=8)
def _validator(key: tuple[str, ...]) -> jsonschema.Draft202012Validator:
    """A validator per schema in force (one, unless a modality is registered from outside)."""
    return jsonschema.Draft202012Validator(load_schema())


def dotted(path: Any) -> str:
    """Joins a path of keys and indices: ('modality', 'window', 0) -> 'modality.window[0]'.

    Keys that are not plain words are quoted, so a control character or a ':' in a key
    cannot break the one-line-per-problem output.
    """
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            text = _key_text(part)
            out += f".{text}" if out else text
    return out


def _key_text(key: Any) -> str:
    text = str(key)
    plain = text and text.isprintable() and not any(c in text for c in ".:[] '\"")
    return text if plain else repr(key)


def show(value: Any) -> str:
    """A value as the user wrote it, cut to a readable length."""
    text = repr(value) if isinstance(value, str) else _plain(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return str(value)


def did_you_mean(word: Any, choices: list[Any]) -> str:
    """' Did you mean 'x'?' for a near-miss, else ''."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def _describe(error: jsonschema.ValidationError) -> Iterator[Problem]:
    path, value, schema, kind = dotted(error.absolute_path), error.instance, error.schema, error.validator
    received = f"received {show(value)} ({describe_type(value)})"
    if kind == "additionalProperties":
        allowed = _allowed_keys(schema, value)
        for key in value:
            if key not in allowed:
                where = dotted([*error.absolute_path, key])
                yield Problem(where, f"unknown key; allowed here: {', '.join(allowed)}."
                                     + did_you_mean(key, allowed))
    elif kind == "type":
        yield Problem(path, f"{received}; expected {_type_words(error.validator_value)}")
    elif kind == "enum":
        choices = ", ".join(_plain(c) for c in error.validator_value)
        yield Problem(path, f"received {show(value)}; expected one of: {choices}."
                            + did_you_mean(value, error.validator_value))
    elif kind in _BOUNDS:
        yield Problem(path, f"received {show(value)}; expected {_BOUNDS[kind]} {error.validator_value}")
    elif kind == "minItems":
        what = "an empty list" if not value else f"{len(value)} item(s)"
        yield Problem(path, f"received {what}; expected at least {error.validator_value} item(s)")
    elif kind == "maxItems":
        yield Problem(path, f"received {len(value)} items; expected at most {error.validator_value}")
    elif kind == "uniqueItems":
        yield Problem(path, f"received {show(value)}; expected each value once (no repeats)")
    elif kind == "minLength":
        yield Problem(path, "received an empty string; expected some text")
    elif kind == "required":
        for key in error.validator_value:
            if isinstance(value, dict) and key not in value:
                yield Problem(dotted([*error.absolute_path, key]), "missing; this key is required")
    elif kind == "pattern" and error.validator_value == NO_CONTROL_CHARACTERS:
        yield Problem(path, f"received {show(value)}; expected text without control characters")
    elif kind == "pattern":
        yield Problem(path, f"received {show(value)}; expected {schema.get('description', 'a valid value')}")
    else:
        yield Problem(path, f"received {show(value)}; {error.message}")


def _allowed_keys(schema: dict[str, Any], value: dict[str, Any]) -> list[str]:
    """Keys allowed in this object; for a multi-kind section, those of its kind."""
    properties = schema.get("properties", {})
    kind = value.get(schema.get("x-discriminator"))
    return [name for name, prop in properties.items()
            if "x-when" not in prop or kind not in properties[schema["x-discriminator"]]["enum"]
            or kind in prop["x-when"]]


_BOUNDS = {
    "minimum": ">=",
    "maximum": "<=",
    "exclusiveMinimum": ">",
    "exclusiveMaximum": "<",
}


def _type_words(types: str | list[str]) -> str:
    words = {"integer": "an integer", "number": "a number", "string": "a string",
             "array": "a list", "object": "a mapping", "boolean": "true or false", "null": "null"}
    types = [types] if isinstance(types, str) else types
    return " or ".join(words.get(t, t) for t in types)


def _non_finite(value: Any, path: tuple) -> Iterator[Problem]:
    """NaN and infinity pass every bound check, so refuse them explicitly."""
    if isinstance(value, float) and not math.isfinite(value):
        yield Problem(dotted(path), f"received {value}; expected a finite number")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _non_finite(item, (*path, index))


def _misplaced_fields(value: Any, schema: dict[str, Any], path: tuple) -> Iterator[Problem]:
    """A field that belongs to another kind (`color` in an audio modality, say)."""
    if not isinstance(value, dict):
        return
    properties = schema.get("properties", {})
    discriminator = schema.get("x-discriminator")
    kind = value.get(discriminator) if discriminator else None
    for key, item in value.items():
        prop = properties.get(key) if isinstance(key, str) else None
        if prop is None:
            continue
        when = prop.get("x-when")
        if when and kind in properties[discriminator].get("enum", []) and kind not in when:
            where = dotted((*path, discriminator))
            yield Problem(dotted((*path, key)),
                          f"applies only when {where} is {' or '.join(when)}; "
                          f"this spec has {where}: {kind}. Remove it or change {where}")
        yield from _misplaced_fields(item, prop, (*path, key))
