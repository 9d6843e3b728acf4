"""The layering rules of DEVELOPERS.md, read from the imports of every source file."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

HEAVY = {"jax", "jaxlib", "keras", "optax"}
STAGES = ("modalities", "engine.space", "engine.strategies", "engine.evaluate", "reports")


def sources(*folders: str) -> list[Path]:
    return [p for folder in folders for p in sorted((REPO / folder).rglob("*.py"))]


def imports(path: Path, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def roots(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def test_spec_and_reports_never_import_jax_or_keras():
    for path in sources("engine/spec", "reports") + [REPO / "engine/errors.py", REPO / "engine/registry.py"]:
        assert not roots(imports(path)) & HEAVY, path


def test_cli_imports_jax_or_keras_only_through_the_run():
    assert not roots(imports(REPO / "engine/cli.py", top_level_only=True)) & HEAVY


def test_strategies_never_import_keras():
    for path in sources("engine/strategies"):
        assert not roots(imports(path)) & {"keras", "modalities"}, path


def test_reports_and_modalities_stay_in_their_lane():
    for path in sources("reports"):
        engine = {m for m in imports(path) if m.startswith("engine")}
        assert engine <= {"engine.errors"}, path
    for path in sources("modalities"):
        engine = {m for m in imports(path) if m.startswith("engine")}
        assert engine <= {"engine.errors", "engine.registry", "engine.backend", "engine.spec.config"}, path


def test_only_run_wires_all_stages():
    for path in sources("engine", "modalities", "reports"):
        if path == REPO / "engine/run.py":
            continue
        used = {s for s in STAGES for m in imports(path) if m == s or m.startswith(s + ".")}
        assert used != set(STAGES), path


def test_validation_loads_no_heavy_module():
    code = ("import sys, engine.spec, engine.cli, reports, modalities\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{sorted(HEAVY)!r})\nassert not heavy, heavy\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
