"""A modality added without editing any file outside the test suite: the spec schema, checks,
`--check`, the search, the estimates and the bundle all take it from its own class."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

SPEC = """\
name: sensor-smoke
seed: 0
dataset: {source: builtin_sensor}
modality: {type: sensor, windows: [32, 64]}
search_space: {alphas: [0.25], stage_depths: {stage3: [1], stage4: [0, 1], stage5: [0], stage6: [0], stage7: [0]}}
strategy: {type: evolution, population: 2, tournament_size: 2}
training: {pretrain_steps: 2, finetune_steps: 2, batch_size: 16}
budget: {max_evaluations: 3}
"""


def run_spec(*args: str) -> subprocess.CompletedProcess:
    code = ("import sys\nimport tests.engine.sensor_modality\nfrom engine.cli import main\n"
            "raise SystemExit(main(sys.argv[1:]))\n")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=900)


def test_a_registered_modality_is_checked_like_a_built_in_one(tmp_path):
    spec = tmp_path / "sensor.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    checked = run_spec(str(spec), "--check")
    assert checked.returncode == 0, checked.stderr
    assert "axes:" in checked.stdout and "# data configurations: 4 (2 windows x 2 axis encodings)" in checked.stdout
    spec.write_text(SPEC.replace("windows: [32, 64]", "windows: [4], resolutions: [32]"), encoding="utf-8")
    refused = run_spec(str(spec), "--check")
    assert refused.returncode == 2
    problems = refused.stderr.strip().splitlines()
    assert any("modality.windows[0]: received 4; expected >= 8" in line for line in problems), problems
    assert any("modality.resolutions" in line for line in problems), problems  # a vision field
    spec.write_text(SPEC.replace("builtin_sensor", "builtin_person"), encoding="utf-8")
    wrong_source = run_spec(str(spec), "--check")
    assert wrong_source.returncode == 2 and "dataset.source: received 'builtin_person'" in wrong_source.stderr
    assert "expected one of: builtin_sensor" in wrong_source.stderr


@pytest.mark.slow
def test_a_registered_modality_runs_a_search(tmp_path):
    spec = tmp_path / "sensor.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    result = run_spec(str(spec), "--set", f"output.root={tmp_path / 'runs'}", "--set",  # 2 data configurations
                      f"dataset.cache_dir={tmp_path / 'cache'}", "--set", "modality.windows=[32]")
    assert result.returncode == 0, result.stderr[-3000:]
    (bundle,) = (tmp_path / "runs").iterdir()
    trials = [json.loads(line) for line in (bundle / "trials.jsonl").read_text().splitlines()]
    assert len(trials) == 3 and all(t["status"] == "ok" for t in trials)
    assert {t["data_key"] for t in trials} <= {"32s-magnitude", "32s-xyz"}
    assert all(t["candidate"]["data"]["axes"] in ("magnitude", "xyz") for t in trials)
    named = [line.split("] ")[1].split(" ")[0] for line in result.stderr.splitlines() if line.startswith("[")]
    assert named == [t["data_key"] for t in trials]  # the live lines name candidates as the records do
    pareto = json.loads((bundle / "pareto.json").read_text())
    assert pareto and json.loads((bundle / pareto[0]["preprocessing"]).read_text())["modality"] == "sensor"
