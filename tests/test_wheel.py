"""A wheel built from the checkout, installed non-editable into a fresh virtual environment,
runs `run-spec --check` and a smoke search from a folder outside the checkout.

The editable install of the README hides packages a wheel leaves out (a hand-kept package
list once left out three); this is the install a user of `pip install danas` gets.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SPECS


def _run(args: list, cwd: Path, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_venv_checks_and_runs_a_smoke_spec(tmp_path):
    # nothing of the checkout on sys.path (a PYTHONPATH to it would make pip think danas installed)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KERAS_BACKEND")}
    env["DANAS_CACHE"] = str(tmp_path / "cache")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "dist", REPO], cwd=tmp_path,
         env=env)
    (wheel,) = (tmp_path / "dist").glob("danas-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=tmp_path, env=env)
    python, run_spec = venv / "bin" / "python", venv / "bin" / "run-spec"
    _run([python, "-m", "pip", "install", "-q", wheel], cwd=tmp_path, env=env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    spec = elsewhere / "smoke.yaml"
    spec.write_text((SPECS / "smoke" / "wakevision_smoke.yaml").read_text().replace(
        "$schema=../schema/", "$schema=./"), encoding="utf-8")
    located = _run([python, "-c", "import engine, danas, modalities, reports; print(engine.__file__)"],
                   cwd=elsewhere, env=env).stdout
    assert str(venv) in located and str(REPO) not in located

    checked = _run([run_spec, spec, "--check"], cwd=elsewhere, env=env).stdout
    assert "valid" in checked and "joint search space" in checked

    tiny = ["modality.resolutions=[16]", "modality.color=[mono]", "search_space.alphas=[0.25]",
            "budget.max_evaluations=1", "training.pretrain_steps=1", "training.finetune_steps=1"]
    _run([run_spec, spec, "--set", f"output.root={elsewhere / 'runs'}", *sum((["--set", o] for o in tiny), [])],
         cwd=elsewhere, env=env)
    (bundle,) = (elsewhere / "runs").iterdir()
    assert (bundle / "report.md").is_file() and (bundle / "pareto.json").is_file()
    _run([run_spec, "verify", bundle], cwd=elsewhere, env=env)
