"""The live view of a running search: redrawn in a terminal, plain lines in a pipe.

Shows the phase (pre-training the supernet for 96px-rgb / evaluating candidate 17), progress
against the evaluation and time budgets, the current best system with its RAM and flash as bars
against the budget, and how many candidates were rejected or failed, and why.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from rich.console import Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from danas.budget import Budget
from danas.records import TrialRecord
from reports.render import trial_line
from reports.terminal import Terminal


@dataclass
class RunStatus:
    """What the live view shows; updated by the run, rendered by `render_status`."""

    limit: int | None
    minutes: float | None
    budget: Budget
    start: float
    phase: str = "starting"
    evaluated: int = 0
    best: TrialRecord | None = None
    reasons: Counter = field(default_factory=Counter)

    def add(self, record: TrialRecord) -> None:
        if record.status != "rejected":
            self.evaluated += 1
        if record.status == "ok" and (self.best is None or record.fitness > self.best.fitness):
            self.best = record
        if record.status != "ok":
            self.reasons[f"{record.status}: {record.reason.split(';')[0][:60]}"] += 1


def _bar(used: int, budget: int) -> Table:
    row = Table.grid(padding=(0, 1))
    row.add_row(ProgressBar(total=budget, completed=min(used, budget), width=24),
                Text(f"{used / 1024:,.0f} / {budget / 1024:,.0f} kB ({used / budget:.0%})"))
    return row


def render_status(status: RunStatus, now: float | None = None) -> Group:
    """The status panel (pure: a renderable from the status)."""
    elapsed = (now or time.time()) - status.start
    limit = f"/{status.limit}" if status.limit else ""
    clock = f"{elapsed / 60:.1f}" + (f"/{status.minutes:g}" if status.minutes else "") + " min"
    lines: list = [Text(f"{status.phase}", style="bold"),
                   Text(f"evaluated {status.evaluated}{limit}   time {clock}")]
    if status.best is not None:
        best = status.best
        lines.append(Text(f"best: {best.short()}  acc {best.metrics['accuracy']:.3f}  fitness {best.fitness:.3f}"))
        grid = Table.grid(padding=(0, 1))
        grid.add_row(Text("RAM  "), _bar(best.estimate.ram_bytes, status.budget.ram_bytes))
        grid.add_row(Text("flash"), _bar(best.estimate.flash_bytes, status.budget.flash_bytes))
        lines.append(grid)
    for reason, count in status.reasons.most_common(3):
        lines.append(Text(f"{count} x {reason}", style="dim"))
    return Group(*lines)


class RunView:
    """Routes the run's progress to a live panel (terminal) or to plain lines (pipe)."""

    def __init__(self, terminal: Terminal, status: RunStatus):
        self.terminal, self.status = terminal, status
        self.live = None
        if terminal.err.is_terminal and terminal.verbosity >= 1:
            self.live = Live(render_status(status), console=terminal.err, refresh_per_second=2,
                             get_renderable=lambda: render_status(self.status), transient=True)

    def __enter__(self) -> "RunView":
        if self.live:
            self.live.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.live:
            self.live.stop()

    def phase(self, text: str, log: bool = True) -> None:
        """A new phase; in a pipe it is logged only if `log` (per-candidate phases are not)."""
        self.status.phase = text
        if not self.live and log:
            self.terminal.info(text)

    def trial(self, record: TrialRecord) -> None:
        self.status.add(record)
        line = trial_line(record, self.status.limit, self.status.budget)
        if record.status == "rejected":
            self.terminal.debug(line)
        else:
            self.terminal.info(line)  # printed above the live panel when there is one
