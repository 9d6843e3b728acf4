"""Faults during a run: kills at random moments, torn records, damaged checkpoints, numerical
and memory failures. None loses or duplicates a finished candidate."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from danas.errors import DataError, FatalError
from engine.spec import resolve
from tests.smoke_runs import only_run, small_pool, trials


@pytest.mark.slow
def test_damaged_supernet_checkpoint_is_detected_and_retrained(baseline, tmp_path, capsys):
    tmp, expected = baseline
    # a copy of the finished run and of its cache, so the shared fixture stays intact
    run, cache = tmp_path / "run", tmp_path / "cache"
    shutil.copytree(only_run(tmp / "base"), run)
    shutil.copytree(tmp / "cache", cache)
    resolved = json.loads((run / "spec.resolved.json").read_text())
    resolved["dataset"]["cache_dir"] = str(cache)
    (run / "spec.resolved.json").write_text(json.dumps(resolved))
    pareto_before = json.loads((run / "pareto.json").read_text())
    for checkpoint in [*run.glob("supernets/*.npz"), *(cache / "supernets").glob("*.npz")]:
        data = bytearray(checkpoint.read_bytes())
        data[len(data) // 2] ^= 0xFF
        checkpoint.write_bytes(bytes(data))
    from engine.cli import main

    assert main(["--resume", str(run), "-q"]) == 0
    assert "is damaged (SHA-256 mismatch)" in capsys.readouterr().err
    assert trials(run) == expected
    pareto_after = json.loads((run / "pareto.json").read_text())
    assert [p["test_metrics"] for p in pareto_after] == [p["test_metrics"] for p in pareto_before]


def test_diverging_supernet_stops_the_run_with_advice(tmp_path, monkeypatch):
    import jax.numpy as jnp

    from engine.evaluate import supernets

    pool, _, space = small_pool(tmp_path, learning_rate=0.5)
    original = supernets.SupernetPool._pretrain

    def poisoned(self, net, configs):
        net.trainable = [jnp.full_like(net.trainable[0], jnp.nan), *net.trainable[1:]]
        return original(self, net, configs)

    monkeypatch.setattr(supernets.SupernetPool, "_pretrain", poisoned)
    with pytest.raises(FatalError, match=r"diverged .* lower training.learning_rate \(now 0.5\)"):
        pool.get(space.data_configs[0])


def test_out_of_memory_is_a_failed_candidate_with_batch_size_advice(tmp_path, monkeypatch):
    pool, evaluator, space = small_pool(tmp_path)

    def exhausted(*args, **kwargs):
        raise RuntimeError("RESOURCE_EXHAUSTED: Out of memory while trying to allocate 9 GiB")

    monkeypatch.setattr(pool, "get", exhausted)
    result = evaluator.evaluate(space.sample(np.random.default_rng(0)), 0)
    assert result.status == "failed" and "lower training.batch_size (now 16)" in result.reason
    assert "--set training.batch_size=8" in result.reason


def test_corrupt_wav_is_skipped_and_counted(tmp_path):
    from modalities.audio.modality import AudioModality
    from tests.modalities.fixtures import speech_tree

    root = speech_tree(tmp_path / "sc", words=("yes", "no", "cat", "dog", "up"),
                       speakers=tuple(f"s{i:03d}" for i in range(12)) + ("cc33", "dd44"))
    (root / "yes" / "s000_nohash_0.wav").write_bytes(b"RIFF....WAVEfmt garbage")
    _, config = resolve({"dataset": {"source": "speech_commands", "path": str(root), "label_set": "all35",
                                     "cache_dir": str(tmp_path / "cache")},
                         "modality": {"type": "audio", "window": [400], "hop": [320], "mel_bins": [20],
                                      "n_mfcc": [10]}})
    modality = AudioModality(config)
    modality.load()
    arrays = modality.arrays("train", modality.data_configs()[0])
    assert arrays.skipped == 1 and len(arrays.y) == len(arrays.x) == 2 * (5 * 12 - 1)  # clean + augmented copies


def test_empty_dataset_names_the_split(tmp_path):
    from modalities.vision.modality import VisionModality

    for split in ("train", "validation", "test"):
        (tmp_path / "data" / split / "0").mkdir(parents=True)
    _, config = resolve({"dataset": {"source": "image_folder", "path": str(tmp_path / "data"),
                                     "cache_dir": str(tmp_path / "cache")}})
    with pytest.raises(DataError, match="split 'train' is empty"):
        VisionModality(config).load()


def test_unwritable_output_stops_before_the_search(tmp_path, capsys):
    from engine.cli import main
    from tests.conftest import SPECS

    (tmp_path / "not-a-folder").write_text("x")
    code = main([str(SPECS / "smoke" / "wakevision_smoke.yaml"), "--set", f"output.root={tmp_path / 'not-a-folder'}",
                 "--set", f"dataset.cache_dir={tmp_path / 'cache'}"])
    assert code == 1
    err = capsys.readouterr().err
    assert "cannot write the run folder" in err and "set output.root to a writable folder" in err
    assert not (tmp_path / "cache" / "builtin").exists()  # stopped before any data work
