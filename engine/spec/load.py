"""Reads a spec file: safe YAML only, duplicate keys refused, one clear line per problem."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from danas.errors import Problem, SpecError

MAX_SPEC_BYTES = 1_000_000  # a spec is a page of YAML; anything bigger is a mistake
MAX_VALUES = 100_000        # after YAML aliases are expanded (a "billion laughs" file expands forever)
MAX_DEPTH = 32              # the schema nests 4 deep; deeper is a mistake or an attack


@dataclass(frozen=True)
class SpecText:
    """A spec file as read: its path, verbatim text, SHA-256 and parsed mapping."""

    path: Path
    text: str
    sha256: str
    data: dict[str, Any]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader (no Python objects, no file access) that refuses duplicate keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {seen[key]}); each key may appear once",
                key_node.start_mark,
            )
        seen[key] = line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)

# YAML 1.2 core-schema booleans: only true/false. YAML 1.1 (PyYAML's default) also reads
# yes/no/on/off as booleans, and four of the ten Speech Commands keywords are such words:
# `words: [yes, no, on, off]` must stay four strings.
_BOOL_TAG = "tag:yaml.org,2002:bool"
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                    list("tTfF"))


def parse_yaml(text: str, source: str) -> Any:
    """Parses YAML text safely; any YAML problem becomes a one-line `SpecError`."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = err.problem or err.context or "unreadable YAML"
        raise SpecError(source, [Problem("", f"not valid YAML: {where}{what}")]) from None
    except yaml.YAMLError as err:
        raise SpecError(source, [Problem("", f"not valid YAML: {err}")]) from None
    except RecursionError:
        raise SpecError(source, [Problem("", "not valid YAML: nested too deeply")]) from None


def read_spec(path: str | Path) -> SpecText:
    """Reads and parses the spec at `path`.

    Raises:
        SpecError: the file is missing, unreadable, too big, not YAML, or not a mapping.
    """
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError(source, [Problem("", "no such file; check the path")]) from None
    except IsADirectoryError:
        raise SpecError(source, [Problem("", "is a folder; expected a .yaml spec file")]) from None
    except OSError as err:
        raise SpecError(source, [Problem("", f"cannot read the file: {err.strerror}")]) from None
    if len(raw) > MAX_SPEC_BYTES:
        raise SpecError(
            source,
            [Problem("", f"file is {len(raw):,} bytes; a spec may be at most {MAX_SPEC_BYTES:,}")],
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise SpecError(source, [Problem("", f"not UTF-8 text (byte {err.start})")]) from None
    data = parse_yaml(text, source)
    check_size(data, source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SpecError(
            source,
            [Problem("", f"received {describe_type(data)}; expected a mapping of sections "
                         "(name, dataset, modality, search_space, strategy, ...)")],
        )
    return SpecText(path, text, hashlib.sha256(raw).hexdigest(), data)


def check_size(data: Any, source: str) -> None:
    """Refuses documents that expand to too many values or nest too deeply.

    Sizes are counted with memoisation on object identity, so a file whose aliases expand to
    billions of values is measured in the time it takes to read it.
    """
    memo: dict[int, int] = {}

    def size(value: Any, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise SpecError(source, [Problem("", f"nested more than {MAX_DEPTH} levels deep; a spec nests 4")])
        if not isinstance(value, (dict, list)):
            return 1
        if id(value) not in memo:
            children = value.values() if isinstance(value, dict) else value
            memo[id(value)] = 1 + sum(size(child, depth + 1) for child in children)
            if memo[id(value)] > MAX_VALUES:
                raise SpecError(source, [Problem("", f"expands to more than {MAX_VALUES:,} values "
                                                     "(YAML anchors and aliases?); a spec has a few hundred")])
        return memo[id(value)]

    size(data, 0)


def describe_type(value: Any) -> str:
    """A short English name of a YAML value's type: 'a string', 'a list', ..."""
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
             list: "a list", dict: "a mapping", type(None): "null"}
    return names.get(type(value), f"a {type(value).__name__}")
