"""What a DARTS run adds to the report: the data weights over the search, the chosen data
configuration, and the derived cells (as text, and drawn as graphs). Pure functions of
darts.json; plots with matplotlib (Agg)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from reports.plots import Save, plt

GAP = 1.6  # horizontal distance between nodes, room for the op labels
SHORT = {"max_pool_3x3": "max pool 3x3", "avg_pool_3x3": "avg pool 3x3", "skip_connect": "skip",
         "sep_conv_3x3": "sep 3x3", "sep_conv_5x5": "sep 5x5", "dil_conv_3x3": "dil 3x3", "dil_conv_5x5": "dil 5x5"}


def state_name(k: int) -> str:
    return {0: "c_{k-2}", 1: "c_{k-1}"}.get(k, f"node {k - 2}")


def cell_text(cell: list) -> list[str]:
    """'node 0 = sep 3x3(c_{k-1}) + skip(c_{k-2})' per node."""
    return [f"node {i} = " + " + ".join(f"{SHORT.get(op, op)}({state_name(k)})" for op, k in node)
            for i, node in enumerate(cell)]


def stop_sentence(darts: dict[str, Any]) -> str:
    """How the data search ended, and whether budget.max_minutes cut the search short."""
    epoch = darts.get("stopped_by_max_minutes_after_epoch")
    cut = f"; budget.max_minutes ended the search after epoch {epoch}" if epoch else ""
    return _data_stop(darts) + cut


def _data_stop(darts: dict[str, Any]) -> str:
    step, configs = darts["data_search_stopped_at_step"], darts["data_configurations"]
    if len(configs) == 1:
        return f"one data configuration ({darts['chosen']}): nothing to search"
    if step is None:
        return (f"gamma never reached the early-stop ratio {darts['early_stop_ratio']:g}; the strongest "
                f"configuration, {darts['chosen']}, was taken")
    return (f"data search stopped at architecture step {step} of {darts['architecture_steps']} "
            f"(largest softmax(gamma) >= {darts['early_stop_ratio']:g} x the second): {darts['chosen']}")


def data_weights_table(darts: dict[str, Any]) -> Table:
    """softmax(gamma) per data configuration: at the start, when the data search stopped, at the end."""
    table = Table(title="Data weights softmax(gamma)", title_justify="left", pad_edge=False, box=None,
                  header_style="bold", caption=stop_sentence(darts), caption_justify="left")
    for column in ("data", "start", "final", ""):
        table.add_column(column, justify="left" if column in ("data", "") else "right", no_wrap=True)
    start = _softmax(darts["history"]["gamma"][0][1:])
    for key, first, last in zip(darts["data_configurations"], start, darts["data_weights"]):
        table.add_row(key, f"{first:.3f}", f"{last:.3f}", "chosen" if key == darts["chosen"] else "")
    return table


def cells_table(darts: dict[str, Any]) -> Table:
    table = Table(title="Derived cells", title_justify="left", pad_edge=False, box=None, header_style="bold")
    table.add_column("cell", no_wrap=True)
    table.add_column("nodes")
    for kind in ("normal", "reduce"):
        table.add_row(kind, "\n".join(cell_text(darts["genotype"][kind])))
    return table


def darts_markdown(darts: dict[str, Any]) -> list[str]:
    lines = ["## Differentiable search (DARTS with data weights)", "", stop_sentence(darts) + ".", "",
             "| data | softmax(gamma) start | final |", "|---|---|---|"]
    start = _softmax(darts["history"]["gamma"][0][1:])
    for key, first, last in zip(darts["data_configurations"], start, darts["data_weights"]):
        mark = " **chosen**" if key == darts["chosen"] else ""
        lines.append(f"| {key}{mark} | {first:.3f} | {last:.3f} |")
    for kind in ("normal", "reduce"):
        lines += ["", f"{kind.capitalize()} cell:", ""] + [f"- {line}" for line in cell_text(darts["genotype"][kind])]
    return lines + [""]


def write_darts_plots(save: Save, darts: dict[str, Any]) -> list[str]:
    """plots/darts_data_weights.png and plots/darts_cells.png; returns their paths."""
    written = []
    for name, figure in (("darts_data_weights", data_weights_figure(darts)), ("darts_cells", cells_figure(darts))):
        path = f"plots/{name}.png"
        save(path, lambda target, fig=figure: fig.savefig(target, format="png", dpi=110, bbox_inches="tight"))
        plt.close(figure)
        written.append(path)
    return written


def data_weights_figure(darts: dict[str, Any]):
    steps = [row[0] for row in darts["history"]["gamma"]]
    weights = [_softmax(row[1:]) for row in darts["history"]["gamma"]]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for d, key in enumerate(darts["data_configurations"]):
        ax.plot(steps, [w[d] for w in weights], label=key, linewidth=2 if key == darts["chosen"] else 1)
    if darts["data_search_stopped_at_step"]:
        ax.axvline(darts["data_search_stopped_at_step"], color="grey", linestyle="--", label="data search stopped")
    ax.set_xlabel("architecture step")
    ax.set_ylabel("softmax(gamma)")
    ax.set_title("Data weights over the search")
    ax.legend(fontsize=8)
    return fig


def cells_figure(darts: dict[str, Any]):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, kind in zip(axes, ("normal", "reduce")):
        draw_cell(ax, darts["genotype"][kind], f"{kind} cell")
    return fig


def draw_cell(ax, cell: list, title: str) -> None:
    """Inputs on the left, nodes in the middle, the concatenated output on the right."""
    n = len(cell)
    place = {0: (0.0, 1.0), 1: (0.0, -1.0)}
    for i in range(n):
        place[i + 2] = (GAP * (1 + i), 1.2 * ((-1) ** i) * (0.4 + 0.6 * (i % 2 == 0)))
    place["out"] = (GAP * (n + 1), 0.0)
    for i, node in enumerate(cell):
        for op, k in node:
            _arrow(ax, place[k], place[i + 2], SHORT.get(op, op))
        _arrow(ax, place[i + 2], place["out"], "")
    for key, (x, y) in place.items():
        label = "c_{k}" if key == "out" else state_name(key)
        ax.text(x, y, label, ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round", "facecolor": "#dde8f5" if key in (0, 1, "out") else "#fff2cc"})
    ax.set_xlim(-0.6, GAP * (n + 1) + 0.6)
    ax.set_ylim(-1.8, 1.8)
    ax.set_title(title)
    ax.axis("off")


def _arrow(ax, start, end, label: str) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", "color": "#555555", "shrinkA": 14,
                                                      "shrinkB": 14})
    if label:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, label, fontsize=7, ha="center",
                color="#1f4e79", bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})


def _softmax(values) -> list[float]:
    import math

    top = max(values)
    exps = [math.exp(v - top) for v in values]
    return [e / sum(exps) for e in exps]
