"""Ctrl-C that is never lost.

Python's default handler raises KeyboardInterrupt wherever the interpreter happens to be; when
that is a garbage-collection callback (JAX registers one), the exception is printed as
"Exception ignored" and dropped, and the run goes on. This handler also records the request,
and the run's loops call `check()`, so an interrupt always stops the run at the next step.
"""

from __future__ import annotations

import signal
from typing import Any

_requested = False


def _handler(signum: int, frame: Any) -> None:
    global _requested
    _requested = True
    raise KeyboardInterrupt


def install() -> Any:
    """Installs the handler; returns the previous one, for `restore`."""
    global _requested
    _requested = False
    return signal.signal(signal.SIGINT, _handler)


def restore(previous: Any) -> None:
    signal.signal(signal.SIGINT, previous)


def check() -> None:
    """Raises KeyboardInterrupt if Ctrl-C was pressed, even if its first raise was swallowed."""
    if _requested:
        raise KeyboardInterrupt
