"""The records the engine hands to reports: plain data, JSON in and out, no rich, no JAX."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

STATUSES = ("ok", "rejected", "failed")


@dataclass
class TrialRecord:
    """One evaluated candidate, as written to trials.jsonl (one JSON object per line)."""

    index: int
    candidate: dict[str, Any]
    data_key: str
    status: str
    reason: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    estimate: dict[str, Any] = field(default_factory=dict)
    fitness: float | None = None
    seconds: float = 0.0
    pretrain_seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TrialRecord":
        return cls(**data)

    def short(self) -> str:
        """'96px-rgb d23100 a0.35' ('49x10-w640-h320 DARTS cells' for a derived DARTS network)."""
        if "genotype" in self.candidate:
            return f"{self.data_key} DARTS cells"
        depths = "".join(map(str, self.candidate["depths"]))
        return f"{self.data_key} d{depths} a{self.candidate['alpha']:g}"


@dataclass
class ParetoEntry:
    """A Pareto-optimal system with its test-split metrics and where its model is."""

    trial: TrialRecord
    test_metrics: dict[str, float]
    model_file: str
    preprocessing_file: str
    feasible: bool
