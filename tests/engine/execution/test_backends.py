"""The execution backends a spec can name."""


def test_backend_names_match_the_schema():
    from engine.run import BACKENDS
    from engine.spec.schema import load_schema

    assert BACKENDS.names() == sorted(load_schema()["properties"]["execution"]["properties"]["backend"]["enum"])
