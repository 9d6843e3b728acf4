"""Supernet sharing: one supernet pre-trained once for every data configuration (the default),
or one per data configuration (the paper's rule, training.supernets: per_configuration).

Shapes are the smoke runs' (16 px mono and rgb, 8 and 16 px rgb), so their programs are shared."""

from __future__ import annotations

import pytest

from tests.smoke_runs import smoke_pool


def watched_pool(tmp_path, *overrides):
    """The smoke pool with `overrides`; the names it saves and the progress it says."""
    pool, _, space = smoke_pool(tmp_path, *overrides)
    saved, said = [], []
    pool.save = lambda name, data: saved.append(name)
    pool.progress = said.append
    return pool, space, saved, said


def test_a_shared_supernet_is_pretrained_once_for_every_data_configuration(tmp_path):
    pool, space, saved, said = watched_pool(tmp_path, "modality.resolutions=[16]")
    mono, rgb = (pool.get(data) for data in space.data_configs)  # sorted: mono first
    assert [name.split("-")[0] for name in saved] == ["shared"]
    assert said == ["pre-training the supernet for shared (4 steps, sandwich, 2 data configurations)"]
    assert mono.whole is rgb.whole and mono.trainable is rgb.trainable
    assert mono.pretrain_seconds > 0 and rgb.pretrain_seconds == 0  # charged once, to the first
    # each colour is searched in its widest subnet: mono at 1/3 of the supernet's width, its
    # one channel repeated to the supernet's three
    assert rgb.model is rgb.whole and mono.model.width == pytest.approx(rgb.whole.width / 3, rel=1e-5)
    grey = pool.modality.to_model_input(pool.modality.arrays("train", mono.data).x[:2])
    assert grey.shape == (2, 16, 16, 1) and mono.model_input(grey).shape == (2, 16, 16, 3)


def test_per_configuration_supernets_are_the_papers_rule(tmp_path):
    pool, space, saved, _ = watched_pool(tmp_path, "modality.resolutions=[8,16]", "modality.color=[rgb]",
                                         "training.supernets=per_configuration")
    small, large = (pool.get(data) for data in space.data_configs)
    assert [name.split("-")[0] for name in saved] == ["8px", "16px"]
    assert small.whole is not large.whole and (small.whole.input_dims, large.whole.input_dims) == ((8, 8, 3),
                                                                                                   (16, 16, 3))
    assert small.pretrain_seconds > 0 and large.pretrain_seconds > 0


def test_a_run_started_before_shared_supernets_resumes_with_one_per_configuration(tmp_path):
    """Its resolved spec has no training.supernets (nor strategy.initial_population): resumed, it
    keeps the rules it was run with."""
    import json
    import shutil

    from engine.spec import load_bundle_spec, load_spec
    from tests.smoke_runs import SMOKE

    resolved = load_spec(SMOKE).resolved
    assert resolved["training"].pop("supernets") == "shared"
    assert resolved["strategy"].pop("initial_population") == "stratified"
    shutil.copy(SMOKE, tmp_path / "spec.yaml")
    (tmp_path / "spec.resolved.json").write_text(json.dumps(resolved))
    config = load_bundle_spec(tmp_path).config
    assert (config.training.supernets, config.strategy.initial_population) == ("per_configuration", "uniform")


def test_halving_spends_each_rung_on_the_better_half_and_reports_the_rungs(tmp_path, monkeypatch):
    """Rungs of 4 -> 2 -> 1 configurations (8 steps: 4, 2, 2), each trained only on its own;
    the probe is stubbed to a known ranking, the training to nothing."""
    pool, space, _, said = watched_pool(tmp_path, "modality.resolutions=[8,16]", "training.pretrain_data=halving",
                                        "training.pretrain_steps=8")
    checkpoints: dict[str, bytes] = {}
    pool.save, pool.load = checkpoints.__setitem__, checkpoints.get
    keys = [pool.modality.key(data) for data in space.data_configs]
    score = {"16px-rgb": 0.9, "8px-rgb": 0.8, "16px-mono": 0.7, "8px-mono": 0.6}
    monkeypatch.setattr(pool, "_probe", lambda view, state, rung: score[pool.modality.key(view.data)])
    trained = []

    def rung(net, step, state, streams, views, order, rng, seed):
        trained.append((len(order), {pool.modality.key(views[i].data) for i in order}))
        return state

    monkeypatch.setattr(pool, "_pretrain_rung", rung)
    pool.get(space.data_configs[0])
    assert [n for n, _ in trained] == [4, 2, 2]
    assert trained[1][1] <= {"16px-rgb", "8px-rgb"} and trained[2][1] == {"16px-rgb"}
    rungs = pool.pretraining()
    assert [(r["steps"], r["configurations"]) for r in rungs] == [
        (4, keys), (2, [k for k in keys if k in ("16px-rgb", "8px-rgb")]), (2, ["16px-rgb"])]
    assert rungs[0]["probe"] == score and rungs[-1]["probe"] == {}
    assert said[1].startswith("pre-training rung 1: 16px-rgb 0.900, 8px-rgb 0.800")


def test_halving_probes_the_largest_subnet_on_validation(tmp_path):
    """The real probe: an accuracy per configuration after the first rung; the better goes on."""
    pool, space, _, _ = watched_pool(tmp_path, "modality.resolutions=[16]", "training.pretrain_data=halving",
                                     "training.pretrain_steps=2")
    checkpoints: dict[str, bytes] = {}
    pool.save, pool.load = checkpoints.__setitem__, checkpoints.get
    pool.get(space.data_configs[0])
    first, last = pool.pretraining()
    assert first["steps"] == 1 and last["steps"] == 1 and len(first["configurations"]) == 2
    assert all(0.0 <= accuracy <= 1.0 for accuracy in first["probe"].values())
    assert last["configurations"] == [max(first["configurations"], key=lambda k: (first["probe"][k], -first[
        "configurations"].index(k)))]


def test_halving_and_uniform_supernets_are_different_checkpoints(tmp_path):
    """A supernet pre-trained uniformly is never reused as a halving one (or back); uniform
    pre-training reports no rungs."""
    uniform, _, _ = smoke_pool(tmp_path)
    halving, _, _ = smoke_pool(tmp_path, "training.pretrain_data=halving")
    assert uniform.checkpoint_name("shared") != halving.checkpoint_name("shared")
    assert uniform.pretraining() == []
