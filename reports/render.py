"""Pure renderers: records in, rich renderables or text out. No I/O."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from reports.records import TrialRecord


def trial_line(record: TrialRecord, total: int | None, budget: tuple[int, int]) -> str:
    """One line per evaluated candidate, for the progress log."""
    ram, flash = record.estimate.get("ram_bytes", 0), record.estimate.get("flash_bytes", 0)
    where = f"[{record.index + 1}/{total}]" if total else f"[{record.index + 1}]"
    resources = f"RAM {ram / 1024:.0f} kB ({ram / budget[0]:.0%}) flash {flash / 1024:.0f} kB ({flash / budget[1]:.0%})"
    if record.status == "ok":
        return (f"{where} {record.short()}: acc {record.metrics['accuracy']:.3f} {resources} "
                f"fitness {record.fitness:.3f} ({record.seconds:.1f} s)")
    return f"{where} {record.short()}: {record.status}: {record.reason}"


def pareto_table(systems: list[dict[str, Any]], budget: tuple[int, int]) -> Table:
    """The Pareto-optimal systems: data configuration, architecture, metrics, resources."""
    table = Table(title="Pareto-optimal systems (accuracy vs RAM vs flash)", title_justify="left")
    for column in ("#", "data", "arch", "val acc", "test acc", "P / R", "RAM kB", "flash kB", "MACs"):
        table.add_column(column, justify="right" if column not in ("data", "arch") else "left")
    for system in systems:
        trial: TrialRecord = system["trial"]
        test = system["test_metrics"]
        ram, flash = trial.estimate["ram_bytes"], trial.estimate["flash_bytes"]
        depths = "".join(map(str, trial.candidate["depths"]))
        table.add_row(str(trial.index), trial.data_key, f"d{depths} a{trial.candidate['alpha']:g}",
                      f"{trial.metrics['accuracy']:.3f}", f"{test['accuracy']:.3f}",
                      f"{test['precision']:.2f}/{test['recall']:.2f}",
                      f"{ram / 1024:.0f} ({ram / budget[0]:.0%})", f"{flash / 1024:.0f} ({flash / budget[1]:.0%})",
                      f"{trial.estimate['macs'] / 1e6:.1f}M")
    return table
