"""The XLA options danas compiles supernet programs with: used where this XLA takes them,
dropped (not a crash) where it does not."""

from __future__ import annotations

import jax

from engine import backend


def test_the_supernet_options_are_used_on_the_cpu_they_were_measured_on():
    options = backend.supernet_compiler_options.__wrapped__()
    if jax.default_backend() != "cpu":
        assert options == {}
    elif jax.__version_info__[:2] == (0, 10):  # jaxlib 0.10 takes them (the measurement's version)
        assert options == backend.SUPERNET_XLA_OPTIONS
    else:  # a later XLA may have retired the older emitters: then none, and no crash
        assert options in ({}, backend.SUPERNET_XLA_OPTIONS)


def test_an_option_this_xla_does_not_know_is_dropped(monkeypatch):
    monkeypatch.setattr(backend, "SUPERNET_XLA_OPTIONS", {"xla_cpu_no_such_option_in_any_version": True})
    assert backend.supernet_compiler_options.__wrapped__() == {}
