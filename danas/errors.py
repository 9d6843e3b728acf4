"""The error taxonomy: what the user can fix, what is recorded, what stops a run.

`SpecError` and `DataError` are the user's to fix: the CLI prints their lines and exits 2,
with no traceback. `FatalError` stops the run (exit 1) after the bundle is saved. A candidate
that cannot be trained (NaN loss, out of memory) is not an error but a result: its record says
`failed` with the reason, and the search goes on. Anything else that escapes is a danas bug, and
the CLI says so. Set DANAS_DEBUG=1 to see tracebacks for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass


class DanasError(Exception):
    """Base of every error danas raises on purpose."""

    exit_code = 1

    def lines(self) -> list[str]:
        """The message as the lines the terminal prints, one problem per line."""
        return [str(self)]


def printable(text: str) -> str:
    """`text` with control characters escaped, so one problem is always one line.

    Example:
        >>> printable("a\\nb")
        'a\\\\nb'
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec: where (dotted path) and what.

    Example:
        >>> str(Problem("strategy.population", "received 'ten' (a string); expected an integer"))
        "strategy.population: received 'ten' (a string); expected an integer"
    """

    path: str
    message: str

    def __str__(self) -> str:
        return printable(f"{self.path or '(top level)'}: {self.message}")


class SpecError(DanasError, ValueError):
    """A spec that cannot run, with every problem found (sorted by path)."""

    exit_code = 2

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = sorted(set(problems), key=lambda p: (p.path, p.message))
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.source}: {problem}" for problem in self.problems]


class DataError(DanasError, ValueError):
    """Data that cannot be used: a missing folder, an empty split, a CSV without its columns."""

    exit_code = 2


class UsageError(DanasError):
    """A command given the wrong thing: no spec, or a folder that is not a run folder."""

    exit_code = 2


class FatalError(DanasError):
    """The run cannot go on (a diverged supernet, an unwritable output folder)."""
