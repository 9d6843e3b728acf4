"""What a result was measured on: Python, Keras, JAX, optax, devices, the CPU model, its vector
instruction sets and the danas commit. Recorded in a run's env.json and in every benchmark's
results: another CPU model rounds differently (XLA:CPU picks its kernels by instruction set), so
the same spec and seed train to other weights there. A virtual machine may name its CPU only
'AMD EPYC', whatever its generation: the instruction sets tell them apart."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any


def environment() -> dict[str, Any]:
    """Versions, devices, CPU count and model, and the git commit of this danas (None outside a
    checkout)."""
    import jax
    import jaxlib
    import optax

    from engine.backend import load_keras

    module = load_keras()
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "cpu_model": cpu_model(), "cpu_vector_isa": vector_isa(),
            "keras": module.__version__, "jax": jax.__version__, "jaxlib": jaxlib.__version__,
            "optax": optax.__version__, "backend": module.backend.backend(),
            "devices": [str(d) for d in jax.devices()], "danas_commit": _git_commit()}


def cpu_model() -> str:
    """The CPU's model name ('AMD EPYC ...'), from /proc/cpuinfo on Linux, else what Python
    says ('' when nothing does)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


# the instruction-set extensions XLA:CPU chooses kernels by
_VECTOR_PREFIXES = ("sse4", "avx", "fma", "f16c", "amx")


def vector_isa(flags: str | None = None) -> str:
    """The CPU's vector instruction sets, from /proc/cpuinfo's flags on Linux ('' elsewhere).

    Example:
        >>> vector_isa("fpu sse4_2 avx2 fma avx512f ht")
        'avx2 avx512f fma sse4_2'
    """
    if flags is None:
        try:
            flags = next((line.split(":", 1)[1] for line in Path("/proc/cpuinfo").read_text().splitlines()
                          if line.startswith("flags")), "")
        except OSError:
            flags = ""
    return " ".join(sorted(f for f in flags.split() if f.startswith(_VECTOR_PREFIXES)))


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True,
                             text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None
