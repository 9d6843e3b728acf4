"""Makes mfcc_golden.npz with TensorFlow's tf.signal, the MLPerf Tiny KWS front-end.

Run once in a throwaway environment that has TensorFlow (danas itself never needs it):
    python -m venv /tmp/tf && /tmp/tf/bin/pip install tensorflow-cpu numpy
    /tmp/tf/bin/python tests/modalities/golden/make_mfcc_golden.py
The pipeline is MLPerf Tiny's keyword_spotting/get_dataset.py: stft (hann_window, periodic),
magnitude, linear_to_mel_weight_matrix(n_mels, bins, sr, 20, 4000), log(x + 1e-6),
mfccs_from_log_mel_spectrograms, first n_mfcc coefficients.
"""

from pathlib import Path

import numpy as np
import tensorflow as tf

CONFIGS = [(16000, 480, 320, 40, 10), (16000, 640, 320, 40, 10), (16000, 400, 160, 40, 10),
           (16000, 400, 100, 80, 13), (8000, 256, 128, 20, 8)]


def clips() -> np.ndarray:
    """Three deterministic 1 s clips: a chirp with harmonics, noise bursts, a vowel-like buzz."""
    rng = np.random.default_rng(1234)
    t = np.arange(16000) / 16000
    chirp = 0.5 * np.sin(2 * np.pi * (200 + 1500 * t) * t) + 0.2 * np.sin(2 * np.pi * (400 + 3000 * t) * t)
    bursts = rng.normal(0, 0.3, 16000) * (np.sin(2 * np.pi * 3 * t) > 0.5)
    buzz = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate([150, 300, 450, 700, 1100], 1))
    buzz = 0.4 * buzz / np.abs(buzz).max() * np.exp(-((t - 0.5) ** 2) / 0.05)
    # Every clip has a noise floor: a mel band at exactly zero energy makes log(mel + 1e-6)
    # depend on float32 rounding in any implementation, TensorFlow included.
    floor = rng.normal(0, 0.003, (3, 16000))
    audio = np.stack([chirp, bursts, buzz]) + floor
    return np.round(np.clip(audio, -1, 1) * 32767).astype(np.int16)


def tf_mfcc(audio, sample_rate, window, hop, mel_bins, n_mfcc):
    stft = tf.signal.stft(audio, frame_length=window, frame_step=hop, fft_length=None,
                          window_fn=tf.signal.hann_window)
    magnitude = tf.abs(stft)
    bins = stft.shape[-1]
    matrix = tf.signal.linear_to_mel_weight_matrix(mel_bins, bins, sample_rate, 20.0, 4000.0)
    mel = tf.tensordot(magnitude, matrix, 1)
    log_mel = tf.math.log(mel + 1e-6)
    return tf.signal.mfccs_from_log_mel_spectrograms(log_mel)[..., :n_mfcc].numpy()


def main() -> None:
    audio = clips()
    out = {"audio": audio}
    for sr, window, hop, mels, n in CONFIGS:
        x = audio.astype(np.float32) / 32768.0
        if sr != 16000:
            x = x[:, ::2]
        out[f"mfcc_{sr}_{window}_{hop}_{mels}_{n}"] = tf_mfcc(tf.constant(x), sr, window, hop, mels, n)
    path = Path(__file__).with_name("mfcc_golden.npz")
    np.savez_compressed(path, **out)
    print(f"wrote {path} with tensorflow {tf.__version__}")


if __name__ == "__main__":
    main()
