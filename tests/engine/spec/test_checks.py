"""Cross-field rules: each produces its own line, and all of them are reported together."""

import pytest

from danas.errors import SpecError
from engine.spec import resolve


def problems(data):
    with pytest.raises(SpecError) as err:
        resolve(data)
    return {p.path: p.message for p in err.value.problems}


AUDIO = {"type": "audio"}
SPEECH = {"source": "builtin_speech"}


def test_every_cross_field_problem_is_reported_at_once():
    found = problems({
        "dataset": {"source": "wake_vision"},
        "strategy": {"type": "differentiable", "epochs": 2, "warmup_epochs": 3},
        "training": {"final_steps": 50},
        "budget": {"max_evaluations": None},
    })
    assert set(found) >= {"dataset.path", "search_space.type", "strategy.warmup_epochs", "budget",
                          "training.final_steps"}
    assert "set training.retrain_steps instead" in found["training.final_steps"]


def test_hop_larger_than_window():
    found = problems({"modality": {**AUDIO, "window": [400], "hop": [200, 480]}, "dataset": SPEECH})
    assert "hop 480 > window 400" in found["modality.hop"]


def test_tied_window_hop_pairs_are_checked_too():
    found = problems({"modality": {**AUDIO, "window_hop_pairs": [[400, 500]]}, "dataset": SPEECH})
    assert "hop 500 > window 400" in found["modality.window_hop_pairs"]


def test_mfcc_count_at_most_mel_bins():
    found = problems({"modality": {**AUDIO, "mel_bins": [20], "n_mfcc": [30]}, "dataset": SPEECH})
    assert "expected <= the smallest mel_bins (20)" in found["modality.n_mfcc"]


def test_window_longer_than_the_clip():
    found = problems({"modality": {**AUDIO, "clip_seconds": 0.02, "window": [400], "hop": [100]},
                      "dataset": SPEECH})
    assert "expected <= 320 samples" in found["modality.window"]


def test_custom_words_needed_and_only_for_custom():
    assert "dataset.words" in problems({"modality": AUDIO, "dataset": {**SPEECH, "label_set": "custom"}})
    assert "dataset.words" in problems({"modality": AUDIO, "dataset": {**SPEECH, "words": ["marvin"]}})


def test_pinned_data_of_the_wrong_modality():
    found = problems({"modality": AUDIO, "dataset": SPEECH,
                      "strategy": {"data_aware": False, "pinned_data": {"resolution": 32}}})
    assert "not a audio data gene" in found["strategy.pinned_data.resolution"]


def test_tournament_larger_than_population():
    assert "strategy.tournament_size" in problems({"strategy": {"population": 3, "tournament_size": 4}})


def test_stage_depths_without_a_valid_architecture():
    found = problems({"search_space": {"stage_depths": {"stage3": [0], "stage4": [1]}}})
    assert "no valid architecture" in found["search_space.stage_depths"]


def test_darts_needs_the_differentiable_strategy():
    assert "strategy.type" in problems({"search_space": {"type": "darts"}})


def test_warmup_steps_need_a_warmup_schedule():
    assert "training.warmup_steps" in problems({"training": {"warmup_steps": 10}})


def test_a_positive_class_needs_the_positive_average():
    assert "objective.positive_class" in problems({"objective": {"positive_class": "person"}})  # macro default
    _, config = resolve({"objective": {"positive_class": "person", "average": "positive"}})
    assert config.objective.positive_class == "person"
