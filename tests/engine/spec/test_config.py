"""The typed config mirrors the schema, is frozen, and round-trips through the resolved spec."""

import dataclasses
import json

import pytest

from engine.spec import load_spec, resolve
from danas.config import KINDS as BASE_KINDS, SpecConfig, build_config
from modalities import modality_kinds
from engine.spec.schema import load_schema
from tests.conftest import SPECS


KINDS = {**BASE_KINDS, "modality": modality_kinds()}


def dataclass_of(cls, name):
    import typing

    hint = typing.get_type_hints(cls)[name]
    return hint if dataclasses.is_dataclass(hint) else None


def check_fields(cls, schema, path):
    props = schema["properties"]
    discriminator = schema.get("x-discriminator")
    kind = None
    if discriminator and path and path[-1] in KINDS:
        kind = next(k for k, c in KINDS[path[-1]].items() if c is cls)
    expected = {n for n, p in props.items() if kind is None or kind in p.get("x-when", [kind])}
    fields = {f.name for f in dataclasses.fields(cls)}
    if kind is None and discriminator:  # dataset: one class for all sources
        expected = set(props)
    assert fields == expected, (path, fields ^ expected)
    for name in fields:
        nested = dataclass_of(cls, name)
        if nested is not None:
            check_fields(nested, props[name], (*path, name))


def test_dataclasses_match_the_schema():
    schema = load_schema()
    for name in ("dataset", "training", "hardware", "objective", "budget", "output"):
        check_fields(dataclass_of(SpecConfig, name), schema["properties"][name], (name,))
    for section, kinds in KINDS.items():
        for cls in kinds.values():
            check_fields(cls, schema["properties"][section], (section,))
    top = {f.name for f in dataclasses.fields(SpecConfig)}
    assert top == set(schema["properties"])


def test_kinds_match_the_schema_enums():
    for section, kinds in KINDS.items():
        assert sorted(kinds) == sorted(load_schema()["properties"][section]["properties"]["type"]["enum"])


def test_config_is_frozen():
    config = load_spec(SPECS / "wakevision_small.yaml").config
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.training.batch_size = 1
    assert isinstance(config.modality.resolutions, tuple)


@pytest.mark.parametrize("spec", sorted(SPECS.glob("**/*.yaml")), ids=lambda p: p.name)
def test_resolved_spec_round_trips(spec):
    loaded = load_spec(spec)
    again, config = resolve(json.loads(json.dumps(loaded.resolved)))
    assert again == loaded.resolved
    assert config == loaded.config


def test_relative_dataset_path_is_relative_to_the_spec(write_spec, tmp_path):
    spec = load_spec(write_spec("name: x\ndataset: {source: wake_vision, path: data/wv}\n"))
    assert spec.config.dataset.path == str(tmp_path / "data" / "wv")


def test_hardware_aware_baseline_pins_the_reference_data():
    resolved, config = resolve({"modality": {"resolutions": [32, 96]},
                                "strategy": {"data_aware": False}})
    assert dict(config.strategy.pinned_data) == {"resolution": 96, "color": "rgb"}
    assert resolved["strategy"]["pinned_data"] == {"resolution": 96, "color": "rgb"}


def test_build_config_builds_the_right_kind():
    resolved, _ = resolve({"modality": {"type": "audio"}, "dataset": {"source": "builtin_speech"}})
    config = build_config(resolved, modality_kinds())
    assert config.modality.type == "audio"
    assert config.modality.window_hops()[0] == (400, 160)


def test_darts_retraining_has_its_own_setting_and_old_specs_map_onto_it():
    darts = {"search_space": {"type": "darts"}, "strategy": {"type": "differentiable"}}
    _, config = resolve({**darts, "training": {"retrain_steps": 7}})
    assert config.training.retrain_steps == 7
    _, old = resolve({**darts, "training": {"finetune_steps": 9}})  # written before retrain_steps existed
    assert old.training.retrain_steps == 9
    _, supernet = resolve({"training": {"finetune_steps": 9}})  # fine-tuning keeps its meaning elsewhere
    assert (supernet.training.finetune_steps, supernet.training.retrain_steps) == (9, 300)
