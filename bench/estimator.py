"""The RAM and flash estimates against real int8 TFLite models.

    python -m bench estimator [--tflite-python PATH]

With the deploy extra installed (tensorflow-cpu, tflite-micro): 12 MobileNetV2 subnets are
converted by danas's own exporter and loaded by a real TFLite Micro interpreter
(bench/tflm_arena.py); the 'tflm' estimate (pointer size 8, this host) is compared with the
arena it needed, its planned head and persistent tail separately, and the flash estimate with
the file. Goal: RAM within 2 %, flash within 1 %. Otherwise the older comparison below runs.

Extracts six MobileNetV2 subnets (bench/tflite_export.py, batch norm set like a trained
network's), converts them with TensorFlow's int8 converter (bench/tflite_convert.py, run by a
Python that has TensorFlow: this one if it does, e.g. with `pip install -e ".[tflite]"`, else
the one given by --tflite-python or $DANAS_TFLITE_PYTHON) and compares. The MobileNetV2 figures
also feed tests/engine/hardware/golden/tflite_mobilenetv2.json.

Three derived DARTS networks are converted too. Their op graph is modelled (dilated
convolutions become SPACE_TO_BATCH_ND, depthwise, BATCH_TO_SPACE_ND; ReLUs merge and fuse as
the converter does: the op counts match), but the converter also reorders the cell's ops, which
the estimate does not follow, so their RAM is off by a few percent up to about +27 % (measured
with TensorFlow 2.21), and flash, whose per-tensor term was fitted on MobileNetV2's longer
tensor names, is over-estimated by 7-16 %.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def tflite_python(given: str | None) -> str | None:
    if given or os.environ.get("DANAS_TFLITE_PYTHON"):
        return given or os.environ["DANAS_TFLITE_PYTHON"]
    return sys.executable if importlib.util.find_spec("tensorflow") else None


def run(quick: bool = False, python: str | None = None) -> dict:
    from engine.deploy.export import DEPLOY_MODULES

    if all(importlib.util.find_spec(module) for module in DEPLOY_MODULES):
        return run_tflm(quick)
    return run_liveness(python)


def run_tflm(quick: bool = False) -> dict:
    """The 'tflm' estimate against TFLite Micro's measured arena (and flash against the file)."""
    import bench.tflm_arena as tflm
    from engine.hardware.estimate import tflite_flash
    from engine.hardware.tflm import tflm_arena_estimate
    from engine.space.mobilenet_arch import build_network

    configs = tflm.CONFIGS[-4:] if quick else tflm.CONFIGS
    folder = Path(tempfile.mkdtemp(prefix="danas-tflm-"))
    rows = []
    for (resolution, channels, depths, alpha), measured in zip(configs, tflm.measure_all(folder, configs)):
        network = build_network((resolution, resolution, channels), depths, alpha, 2)
        estimate = tflm_arena_estimate(network, 1, resolution * resolution * channels, pointer_bytes=8)
        flash = tflite_flash(network, 1)
        rows.append({"model": measured["model"], "arena_tflm": measured["arena"], "arena_estimate": estimate.arena_bytes,
                     "ram_error_pct": round(100 * (estimate.arena_bytes / measured["arena"] - 1), 2),
                     "head_tflm": measured["head"], "head_estimate": estimate.planned_bytes,
                     "tail_tflm": measured["tail"], "tail_estimate": estimate.persistent_bytes,
                     "flash_file": measured["tflite_bytes"], "flash_estimate": flash,
                     "flash_error_pct": round(100 * (flash / measured["tflite_bytes"] - 1), 2)})
    return {"rows": rows, "goal": "RAM within 2 % of TFLite Micro's arena, flash within 1 % of the file",
            "folder": str(folder)}


def run_liveness(python: str | None = None) -> dict:
    """Without the deploy extra: the liveness estimate against TensorFlow's converted graph."""
    from bench.tflite_export import export

    interpreter = tflite_python(python)
    if interpreter is None:
        return {"rows": [], "skipped": "no TensorFlow: pip install -e '.[tflite]' (or --tflite-python PATH)"}
    folder = Path(tempfile.mkdtemp(prefix="danas-tflite-"))
    estimates = {row["name"]: row for row in export(folder)}
    subprocess.run([interpreter, str(Path(__file__).with_name("tflite_convert.py")), str(folder)], check=True,
                   capture_output=True, env={**os.environ, "KERAS_BACKEND": "tensorflow"})
    rows = []
    for name, estimate in estimates.items():
        real = json.loads((folder / f"{name}.tflite.json").read_text())
        rows.append({"model": name, "ram_estimate": estimate["ram_bytes"], "ram_tflite": real["arena_peak_bytes"],
                     "ram_error_pct": round(100 * (estimate["ram_bytes"] / real["arena_peak_bytes"] - 1), 2),
                     "flash_estimate": estimate["flash_bytes"], "flash_tflite": real["tflite_bytes"],
                     "flash_error_pct": round(100 * (estimate["flash_bytes"] / real["tflite_bytes"] - 1), 2)})
    return {"rows": rows, "goal": "RAM within 1 %, flash within 5 %", "folder": str(folder)}
