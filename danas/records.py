"""The records one stage hands the next and the bundle keeps: plain data, built by keyword,
JSON in and out, no rich, no JAX.

Example:
    >>> estimate = Estimate(ram_bytes=4096, flash_bytes=90000, macs=1200000, params=2000, peak_op="b1")
    >>> record = TrialRecord(index=0, candidate={"data": {"resolution": 32, "color": "rgb"},
    ...                      "depths": [1, 0, 0, 0, 0], "alpha": 0.5}, data_key="32px-rgb",
    ...                      status="ok", estimate=estimate)
    >>> TrialRecord.from_json(record.to_json()) == record
    True
    >>> record.short()
    '32px-rgb d10000 a0.5'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable

STATUSES = ("ok", "rejected", "failed")


@dataclass(frozen=True, kw_only=True)
class Estimate:
    """Resource use of one system, in bytes (RAM, flash) and multiply-accumulates."""

    ram_bytes: int
    flash_bytes: int
    macs: int
    params: int
    peak_op: str  # the op at which RAM peaks ('frontend' or 'input' if those dominate)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Estimate":
        return cls(**data)


@dataclass(kw_only=True)
class TrialRecord:
    """One candidate from evaluation to trials.jsonl (one JSON object per line).

    `status` is 'ok' (trained and measured), 'rejected' (over budget, never trained; `reason`
    says why) or 'failed' (training broke; `reason` says how)."""

    index: int
    candidate: dict[str, Any]
    data_key: str
    status: str
    reason: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    estimate: Estimate | None = None
    fitness: float | None = None
    seconds: float = 0.0
    pretrain_seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"trial status {self.status!r}; expected one of: {', '.join(STATUSES)}")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["estimate"] = self.estimate.to_json() if self.estimate else {}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TrialRecord":
        estimate = Estimate.from_json(data["estimate"]) if data.get("estimate") else None
        return cls(**{**data, "estimate": estimate})

    def short(self) -> str:
        """'96px-rgb d23100 a0.35' ('49x10-w640-h320 DARTS cells' for a derived DARTS network)."""
        return f"{self.data_key} {architecture_label(self.candidate)}"


def best_per_data(trials: list[TrialRecord],
                  fits: Callable[[TrialRecord], bool] = lambda _: True) -> dict[str, TrialRecord]:
    """The fittest successful trial of each data configuration, keyed by its data key, in the
    order the configurations were first measured (ties: the earlier trial). A trial that `fits`
    (the hardware budget) beats any that does not, however fit: fitness only dents accuracy by
    the excess (a system 6 % over the RAM budget loses 0.06 of ~4), and a system over the budget
    is not one a configuration can offer.

    Example:
        >>> over = TrialRecord(index=0, candidate={}, data_key="96px-rgb", status="ok", fitness=4.1)
        >>> within = TrialRecord(index=1, candidate={}, data_key="96px-rgb", status="ok", fitness=3.9)
        >>> best_per_data([over, within])["96px-rgb"].index
        0
        >>> best_per_data([over, within], fits=lambda t: t.index == 1)["96px-rgb"].index
        1
    """
    best: dict[str, TrialRecord] = {}
    for trial in trials:
        if trial.status == "ok" and (trial.data_key not in best
                                     or (fits(trial), trial.fitness) > (fits(best[trial.data_key]),
                                                                       best[trial.data_key].fitness)):
            best[trial.data_key] = trial
    return best


def architecture_label(candidate: dict[str, Any]) -> str:
    """The model genes in a few characters: 'd<blocks per stage 3-7> a<alpha>' or 'DARTS cells'."""
    if "genotype" in candidate:
        return "DARTS cells"
    return f"d{''.join(map(str, candidate['depths']))} a{candidate['alpha']:g}"


@dataclass(frozen=True, kw_only=True)
class Deployment:
    """A system's deployed form (`run-spec export`): its files in the bundle and the figures
    measured on them. `ram_bytes` and `flash_bytes` are what the budget counts, measured: the
    TFLite Micro arena (plus the modality's front-end scratch) and the .tflite file (plus the
    hardware's flash overhead)."""

    tflite: str
    c_source: str
    c_header: str
    input_header: str
    tflite_bytes: int
    arena_bytes: int
    ram_bytes: int
    flash_bytes: int
    int8_test_metrics: dict[str, float]
    input_scale: float
    input_zero_point: int
    tflm_matches_litert: bool

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "int8_test_metrics": dict(self.int8_test_metrics)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Deployment":
        return cls(**{**data, "int8_test_metrics": dict(data["int8_test_metrics"])})


@dataclass(frozen=True, kw_only=True)
class ParetoEntry:
    """A Pareto-optimal system as pareto.json keeps it: its trial, its test-split metrics, whether
    it fits the budget (by the measured figures once it has been exported), where its model and
    preprocessing are in the bundle, and its deployed form once exported."""

    trial: TrialRecord
    test_metrics: dict[str, float]
    feasible: bool
    model: str
    preprocessing: str
    deployed: Deployment | None = None
    steps: int | None = None  # fine-tuning steps of the tested weights (None: a bundle from before it was kept)

    def to_json(self) -> dict[str, Any]:
        data = {"trial": self.trial.to_json(), "test_metrics": dict(self.test_metrics), "feasible": self.feasible,
                "model": self.model, "preprocessing": self.preprocessing}
        if self.steps is not None:
            data["fine_tune_steps"] = self.steps
        return data if self.deployed is None else {**data, "deployed": self.deployed.to_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ParetoEntry":
        deployed = data.get("deployed")
        return cls(trial=TrialRecord.from_json(data["trial"]), test_metrics=dict(data["test_metrics"]),
                   feasible=bool(data["feasible"]), model=data["model"], preprocessing=data["preprocessing"],
                   deployed=None if deployed is None else Deployment.from_json(deployed),
                   steps=data.get("fine_tune_steps"))
