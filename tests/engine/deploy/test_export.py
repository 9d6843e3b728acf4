"""`run-spec export`: a searched system leaves danas as an int8 .tflite and a C array, with its
int8 accuracy, file size and TFLite Micro arena measured (needs the deploy extra)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.cli import main
from reports.c_arrays import c_identifier
from tests.conftest import REPO


def test_export_without_the_deploy_extra_says_which_extra(tmp_path, monkeypatch, capsys):
    import importlib.util

    (tmp_path / "spec.resolved.json").write_text("{}")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "tflite_micro" else real(name, *a))
    assert main(["export", str(tmp_path)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "deploy" in line and "tflite-micro" in line


def test_export_of_an_unfinished_run_says_so_in_one_line(tmp_path, capsys):
    for module in ("tensorflow", "ai_edge_litert", "tflite_micro"):
        pytest.importorskip(module)
    (tmp_path / "spec.resolved.json").write_text("{}")
    assert main(["export", str(tmp_path)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "has not finished (no pareto.json)" in line and "--resume" in line


@pytest.fixture(scope="module")
def exported(colour_task_run, tmp_path_factory):
    """A copy of the colour-task run with its most accurate rgb system exported."""
    for module in ("tensorflow", "ai_edge_litert", "tflite_micro"):
        pytest.importorskip(module)
    root = tmp_path_factory.mktemp("export") / colour_task_run.name
    shutil.copytree(colour_task_run, root)
    pareto = json.loads((root / "pareto.json").read_text())
    best = max((e for e in pareto if e["trial"]["data_key"] == "16px-rgb"), key=lambda e: e["test_metrics"]["accuracy"])
    assert main(["export", str(root), "--only", str(best["trial"]["index"] + 1)]) == 0
    entry = next(e for e in json.loads((root / "pareto.json").read_text()) if e["trial"] == best["trial"])
    return root, entry


def test_the_exported_model_is_full_int8_and_as_accurate_as_the_float_one(exported):
    from ai_edge_litert.interpreter import Interpreter

    root, entry = exported
    deployed = entry["deployed"]
    interpreter = Interpreter(model_path=str(root / deployed["tflite"]))
    assert interpreter.get_input_details()[0]["dtype"] == np.int8
    assert interpreter.get_output_details()[0]["dtype"] == np.int8
    ops = {op["op_name"] for op in interpreter._get_ops_details()}
    assert ops <= {"CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "MEAN", "FULLY_CONNECTED"}, ops
    float_accuracy, int8_accuracy = entry["test_metrics"]["accuracy"], deployed["int8_test_metrics"]["accuracy"]
    assert float_accuracy >= 0.9  # the colour task is easy in rgb
    assert abs(int8_accuracy - float_accuracy) <= 0.05, (float_accuracy, int8_accuracy)
    assert deployed["tflite_bytes"] == (root / deployed["tflite"]).stat().st_size
    assert deployed["tflm_matches_litert"]


def allocates_in_a_process_of_its_own(model: Path, arena: int) -> bool:
    """Whether TFLite Micro allocates the model in `arena` bytes; asked in a subprocess, as the
    binding can crash (not raise) when the arena is too small: a crash counts as no."""
    code = ("import sys; from engine.deploy.measure import _tflm_allocates; "
            f"sys.exit(0 if _tflm_allocates(open({str(model)!r}, 'rb').read(), {arena}) else 3)")
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True).returncode == 0


def test_the_arena_is_the_smallest_tflite_micro_accepts(exported):
    from engine.deploy.measure import ARENA_STEP

    root, entry = exported
    model, arena = root / entry["deployed"]["tflite"], entry["deployed"]["arena_bytes"]
    assert allocates_in_a_process_of_its_own(model, arena)
    assert not allocates_in_a_process_of_its_own(model, arena - ARENA_STEP)
    assert entry["deployed"]["ram_bytes"] == arena  # images: no front-end scratch


def test_the_tflm_estimate_for_this_host_is_within_2_percent_of_the_measured_arena(exported):
    from engine.hardware.tflm import tflm_arena_estimate
    from engine.space.mobilenet_arch import build_network

    root, entry = exported
    candidate = entry["trial"]["candidate"]  # rgb: the shared supernet's full width, no mono factor
    network = build_network((16, 16, 3), candidate["depths"], candidate["alpha"], 2)
    estimate = tflm_arena_estimate(network, 1, 16 * 16 * 3, pointer_bytes=8)  # this host is 64-bit
    assert abs(estimate.arena_bytes / entry["deployed"]["arena_bytes"] - 1) <= 0.02
    assert entry["trial"]["estimate"]["ram_bytes"] <= estimate.arena_bytes  # the run assumed a 32-bit target


def test_the_c_array_holds_the_model_and_compiles(exported, tmp_path):
    root, entry = exported
    deployed = entry["deployed"]
    source = (root / deployed["c_source"]).read_text()
    values = bytes(int(v, 16) for v in source.split("{", 1)[1].split("}", 1)[0].replace(",", " ").split())
    assert values == (root / deployed["tflite"]).read_bytes()
    assert "alignas(16) const unsigned char g_danas_" in source
    compiler = shutil.which("c++") or shutil.which("cc")
    if compiler is None:
        pytest.skip("no C/C++ compiler on this machine")
    subprocess.run([compiler, "-std=c++17", "-c", str(root / deployed["c_source"]), "-o", str(tmp_path / "model.o")],
                   check=True)
    # the input header's constants are usable from firmware code
    name = c_identifier(Path(entry["model"]).stem)
    (tmp_path / "input.cc").write_text(f'#include "{root / deployed["input_header"]}"\n'
                                       f"int channels() {{ return {name}::kInputChannels; }}\n")
    subprocess.run([compiler, "-std=c++17", "-c", str(tmp_path / "input.cc"), "-o", str(tmp_path / "input.o")],
                   check=True)


def test_the_report_and_manifest_show_the_deployed_figures(exported):
    root, entry = exported
    assert "## Deployed int8 systems (measured)" in (root / "report.md").read_text()
    assert "Deployed int8 systems" in (root / "report.txt").read_text()
    assert main(["verify", str(root)]) == 0
    assert main(["report", str(root)]) == 0


def test_a_run_with_export_on_stops_before_searching_without_the_extra(tmp_path, monkeypatch, capsys):
    import importlib.util

    from tests.conftest import SPECS

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "tensorflow" else real(name, *a))
    code = main([str(SPECS / "smoke" / "wakevision_smoke.yaml"), "--set", "export.int8_tflite=true",
                 "--set", f"output.root={tmp_path / 'runs'}"])
    assert code == 2 and not (tmp_path / "runs").exists()
    assert "deploy extra" in capsys.readouterr().err

