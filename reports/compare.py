"""`run-spec compare RUN_A RUN_B`: two runs side by side, as the papers compare Data-Aware with
Hardware-Aware NAS: best accuracy within budget, systems above an accuracy threshold, and the
two Pareto fronts overlaid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.table import Table

from danas.budget import Budget
from reports.plots import front_2d, plt
from reports.resume import read_trials_repairing


def load_run(root: Path) -> dict[str, Any]:
    summary = json.loads((root / "summary.json").read_text())
    trials, _ = read_trials_repairing(root / "trials.jsonl")
    budget = Budget.from_json(summary["budget"])
    feasible = [t for t in trials if t.status == "ok" and budget.fits(t.estimate)]
    return {"root": root, "name": root.name, "summary": summary, "trials": trials,
            "budget": budget, "feasible": feasible}


def comparison_table(runs: list[dict[str, Any]], threshold: float) -> Table:
    table = Table(title=f"Comparison (feasible systems; threshold {threshold:.0%})", title_justify="left",
                  box=None, pad_edge=False, header_style="bold")
    table.add_column("")
    for run in runs:
        table.add_column(run["name"], justify="right")
    rows = [
        ("data-aware", lambda r: str(_data_aware(r))),
        ("budget kB RAM / flash", lambda r: f"{r['budget'].ram_bytes / 1024:.0f} / {r['budget'].flash_bytes / 1024:.0f}"),
        ("evaluated", lambda r: str(r["summary"]["counts"]["ok"])),
        ("best accuracy within budget", lambda r: f"{max((t.metrics['accuracy'] for t in r['feasible']), default=0):.3f}"),
        (f"systems >= {threshold:.0%}", lambda r: str(sum(t.metrics["accuracy"] >= threshold for t in r["feasible"]))),
        ("data configurations tried", lambda r: str(len({t.data_key for t in r["trials"] if t.status == "ok"}))),
        ("Pareto-optimal systems", lambda r: str(r["summary"]["pareto_size"])),
    ]
    for label, value in rows:
        table.add_row(label, *(value(run) for run in runs))
    return table


def _data_aware(run: dict[str, Any]) -> bool:
    resolved = json.loads((run["root"] / "spec.resolved.json").read_text())
    return bool(resolved["strategy"]["data_aware"])


def overlay_plot(runs: list[dict[str, Any]], path: Path) -> None:
    """Accuracy vs RAM of both runs, each with its Pareto front."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), dpi=110)
    for ax, resource, label in ((axes[0], "ram_bytes", "RAM"), (axes[1], "flash_bytes", "flash")):
        for run, color in zip(runs, ("tab:blue", "tab:orange")):
            ok = [t for t in run["trials"] if t.status == "ok"]
            points = [(getattr(t.estimate, resource) / 1024, t.metrics["accuracy"]) for t in ok]
            if points:
                ax.scatter(*zip(*points), s=12, alpha=0.5, color=color)
            front = front_2d(points)
            if front:
                ax.step(*zip(*front), where="post", color=color, label=run["name"])
        ax.set_xlabel(f"{label} estimate (kB)")
        ax.set_ylabel("validation accuracy")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle("Pareto fronts")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
