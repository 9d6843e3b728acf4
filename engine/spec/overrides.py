"""Command-line overrides: `--set training.batch_size=32` edits the spec before validation."""

from __future__ import annotations

from typing import Any

from danas.errors import Problem, SpecError
from engine.spec.load import check_size, parse_yaml
from engine.spec.schema import property_names, subschema
from engine.spec.validate import did_you_mean


def apply_overrides(spec: dict[str, Any], overrides: list[str], source: str = "--set") -> dict[str, Any]:
    """Applies `key.path=value` overrides to `spec` (in place) and returns it.

    The value is read as YAML, so `32` is an integer, `[mono, rgb]` a list and `null` null.
    Every override's path must name a field of the schema.

    Example:
        >>> apply_overrides({}, ["training.batch_size=32"])
        {'training': {'batch_size': 32}}
    """
    problems: list[Problem] = []
    for override in overrides:
        key, sep, text = override.partition("=")
        path = tuple(part.strip() for part in key.split("."))
        if not sep or not all(path):
            problems.append(Problem(key, f"received --set {override!r}; expected KEY.PATH=VALUE"))
            continue
        problem = _unknown_path(path)
        if problem:
            problems.append(problem)
            continue
        try:
            value = parse_yaml(text, source)
            check_size(value, source)
        except SpecError as err:
            problems.extend(Problem(key, p.message) for p in err.problems)
            continue
        _set(spec, path, value)
    if problems:
        raise SpecError(source, problems)
    return spec


def _unknown_path(path: tuple[str, ...]) -> Problem | None:
    for depth in range(1, len(path) + 1):
        if subschema(path[:depth]) is None:
            allowed = property_names(path[: depth - 1])
            return Problem(".".join(path[:depth]),
                           f"unknown key; allowed here: {', '.join(allowed)}."
                           + did_you_mean(path[depth - 1], allowed))
    return None


def _set(spec: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = spec
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value
