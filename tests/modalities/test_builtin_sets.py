"""The built-in sets are written in the real formats and read by the real loaders."""

import numpy as np
import pytest

from engine.spec import resolve
from modalities.vision.builtin.person_dataset import generate_person_dataset
from modalities.vision.builtin.person_scene import draw_scene, luminance, recolor_keep_luminance
from modalities.vision.dataverse import DataverseSource
from modalities.vision.modality import VisionModality
from modalities.vision.wake_vision_labels import FIELDS


def test_recolouring_keeps_luminance_so_mannequins_match_people_in_mono():
    rng = np.random.default_rng(0)
    for _ in range(200):
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        new = recolor_keep_luminance(color, rng.uniform(0.3, 0.85), rng.uniform(0.5, 1))
        assert abs(luminance(new) - luminance(color)) < 1.0


def test_scenes_are_deterministic():
    a, labels_a = draw_scene(0, 5, 32)
    b, labels_b = draw_scene(0, 5, 32)
    assert np.array_equal(a, b) and labels_a == labels_b
    assert not np.array_equal(a, draw_scene(0, 6, 32)[0])


def test_person_set_is_a_dataverse_release(tmp_path):
    generate_person_dataset(tmp_path / "p", 60, seed=0, workers=1)
    source = DataverseSource(tmp_path / "p", None)
    train, test = source.index("train_quality").records, source.index("test").records
    assert len(train) == 42 and len(test) == 12
    assert set(test[0].fields) == set(FIELDS)
    for record in test:
        distance = [record.fields[k] for k in ("near", "medium_distance", "far")]
        assert sum(distance) == record.label  # one distance per person image, none otherwise
        assert sum(record.fields[k] for k in ("dark", "normal_lighting", "bright")) == 1


def test_builtin_person_through_the_modality(tmp_path):
    _, config = resolve({"dataset": {"source": "builtin_person", "builtin_size": 100, "cache_dir": str(tmp_path)},
                         "modality": {"resolutions": [16], "color": ["rgb"]}})
    modality = VisionModality(config)
    info = modality.load()
    assert info.builtin and info.format == "dataverse"
    assert modality.arrays("train", {"resolution": 16, "color": "rgb"}).x.shape == (70, 16, 16, 3)


def test_speech_set_is_a_speech_commands_tree(tmp_path):
    pytest.importorskip("espeakng_loader")
    from modalities.audio.builtin.speech_dataset import generate_speech_dataset, split_of
    from modalities.audio.speech_commands import SpeechCommandsSource

    generate_speech_dataset(tmp_path / "s", 400, seed=0, workers=1)
    root = tmp_path / "s"
    assert len(list((root / "_background_noise_").glob("*.wav"))) == 6
    source = SpeechCommandsSource(root, "kws12")
    splits = {s: source.index(s).records for s in ("train", "validation", "test")}
    speakers = {s: {r.name.split("/")[1].split("_")[0] for r in rs if not r.name.startswith("_")}
                for s, rs in splits.items()}
    assert speakers["train"].isdisjoint(speakers["validation"] | speakers["test"])
    assert all(split_of(s) == "validation" for s in speakers["validation"])
    (position, (samples, rate)), = source.read("train", splits["train"][:1])
    assert rate == 16000 and len(samples) == 16000 and np.abs(samples).max() > 0.05


def test_the_speech_set_is_the_same_whatever_the_workers(tmp_path, monkeypatch):
    """eSpeak NG seeds its voice noise from the clock and keeps state between words: the set
    seeds each clip and says each group of speakers in a fresh process of its own, so two
    generations, on one worker and on three, write the same bytes (unseeded, two generations on
    the same machine differed in their clips and their babble noise)."""
    pytest.importorskip("espeakng_loader")
    from modalities.audio.builtin import speech_dataset

    monkeypatch.setattr(speech_dataset, "SPEAKERS_PER_PROCESS", 4)  # 10 speakers: 3 groups and the noises
    speech_dataset.generate_speech_dataset(tmp_path / "one", 200, seed=0, workers=1)
    speech_dataset.generate_speech_dataset(tmp_path / "three", 200, seed=0, workers=3)
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*.wav"))
    assert len(files) == 10 * 20 + 6
    assert all((tmp_path / "one" / f).read_bytes() == (tmp_path / "three" / f).read_bytes() for f in files)
