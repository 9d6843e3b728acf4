"""report.md: the run as a person reads it on GitHub or in a browser, plots embedded."""

from __future__ import annotations

from typing import Any

from reports.darts import darts_markdown
from reports.render import objective_sentence, skipped_sentence
from danas.budget import Budget
from danas.records import ParetoEntry, TrialRecord


def _depths(trial: TrialRecord) -> str:
    return "-".join(map(str, trial.candidate["depths"])) if "depths" in trial.candidate else "DARTS cells"


def _alpha(trial: TrialRecord) -> str:
    return f"{trial.candidate['alpha']:g}" if "alpha" in trial.candidate else "-"


def _kb(value: int) -> str:
    return f"{value / 1024:,.1f}"


def report_markdown(summary: dict[str, Any], pareto: list[ParetoEntry], budget: Budget,
                    plots: list[str], spec_name: str, darts: dict[str, Any] | None = None) -> str:
    """The Markdown report of a finished run."""
    counts = summary["counts"]
    lines = [f"# danas run: {spec_name}", ""]
    if summary.get("builtin_data"):
        lines += ["> **Built-in generated data.** No real dataset was found, so this run used the offline "
                  "stand-in. Its numbers say nothing about real data.", ""]
    lines += [
        f"- seed {summary['seed']}, dataset fingerprint `{summary['dataset_fingerprint']}`",
        f"- budget: {budget.ram_bytes:,} B RAM, {budget.flash_bytes:,} B flash",
        f"- fitness: {objective_sentence(summary.get('objective'))}",
        f"- {skipped_sentence(summary.get('skipped_files')) or 'no unreadable files skipped'}",
        f"- candidates: {counts['ok']} evaluated, {counts['rejected']} rejected before training, "
        f"{counts['failed']} failed",
        f"- XLA compilations: {summary['xla_compilations']} ({summary['xla_compile_seconds']} s)",
        "- seconds: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary["seconds"].items()),
        "", "## Pareto-optimal systems", "",
        "| trial | data | depths | alpha | val acc | test acc | fine-tune steps | test P / R / F1 | "
        "RAM kB (% budget) | flash kB (% budget) | MACs | model |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for entry in pareto:
        trial, test, est = entry.trial, entry.test_metrics, entry.trial.estimate
        lines.append(
            f"| {trial.index + 1} | {trial.data_key} | {_depths(trial)} | "
            f"{_alpha(trial)} | {trial.metrics['accuracy']:.3f} | {test['accuracy']:.3f} | "
            f"{'?' if entry.steps is None else entry.steps} | "
            f"{test['precision']:.2f} / {test['recall']:.2f} / {test['f1']:.2f} | "
            f"{_kb(est.ram_bytes)} ({budget.ram_share(est):.0%}) | "
            f"{_kb(est.flash_bytes)} ({budget.flash_share(est):.0%}) | {est.macs / 1e6:.2f} M | "
            f"[{entry.model.split('/')[-1]}]({entry.model}) |")
    lines += deployed_markdown(pareto, budget)
    if darts is not None:
        lines += [""] + darts_markdown(darts)
    screening = summary.get("screening") or {}
    again = f" val acc after {next(iter(screening.values()))['steps']} steps |" if screening else ""
    lines += ["", "## Best per data configuration", "", f"| data | trial | val acc |{again} fitness | RAM kB | flash kB |",
              "|---|---|---|" + ("---|" if screening else "") + "---|---|---|"]
    for key, data in sorted(summary["best_per_data_configuration"].items()):
        trial = TrialRecord.from_json(data)
        screened = "" if not screening else \
            f" {screening[key]['metrics']['accuracy']:.3f} |" if key in screening else " - |"
        lines.append(f"| {key} | {trial.index + 1} | {trial.metrics['accuracy']:.3f} |{screened} {trial.fitness:.3f} | "
                     f"{_kb(trial.estimate.ram_bytes)} | {_kb(trial.estimate.flash_bytes)} |")
    lines += ["", "## Figures", ""] + [f"![{p}]({p})" for p in plots]
    return "\n".join(lines) + "\n"


def deployed_markdown(pareto: list[ParetoEntry], budget: Budget) -> list[str]:
    """The exported systems (`run-spec export`): int8 figures measured next to the float ones and
    the estimates; nothing when none has been exported."""
    deployed = [e for e in pareto if e.deployed is not None]
    if not deployed:
        return []
    lines = ["", "## Deployed int8 systems (measured)", "",
             "| trial | test acc float / int8 | int8 P / R | RAM kB: estimate / TFLite Micro arena (+ front-end) | "
             "flash kB: estimate / .tflite (+ overhead) | fits | TFLite Micro = LiteRT | files |",
             "|---|---|---|---|---|---|---|---|"]
    for entry in deployed:
        d, est, int8 = entry.deployed, entry.trial.estimate, entry.deployed.int8_test_metrics
        lines.append(
            f"| {entry.trial.index + 1} | {entry.test_metrics['accuracy']:.3f} / {int8['accuracy']:.3f} | "
            f"{int8['precision']:.2f} / {int8['recall']:.2f} | {_kb(est.ram_bytes)} / {_kb(d.ram_bytes)} | "
            f"{_kb(est.flash_bytes)} / {_kb(d.flash_bytes)} | {'yes' if entry.feasible else 'NO'} | "
            f"{'yes' if d.tflm_matches_litert else 'NO'} | [tflite]({d.tflite}), [C array]({d.c_source}), "
            f"[input]({d.input_header}) |")
    return lines
