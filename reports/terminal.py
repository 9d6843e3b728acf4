"""The one terminal: every line danas shows a person goes through `Terminal` (hatch style).

Results go to stdout, diagnostics (progress, warnings, errors) to stderr. Markup is off, so a
user string that contains '[red]' prints as written. In a terminal, output fits its width; in a
pipe or a file (a CI log, `| tee`) it is plain and tables print at their natural width, so no
number is ever cut to '…'. Everything shown is also recorded, so the bundle can keep the same text.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from rich.console import Console
from rich.text import Text


class Terminal:
    """Shows results and diagnostics; `verbosity` 0 is quiet, 1 normal, 2 verbose.

    Example:
        >>> import io
        >>> out, err = io.StringIO(), io.StringIO()
        >>> Terminal(stdout=out, stderr=err).error("bad spec")
        >>> err.getvalue()
        'error: bad spec\\n'
    """

    def __init__(self, verbosity: int = 1, stdout: IO[str] | None = None,
                 stderr: IO[str] | None = None, width: int | None = None):
        self.verbosity = verbosity
        options: dict[str, Any] = dict(markup=False, emoji=False, highlight=False, width=width,
                                       record=True, soft_wrap=True)  # one message, one line
        if os.environ.get("NO_COLOR"):
            options["no_color"] = True
        out, err = stdout or sys.stdout, stderr or sys.stderr
        self.out = Console(file=out, **{**options, "width": width or _pipe_width(out)})
        self.err = Console(file=err, stderr=stderr is None, **{**options, "width": width or _pipe_width(err)})

    def result(self, renderable: Any = "") -> None:
        """A result the user asked for (stdout)."""
        self.out.print(renderable)

    def info(self, message: str) -> None:
        """Progress and context (stderr), hidden when quiet."""
        if self.verbosity >= 1:
            self.err.print(Text(message))

    def debug(self, message: str) -> None:
        """Details for the curious (stderr), shown when verbose."""
        if self.verbosity >= 2:
            self.err.print(Text(message, style="dim"))

    def warning(self, message: str) -> None:
        """Something the user should know but that does not stop the run (stderr)."""
        self.err.print(Text("warning: ", style="bold yellow") + Text(message))

    def error(self, message: str) -> None:
        """A problem that stops the command (stderr)."""
        self.err.print(Text("error: ", style="bold red") + Text(message))


# Wide enough for any table danas prints: outside a terminal nothing is measured against a
# screen, and rich would otherwise assume 80 columns and elide cells.
NATURAL_WIDTH = 1000


def _pipe_width(stream: IO[str]) -> int | None:
    """None (rich measures the terminal) for a terminal; the natural width for a pipe or file."""
    isatty = getattr(stream, "isatty", None)
    return None if isatty is not None and isatty() else NATURAL_WIDTH
