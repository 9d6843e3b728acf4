"""A candidate system: data genes + model genes, as plain JSON-able data (no Keras objects).

Example:
    >>> c = Candidate({"resolution": 96, "color": "rgb"}, (2, 3, 1, 0, 0), 0.35)
    >>> Candidate.from_json(c.to_json()) == c
    True

Its display name is the modality's data key plus `danas.records.architecture_label`.
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
