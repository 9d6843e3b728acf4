"""The schema is the contract: every field described and defaulted, strict, string enums."""

import jsonschema

from engine.spec.defaults import fill_defaults
from engine.spec.schema import load_schema
from engine.spec.validate import schema_problems


def objects(schema, path=()):
    if "properties" in schema:
        yield path, schema
        for name, prop in schema["properties"].items():
            yield from objects(prop, (*path, name))
    if isinstance(schema.get("items"), dict):
        yield from objects(schema["items"], (*path, "[]"))


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(load_schema())
    assert load_schema()["$schema"].endswith("2020-12/schema")


def test_every_object_is_closed_and_every_field_documented():
    for path, obj in objects(load_schema()):
        assert obj.get("additionalProperties") is False, path
        for name, prop in obj["properties"].items():
            assert prop.get("description"), (*path, name)
            assert "default" in prop, (*path, name)


def test_every_choice_is_a_string_enum():
    for path, obj in objects(load_schema()):
        for name, prop in obj["properties"].items():
            for enum in (prop.get("enum"), prop.get("items", {}).get("enum")):
                if enum and prop.get("type") != "integer":
                    assert all(isinstance(v, str) for v in enum), (*path, name)


def test_x_when_names_real_kinds():
    for path, obj in objects(load_schema()):
        discriminator = obj.get("x-discriminator")
        for name, prop in obj["properties"].items():
            if "x-when" in prop:
                assert discriminator, (*path, name)
                assert set(prop["x-when"]) <= set(obj["properties"][discriminator]["enum"])


def test_defaults_alone_are_a_valid_spec():
    assert schema_problems(fill_defaults({})) == []


def test_defaults_fill_only_fields_of_the_chosen_kind():
    audio = fill_defaults({"modality": {"type": "audio"}})["modality"]
    assert "window" in audio and "resolutions" not in audio
    vision = fill_defaults({})["modality"]
    assert "resolutions" in vision and "window" not in vision
