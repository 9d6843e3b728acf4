"""Keyword-spotting augmentation on waveforms (TF speech_commands tutorial, MLPerf Tiny):
time shift of up to +-100 ms, and background noise mixed in with probability 0.8 at a
volume of up to 0.1."""

from __future__ import annotations

import numpy as np

SHIFT_SECONDS = 0.1
NOISE_PROBABILITY = 0.8
NOISE_VOLUME = 0.1


def augment_clips(clips: np.ndarray, rate: int, noises: list[np.ndarray], seed: int) -> np.ndarray:
    """Returns an augmented copy of clips [N, samples] (float32); same seed, same result."""
    rng = np.random.default_rng(seed)
    out = np.zeros_like(clips)
    limit = int(SHIFT_SECONDS * rate)
    length = clips.shape[1]
    for i, clip in enumerate(clips):
        shift = int(rng.integers(-limit, limit + 1))
        if shift >= 0:
            out[i, shift:] = clip[: length - shift]
        else:
            out[i, :shift] = clip[-shift:]
        if noises and rng.random() < NOISE_PROBABILITY:
            noise = noises[rng.integers(len(noises))]
            start = int(rng.integers(0, len(noise) - length + 1))
            out[i] += rng.uniform(0, NOISE_VOLUME) * noise[start:start + length]
    return np.clip(out, -1.0, 1.0)
