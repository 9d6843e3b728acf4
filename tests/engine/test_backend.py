"""The XLA options danas compiles supernet programs with: used where this XLA takes them,
dropped (not a crash) where it does not."""

from __future__ import annotations

import jax

from engine import backend


def test_the_supernet_options_are_used_on_a_cpu_that_takes_them():
    options = backend.supernet_compiler_options.__wrapped__()
    assert options == (backend.SUPERNET_XLA_OPTIONS if jax.default_backend() == "cpu" else {})


def test_an_option_this_xla_does_not_know_is_dropped(monkeypatch):
    monkeypatch.setattr(backend, "SUPERNET_XLA_OPTIONS", {"xla_cpu_no_such_option_in_any_version": True})
    assert backend.supernet_compiler_options.__wrapped__() == {}
