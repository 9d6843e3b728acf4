"""Extracted subnets, their estimates and representative inputs, for tflite_convert.py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

# (resolution, colour channels, stage depths, alpha): MobileNetV2 subnets of the evolution space
CONFIGS = [(96, 3, (3, 4, 3, 3, 1), 0.35), (96, 1, (2, 2, 1, 1, 0), 0.25), (64, 3, (1, 2, 2, 1, 1), 0.5),
           (128, 3, (3, 4, 3, 3, 1), 0.35), (32, 3, (3, 4, 3, 3, 1), 1.0), (160, 3, (3, 4, 3, 3, 1), 0.5)]


def _trained_like(model, rng) -> None:
    """Batch-norm statistics like a trained network's: a fresh one folds to all-zero biases,
    which the converter stores once, and the file would be smaller than a real one."""
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights([rng.uniform(0.5, 1.5, gamma.shape), rng.normal(0, 0.1, beta.shape),
                               rng.normal(0, 0.1, mean.shape), rng.uniform(0.5, 1.5, variance.shape)])


def export(folder: Path) -> list[dict]:
    from engine.hardware.estimate import estimate_liveness
    from engine.space.extract import extract_subnet
    from engine.space.mobilenet_arch import build_network
    from engine.space.supernet import MobileNetV2Supernet

    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for resolution, channels, depths, alpha in CONFIGS:
        name = f"r{resolution}c{channels}d{''.join(map(str, depths))}a{alpha:g}"
        shape = (resolution, resolution, channels)
        supernet = MobileNetV2Supernet(shape, alpha, 2)
        model = extract_subnet(supernet, depths, alpha, name=name)
        _trained_like(model, np.random.default_rng(resolution))
        model.save(folder / f"{name}.keras")
        np.save(folder / f"{name}.input.npy", np.random.default_rng(0).random((8, *shape), np.float32))
        estimate = estimate_liveness(build_network(shape, depths, alpha, 2), int(np.prod(shape)), 0, 1, 1, 0)
        rows.append({"name": name, **estimate.as_dict()})
        (folder / f"{name}.estimate.json").write_text(json.dumps(rows[-1]))
    return rows + export_darts(folder)


# (input shape, genotype seed, channels, cells, nodes): derived DARTS networks (KWS-like inputs)
DARTS_CONFIGS = [((49, 10, 1), 0, 8, 3, 2), ((79, 10, 1), 1, 16, 5, 4), ((32, 32, 3), 2, 8, 3, 3)]
DARTS_OPS = ["none", "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5",
             "dil_conv_3x3", "dil_conv_5x5"]


def export_darts(folder: Path) -> list[dict]:
    from engine.hardware.estimate import estimate_liveness
    from engine.space.darts.arch import build_derived
    from engine.space.darts.derived_network import derived_model
    from engine.space.darts.genotype import cell_edges, derive

    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for shape, seed, channels, cells, nodes in DARTS_CONFIGS:
        rng = np.random.default_rng(seed)
        edges = len(cell_edges(nodes))
        arch = {f"alpha_{k}": rng.normal(size=(edges, len(DARTS_OPS))) for k in ("normal", "reduce")}
        arch.update({f"beta_{k}": rng.normal(size=edges) for k in ("normal", "reduce")})
        genotype = derive(arch, DARTS_OPS, nodes)
        name = f"darts{seed}-{shape[0]}x{shape[1]}x{shape[2]}c{channels}l{cells}n{nodes}"
        model = derived_model(shape, genotype, channels, cells, 12, name=f"darts{seed}")
        _trained_like(model, rng)
        model.save(folder / f"{name}.keras")
        np.save(folder / f"{name}.input.npy", rng.random((8, *shape), np.float32))
        network = build_derived(shape, genotype, channels, cells, 12)
        estimate = estimate_liveness(network, int(np.prod(shape)), 0, 1, 1, 0)
        rows.append({"name": name, **estimate.as_dict(), "ops": len(network.ops)})
        (folder / f"{name}.estimate.json").write_text(json.dumps(rows[-1]))
    return rows
