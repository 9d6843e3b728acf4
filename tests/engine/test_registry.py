import pytest

from engine.hardware.targets import TARGETS, hardware_budget
from engine.spec import resolve
from danas.registry import Registry
from engine.spec.schema import load_schema


def test_registry_refuses_duplicates_and_suggests_names():
    registry = Registry[int]("thing")
    registry.add("sandwich", 1)
    with pytest.raises(KeyError, match="already registered"):
        registry.add("sandwich", 2)
    with pytest.raises(KeyError, match="Did you mean 'sandwich'"):
        registry.get("sandwhich")


def test_target_names_match_the_schema_enum():
    enum = load_schema()["properties"]["hardware"]["properties"]["target"]["enum"]
    assert TARGETS.names() == sorted(enum)


def test_targets_have_the_papers_budgets():
    def budget(target: str, ram_bytes: int | None, flash_bytes: int | None) -> tuple[int, int]:
        _, config = resolve({"hardware": {"target": target, "ram_bytes": ram_bytes, "flash_bytes": flash_bytes}})
        found = hardware_budget(config.hardware)
        return found.ram_bytes, found.flash_bytes

    assert budget("stm32f765", None, None) == (512 * 1024, 2 * 1024 * 1024)
    assert budget("stm32f746", None, None) == (320 * 1024, 1024 * 1024)
    assert budget("nano33ble", 1000, None) == (1000, 1024 * 1024)


def test_modality_names_match_the_schema_enum():
    from modalities import MODALITIES

    enum = load_schema()["properties"]["modality"]["properties"]["type"]["enum"]
    assert MODALITIES.names() == sorted(enum)
