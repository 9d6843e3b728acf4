"""Every example in a docstring runs, and says what it shows (optax-style docstrings)."""

from __future__ import annotations

import doctest
import importlib

import pytest

from tests.conftest import REPO

PACKAGES = ("danas", "engine", "modalities", "reports")


def modules_with_examples() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if ">>>" in path.read_text(encoding="utf-8") and path.name != "__main__.py":
                names.append(".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"))
    return names


def test_examples_are_found():
    assert len(modules_with_examples()) >= 20


@pytest.mark.parametrize("name", modules_with_examples())
def test_docstring_examples_run(name, monkeypatch):
    monkeypatch.chdir(REPO)  # examples name files as a user in the checkout would
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
