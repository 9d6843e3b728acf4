"""summary.json's best system per data configuration."""

from danas.budget import Budget
from danas.records import Estimate, TrialRecord
from reports.summary import run_summary


def trial(index: int, ram: int, fitness: float) -> TrialRecord:
    return TrialRecord(index=index, candidate={}, data_key="96px-rgb", status="ok", metrics={"accuracy": 0.8},
                       estimate=Estimate(ram_bytes=ram, flash_bytes=10, macs=1, params=1, peak_op="x"),
                       fitness=fitness, seconds=1.0)


def summary(budget: Budget) -> dict:
    return run_summary("run", 0, [trial(0, 150, 4.1), trial(1, 140, 3.9)], 1, {"builtin": True, "fingerprint": "f"},
                       {"compiles": 0, "seconds": 0.0}, {"total": 1.0}, objective={}, budget=budget)


def test_the_best_of_a_data_configuration_is_its_fittest_system_within_the_budget():
    assert summary(Budget(ram_bytes=144, flash_bytes=100))["best_per_data_configuration"]["96px-rgb"]["index"] == 1
    assert summary(Budget(ram_bytes=200, flash_bytes=100))["best_per_data_configuration"]["96px-rgb"]["index"] == 0
    assert summary(Budget(ram_bytes=100, flash_bytes=100))["best_per_data_configuration"]["96px-rgb"]["index"] == 0
