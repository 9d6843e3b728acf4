"""`python -m engine ...` is `run-spec ...`."""

from engine.cli import console

console()
