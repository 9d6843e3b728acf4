"""A tiny registry keyed by the exact string a spec uses (big_vision `pp/registry.py` style)."""

from __future__ import annotations

import difflib
from typing import Callable, Generic, Iterator, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps the names users write in a spec to implementations.

    Registering a name twice raises; looking up an unknown name lists the known ones.

    Example:
        >>> colors = Registry[int]("color")
        >>> colors.add("rgb", 3)
        >>> colors.get("rgb")
        3
        >>> colors.names()
        ['rgb']
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, T] = {}

    def add(self, name: str, item: T) -> None:
        """Registers `item` under `name`; a duplicate name raises `KeyError`."""
        if name in self._items:
            raise KeyError(f"{self.kind} {name!r} is already registered; names must be unique.")
        self._items[name] = item

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of `add`."""

        def decorate(item: T) -> T:
            self.add(name, item)
            return item

        return decorate

    def get(self, name: str) -> T:
        """Returns the item for `name`, or raises `KeyError` naming the known ones."""
        if name not in self._items:
            close = difflib.get_close_matches(name, self._items, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise KeyError(
                f"unknown {self.kind} {name!r}; known: {', '.join(self.names())}.{hint}"
            )
        return self._items[name]

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
