"""What a finished run tells its user: skipped files and the objective reach every place they
are read (dataset.json, summary.json, the terminal, report.md), and piped output never elides
a number."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.modalities.fixtures import speech_tree

SPEAKERS = tuple(f"s{i:03d}" for i in range(10)) + ("cc33", "dd44")


@pytest.fixture(scope="module")
def piped_audio_run(tmp_path_factory):
    """A real-format Speech Commands tree with one corrupt clip in each split, searched by a
    `run-spec` whose stdout and stderr are pipes (as in a CI log or `| tee`)."""
    tmp = tmp_path_factory.mktemp("piped")
    root = speech_tree(tmp / "sc", words=("yes", "no", "up", "cat"), speakers=SPEAKERS)
    for clip in ("yes/s000_nohash_0.wav", "no/s001_nohash_0.wav", "yes/cc33_nohash_0.wav", "up/dd44_nohash_0.wav"):
        (root / clip).write_bytes(b"RIFF....WAVEfmt garbage")
    spec = tmp / "piped.yaml"
    spec.write_text(
        "name: piped\nseed: 0\n"
        f"dataset: {{source: speech_commands, path: {root}, label_set: custom, words: [yes, no, up],"
        f" cache_dir: {tmp / 'cache'}}}\n"
        "modality: {type: audio, window: [480], hop: [320], mel_bins: [40], n_mfcc: [10]}\n"
        # the smoke specs' shallow space: half the compile time of the full one
        "search_space: {alphas: [0.25], stage_depths: {stage3: [1, 2], stage4: [0, 1], stage5: [0, 1],"
        " stage6: [0, 1], stage7: [0, 1]}}\nstrategy: {type: random}\n"
        "training: {pretrain_steps: 1, finetune_steps: 1, batch_size: 8}\n"
        f"budget: {{max_evaluations: 1}}\noutput: {{root: {tmp / 'runs'}}}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "engine.cli", str(spec)], cwd=REPO, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    (bundle,) = (tmp / "runs").iterdir()
    return {"bundle": bundle, "stdout": result.stdout, "stderr": result.stderr}


@pytest.mark.slow
def test_skipped_files_reach_the_bundle_the_terminal_and_the_report(piped_audio_run):
    bundle = piped_audio_run["bundle"]
    expected = {"train": 2, "validation": 1, "test": 1}
    assert json.loads((bundle / "dataset.json").read_text())["skipped"] == expected
    assert json.loads((bundle / "summary.json").read_text())["skipped_files"] == expected
    sentence = "skipped unreadable files: train 2, validation 1, test 1"
    assert sentence in piped_audio_run["stderr"]
    assert sentence in (bundle / "report.md").read_text() and sentence in (bundle / "report.txt").read_text()


@pytest.mark.slow
def test_piped_output_prints_every_number_and_says_which_objective(piped_audio_run):
    out = piped_audio_run["stdout"]
    assert "…" not in out and "sr16000-w480-h320-mel40-mfcc10" in out
    summary = json.loads((piped_audio_run["bundle"] / "summary.json").read_text())
    pareto = json.loads((piped_audio_run["bundle"] / "pareto.json").read_text())
    accuracy = f"{pareto[0]['trial']['metrics']['accuracy']:.3f}"
    assert accuracy in out  # the validation accuracy of the one system, not 'val 0.…'
    assert summary["objective"]["average"] == "macro" and summary["objective"]["positive_class"] is None
    assert "precision and recall macro-averaged over the classes" in out
    assert "macro-averaged" in (piped_audio_run["bundle"] / "report.md").read_text()
