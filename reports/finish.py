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
from reports.records import TrialRecord
from reports.render import best_per_data_table, pareto_table, run_header


def finish_bundle(bundle: Bundle, trials: list[TrialRecord], pareto: list[dict[str, Any]],
                  summary: dict[str, Any], budget: tuple[int, int], name: str,
                  darts: dict[str, Any] | None = None) -> Group:
    """Writes the report files and the manifest; returns the final report renderable.

    `darts` is darts.json of a differentiable run: its plots and section join the report."""
    bundle.write_json("pareto.json", [dict(p, trial=_trial(p).to_json()) for p in pareto])
    bundle.write_json("summary.json", {**summary, "budget": {"ram_bytes": budget[0], "flash_bytes": budget[1]}})
    plots = write_plots(bundle.write_with, trials, {_trial(p).index for p in pareto}, budget)
    if darts is not None:
        plots += write_darts_plots(bundle.write_with, darts)
    bundle.write_text("report.md", report_markdown(summary, pareto, budget, plots, name, darts))
    report = final_report(bundle, summary, pareto, budget, darts)
    bundle.write_text("report.txt", render_text(report))
    write_manifest(bundle)
    return report


def write_manifest(bundle: Bundle) -> None:
    bundle.write_json(MANIFEST, {"files": file_hashes(bundle.root)})


def final_report(bundle: Bundle, summary: dict[str, Any], pareto: list[dict[str, Any]],
                 budget: tuple[int, int], darts: dict[str, Any] | None = None) -> Group:
    trials = [dict(p, trial=_trial(p)) for p in pareto]
    parts = [run_header(summary, budget), pareto_table(trials, budget)]
    parts += [data_weights_table(darts), cells_table(darts)] if darts else [best_per_data_table(summary)]
    parts.append(Text(f"bundle: {bundle.root}"))
    return Group(*parts)


def load_report(bundle: Bundle) -> Group:
    """The final report of a finished bundle, from its files alone."""
    summary = json.loads((bundle.root / "summary.json").read_text())
    pareto = json.loads((bundle.root / "pareto.json").read_text())
    budget = (summary["budget"]["ram_bytes"], summary["budget"]["flash_bytes"])
    darts_file = bundle.root / "darts.json"
    darts = json.loads(darts_file.read_text()) if darts_file.exists() else None
    return final_report(bundle, summary, pareto, budget, darts)


def render_text(renderable: Any, width: int = 100) -> str:
    """Plain text of a renderable (no colour), as saved in the bundle."""
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False, _environ={}).print(renderable)
    return buffer.getvalue()


def _trial(entry: dict[str, Any]) -> TrialRecord:
    trial = entry["trial"]
    return trial if isinstance(trial, TrialRecord) else TrialRecord.from_json(trial)
