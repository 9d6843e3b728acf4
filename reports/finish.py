"""Finishing a bundle: pareto.json, summary.json, plots, report.md, report.txt, manifest.json.

Also what `run-spec report RUN_DIR` shows: the final report, re-rendered from the files alone.
"""

from __future__ import annotations

import io
import json
from typing import Any

from rich.console import Console, Group
from rich.text import Text

from reports.bundle import Bundle
from reports.darts import cells_table, data_weights_table, write_darts_plots
from reports.manifest import MANIFEST, file_hashes
from reports.markdown import report_markdown
from reports.plots import write_plots
from danas.budget import Budget
from danas.records import ParetoEntry, TrialRecord
from reports.render import best_per_data_table, deployed_table, pareto_table, run_header
from reports.terminal import NATURAL_WIDTH


def finish_bundle(bundle: Bundle, trials: list[TrialRecord], pareto: list[ParetoEntry],
                  summary: dict[str, Any], budget: Budget, name: str,
                  darts: dict[str, Any] | None = None) -> Group:
    """Writes the report files and the manifest; returns the final report renderable.

    `darts` is darts.json of a differentiable run: its plots and section join the report."""
    bundle.write_json("pareto.json", [entry.to_json() for entry in pareto])
    bundle.write_json("summary.json", {**summary, "budget": budget.to_json()})
    plots = write_plots(bundle.write_with, trials, {entry.trial.index for entry in pareto}, budget)
    if darts is not None:
        plots += write_darts_plots(bundle.write_with, darts)
    bundle.write_text("report.md", report_markdown(summary, pareto, budget, plots, name, darts))
    report = final_report(bundle, summary, pareto, budget, darts)
    bundle.write_text("report.txt", render_text(report))
    write_manifest(bundle)
    return report


def write_manifest(bundle: Bundle) -> None:
    bundle.write_json(MANIFEST, {"files": file_hashes(bundle.root)})


def final_report(bundle: Bundle, summary: dict[str, Any], pareto: list[ParetoEntry],
                 budget: Budget, darts: dict[str, Any] | None = None) -> Group:
    parts = [run_header(summary, budget), pareto_table(pareto, budget)]
    deployed = [entry for entry in pareto if entry.deployed is not None]
    if deployed:
        parts.append(deployed_table(deployed, budget))
    parts += [data_weights_table(darts), cells_table(darts)] if darts else [best_per_data_table(summary)]
    parts.append(Text(f"bundle: {bundle.root}"))
    return Group(*parts)


def rewrite_reports(bundle: Bundle, pareto: list[ParetoEntry]) -> Group:
    """After `run-spec export`: pareto.json with the deployed figures, then report.md,
    report.txt and the manifest again from the bundle's files (plots are kept)."""
    bundle.write_json("pareto.json", [entry.to_json() for entry in pareto])
    summary = json.loads((bundle.root / "summary.json").read_text())
    budget = Budget.from_json(summary["budget"])
    darts = _darts(bundle)
    plots = sorted(str(p.relative_to(bundle.root)) for p in (bundle.root / "plots").glob("*.png")) \
        if (bundle.root / "plots").is_dir() else []
    name = json.loads((bundle.root / "spec.resolved.json").read_text())["name"]
    bundle.write_text("report.md", report_markdown(summary, pareto, budget, plots, name, darts))
    report = final_report(bundle, summary, pareto, budget, darts)
    bundle.write_text("report.txt", render_text(report))
    write_manifest(bundle)
    return report


def _darts(bundle: Bundle) -> dict[str, Any] | None:
    darts_file = bundle.root / "darts.json"
    return json.loads(darts_file.read_text()) if darts_file.exists() else None


def load_report(bundle: Bundle) -> Group:
    """The final report of a finished bundle, from its files alone."""
    summary = json.loads((bundle.root / "summary.json").read_text())
    pareto = [ParetoEntry.from_json(entry) for entry in json.loads((bundle.root / "pareto.json").read_text())]
    budget = Budget.from_json(summary["budget"])
    darts_file = bundle.root / "darts.json"
    darts = json.loads(darts_file.read_text()) if darts_file.exists() else None
    return final_report(bundle, summary, pareto, budget, darts)


def render_text(renderable: Any, width: int = NATURAL_WIDTH) -> str:
    """Plain text of a renderable (no colour), as saved in the bundle: at its natural width
    unless `width` is given, so no number is elided."""
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False, _environ={}).print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
