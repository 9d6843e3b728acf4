import numpy as np
import pytest

from danas.errors import DataError
from engine.spec import resolve
from modalities.audio import speech_labels as sl
from modalities.audio.augment import augment_clips
from modalities.audio.modality import AudioModality
from modalities.audio.speech_commands import SpeechCommandsSource
from modalities.audio.wav import fit_length, read_wav, resample
from tests.modalities.fixtures import speech_tree, wav_bytes


def test_lists_make_speaker_disjoint_splits(tmp_path):
    source = SpeechCommandsSource(speech_tree(tmp_path / "sc"), "all35")
    train, validation, test = (source.index(s).records for s in ("train", "validation", "test"))
    assert [r.name for r in validation] == ["cat/cc33_nohash_0.wav", "no/cc33_nohash_0.wav", "yes/cc33_nohash_0.wav"]
    assert {r.name.split("/")[1].split("_")[0] for r in train} == {"aa11", "bb22"}
    assert {r.name for r in test}.isdisjoint({r.name for r in train})
    assert [r.label for r in validation] == [sl.WORDS.index(w) for w in ("cat", "no", "yes")]


def test_kws12_adds_silence_and_unknown(tmp_path):
    source = SpeechCommandsSource(speech_tree(tmp_path / "sc"), "kws12")
    train = source.index("train").records
    labels = [sl.KWS12[r.label] for r in train]
    assert labels.count("yes") == 2 and labels.count("no") == 2
    assert labels.count(sl.SILENCE) == 1 and labels.count(sl.UNKNOWN) == 1  # 10 % of 4, at least 1
    silence = next(r for r in train if r.label == sl.KWS12.index(sl.SILENCE))
    (position, (samples, rate)), = source.read("train", [silence])
    assert rate == 16000 and samples.shape == (16000,)


def test_custom_words_and_unknown(tmp_path):
    source = SpeechCommandsSource(speech_tree(tmp_path / "sc"), "custom", ("cat",))
    assert source.classes == ("cat", sl.UNKNOWN)
    labels = [r.label for r in source.index("train").records]
    assert labels.count(0) == 2 and labels.count(1) == 2


def test_official_test_set_layout(tmp_path):
    root = tmp_path / "sc"
    speech_tree(root)
    for folder in ("yes", sl.SILENCE, sl.UNKNOWN):
        (root / "official_test" / folder).mkdir(parents=True)
        (root / "official_test" / folder / "x_nohash_0.wav").write_bytes(wav_bytes(np.zeros(16000)))
    records = SpeechCommandsSource(root, "kws12").index("official_test").records
    assert sorted(sl.KWS12[r.label] for r in records) == sorted(["yes", sl.SILENCE, sl.UNKNOWN])


def test_the_official_test_set_never_trains_on_itself(tmp_path):
    from engine.spec import resolve
    from modalities.audio.modality import AudioModality

    alone = tmp_path / "speech_commands_test_set_v0.02"
    for folder in ("yes", "no", sl.SILENCE, sl.UNKNOWN):
        (alone / folder).mkdir(parents=True)
        (alone / folder / "x_nohash_0.wav").write_bytes(wav_bytes(np.zeros(16000)))
    for split in ("train", "validation", "test"):  # alone, it is no training tree
        with pytest.raises(DataError, match="official Speech Commands test set.*dataset.splits.test"):
            SpeechCommandsSource(alone, "kws12").index(split)

    def config(path, splits):
        return resolve({"dataset": {"source": "speech_commands", "path": str(path), "label_set": "kws12",
                                    "splits": splits, "cache_dir": str(tmp_path / "cache")},
                        "modality": {"type": "audio"}})[1]

    # beside a training tree, as its test split: train and validation from the tree, test from the folder
    root = speech_tree(tmp_path / "sc", words=("yes", "no", "up", "cat"),
                       speakers=tuple(f"s{i:03d}" for i in range(8)) + ("cc33", "dd44"))
    (root / "test_set").mkdir()
    for folder in ("yes", "no", sl.SILENCE, sl.UNKNOWN):
        (root / "test_set" / folder).mkdir()
        (root / "test_set" / folder / "t_nohash_0.wav").write_bytes(wav_bytes(np.zeros(16000)))
    modality = AudioModality(config(root, {"test": "test_set"}))
    modality.load()
    names = {split: {r.name for r in records} for split, records in modality._records.items()}
    assert all(name.startswith("test_set/") for name in names["test"]) and len(names["test"]) == 4
    assert not (names["train"] | names["validation"]) & names["test"]
    assert not any(name.startswith("test_set/") for name in names["train"] | names["validation"])
    with pytest.raises(DataError, match="train and test splits are both"):
        AudioModality(config(root, {"train": "test_set", "test": "test_set"})).load()


def test_missing_list_is_named(tmp_path):
    root = speech_tree(tmp_path / "sc")
    (root / "testing_list.txt").unlink()
    with pytest.raises(DataError, match="testing_list.txt: missing"):
        SpeechCommandsSource(root, "kws12").index("train")


def test_wav_round_trip_padding_and_resampling():
    samples, rate = read_wav(wav_bytes(np.full(8000, 0.5)))
    assert rate == 16000 and abs(samples.mean() - 0.5) < 1e-3
    assert fit_length(samples, 16000).shape == (16000,) and fit_length(samples, 16000)[-1] == 0
    tone = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)
    down = resample(tone, 16000, 8000)
    assert down.shape == (8000,)
    assert np.argmax(np.abs(np.fft.rfft(down))) == 440
    assert read_wav(b"RIFF not a wav") is None


def test_augmentation_is_seeded_and_bounded():
    clips = np.random.default_rng(0).uniform(-0.5, 0.5, (4, 16000)).astype(np.float32)
    noise = [np.ones(20000, np.float32)]
    a, b = augment_clips(clips, 16000, noise, 3), augment_clips(clips, 16000, noise, 3)
    assert np.array_equal(a, b) and not np.array_equal(a, clips)
    assert np.abs(a).max() <= 1.0


def audio_config(root, **dataset):
    _, config = resolve({"dataset": {"source": "speech_commands", "path": str(root), "label_set": "all35",
                                     "cache_dir": str(root.parent / "cache"), **dataset},
                         "modality": {"type": "audio", "window": [400, 640], "hop": [320], "mel_bins": [20],
                                      "n_mfcc": [10]}})
    return config


def test_modality_features_per_front_end(tmp_path):
    modality = AudioModality(audio_config(speech_tree(tmp_path / "sc")))
    info = modality.load()
    assert info.counts == {"train": 6, "validation": 3, "test": 3}
    configs = modality.data_configs()
    assert [c["window"] for c in configs] == [400, 640]
    train = modality.arrays("train", configs[0])
    assert train.x.shape == (12, 49, 10, 1)  # clean + augmented copies
    validation = modality.arrays("validation", configs[1])
    assert validation.x.shape == (3, 49, 10, 1) and validation.x.dtype == np.float32
    assert abs(float(np.mean(train.x))) < 0.2  # standardised with the training statistics
    assert modality.input_bytes(configs[0], 1) == 490
    assert modality.frontend_scratch_bytes(configs[0], 1) == 2 * 400 + 2 * 512 + 4 * 20


def test_missing_speech_data_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="no Speech Commands v0.02 tree found"):
        AudioModality(audio_config(tmp_path / "nothing")).load()
