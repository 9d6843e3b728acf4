"""A candidate system: data genes + model genes, as plain JSON-able data (no Keras objects).

Example:
    >>> c = Candidate({"resolution": 96, "color": "rgb"}, (2, 3, 1, 0, 0), 0.35)
    >>> Candidate.from_json(c.to_json()) == c
    True
    >>> c.short()
    '96px-rgb d23100 a0.35'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Candidate:
    data: dict[str, Any]
    depths: tuple[int, ...]
    alpha: float

    def __hash__(self) -> int:
        return hash(self.key())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Candidate) and self.key() == other.key()

    def key(self) -> tuple:
        """Identity for deduplication: the same genes are the same system."""
        return (tuple(sorted(self.data.items())), tuple(self.depths), round(self.alpha, 6))

    def to_json(self) -> dict[str, Any]:
        return {"data": dict(self.data), "depths": list(self.depths), "alpha": round(self.alpha, 6)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Candidate":
        return cls(dict(data["data"]), tuple(data["depths"]), float(data["alpha"]))

    def short(self) -> str:
        data = "-".join(str(v) + ("px" if k == "resolution" else "") for k, v in self.data.items()) \
            if "resolution" not in self.data else f"{self.data['resolution']}px-{self.data['color']}"
        return f"{data} d{''.join(map(str, self.depths))} a{self.alpha:g}"
