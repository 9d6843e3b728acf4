"""The XLA options danas compiles supernet programs with: used where this XLA takes them,
dropped (not a crash) where it does not."""

from __future__ import annotations

import jax

from engine import backend


def test_the_supernet_options_are_used_on_the_cpu_they_were_measured_on(monkeypatch):
    monkeypatch.setenv("XLA_FLAGS", "")
    options = backend.supernet_compiler_options.__wrapped__()
    if jax.default_backend() != "cpu":
        assert options == {}
    elif jax.__version_info__[:2] == (0, 10):  # jaxlib 0.10 takes them (the measurement's version)
        assert options == backend.SUPERNET_XLA_OPTIONS
    else:  # a later XLA may have retired the older emitters: then none, and no crash
        assert options in ({}, backend.SUPERNET_XLA_OPTIONS)


def test_an_option_set_in_xla_flags_is_left_to_it(monkeypatch):
    # the tests' own -O0 (conftest) must not be raised to the supernet programs' -O1
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_enable_fast_math=false --xla_backend_optimization_level=0")
    options = backend.supernet_compiler_options.__wrapped__()
    assert "xla_backend_optimization_level" not in options
    if jax.default_backend() == "cpu" and jax.__version_info__[:2] == (0, 10):
        assert options == {"xla_cpu_use_fusion_emitters": False}


def test_an_option_this_xla_does_not_know_is_dropped(monkeypatch):
    monkeypatch.setattr(backend, "SUPERNET_XLA_OPTIONS", {"xla_cpu_no_such_option_in_any_version": True})
    assert backend.supernet_compiler_options.__wrapped__() == {}
