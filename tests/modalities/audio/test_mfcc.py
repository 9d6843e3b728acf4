from pathlib import Path

import numpy as np
import pytest

from modalities.audio.genes import audio_input_shape, frame_count
from modalities.audio.mfcc import fft_size, mel_matrix, mfcc

GOLDEN = Path(__file__).parents[1] / "golden" / "mfcc_golden.npz"


def golden_cases():
    data = np.load(GOLDEN)
    for key in data.files:
        if key.startswith("mfcc_"):
            yield key


@pytest.mark.parametrize("key", list(golden_cases()))
def test_matches_tf_signal_golden_arrays(key):
    """Golden arrays were made by tf.signal (tests/modalities/golden/make_mfcc_golden.py)."""
    data = np.load(GOLDEN)
    rate, window, hop, mels, n = map(int, key.split("_")[1:])
    audio = data["audio"].astype(np.float32) / 32768.0
    if rate != 16000:
        audio = audio[:, ::2]
    expected = data[key]
    got = mfcc(audio, rate, window, hop, mels, n)
    assert got.shape == expected.shape
    # 1e-4 of the feature scale: both sides are float32, and log(mel + 1e-6) amplifies
    # rounding in near-silent bands.
    assert np.abs(got - expected).max() <= 1e-4 * np.abs(expected).max()


def test_mlperf_reference_shape():
    assert mfcc(np.zeros(16000), 16000, 480, 320, 40, 10).shape == (49, 10)
    assert audio_input_shape({"sample_rate": 16000, "window": 480, "hop": 320, "mel_bins": 40, "n_mfcc": 10}, 1.0) == (49, 10, 1)
    assert frame_count(16000, 640, 320) == 49 and frame_count(16000, 400, 160) == 98


def test_fft_size_and_mel_matrix():
    assert [fft_size(w) for w in (400, 480, 512, 640)] == [512, 512, 512, 1024]
    matrix = mel_matrix(40, 512, 16000)
    assert matrix.shape == (257, 40)
    assert (matrix[0] == 0).all()  # the DC bin carries no weight
    freqs = np.linspace(0, 8000, 257)
    assert (matrix[freqs > 4000] == 0).all()
