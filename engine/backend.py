"""The one place that selects Keras's backend: JAX.

Keras is obtained one way: `load_keras()` from this module, which sets KERAS_BACKEND=jax
before Keras is first imported and checks that it took effect. Modules that define layers call
it at import (`keras = load_keras()`); modules that must stay light (the CLI, spec checking)
call it inside the function that needs Keras.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from danas.errors import FatalError

BACKEND = "jax"


def select_backend() -> None:
    """Sets KERAS_BACKEND=jax, refusing if Keras is already loaded on another backend."""
    if "keras" in sys.modules:
        loaded = sys.modules["keras"].backend.backend()
        if loaded != BACKEND:
            raise FatalError(f"Keras was imported with backend {loaded!r} before danas could "
                             f"select {BACKEND!r}; unset KERAS_BACKEND or set it to {BACKEND}")
        return
    os.environ["KERAS_BACKEND"] = BACKEND


def enable_compilation_cache(folder: Path) -> None:
    """Keeps compiled XLA programs on disk, so a repeated supernet or step compiles in a
    fraction of the time, also in a fresh process (JAX's persistent compilation cache).

    $DANAS_XLA_CACHE, if set, moves this cache alone (compiled programs depend only on shapes
    and code, never on data, so several runs with different data caches may share one)."""
    import jax

    folder = Path(os.environ.get("DANAS_XLA_CACHE") or folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)


def load_keras():
    """Returns the keras module, on the JAX backend."""
    select_backend()
    import keras as keras_module

    if keras_module.backend.backend() != BACKEND:
        raise FatalError(f"Keras runs on {keras_module.backend.backend()!r}, expected {BACKEND!r}")
    return keras_module
