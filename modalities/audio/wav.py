"""WAV files in and out (PCM 8/16/32-bit, mono or first channel), and resampling, in numpy."""

from __future__ import annotations

import io
import wave

import numpy as np

_DTYPES = {1: np.uint8, 2: np.int16, 4: np.int32}


def read_wav(data: bytes) -> tuple[np.ndarray, int] | None:
    """(float32 samples in [-1, 1], sample rate), or None if the bytes are not a PCM WAV."""
    try:
        with wave.open(io.BytesIO(data)) as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError, ValueError):
        return None
    if width not in _DTYPES or channels < 1 or rate <= 0:
        return None
    samples = np.frombuffer(frames[: len(frames) - len(frames) % (width * channels)], _DTYPES[width])
    samples = samples.reshape(-1, channels)[:, 0].astype(np.float32)
    if width == 1:
        return (samples - 128.0) / 128.0, rate
    return samples / float(2 ** (8 * width - 1)), rate


def write_wav(samples: np.ndarray, rate: int) -> bytes:
    """float samples in [-1, 1] -> 16-bit mono PCM WAV bytes."""
    pcm = np.clip(np.round(np.asarray(samples) * 32767), -32768, 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return buffer.getvalue()


def fit_length(samples: np.ndarray, length: int) -> np.ndarray:
    """Zero-pads at the end, or cuts, to exactly `length` samples (Speech Commands: 1 s)."""
    if len(samples) >= length:
        return samples[:length]
    return np.pad(samples, (0, length - len(samples)))


def resample(samples: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """Band-limited resampling along the last axis (FFT method, as scipy.signal.resample)."""
    if rate == new_rate:
        return samples
    n = samples.shape[-1]
    m = int(round(n * new_rate / rate))
    spectrum = np.fft.rfft(samples, axis=-1)
    keep = min(spectrum.shape[-1], m // 2 + 1)
    out = np.zeros(samples.shape[:-1] + (m // 2 + 1,), complex)
    out[..., :keep] = spectrum[..., :keep]
    return (np.fft.irfft(out, n=m, axis=-1) * (m / n)).astype(np.float32)
