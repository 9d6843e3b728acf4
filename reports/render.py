"""Pure renderers: records in, rich renderables or text out. No I/O.

Tables fit 80 columns: numbers are short, and the architecture is written as
'd<blocks per stage 3-7> a<alpha>'.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from danas.budget import Budget
from danas.records import ParetoEntry, TrialRecord, architecture_label


def trial_line(record: TrialRecord, total: int | None, budget: Budget) -> str:
    """One line per evaluated candidate, for the progress log."""
    where = f"[{record.index + 1}/{total}]" if total else f"[{record.index + 1}]"
    if record.status == "ok":
        estimate = record.estimate
        resources = (f"RAM {estimate.ram_bytes / 1024:.0f} kB ({budget.ram_share(estimate):.0%}) "
                     f"flash {estimate.flash_bytes / 1024:.0f} kB ({budget.flash_share(estimate):.0%})")
        return (f"{where} {record.short()}: acc {record.metrics['accuracy']:.3f} {resources} "
                f"fitness {record.fitness:.3f} ({record.seconds:.1f} s)")
    return f"{where} {record.short()}: {record.status}: {record.reason}"


def run_header(summary: dict[str, Any], budget: Budget) -> Text:
    counts = summary["counts"]
    text = Text()
    if summary.get("builtin_data"):
        text.append("BUILT-IN GENERATED DATA: results say nothing about real data.\n", style="bold yellow")
    text.append(f"{summary['name']} (seed {summary['seed']}): {counts['ok']} evaluated, "
                f"{counts['rejected']} rejected before training, {counts['failed']} failed; "
                f"budget {budget.ram_bytes / 1024:.0f} kB RAM / {budget.flash_bytes / 1024:.0f} kB flash; "
                f"{summary['seconds']['total']:.0f} s, {summary['xla_compilations']} XLA compilations")
    text.append(f"\nfitness: {objective_sentence(summary.get('objective'))}")
    skipped = skipped_sentence(summary.get("skipped_files"))
    if skipped:
        text.append(f"\n{skipped}", style="yellow")
    return text


def objective_sentence(objective: dict[str, Any] | None) -> str:
    """Which precision and recall the fitness used, in words ('' for runs made before it was recorded).

    Example:
        >>> objective_sentence({"average": "positive", "positive_class": "person"})
        "eq. B.1 with precision and recall of class 'person' (objective.average: positive)"
    """
    if not objective:
        return "eq. B.1 (objective not recorded by this danas version)"
    if objective.get("positive_class") is not None:
        return (f"eq. B.1 with precision and recall of class {objective['positive_class']!r} "
                f"(objective.average: {objective['average']})")
    return f"eq. B.1 with precision and recall macro-averaged over the classes (objective.average: {objective['average']})"


def skipped_sentence(skipped: dict[str, int] | None) -> str:
    """'skipped unreadable files: train 2, test 1', or '' when none was skipped.

    Example:
        >>> skipped_sentence({"train": 2, "validation": 0, "test": 1})
        'skipped unreadable files: train 2, test 1'
    """
    found = {split: count for split, count in (skipped or {}).items() if count}
    return ("skipped unreadable files: " + ", ".join(f"{split} {count}" for split, count in found.items())) \
        if found else ""


def _steps(steps: int | None) -> str:
    return "?" if steps is None else str(steps)


def pareto_table(systems: list[ParetoEntry], budget: Budget) -> Table:
    """The Pareto-optimal systems: data configuration, architecture, metrics, resources."""
    table = Table(title="Pareto-optimal systems (accuracy vs RAM vs flash)", title_justify="left",
                  pad_edge=False, box=None, header_style="bold")
    for column in ("#", "data", "arch", "val", "test", "steps", "P/R", "RAM kB", "flash kB", "MMAC"):
        table.add_column(column, justify="left" if column in ("data", "arch") else "right", no_wrap=True)
    for system in systems:
        trial, test, estimate = system.trial, system.test_metrics, system.trial.estimate
        table.add_row(str(trial.index + 1), trial.data_key, architecture_label(trial.candidate),
                      f"{trial.metrics['accuracy']:.3f}", f"{test['accuracy']:.3f}", _steps(system.steps),
                      f"{test['precision']:.2f}/{test['recall']:.2f}",
                      f"{estimate.ram_bytes / 1024:.0f} {budget.ram_share(estimate):.0%}",
                      f"{estimate.flash_bytes / 1024:.0f} {budget.flash_share(estimate):.0%}",
                      f"{estimate.macs / 1e6:.1f}")
    return table


def deployed_table(systems: list[ParetoEntry], budget: Budget) -> Table:
    """Exported systems: int8 test accuracy next to the float one, the measured arena and file
    next to the estimates (kB), and whether they fit by the measured figures."""
    table = Table(title="Deployed int8 systems (measured: LiteRT accuracy, TFLite Micro arena)",
                  title_justify="left", pad_edge=False, box=None, header_style="bold")
    for column in ("#", "test float", "test int8", "RAM est", "RAM measured", "flash est", "flash measured", "fits"):
        table.add_column(column, justify="right", no_wrap=True)
    for system in systems:
        d, est = system.deployed, system.trial.estimate
        table.add_row(str(system.trial.index + 1), f"{system.test_metrics['accuracy']:.3f}",
                      f"{d.int8_test_metrics['accuracy']:.3f}", f"{est.ram_bytes / 1024:.1f}",
                      f"{d.ram_bytes / 1024:.1f}", f"{est.flash_bytes / 1024:.1f}", f"{d.flash_bytes / 1024:.1f}",
                      "yes" if system.feasible else "NO")
    return table


def best_per_data_table(summary: dict[str, Any]) -> Table:
    table = Table(title="Best per data configuration (by fitness, within budget first)", title_justify="left",
                  pad_edge=False, box=None, header_style="bold")
    screening = summary.get("screening") or {}
    screened = [f"val@{next(iter(screening.values()))['steps']}"] if screening else []
    for column in ("data", "#", "arch", "val acc", *screened, "fitness", "RAM kB", "flash kB"):
        table.add_column(column, justify="left" if column in ("data", "arch") else "right", no_wrap=True)
    for key, data in sorted(summary["best_per_data_configuration"].items()):
        trial = TrialRecord.from_json(data)
        again = [f"{screening[key]['metrics']['accuracy']:.3f}" if key in screening else "-"] if screening else []
        table.add_row(key, str(trial.index + 1), architecture_label(trial.candidate),
                      f"{trial.metrics['accuracy']:.3f}", *again, f"{trial.fitness:.3f}",
                      f"{trial.estimate.ram_bytes / 1024:.0f}", f"{trial.estimate.flash_bytes / 1024:.0f}")
    return table
