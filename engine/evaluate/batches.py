"""Seeded training batches and fixed-size evaluation batches from a split's arrays."""

from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

from modalities.base import SplitArrays


def train_batches(split: SplitArrays, batch_size: int, seed: int, to_input: Callable) -> Iterator[tuple]:
    """Endless batches (x float32, y int32), reshuffled every epoch; same seed, same order."""
    rng = np.random.default_rng(seed)
    n = len(split.y)
    size = min(batch_size, n)
    while True:
        order = rng.permutation(n)
        for start in range(0, n - size + 1, size):
            index = np.sort(order[start:start + size])  # sorted reads are faster on a memmap
            yield to_input(split.x[index]), np.asarray(split.y[index], np.int32)


def eval_batches(split: SplitArrays, batch_size: int, to_input: Callable) -> Iterator[tuple]:
    """(x, y, valid count) batches of exactly `batch_size` (the last one padded), so one
    compiled evaluation step serves every split size."""
    n = len(split.y)
    for start in range(0, n, batch_size):
        x = to_input(split.x[start:start + batch_size])
        valid = len(x)
        if valid < batch_size:
            x = np.concatenate([x, np.zeros((batch_size - valid, *x.shape[1:]), x.dtype)])
        yield x, np.asarray(split.y[start:start + valid]), valid
