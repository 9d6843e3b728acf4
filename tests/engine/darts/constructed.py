"""A tiny constructed task for the DARTS search: only one data configuration carries the label.

'signal' is an 8x8 image whose every pixel is +-1 (the class) plus noise; 'noise' is a 6x6
image of pure noise. Both list the same samples in the same order, as real modalities do.
"""

from __future__ import annotations

import numpy as np

from engine.spec import resolve
from modalities.base import SplitArrays

SIZES = {"train": 256, "validation": 128, "test": 64}


class ConstructedModality:
    name = "constructed"

    def __init__(self, seed: int = 0, informative: str = "signal"):
        self.informative = informative
        rng = np.random.default_rng(seed)
        self.splits = {}
        for split, n in SIZES.items():
            y = rng.integers(0, 2, n).astype(np.int32)
            sign = (2.0 * y - 1.0)[:, None, None, None]
            signal = sign + 0.5 * rng.standard_normal((n, 8, 8, 1))
            noise = rng.standard_normal((n, 6, 6, 1))
            arrays = {"signal": signal, "noise": noise} if informative == "signal" else \
                {"signal": rng.standard_normal((n, 8, 8, 1)), "noise": sign[:, :, :, :] * np.ones((n, 6, 6, 1))
                 + 0.5 * rng.standard_normal((n, 6, 6, 1))}
            self.splits[split] = {k: SplitArrays(v.astype(np.float32), y) for k, v in arrays.items()}

    def data_configs(self):
        return [{"kind": "signal"}, {"kind": "noise"}]

    @staticmethod
    def key(data):
        return data["kind"]

    @staticmethod
    def input_shape(data):
        return (8, 8, 1) if data["kind"] == "signal" else (6, 6, 1)

    @staticmethod
    def augmentation():
        return None  # the labels live in exact pixel values

    def input_bytes(self, data, bytes_per_value):
        return int(np.prod(self.input_shape(data))) * bytes_per_value

    @staticmethod
    def frontend_scratch_bytes(data, bytes_per_value):
        return 0

    def arrays(self, split, data):
        return self.splits[split][data["kind"]]

    @staticmethod
    def to_model_input(x):
        return np.asarray(x, np.float32)


def darts_config(alignment: str = "zero_pad", **strategy):
    """A spec config for a tiny search (the modality section is not read by ConstructedModality)."""
    settings = {"type": "differentiable", "epochs": 4, "warmup_epochs": 1, "alignment": alignment,
                "arch_learning_rate": 0.01, "gamma_learning_rate": 0.1, **strategy}
    _, config = resolve({
        "dataset": {"source": "builtin_speech"},
        "modality": {"type": "audio"},
        "search_space": {"type": "darts", "cells": 1, "channels": 4, "nodes": 1, "partial_channels": 2,
                         "ops": ["none", "skip_connect", "avg_pool_3x3", "sep_conv_3x3"]},
        "strategy": settings,
        "training": {"batch_size": 32, "learning_rate": 0.01, "retrain_steps": 20},
        # the liveness RAM estimate: the RAM-penalty test sizes its budget between the two inputs'
        # networks, which the persistent part of the tflm estimate (it varies with the genotype) would blur
        "hardware": {"estimator": "liveness"},
    })
    return config
