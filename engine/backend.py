"""The one place that selects Keras's backend: JAX.

Keras is obtained one way: `load_keras()` from this module, which sets KERAS_BACKEND=jax
before Keras is first imported and checks that it took effect. Modules that define layers call
it at import (`keras = load_keras()`); modules that must stay light (the CLI, spec checking)
call it inside the function that needs Keras.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

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


# XLA:CPU compiled the smoke supernet's gradient program in 12.9 s with its MLIR fusion emitters
# and in 6.8 s with the older ones (full 96 px network: 16.0 s vs 13.3 s), the steps running as
# fast (9.2 vs 9.1 ms at 16 px, 62 vs 53 ms at 64 px, 455 vs 466 ms at 96 px; jaxlib 0.10.2,
# 2 cores). Not for the DARTS programs: they compile 2.5x slower with the older emitters.
# LLVM at -O1 instead of XLA's default -O2: the wakevision_small gradient program at 64 px compiled
# in 3.7-4.0 s instead of 4.8-5.1 s (three fresh processes each, 2 cores) and stepped as fast
# (91-100 vs 92-115 ms; 96 px 250 vs 251 ms): its convolutions are library calls LLVM never
# sees, and -O2's extra passes only polish the elementwise loops around them. -O0 compiles in
# 1.9 s but steps 4x slower. In the cold wakevision_small run the six gradient programs took
# 31.5 s instead of 36.0 s, all 25 programs 42.0 s instead of 46.6 s. The rounding differs from
# -O2's, so the same seed trains to other weights. An optimisation level set in XLA_FLAGS wins
# (the tests run at -O0).
SUPERNET_XLA_OPTIONS = {"xla_cpu_use_fusion_emitters": False, "xla_backend_optimization_level": 1}


def unset_in(options: dict[str, Any], flags: str) -> dict[str, Any]:
    """`options` less those that `flags` (XLA_FLAGS) sets.

    Example:
        >>> unset_in({"xla_backend_optimization_level": 1, "xla_cpu_use_fusion_emitters": False},
        ...          "--xla_backend_optimization_level=0")
        {'xla_cpu_use_fusion_emitters': False}
    """
    return {name: value for name, value in options.items() if f"--{name}=" not in flags}


@lru_cache(maxsize=1)
def supernet_compiler_options() -> dict[str, Any]:
    """SUPERNET_XLA_OPTIONS for `jax.jit(..., compiler_options=...)` where this XLA takes them,
    else none (XLA is retiring the older emitters; an unknown option is an error at compile time,
    so a one-line program is compiled with them first). An option XLA_FLAGS sets is left to it."""
    import jax
    import jax.numpy as jnp

    options = unset_in(SUPERNET_XLA_OPTIONS, os.environ.get("XLA_FLAGS", ""))
    if jax.default_backend() != "cpu":
        return {}
    try:
        jax.jit(jnp.negative, compiler_options=options)(jnp.zeros(1))
    except TypeError as error:  # a jax whose jit has no compiler_options
        if "compiler_options" not in str(error):
            raise
        return {}
    except RuntimeError as error:  # XLA: INVALID_ARGUMENT: No such compile option: '...'
        if "compile option" not in str(error):
            raise
        return {}
    return options


def load_keras():
    """Returns the keras module, on the JAX backend."""
    select_backend()
    import keras as keras_module

    if keras_module.backend.backend() != BACKEND:
        raise FatalError(f"Keras runs on {keras_module.backend.backend()!r}, expected {BACKEND!r}")
    return keras_module
