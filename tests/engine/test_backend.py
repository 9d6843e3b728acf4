"""The XLA options danas compiles supernet programs with: used where this XLA takes them,
dropped (not a crash) where it does not."""

from __future__ import annotations

import os

import jax

from engine import backend


def test_the_supernet_options_are_used_on_the_cpu_they_were_measured_on():
    options = backend.supernet_compiler_options.__wrapped__()
    # the tests' XLA_FLAGS set LLVM's level (-O0, conftest): that option is left to them
    expected = backend.unset_in(backend.SUPERNET_XLA_OPTIONS, os.environ.get("XLA_FLAGS", ""))
    if jax.default_backend() != "cpu":
        assert options == {}
    elif jax.__version_info__[:2] == (0, 10):  # jaxlib 0.10 takes them (the measurement's version)
        assert options == expected
    else:  # a later XLA may have retired the older emitters: then none, and no crash
        assert options in ({}, expected)


def test_an_option_set_in_xla_flags_is_left_to_it():
    flags = "--xla_cpu_enable_fast_math=false --xla_backend_optimization_level=0"
    assert backend.unset_in(backend.SUPERNET_XLA_OPTIONS, flags) == {"xla_cpu_use_fusion_emitters": False}
    assert backend.unset_in(backend.SUPERNET_XLA_OPTIONS, "") == backend.SUPERNET_XLA_OPTIONS


def test_an_option_this_xla_does_not_know_is_dropped(monkeypatch):
    monkeypatch.setattr(backend, "SUPERNET_XLA_OPTIONS", {"xla_cpu_no_such_option_in_any_version": True})
    assert backend.supernet_compiler_options.__wrapped__() == {}
