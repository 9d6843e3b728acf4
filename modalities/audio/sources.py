"""Picks the reader for an audio dataset spec: a Speech Commands tree, or the built-in
eSpeak NG set when the data is missing and the spec allows it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from danas.errors import DataError
from danas.config import DatasetConfig
from modalities.audio.builtin.speech_dataset import builtin_speech_folder
from modalities.audio.speech_commands import SpeechCommandsSource


@dataclass(frozen=True)
class OpenedAudioSource:
    source: SpeechCommandsSource
    root: Path
    builtin: bool


def open_audio_source(dataset: DatasetConfig, cache: Path, seed: int) -> OpenedAudioSource:
    """The reader for `dataset`.

    Raises:
        DataError: no Speech Commands tree at the path and `when_missing` is error.
    """
    root = Path(dataset.path) if dataset.path else None
    builtin = dataset.source == "builtin_speech" or not (
        root and root.is_dir() and SpeechCommandsSource.detect(root))
    if builtin and dataset.source == "speech_commands" and dataset.when_missing != "generate":
        raise DataError(f"{root or 'dataset.path (not set)'}: no Speech Commands v0.02 tree found; "
                        "expected <word>/<speaker>_nohash_<k>.wav folders with validation_list.txt "
                        "and testing_list.txt (or set dataset.when_missing: generate to use the "
                        "built-in stand-in)")
    if builtin:
        root = builtin_speech_folder(cache, dataset.builtin_size)
    source = SpeechCommandsSource(root, dataset.label_set or "kws12", tuple(dataset.words), seed)
    return OpenedAudioSource(source, root, builtin)
