"""A wheel built from the checkout, installed non-editable into a fresh virtual environment,
runs `run-spec --check` and a smoke search from a folder outside the checkout.

The editable install of the README hides packages a wheel leaves out (a hand-kept package
list once left out three); this is the install a user of `pip install danas` gets. The venv sees
the dependencies the README's command installed (`--system-site-packages`; installing them again
took 48 s and 800 MB, and the README's command is what CI tests for them), so what it tests is
danas's own wheel: its packages, package data and console script.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, SPECS


def _run(args: list, cwd: Path, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


PACKAGES = ("danas", "engine", "modalities", "reports")
# package data installed under another name (pyproject's [tool.setuptools.package-dir])
DATA = {"specs/schema/spec.schema.json": "engine/spec/schema_data/spec.schema.json"}


def source_files() -> set[str]:
    """The paths a wheel must hold: every file of the four packages, and the package data."""
    files = {path.relative_to(REPO).as_posix() for package in PACKAGES for path in (REPO / package).rglob("*")
             if path.is_file() and "__pycache__" not in path.parts}
    assert all((REPO / source).is_file() for source in DATA)
    return files | set(DATA.values())


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_venv_checks_and_runs_a_smoke_spec(tmp_path):
    # nothing of the checkout on sys.path (a PYTHONPATH to it would make pip think danas installed)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KERAS_BACKEND")}
    env["DANAS_CACHE"] = str(tmp_path / "cache")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "dist", REPO], cwd=tmp_path,
         env=env)
    (wheel,) = (tmp_path / "dist").glob("danas-*.whl")
    # The file list, not the imports, proves the wheel whole: the venv below also sees the
    # README's editable install, whose finder would serve a subpackage missing from the wheel
    # (such as engine.evaluate, once) from the checkout.
    missing = source_files() - set(zipfile.ZipFile(wheel).namelist())
    assert not missing, f"the wheel leaves out {sorted(missing)}"
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", venv], cwd=tmp_path, env=env)
    python, run_spec = venv / "bin" / "python", venv / "bin" / "run-spec"
    _run([python, "-m", "pip", "install", "-q", "--no-deps", wheel], cwd=tmp_path, env=env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    spec = elsewhere / "smoke.yaml"
    spec.write_text((SPECS / "smoke" / "wakevision_smoke.yaml").read_text().replace(
        "$schema=../schema/", "$schema=./"), encoding="utf-8")
    script = "import engine, danas, modalities, reports\nfor m in (engine, danas, modalities, reports): print(m.__file__)"
    located = _run([python, "-c", script],
                   cwd=elsewhere, env=env).stdout.split()
    assert len(located) == 4 and all(p.startswith(str(venv)) for p in located), located

    checked = _run([run_spec, spec, "--check"], cwd=elsewhere, env=env).stdout
    assert "valid" in checked and "joint search space" in checked

    # the smoke runs' 16 px programs, mono and rgb of one shared supernet (the session's XLA cache
    # holds them: its key leaves out source locations, so the wheel's copy of the code compiles
    # to the same entries; a mono-only search would build another, 1-channel supernet)
    tiny = ["modality.resolutions=[16]", "budget.max_evaluations=1"]
    _run([run_spec, spec, "--set", f"output.root={elsewhere / 'runs'}", *sum((["--set", o] for o in tiny), [])],
         cwd=elsewhere, env=env)
    (bundle,) = (elsewhere / "runs").iterdir()
    assert (bundle / "report.md").is_file() and (bundle / "pareto.json").is_file()
    _run([run_spec, "verify", bundle], cwd=elsewhere, env=env)
