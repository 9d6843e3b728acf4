import pytest

from danas.errors import SpecError
from engine.spec.load import read_spec


def messages(err: SpecError) -> list[str]:
    return [str(p) for p in err.problems]


def test_missing_file_is_one_problem(tmp_path):
    with pytest.raises(SpecError) as err:
        read_spec(tmp_path / "nope.yaml")
    assert messages(err.value) == ["(top level): no such file; check the path"]


def test_folder_is_refused(tmp_path):
    with pytest.raises(SpecError, match="is a folder"):
        read_spec(tmp_path)


def test_bad_yaml_names_line_and_column(write_spec):
    with pytest.raises(SpecError) as err:
        read_spec(write_spec("name: x\nstrategy: {type: random\n"))
    (line,) = messages(err.value)
    assert "not valid YAML: line 3" in line


def test_duplicate_keys_are_refused_with_both_lines(write_spec):
    with pytest.raises(SpecError) as err:
        read_spec(write_spec("name: a\nseed: 1\nname: b\n"))
    (line,) = messages(err.value)
    assert "duplicate key 'name' (first on line 1)" in line
    assert "line 3" in line


def test_top_level_must_be_a_mapping(write_spec):
    with pytest.raises(SpecError) as err:
        read_spec(write_spec("- a\n- b\n"))
    assert "received a list; expected a mapping of sections" in messages(err.value)[0]


def test_python_tags_are_not_executed(write_spec):
    with pytest.raises(SpecError, match="not valid YAML"):
        read_spec(write_spec("name: !!python/object/apply:os.system ['echo hacked']\n"))


def test_empty_file_is_an_empty_spec(write_spec):
    assert read_spec(write_spec("")).data == {}


def test_keeps_text_and_hash(write_spec):
    text = "name: x  # comment kept\n"
    spec = read_spec(write_spec(text))
    assert spec.text == text
    assert len(spec.sha256) == 64


def test_yes_no_on_off_are_words_not_booleans(write_spec):
    """YAML 1.2 core booleans only: four of the ten keywords are YAML 1.1 booleans."""
    from engine.spec import load_spec

    text = ("name: x\ndataset: {source: speech_commands, path: sc, label_set: custom, words: [yes, no, on, off]}\n"
            "modality: {type: audio}\nstrategy: {data_aware: true}\n")
    spec = load_spec(write_spec(text))
    assert spec.config.dataset.words == ("yes", "no", "on", "off")
    assert spec.config.strategy.data_aware is True
    overridden = load_spec(write_spec(text), ["dataset.words=[yes,no]", "strategy.data_aware=false"])
    assert overridden.config.dataset.words == ("yes", "no")
    assert overridden.config.strategy.data_aware is False
