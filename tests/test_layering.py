"""The layering rules of the developers' guide, read from the imports of every source file.

    danas (the shared base) <- modalities, reports <- engine;  only engine/run.py wires every stage.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

HEAVY = {"jax", "jaxlib", "keras", "optax"}
PACKAGES = ("danas", "engine", "modalities", "reports")
# Which top-level package may import which: one way, no cycle.
ALLOWED = {"danas": set(), "modalities": {"danas"}, "reports": {"danas"},
           "engine": {"danas", "modalities", "reports"}}
STAGES = ("modalities", "engine.space", "engine.strategies", "engine.evaluate", "reports")
# What the engine's evaluation may know of a modality: the registry and the protocol, never its internals.
MODALITY_INTERFACE = {"modalities", "modalities.base"}


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


def package_graph() -> dict[str, set[str]]:
    """Top-level package -> the other project packages its files import (lazily or not)."""
    return {package: {r for p in sources(package) for r in roots(imports(p)) if r in PACKAGES and r != package}
            for package in PACKAGES}


def test_the_packages_depend_one_way():
    graph = package_graph()
    for package, imported in graph.items():
        assert imported <= ALLOWED[package], f"{package} imports {sorted(imported - ALLOWED[package])}"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as the list of nodes along it, or None."""
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> list[str] | None:
        if node in visiting:
            return visiting[visiting.index(node):] + [node]
        if node in done:
            return None
        visiting.append(node)
        for nxt in sorted(graph.get(node, ())):
            cycle = visit(nxt)
            if cycle:
                return cycle
        visiting.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        cycle = visit(start)
        if cycle:
            return cycle
    return None


def test_the_package_graph_has_no_cycle():
    cycle = find_cycle(package_graph())
    assert cycle is None, f"import cycle: {' -> '.join(cycle)}"


def test_the_cycle_check_finds_a_cycle():
    assert find_cycle({"engine": {"reports"}, "reports": {"danas"}, "danas": {"engine"}}) == \
        ["danas", "engine", "reports", "danas"]
    assert find_cycle({"engine": {"reports", "danas"}, "reports": {"danas"}, "danas": set()}) is None


def test_the_base_spec_and_reports_never_import_jax_or_keras():
    for path in sources("danas", "engine/spec", "reports"):
        assert not roots(imports(path)) & HEAVY, path


def test_cli_imports_jax_or_keras_only_through_the_run():
    assert not roots(imports(REPO / "engine/cli.py", top_level_only=True)) & HEAVY


def test_strategies_import_neither_keras_nor_jax_nor_a_modality():
    for path in sources("engine/strategies"):
        assert not roots(imports(path)) & (HEAVY | {"modalities", "reports"}), path


def test_evaluation_knows_no_report_and_no_modality_internals():
    for path in sources("engine/evaluate"):
        found = imports(path)
        assert not {m for m in found if m.split(".")[0] == "reports"}, path
        assert {m for m in found if m.split(".")[0] == "modalities"} <= MODALITY_INTERFACE, path
        assert not {m for m in found if m.startswith("engine.strategies")}, path


def test_the_search_space_does_not_import_modalities():
    for path in sources("engine/space"):
        assert "modalities" not in roots(imports(path)), path


def test_only_run_wires_all_stages():
    for path in sources("engine", "modalities", "reports"):
        if path == REPO / "engine/run.py":
            continue
        used = {s for s in STAGES for m in imports(path) if m == s or m.startswith(s + ".")}
        assert used != set(STAGES), path


def test_validation_loads_no_heavy_module():
    code = ("import sys, engine.spec, engine.cli, reports, modalities, danas.config\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{sorted(HEAVY)!r})\nassert not heavy, heavy\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_ray_is_imported_only_by_the_ray_backend_and_only_when_a_run_uses_it():
    for path in sources(*PACKAGES):
        if "ray" in roots(imports(path)):
            assert path.parent == REPO / "engine/execution" and path.name.startswith("ray_"), path
        assert "ray" not in roots(imports(path, top_level_only=True)), path  # never at import time
