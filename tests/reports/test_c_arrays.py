"""The C sources of an exported system: the model array holds the file's bytes, and the input
header of an audio system carries its front-end constants and compiles."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from reports.c_arrays import c_identifier, input_header, model_array_header, model_array_source

AUDIO = {"modality": "audio", "sample_rate": 16000, "window": 640, "hop": 320, "fft_size": 1024, "mel_bins": 40,
         "n_mfcc": 10, "input_shape": [49, 10, 1], "mean": [0.5] * 10, "std": [2.0] * 10}


def test_the_array_holds_every_byte_and_its_length():
    data = bytes(range(256)) * 3 + b"\x07"
    source = model_array_source("m", data, "m_model_data.h")
    body = source.split("{", 1)[1].split("}", 1)[0]
    assert bytes(int(v, 16) for v in body.replace(",", " ").split()) == data
    assert f"g_m_model_data_size = {len(data)};" in source


def test_an_audio_input_header_carries_the_front_end_and_compiles(tmp_path):
    name = c_identifier("0003-sr16000-w640-h320-mel40-mfcc10")
    header = input_header(name, AUDIO, 0.0421, -3)
    for line in ("constexpr int kSampleRate = 16000;", "constexpr int kWindowSamples = 640;",
                 "constexpr int kHopSamples = 320;", "constexpr int kFftSize = 1024;", "constexpr int kMelBins = 40;",
                 "constexpr int kMfccCount = 10;", "constexpr int kInputZeroPoint = -3;"):
        assert line in header
    compiler = shutil.which("c++")
    if compiler is None:
        pytest.skip("no C++ compiler on this machine")
    (tmp_path / "input.h").write_text(header)
    (tmp_path / f"{name}_model_data.h").write_text(model_array_header(name))
    (tmp_path / "model.cc").write_text(model_array_source(name, b"\x01\x02", f"{name}_model_data.h"))
    (tmp_path / "use.cc").write_text(f'#include "input.h"\n#include "{name}_model_data.h"\n'
                                     f"float first_std() {{ return {name}::kMfccStd[0]; }}\n"
                                     f"unsigned size() {{ return g_{name}_model_data_size; }}\n")
    for source in ("model.cc", "use.cc"):
        subprocess.run([compiler, "-std=c++17", "-Wall", "-Werror", "-c", source], cwd=tmp_path, check=True)
