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


def test_a_pinned_run_pretrains_for_what_the_shared_supernet_would_cost(tmp_path):
    """strategy.data_aware false: 8 shared steps over 8 and 16 px (mean area 160) cost what 5 at
    the pinned 16 px (area 256) do; match_pinned_pretraining false keeps the 8."""
    from engine.evaluate.parts import joint_space

    pinned = ("modality.resolutions=[8,16]", "modality.color=[rgb]", "strategy.data_aware=false",
              "training.pretrain_steps=8")
    pool, _, saved, said = watched_pool(tmp_path, *pinned)
    pool.space = joint_space(pool.config, pool.modality)
    (data,) = pool.space.data_configs
    pool.get(data)
    assert said == ["pre-training the supernet for shared (5 steps, sandwich)"] and len(saved) == 1
    unmatched, _, _, _ = watched_pool(tmp_path, *pinned, "training.match_pinned_pretraining=false")
    unmatched.space = joint_space(unmatched.config, unmatched.modality)
    aware, _, _, _ = watched_pool(tmp_path, *pinned[:2], "training.pretrain_steps=8")
    assert unmatched.pretrain_steps == aware.pretrain_steps == 8
    # the checkpoint names the steps taken: a matched and an unmatched pinned supernet differ
    assert unmatched.checkpoint_name("shared") != saved[0]


def test_a_bundle_from_before_matched_pretraining_resumes_unmatched(tmp_path):
    import json
    import shutil

    from engine.spec import load_bundle_spec, load_spec
    from tests.smoke_runs import SMOKE

    resolved = load_spec(SMOKE).resolved
    assert resolved["training"].pop("match_pinned_pretraining") is True
    shutil.copy(SMOKE, tmp_path / "spec.yaml")
    (tmp_path / "spec.resolved.json").write_text(json.dumps(resolved))
    assert load_bundle_spec(tmp_path).config.training.match_pinned_pretraining is False
