"""MobileNetV2 subnets converted to int8 and measured by TFLite Micro (the deploy extra):
the smallest arena it accepts and its recording allocator's breakdown (planned activations in
the arena's head; persistent structures in its tail, by kind).

    python -m bench.tflm_arena [FOLDER]      (prints one JSON row per model)

Used by `python -m bench estimator`, and to fit engine/hardware/tflm.py's constants.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np

# (resolution, channels, stage depths, alpha): the estimator bench's six, and small inputs with
# many blocks, where the persistent part weighs most
CONFIGS = [(96, 3, (3, 4, 3, 3, 1), 0.35), (96, 1, (2, 2, 1, 1, 0), 0.25), (64, 3, (1, 2, 2, 1, 1), 0.5),
           (128, 3, (3, 4, 3, 3, 1), 0.35), (32, 3, (3, 4, 3, 3, 1), 1.0), (160, 3, (3, 4, 3, 3, 1), 0.5),
           (32, 1, (2, 1, 3, 2, 1), 0.35), (16, 3, (2, 1, 0, 0, 0), 0.5), (16, 1, (1, 0, 0, 0, 0), 0.25),
           (64, 1, (3, 4, 3, 3, 1), 0.35), (48, 3, (1, 1, 1, 1, 0), 0.75), (24, 3, (0, 0, 0, 0, 0), 0.5)]


def measure_all(folder: Path, configs=None) -> list[dict]:
    from bench.tflite_export import _trained_like
    from engine.deploy.export import convert_to_int8
    from engine.deploy.measure import tflm_allocations, tflm_arena_bytes
    from engine.hardware.tflm import tflm_arena_estimate
    from engine.space.extract import extract_subnet
    from engine.space.mobilenet_arch import build_network
    from engine.space.supernet import MobileNetV2Supernet

    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for resolution, channels, depths, alpha in configs or CONFIGS:
        name = f"r{resolution}c{channels}d{''.join(map(str, depths))}a{alpha:g}"
        shape = (resolution, resolution, channels)
        model = extract_subnet(MobileNetV2Supernet(shape, alpha, 2), depths, alpha, name=name)
        _trained_like(model, np.random.default_rng(resolution))
        model.save(folder / f"{name}.keras")
        samples = np.random.default_rng(0).uniform(-1, 1, (16, *shape)).astype(np.float32)
        tflite = convert_to_int8(folder / f"{name}.keras", samples)
        (folder / f"{name}.tflite").write_bytes(tflite)
        arena = tflm_arena_bytes(tflite)
        network = build_network(shape, depths, alpha, 2)
        rows.append({"model": name, "arena": arena, "tflite_bytes": len(tflite), **tflm_allocations(tflite),
                     "estimate_64bit": tflm_arena_estimate(network, 1, int(np.prod(shape)), pointer_bytes=8).as_dict()})
        print(json.dumps(rows[-1]), flush=True)
    return rows


if __name__ == "__main__":
    measure_all(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="danas-tflm-")))
