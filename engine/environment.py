"""What a result was measured on: Python, Keras, JAX, optax, devices and the danas commit.
Recorded in a run's env.json and in every benchmark's results."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any


def environment() -> dict[str, Any]:
    """Versions, devices, CPU count and the git commit of this danas (None outside a checkout)."""
    import jax
    import jaxlib
    import optax

    from engine.backend import load_keras

    module = load_keras()
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "keras": module.__version__, "jax": jax.__version__, "jaxlib": jaxlib.__version__,
            "optax": optax.__version__, "backend": module.backend.backend(),
            "devices": [str(d) for d in jax.devices()], "danas_commit": _git_commit()}


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True,
                             text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None
