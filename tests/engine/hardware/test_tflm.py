"""The TFLite Micro arena model against arenas a real TFLite Micro interpreter needed for 12
converted MobileNetV2 subnets (golden/tflm_arena.json, made by `python -m bench.tflm_arena`
on a 64-bit host, so the model is asked for 8-byte pointers here)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.hardware.estimate import tflite_flash
from engine.hardware.tflm import tflm_arena_estimate
from engine.space.mobilenet_arch import build_network

GOLDEN = json.loads((Path(__file__).parent / "golden" / "tflm_arena.json").read_text())["models"]


def network_of(name: str):
    m = re.fullmatch(r"r(\d+)c(\d)d(\d+)a([\d.]+)", name)
    resolution, channels = int(m[1]), int(m[2])
    shape = (resolution, resolution, channels)
    return build_network(shape, tuple(map(int, m[3])), float(m[4]), 2), resolution * resolution * channels


@pytest.mark.parametrize("row", GOLDEN, ids=[r["model"] for r in GOLDEN])
def test_the_arena_model_matches_tflite_micro(row):
    network, input_bytes = network_of(row["model"])
    estimate = tflm_arena_estimate(network, 1, input_bytes, pointer_bytes=8)
    assert estimate.planned_bytes == row["head"]  # the greedy planner's layout, simulated
    assert abs(estimate.persistent_bytes - row["tail"]) <= 32  # 16-byte alignment, twice
    assert abs(estimate.arena_bytes / row["arena"] - 1) <= 0.02  # the goal; measured <= 0.2 %


@pytest.mark.parametrize("row", GOLDEN, ids=[r["model"] for r in GOLDEN])
def test_the_flash_estimate_is_within_1_percent_of_the_file(row):
    network, _ = network_of(row["model"])
    assert abs(tflite_flash(network, 1) / row["tflite_bytes"] - 1) <= 0.01


def test_a_32_bit_target_needs_a_smaller_persistent_part():
    network, input_bytes = network_of(GOLDEN[0]["model"])
    host, mcu = (tflm_arena_estimate(network, 1, input_bytes, pointer_bytes=p) for p in (8, 4))
    assert mcu.planned_bytes == host.planned_bytes and mcu.persistent_bytes < host.persistent_bytes
