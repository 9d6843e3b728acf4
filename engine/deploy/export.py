"""`run-spec export RUN [--only TRIAL]`: every Pareto-optimal system of a finished run as the
files a firmware build takes, with figures measured on that deployed form.

For each system, next to its `.keras` in `models/`:
- `<stem>.tflite`: full-integer int8 (int8 input and output, built-in int8 ops only),
  calibrated on `REPRESENTATIVE` training examples of the system's own data configuration;
- `<stem>_model_data.cc` / `.h`: the model as a C array (TFLite Micro's convention);
- `<stem>_input.h`: the input's shape and quantisation, and an audio front-end's constants.
Measured and added to the system's entry in pareto.json (then report.md, report.txt and the
manifest are written again): int8 accuracy, precision and recall on the test split (LiteRT
interpreter), the .tflite size, and the smallest arena a real TFLite Micro interpreter
accepts; the system's feasibility is judged again on these measured figures.
"""

from __future__ import annotations

import importlib.util
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np

from danas.errors import DanasError, UsageError, printable
from danas.records import Deployment, ParetoEntry
from engine.evaluate.seeds import stable_seed
from engine.deploy import measure
from reports.c_arrays import c_identifier, input_header, model_array_header, model_array_source

REPRESENTATIVE = 300  # calibration examples: a few hundred, as TFLite's guide suggests
TFLM_CHECK_EXAMPLES = 8  # test examples run through TFLite Micro and compared with LiteRT
DEPLOY_MODULES = {"tensorflow": "tensorflow-cpu", "ai_edge_litert": "ai-edge-litert",
                  "tflite_micro": "tflite-micro"}


class ExportError(DanasError):
    """A system could not be converted (an op without an int8 kernel, a converter failure)."""

    exit_code = 1


def require_deploy_extra() -> None:
    """Stops with one line naming the extra when a deployment package is missing."""
    missing = [package for module, package in DEPLOY_MODULES.items() if importlib.util.find_spec(module) is None]
    if missing:
        raise UsageError(f"run-spec export needs the deploy extra ({', '.join(missing)} not installed): "
                         "pip install -e \".[deploy]\" (or pip install \"danas[deploy]\")")


def deploy_system(entry: ParetoEntry, root: Path, modality, classes: int, positive: int | None,
                  hardware, budget, seed: int) -> ParetoEntry:
    """Converts, writes and measures one system; returns its entry with `deployed` set."""
    from engine.evaluate.metrics import classification_metrics

    data = entry.trial.candidate["data"]
    stem = entry.model.removesuffix(".keras")
    model = convert_to_int8(root / entry.model, _representative(modality, data, seed))
    (root / f"{stem}.tflite").write_bytes(model)
    name = c_identifier(Path(stem).name)
    preprocessing = json.loads((root / entry.preprocessing).read_text())
    quant = measure.input_quantization(model)
    (root / f"{stem}_model_data.h").write_text(model_array_header(name))
    (root / f"{stem}_model_data.cc").write_text(model_array_source(name, model, f"{Path(stem).name}_model_data.h"))
    (root / f"{stem}_input.h").write_text(input_header(name, preprocessing, quant.scale, quant.zero_point))
    test = modality.arrays("test", data)
    x_test = quant.quantize(modality.to_model_input(test.x))
    predicted = np.argmax(measure.int8_outputs(model, x_test), axis=-1)
    arena = measure.tflm_arena_bytes(model)
    scratch = modality.frontend_scratch_bytes(data, hardware.data_bytes)  # as the estimate counts it
    deployed = Deployment(
        tflite=f"{stem}.tflite", c_source=f"{stem}_model_data.cc", c_header=f"{stem}_model_data.h",
        input_header=f"{stem}_input.h", tflite_bytes=len(model), arena_bytes=arena,
        ram_bytes=arena + scratch, flash_bytes=len(model) + hardware.flash_overhead_bytes,
        int8_test_metrics=classification_metrics(test.y, predicted, classes, positive),
        input_scale=quant.scale, input_zero_point=quant.zero_point,
        tflm_matches_litert=measure.tflm_matches_litert(model, x_test[:TFLM_CHECK_EXAMPLES], arena))
    fits = deployed.ram_bytes <= budget.ram_bytes and deployed.flash_bytes <= budget.flash_bytes
    return dataclasses.replace(entry, feasible=fits, deployed=deployed)


def _representative(modality, data: dict, seed: int) -> np.ndarray:
    """REPRESENTATIVE training examples (a seeded draw), as the model reads them."""
    train = modality.arrays("train", data)
    rng = np.random.default_rng(stable_seed(seed, "export", "representative"))
    index = np.sort(rng.permutation(len(train.y))[:REPRESENTATIVE])
    return modality.to_model_input(train.x[index]).astype(np.float32)


def convert_to_int8(model_path: Path, samples: np.ndarray) -> bytes:
    """The int8 .tflite of a .keras file, converted by `engine.deploy.convert` in a subprocess
    on the TensorFlow backend."""
    with tempfile.TemporaryDirectory(prefix="danas-export-") as folder:
        samples_path, out = Path(folder) / "samples.npy", Path(folder) / "model.tflite"
        np.save(samples_path, samples)
        env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
        done = subprocess.run([sys.executable, "-m", "engine.deploy.convert", str(model_path), str(samples_path),
                               str(out)], env=env, capture_output=True, text=True, cwd=_package_parent())
        if done.returncode != 0 or not out.exists():
            last = [line for line in done.stderr.strip().splitlines() if line.strip()][-1:] or ["no output"]
            raise ExportError(f"{model_path}: int8 conversion failed: {last[0][:400]}")
        return out.read_bytes()


def _package_parent() -> str:
    """The folder `engine` is imported from, so the subprocess finds the same package."""
    import engine

    return str(Path(engine.__file__).resolve().parents[1])


def export_run(root: Path, only: int | None, progress: Callable[[str], None]) -> list[ParetoEntry]:
    """Exports the Pareto systems of the run in `root` (only trial `only`, 1-based, if given),
    rewrites pareto.json and the reports; returns the entries."""
    from engine.evaluate.metrics import positive_index
    from engine.hardware.targets import hardware_budget
    from engine.spec import load_bundle_spec
    from modalities import open_modality
    from reports.bundle import Bundle
    from reports.finish import rewrite_reports

    require_deploy_extra()
    if not (root / "pareto.json").is_file():
        raise UsageError(f"{printable(str(root))}: the run has not finished (no pareto.json); finish it with "
                         "run-spec --resume RUN_DIR, then export")
    config = load_bundle_spec(root).config
    entries = [ParetoEntry.from_json(e) for e in json.loads((root / "pareto.json").read_text())]
    if only is not None and only not in {e.trial.index + 1 for e in entries}:
        raise UsageError(f"--only {only}: not a Pareto-optimal trial of {root}; expected one of "
                         f"{', '.join(str(e.trial.index + 1) for e in entries)}")
    modality = open_modality(config)
    info = modality.load()
    positive = positive_index(config.objective.average, config.objective.positive_class, tuple(info.classes))
    budget = hardware_budget(config.hardware)
    done = []
    for entry in entries:
        if only is None or entry.trial.index + 1 == only:
            progress(f"exporting trial {entry.trial.index + 1} ({entry.trial.data_key}) to int8 TFLite")
            entry = deploy_system(entry, root, modality, len(info.classes), positive, config.hardware, budget,
                                  config.seed)
        done.append(entry)
    rewrite_reports(Bundle(root), done)
    return done
