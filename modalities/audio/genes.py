"""Audio data genes: the MFCC front-end (sample rate, window, hop, mel filters, coefficients)."""

from __future__ import annotations

from typing import Any


def audio_data_configs(
    sample_rates: tuple[int, ...],
    window_hops: tuple[tuple[int, int], ...],
    mel_bins: tuple[int, ...],
    n_mfcc: tuple[int, ...],
) -> list[dict[str, Any]]:
    """Every audio data configuration, in sorted order.

    Example:
        >>> audio_data_configs((16000,), ((480, 320),), (40,), (10,))
        [{'sample_rate': 16000, 'window': 480, 'hop': 320, 'mel_bins': 40, 'n_mfcc': 10}]
    """
    return [
        {"sample_rate": sr, "window": w, "hop": h, "mel_bins": m, "n_mfcc": c}
        for sr in sorted(sample_rates)
        for w, h in sorted(window_hops)
        for m in sorted(mel_bins)
        for c in sorted(n_mfcc)
    ]


def audio_key(config: dict[str, Any]) -> str:
    """A short stable name: 'sr16000-w480-h320-mel40-mfcc10'."""
    return (f"sr{config['sample_rate']}-w{config['window']}-h{config['hop']}"
            f"-mel{config['mel_bins']}-mfcc{config['n_mfcc']}")


def frame_count(clip_samples: int, window: int, hop: int) -> int:
    """MFCC frames of a clip with no padding (tf.signal.frame, pad_end=False).

    Example (the MLPerf Tiny KWS front-end, 49 frames):
        >>> frame_count(16000, 480, 320)
        49
    """
    return 1 + (clip_samples - window) // hop if clip_samples >= window else 0


def audio_input_shape(config: dict[str, Any], clip_seconds: float) -> tuple[int, int, int]:
    """(frames, coefficients, 1) of one MFCC feature map."""
    samples = int(round(clip_seconds * config["sample_rate"]))
    return (frame_count(samples, config["window"], config["hop"]), config["n_mfcc"], 1)
