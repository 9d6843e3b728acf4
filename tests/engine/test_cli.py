"""`run-spec` as a user meets it: exit codes, one line per problem, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from tests.conftest import SPECS

EXAMPLES = sorted(SPECS.glob("*.yaml")) + sorted(SPECS.glob("smoke/*.yaml"))

# (spec text, the paths its problems must name)
BROKEN = {
    "wrong types": ("name: x\nseed: ten\ntraining: {batch_size: 3.5}\n",
                    ["seed", "training.batch_size"]),
    "unknown keys": ("name: x\nstratgy: {}\ntraining: {batchsize: 3}\n",
                     ["stratgy", "training.batchsize"]),
    "misspelt enum": ("name: x\nstrategy: {type: evolutoin}\nhardware: {target: stm32}\n",
                      ["strategy.type", "hardware.target"]),
    "out of range": ("name: x\nstrategy: {population: 1, crossover_rate: 2}\n",
                     ["strategy.population", "strategy.crossover_rate"]),
    "hop > window": ("name: x\nmodality: {type: audio, window: [400], hop: [640]}\n"
                     "dataset: {source: builtin_speech}\n", ["modality.hop"]),
    "empty resolutions": ("name: x\nmodality: {resolutions: []}\n", ["modality.resolutions"]),
    "bad yaml": ("name: x\n  seed: [1\n", [""]),
    "duplicate key": ("name: x\nname: y\n", [""]),
    "top-level list": ("- name\n", [""]),
    "field of another kind": ("name: x\nmodality: {type: audio, color: [rgb]}\n"
                              "dataset: {source: builtin_speech}\n", ["modality.color"]),
    "source does not fit modality": ("name: x\nmodality: {type: audio}\n", ["dataset.source"]),
    "pinned outside space": ("name: x\nmodality: {resolutions: [32, 64]}\nstrategy: "
                             "{data_aware: false, pinned_data: {resolution: 96}}\n",
                             ["strategy.pinned_data.resolution"]),
    "nan": ("name: x\ntraining: {learning_rate: .nan}\n", ["training.learning_rate"]),
    "bad name": ("name: 'a b/c'\n", ["name"]),
    # found by the fuzzer: each once broke the one-line format or crashed
    "control character in a key": ('name: x\n"\\x1e": 1\n', ["'\\x1e'"]),
    "control character in a list value": ('name: x\nversion: ["\\x1e"]\n', ["version"]),
    "NUL in a path": ('name: x\ndataset: {source: wake_vision, path: "\\0"}\n', ["dataset.path"]),
}


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.name)
def test_every_example_spec_checks(spec, capsys):
    assert main([str(spec), "--check"]) == 0
    out = capsys.readouterr().out
    assert "joint search space" in out


def test_every_example_starts_with_the_schema_line():
    for spec in EXAMPLES:
        first = spec.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), spec
        assert (spec.parent / first.split("=", 1)[1]).resolve().is_file(), spec


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_spec_exits_2_with_one_line_per_problem(case, write_spec, capsys):
    text, paths = BROKEN[case]
    spec = write_spec(text)
    assert main([str(spec), "--check"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert len(lines) == len(captured.err.strip().split("\n"))
    for line in lines:
        assert line.startswith(f"error: {spec}: "), line
        assert line.isprintable(), line
    named = [line.split(": ")[2] for line in lines]
    for path in paths:
        assert (path or "(top level)") in named, (path, lines)


def test_missing_file_exits_2(tmp_path, capsys):
    assert main([str(tmp_path / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_override_goes_through_validation(capsys):
    spec = str(SPECS / "wakevision_small.yaml")
    assert main([spec, "--check", "--set", "training.batch_size=32"]) == 0
    assert "batch_size: 32" in capsys.readouterr().out
    assert main([spec, "--check", "--set", "training.batch_size=-3"]) == 2
    assert "training.batch_size: received -3" in capsys.readouterr().err
    assert main([spec, "--check", "--set", "training.bach_size=3"]) == 2
    assert "Did you mean 'batch_size'?" in capsys.readouterr().err


def test_check_imports_neither_jax_nor_keras():
    code = ("import sys\nfrom engine.cli import main\n"
            f"assert main([{str(SPECS / 'wakevision_small.yaml')!r}, '--check']) == 0\n"
            "heavy = [m for m in ('jax', 'keras', 'optax') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_a_folder_that_is_not_a_run_and_a_missing_spec_are_usage_errors(tmp_path, capsys):
    for args in (["report", str(tmp_path)], ["--resume", str(tmp_path)], []):
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, (args, err)
        assert ("not a danas run folder" in err) if args else ("no spec given" in err)
    assert main(["verify", str(tmp_path)]) == 1  # verification failed: nothing to verify against
    assert "not a finished danas bundle" in capsys.readouterr().err


def test_console_script_is_installed():
    # beside the interpreter: the README's install need not be activated (PATH may not have it)
    script = Path(sys.executable).parent / "run-spec"
    result = subprocess.run([str(script if script.exists() else "run-spec"), "--help"], capture_output=True,
                            text=True)
    assert result.returncode == 0
    assert "--check" in result.stdout


def test_main_leaves_the_ctrl_c_handler_as_it_found_it():
    import signal

    before = signal.getsignal(signal.SIGINT)
    assert main([str(SPECS / "wakevision_small.yaml"), "--check"]) == 0
    assert main(["report", "/nonexistent"]) == 2
    assert signal.getsignal(signal.SIGINT) is before  # only the console script ignores it, at exit
