"""Google Speech Commands v0.02, as extracted from speech_commands_v0.02.tar.gz.

`<root>/<word>/<speaker>_nohash_<k>.wav`; `validation_list.txt` and `testing_list.txt` name
the validation and test clips, and train is every other clip (the lists come from a hash of
the speaker, so splits are speaker-disjoint). `_background_noise_/` holds long noise files,
used for silence examples and augmentation. The separate official test set
(speech_commands_test_set_v0.02) keeps 12 folders including `_silence_/` and `_unknown_/`:
a split folder in that layout inside the training tree (dataset.splits.test naming it) is read
as it stands; the test set alone, with no training tree, is refused (it would train on itself).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from danas.errors import DataError
from modalities.audio import speech_labels as sl
from modalities.audio.wav import read_wav, resample
from modalities.base import Record, SplitIndex
from modalities.sampling import balanced_sample

LIST_FILES = {"validation": "validation_list.txt", "test": "testing_list.txt"}
NOISE_DIR = "_background_noise_"


class SpeechCommandsSource:
    """Reads one Speech Commands tree for a label set (kws12, all35 or custom words)."""

    def __init__(self, root: Path, label_set: str, words: tuple[str, ...] = (), seed: int = 0):
        self.root = Path(root)
        self.classes = sl.label_set(label_set, words)
        self.label_set = label_set
        self.seed = seed
        self._noise: list[np.ndarray] | None = None

    @staticmethod
    def detect(root: Path) -> bool:
        root = Path(root)
        return (root / "validation_list.txt").is_file() or (root / sl.SILENCE).is_dir() \
            or any(root.glob("*/*_nohash_*.wav"))

    def index(self, split: str) -> SplitIndex:
        folder = self.root / split
        if (folder / sl.SILENCE).is_dir() or (folder / sl.UNKNOWN).is_dir():
            return self._index_test_set(folder, split)
        if (self.root / sl.SILENCE).is_dir() and not (self.root / "validation_list.txt").exists():
            # The official test set alone: used for every split it would train on its own test clips.
            raise DataError(f"{self.root}: this is the separate official Speech Commands test set (_silence_/ "
                            "and _unknown_/ folders), which can only be a test split; point dataset.path at the "
                            "extracted speech_commands_v0.02 training tree and put this folder inside it, named "
                            f"as dataset.splits.test (e.g. {self.root.name}, with dataset.splits.test: "
                            f"{self.root.name})")
        return self._index_with_lists(split)

    def _index_with_lists(self, split: str) -> SplitIndex:
        lists = {name: self._read_list(name) for name in LIST_FILES}
        held_out = lists["validation"] | lists["test"]
        clips = sorted(p.relative_to(self.root).as_posix() for p in self.root.glob("*/*.wav")
                       if p.parent.name != NOISE_DIR and not p.parent.name.startswith("_"))
        if not clips:
            raise DataError(f"{self.root}: no word folders with .wav clips; expected the extracted "
                            "speech_commands_v0.02 tree (<word>/<speaker>_nohash_<k>.wav)")
        if split in LIST_FILES:
            chosen = [c for c in clips if c in lists[split]]
        elif split == "train":
            chosen = [c for c in clips if c not in held_out]
        else:
            raise DataError(f"{self.root}: unknown split {split!r}; expected train, validation or test")
        return self._label(chosen, split)

    def _read_list(self, split: str) -> set[str]:
        path = self.root / LIST_FILES[split]
        if not path.is_file():
            raise DataError(f"{path}: missing; expected the split list of Speech Commands v0.02")
        return {line.strip() for line in path.read_text().splitlines() if line.strip()}

    def _label(self, clips: list[str], split: str) -> SplitIndex:
        index = {name: i for i, name in enumerate(self.classes)}
        unknown = index.get(sl.UNKNOWN)
        known, others, ignored = [], [], 0
        for clip in clips:
            word = clip.split("/")[0]
            if word in index:
                known.append(Record(clip, index[word]))
            elif unknown is not None:
                others.append(Record(clip, unknown))
            else:
                ignored += 1
        extra = self._extra_count(len(known))
        chosen_unknown = balanced_sample(others, extra, self.seed) if unknown is not None else []
        silence = []
        if sl.SILENCE in index:
            silence = [Record(f"{sl.SILENCE}/{split}-{i:05d}", index[sl.SILENCE]) for i in range(extra)]
        dropped = {"words outside the label set": ignored + len(others) - len(chosen_unknown)}
        return SplitIndex(known + chosen_unknown + silence, {k: v for k, v in dropped.items() if v})

    def _extra_count(self, keywords: int) -> int:
        """How many silence / unknown examples go with `keywords` keyword examples."""
        if self.label_set == "kws12":
            return max(1, int(round(sl.KWS12_EXTRA_FRACTION * keywords)))
        return keywords if self.label_set == "custom" else 0

    def _index_test_set(self, folder: Path, split: str) -> SplitIndex:
        index = {name: i for i, name in enumerate(self.classes)}
        records, ignored = [], 0
        for path in sorted(folder.glob("*/*.wav")):
            word = path.parent.name
            if word in index:
                records.append(Record(path.relative_to(self.root).as_posix(), index[word]))
            else:
                ignored += 1
        return SplitIndex(records, {"folders outside the label set": ignored} if ignored else {})

    def read(self, split: str, records: Sequence[Record]) -> Iterator[tuple[int, tuple[np.ndarray, int] | None]]:
        """Yields (position, (samples, rate)) or (position, None) for an unreadable file."""
        for position, record in enumerate(records):
            if record.name.startswith(f"{sl.SILENCE}/") and not (self.root / record.name).is_file():
                yield position, (self._silence(record.name), 16000)
                continue
            try:
                data = (self.root / record.name).read_bytes()
            except OSError:
                yield position, None
                continue
            yield position, read_wav(data)

    def noise(self) -> list[np.ndarray]:
        """The background-noise recordings at 16 kHz (empty if the folder is missing)."""
        if self._noise is None:
            self._noise = []
            for path in sorted((self.root / NOISE_DIR).glob("*.wav")):
                decoded = read_wav(path.read_bytes())
                if decoded is not None and len(decoded[0]) >= 16000:
                    self._noise.append(resample(decoded[0], decoded[1], 16000))
        return self._noise

    def _silence(self, name: str) -> np.ndarray:
        """A 1 s window of background noise at a random level; zeros if there is no noise."""
        rng = np.random.default_rng([self.seed, int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)])
        noise = self.noise()
        if not noise:
            return np.zeros(16000, np.float32)
        clip = noise[rng.integers(len(noise))]
        start = rng.integers(len(clip) - 16000 + 1)
        return clip[start:start + 16000] * rng.uniform(0.0, 1.0)

    def files(self) -> list[Path]:
        return sorted([*self.root.glob("*/*.wav"), *self.root.glob("*.txt"), *self.root.glob("*/*/*.wav")])
