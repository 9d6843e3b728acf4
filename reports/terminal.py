"""The one terminal: every line danas shows a person goes through `Terminal` (hatch style).

Results go to stdout, diagnostics (progress, warnings, errors) to stderr. Markup is off, so a
user string that contains '[red]' prints as written. Output is plain in a pipe and fits 80
columns. Everything shown is also recorded, so the bundle can keep the same text.
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
        self.out = Console(file=stdout or sys.stdout, **options)
        self.err = Console(file=stderr or sys.stderr, stderr=stderr is None, **options)

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
