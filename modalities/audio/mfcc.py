"""MFCC features in numpy, matching the MLPerf Tiny KWS front-end (`tf.signal`).

Frames of `window` samples every `hop` samples (no padding, tf.signal.frame), periodic Hann
window, FFT size = next power of two >= window, magnitude spectrum, mel filters as
tf.signal.linear_to_mel_weight_matrix (HTK mel 1127 ln(1 + f/700), 20-4000 Hz, the DC bin
weighted 0), log(mel + 1e-6), DCT-II with tf.signal.mfccs_from_log_mel_spectrograms' scaling
(divided by sqrt(2 * n_mels)), the first `n_mfcc` coefficients. Golden arrays made with
tf.signal itself are in tests/modalities/golden/ with the script that made them.
"""

from __future__ import annotations

import functools

import numpy as np

LOWER_HZ, UPPER_HZ = 20.0, 4000.0
LOG_OFFSET = 1e-6


def fft_size(window: int) -> int:
    """Next power of two >= window (tf.signal.stft's default fft_length)."""
    return 1 << (window - 1).bit_length()


def _hz_to_mel(hz):
    return 1127.0 * np.log1p(np.asarray(hz, np.float64) / 700.0)


@functools.lru_cache(maxsize=32)
def mel_matrix(n_mels: int, n_fft: int, sample_rate: int) -> np.ndarray:
    """[n_fft // 2 + 1, n_mels] triangular filters, as tf.signal.linear_to_mel_weight_matrix."""
    bins = n_fft // 2 + 1
    freqs = np.linspace(0.0, sample_rate / 2.0, bins)[1:]  # the DC bin gets weight 0
    spectrogram_mel = _hz_to_mel(freqs)[:, None]
    edges = np.linspace(_hz_to_mel(LOWER_HZ), _hz_to_mel(UPPER_HZ), n_mels + 2)
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    lower_slope = (spectrogram_mel - lower) / (center - lower)
    upper_slope = (upper - spectrogram_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(lower_slope, upper_slope))
    return np.pad(weights, [[1, 0], [0, 0]]).astype(np.float32)


@functools.lru_cache(maxsize=32)
def dct_matrix(n_mels: int, n_mfcc: int) -> np.ndarray:
    """[n_mels, n_mfcc] DCT-II basis times tf.signal's 1 / sqrt(2 n_mels) scaling."""
    k = np.arange(n_mfcc)[None, :]
    n = np.arange(n_mels)[:, None]
    basis = 2.0 * np.cos(np.pi * k * (2 * n + 1) / (2 * n_mels))
    return (basis / np.sqrt(2.0 * n_mels)).astype(np.float32)


@functools.lru_cache(maxsize=32)
def periodic_hann(window: int) -> np.ndarray:
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(window) / window)).astype(np.float32)


def mfcc(audio: np.ndarray, sample_rate: int, window: int, hop: int, mel_bins: int,
         n_mfcc: int) -> np.ndarray:
    """MFCCs of clips [..., samples] (float, about [-1, 1]) -> [..., frames, n_mfcc] float32.

    Example:
        >>> mfcc(np.zeros(16000), 16000, 480, 320, 40, 10).shape
        (49, 10)
    """
    audio = np.asarray(audio, np.float32)
    frames = 1 + (audio.shape[-1] - window) // hop
    index = np.arange(window)[None, :] + hop * np.arange(frames)[:, None]
    framed = audio[..., index] * periodic_hann(window)
    n_fft = fft_size(window)
    magnitude = np.abs(np.fft.rfft(framed, n=n_fft, axis=-1)).astype(np.float32)
    mel = magnitude @ mel_matrix(mel_bins, n_fft, sample_rate)
    return np.log(mel + LOG_OFFSET) @ dct_matrix(mel_bins, n_mfcc)
