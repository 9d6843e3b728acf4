import pytest

from danas.errors import SpecError
from engine.spec.overrides import apply_overrides


def test_values_are_read_as_yaml():
    spec = apply_overrides({}, ["modality.color=[mono]", "budget.max_minutes=null", "seed=3"])
    assert spec == {"modality": {"color": ["mono"]}, "budget": {"max_minutes": None}, "seed": 3}


def test_unknown_path_and_malformed_overrides_are_all_reported():
    with pytest.raises(SpecError) as err:
        apply_overrides({}, ["training.lr=1", "novalue", "strategy.popuation=3"])
    paths = [p.path for p in err.value.problems]
    assert paths == ["novalue", "strategy.popuation", "training.lr"]
    assert "Did you mean 'population'?" in str(err.value)


def test_override_replaces_a_non_mapping_section():
    assert apply_overrides({"training": 5}, ["training.batch_size=8"]) == {"training": {"batch_size": 8}}
