"""The audio modality: keyword spotting on Speech Commands-style data.

Data genes are the MFCC front-end (sample rate, window, hop, mel filters, coefficients). Each
split is decoded once into 1 s waveforms at the highest sample rate searched; each front-end
configuration is computed from them once. Training examples are kept twice, clean and
augmented (time shift, background noise), since augmentation acts on the waveform. Features
are standardised per coefficient with the training split's statistics. Both levels are cached
on disk, keyed by the dataset fingerprint.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from modalities.audio.config import AudioConfig
from danas.errors import Problem
from modalities.audio import wav
from modalities.audio.augment import augment_clips
from modalities.audio.genes import audio_data_configs, audio_input_shape, audio_key
from modalities.audio.mfcc import fft_size, mfcc
from modalities.audio.sources import open_audio_source
from modalities.base import CachedModality, SplitArrays
from modalities.cache import cache_key, cached_arrays
from modalities.dataset_info import DatasetInfo, check_corrupt, index_splits
from modalities.fingerprint import fingerprint

CACHE_VERSION = 1
PEAK_FLOOR = 1e-4  # clips are peak-normalised (MLPerf Tiny); digital silence stays silent


class AudioModality(CachedModality):
    """Loads a keyword-spotting dataset and serves MFCC features per front-end configuration."""

    name = "audio"
    space_type = AudioConfig
    sources = ("speech_commands", "builtin_speech")
    builtin_sources = ("builtin_speech",)
    gene_names = ("sample_rate", "window", "hop", "mel_bins", "n_mfcc")

    @classmethod
    def space_configs(cls, space: AudioConfig) -> list[dict[str, Any]]:
        return audio_data_configs(space.sample_rate, space.window_hops(), space.mel_bins, space.n_mfcc)

    @classmethod
    def gene_values(cls, space: AudioConfig) -> dict[str, tuple]:
        pairs = space.window_hops()
        return {"sample_rate": space.sample_rate, "window": tuple(w for w, _ in pairs),
                "hop": tuple(h for _, h in pairs), "mel_bins": space.mel_bins, "n_mfcc": space.n_mfcc}

    @classmethod
    def space_detail(cls, space: AudioConfig) -> str:
        return (f"{len(space.sample_rate)} sample rates x {len(space.window_hops())} (window, hop) pairs x "
                f"{len(space.mel_bins)} mel sizes x {len(space.n_mfcc)} MFCC counts")

    @classmethod
    def reference_data(cls, section: dict[str, Any]) -> dict[str, Any]:
        """The first value of each front-end setting as written (the first (window, hop) pair)."""
        pairs = section["window_hop_pairs"] or [[section["window"][0], section["hop"][0]]]
        return {"sample_rate": section["sample_rate"][0], "window": pairs[0][0], "hop": pairs[0][1],
                "mel_bins": section["mel_bins"][0], "n_mfcc": section["n_mfcc"][0]}

    @classmethod
    def problems(cls, config: Any) -> Iterator[Problem]:
        """Front-ends that cannot work: hops over their window, more MFCCs than mel bands, windows
        longer than the clip."""
        audio = config.modality
        where = "modality.window_hop_pairs" if audio.window_hop_pairs else "modality.hop"
        for window, hop in audio.window_hops():
            if hop > window:
                yield Problem(where, f"hop {hop} > window {window}; every hop must be <= its "
                              "window, or frames would skip samples")
        for coefficients in audio.n_mfcc:
            if coefficients > min(audio.mel_bins):
                yield Problem("modality.n_mfcc", f"received {coefficients}; expected <= the "
                              f"smallest mel_bins ({min(audio.mel_bins)}): MFCCs are a DCT of the mel bands")
        shortest = int(audio.clip_seconds * min(audio.sample_rate))
        for window, _ in audio.window_hops():
            if window > shortest:
                yield Problem("modality.window", f"received {window}; expected <= {shortest} "
                              "samples, the clip length at the lowest sample rate")

    key = staticmethod(audio_key)

    def input_shape(self, data_config: dict[str, Any]) -> tuple[int, int, int]:
        return audio_input_shape(data_config, self.space.clip_seconds)

    def input_bytes(self, data_config: dict[str, Any], bytes_per_value: int) -> int:
        """The MFCC feature map the model reads, held whole in RAM."""
        return int(np.prod(self.input_shape(data_config))) * bytes_per_value

    def frontend_scratch_bytes(self, data_config: dict[str, Any], bytes_per_value: int) -> int:
        """RAM of a streaming MFCC front-end while it runs: one frame of int16 samples, an int16
        FFT buffer of the FFT size (CMSIS-DSP q15 real FFT) and int32 mel energies."""
        return 2 * data_config["window"] + 2 * fft_size(data_config["window"]) + 4 * data_config["mel_bins"]

    def load(self) -> DatasetInfo:
        opened = open_audio_source(self.config.dataset, self.cache, self.config.seed)
        names = {"train": self.config.dataset.splits.train or "train",
                 "validation": self.config.dataset.splits.validation,
                 "test": self.config.dataset.splits.test}
        self._records, dropped = index_splits(opened.source, names, self.config.dataset, self.config.seed)
        self._opened = opened
        self.info = DatasetInfo(
            source=self.config.dataset.source, format="speech_commands", root=str(opened.root),
            # a built-in set's version is in its folder's name; its WAVs all have one size
            builtin=opened.builtin, fingerprint=fingerprint(opened.root, opened.source.files(),
                                                            opened.root.name if opened.builtin else ""),
            classes=opened.source.classes, split_names=names,
            counts={s: len(r) for s, r in self._records.items()}, dropped=dropped)
        return self.info

    @staticmethod
    def augmentation():
        """None: audio is augmented on the waveform (shift, noise) before features are cached."""
        return None

    def arrays(self, split: str, data_config: dict[str, Any]) -> SplitArrays:
        """Standardised MFCCs [N, frames, n_mfcc, 1] (float32) and int32 labels."""
        source = self._source_waves(split)
        stats = self._train_stats(data_config) if split != "train" else None
        key = cache_key(source=bytes(source["key"]).decode(), config=data_config, split=split)

        def build():
            features, labels = self._features(source, data_config, augment=split == "train")
            mean, std = stats or (features.mean(axis=(0, 1)), features.std(axis=(0, 1)) + 1e-6)
            return {"x": ((features - mean) / std)[..., None].astype(np.float32), "y": labels,
                    "mean": mean, "std": std}

        arrays = cached_arrays(self.cache / "audio", key, build)
        return SplitArrays(arrays["x"], arrays["y"], skipped=self.info.skipped.get(split, 0))

    @staticmethod
    def to_model_input(x: np.ndarray) -> np.ndarray:
        return np.asarray(x, np.float32)

    def preprocessing(self, data_config: dict[str, Any]) -> dict[str, Any]:
        """Exactly how to turn a microphone clip into this model's input."""
        mean, std = self._train_stats(data_config)
        return {
            "modality": "audio", **data_config, "clip_seconds": self.space.clip_seconds,
            "input_shape": list(self.input_shape(data_config)), "fft_size": fft_size(data_config["window"]),
            "steps": ["resample to sample_rate; pad with zeros or cut to clip_seconds",
                      "divide by the clip's peak |x| (at least 1e-4)",
                      "frames of window samples every hop samples, no padding; periodic Hann window",
                      "magnitude of the real FFT of fft_size points",
                      "mel filters (HTK mel, 20-4000 Hz, DC bin 0), as tf.signal.linear_to_mel_weight_matrix",
                      "log(mel + 1e-6); DCT-II / sqrt(2 mel_bins); keep n_mfcc coefficients",
                      "standardise each coefficient: (x - mean) / std"],
            "mean": [round(float(v), 6) for v in mean], "std": [round(float(v), 6) for v in std],
        }

    def _train_stats(self, data_config):
        train = self.arrays("train", data_config)
        key = cache_key(source=bytes(self._source_waves("train")["key"]).decode(), config=data_config, split="train")
        arrays = cached_arrays(self.cache / "audio", key, lambda: {})
        del train
        return np.asarray(arrays["mean"]), np.asarray(arrays["std"])

    def _features(self, source, data_config, augment: bool):
        rate = data_config["sample_rate"]
        clips = wav.resample(np.asarray(source["x"], np.float32) / 32767.0, self._storage_rate(), rate)
        labels = np.asarray(source["y"])
        if augment:
            noises = [wav.resample(n, 16000, rate) for n in self._opened.source.noise()]
            clips = np.concatenate([clips, augment_clips(clips, rate, noises, self.config.seed)])
            labels = np.concatenate([labels, labels])
        peak = np.maximum(np.abs(clips).max(axis=1, keepdims=True), PEAK_FLOOR)
        features = np.concatenate([
            mfcc(chunk, rate, data_config["window"], data_config["hop"], data_config["mel_bins"],
                 data_config["n_mfcc"]) for chunk in np.array_split(clips / peak, max(1, len(clips) // 512))])
        return features, labels

    def _storage_rate(self) -> int:
        return max(self.space.sample_rate)

    def _decoded(self, split: str) -> dict[str, np.ndarray]:
        return self._source_waves(split)

    def _source_waves(self, split: str) -> dict[str, np.ndarray]:
        if self.info is None:
            self.load()
        records = self._records[split]
        rate = self._storage_rate()
        length = int(round(self.space.clip_seconds * rate))
        key = cache_key(version=CACHE_VERSION, data=self.info.fingerprint, split=self.info.split_names[split],
                        names=[r.name for r in records], rate=rate, length=length)

        def build():
            waves = np.zeros((len(records), length), np.int16)
            found = np.zeros(len(records), bool)
            for position, decoded in self._opened.source.read(self.info.split_names[split], records):
                if decoded is not None:
                    samples = wav.fit_length(wav.resample(decoded[0], decoded[1], rate), length)
                    waves[position] = np.round(np.clip(samples, -1, 1) * 32767).astype(np.int16)
                    found[position] = True
            check_corrupt(self.info.split_names[split], int((~found).sum()), len(records))
            labels = np.array([r.label for r in records], np.int32)
            return {"x": waves[found], "y": labels[found], "key": np.frombuffer(key.encode(), np.uint8),
                    "skipped": np.array([(~found).sum()])}

        arrays = cached_arrays(self.cache / "audio", key, build)
        self.info.skipped[split] = int(arrays["skipped"][0])
        return arrays
