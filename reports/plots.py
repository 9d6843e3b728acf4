"""The papers' figures as PNG, from trial records alone (matplotlib, no display needed).

- accuracy vs RAM and accuracy vs flash, coloured by data configuration, with the Pareto
  front and the budget line (Njor et al. 2025, figs. 4, 5, 8, 9);
- fitness over evaluations with the running best (fig. 6);
- the cumulative fraction of the final Pareto-optimal systems found by each evaluation (fig. 7).
"""

from __future__ import annotations

from typing import Callable, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from danas.budget import Budget  # noqa: E402
from danas.records import TrialRecord  # noqa: E402

Save = Callable[[str, Callable[[str], None]], None]  # bundle.write_with
KB = 1024


def _ok(trials: Sequence[TrialRecord]) -> list[TrialRecord]:
    return [t for t in trials if t.status == "ok"]


def front_2d(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The (resource, accuracy) points no other point beats on both, sorted by resource."""
    best, front = -1.0, []
    for resource, accuracy in sorted(points, key=lambda p: (p[0], -p[1])):
        if accuracy > best:
            front.append((resource, accuracy))
            best = accuracy
    return front


def accuracy_vs_resource(trials: Sequence[TrialRecord], resource: str, budget: int, title: str):
    """Figure: validation accuracy against RAM or flash (kB)."""
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    ok = _ok(trials)
    for key in sorted({t.data_key for t in ok}):
        group = [t for t in ok if t.data_key == key]
        ax.scatter([getattr(t.estimate, resource) / KB for t in group], [t.metrics["accuracy"] for t in group],
                   label=key, s=22, alpha=0.8)
    front = front_2d([(getattr(t.estimate, resource) / KB, t.metrics["accuracy"]) for t in ok])
    if front:
        xs, ys = zip(*front)
        ax.step(xs, ys, where="post", color="black", linewidth=1, label="Pareto front")
    ax.axvline(budget / KB, color="red", linestyle="--", linewidth=1, label=f"budget {budget / KB:.0f} kB")
    ax.set_xlabel(f"{'RAM' if resource == 'ram_bytes' else 'flash'} estimate (kB)")
    ax.set_ylabel("validation accuracy")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def fitness_over_evaluations(trials: Sequence[TrialRecord]):
    fig, ax = plt.subplots(figsize=(7, 3.5), dpi=110)
    ok = _ok(trials)
    ax.scatter([t.index + 1 for t in ok], [t.fitness for t in ok], s=14, alpha=0.7, label="candidate")
    best, xs, ys = float("-inf"), [], []
    for t in ok:
        best = max(best, t.fitness)
        xs.append(t.index + 1)
        ys.append(best)
    ax.plot(xs, ys, color="black", linewidth=1, label="best so far")
    ax.set_xlabel("evaluation")
    ax.set_ylabel("fitness (eq. B.1)")
    ax.set_title("Fitness over evaluations")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def pareto_fraction(trials: Sequence[TrialRecord], pareto_indices: set[int]):
    fig, ax = plt.subplots(figsize=(7, 3.5), dpi=110)
    found, xs, ys = 0, [], []
    for t in trials:
        found += t.index in pareto_indices
        xs.append(t.index + 1)
        ys.append(found / max(1, len(pareto_indices)))
    ax.step(xs, ys, where="post", color="tab:green")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("evaluation")
    ax.set_ylabel("fraction of final Pareto set")
    ax.set_title("Cumulative fraction of Pareto-optimal systems found")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def write_plots(save: Save, trials: Sequence[TrialRecord], pareto_indices: set[int],
                budget: Budget) -> list[str]:
    """Writes the four figures through `save(name, writer)`; returns their names."""
    figures = {
        "plots/accuracy_vs_ram.png": accuracy_vs_resource(trials, "ram_bytes", budget.ram_bytes, "Accuracy vs RAM"),
        "plots/accuracy_vs_flash.png": accuracy_vs_resource(trials, "flash_bytes", budget.flash_bytes, "Accuracy vs flash"),
        "plots/fitness.png": fitness_over_evaluations(trials),
        "plots/pareto_fraction.png": pareto_fraction(trials, pareto_indices),
    }
    for name, fig in figures.items():
        save(name, lambda path, fig=fig: fig.savefig(path, format="png"))
        plt.close(fig)
    return list(figures)
