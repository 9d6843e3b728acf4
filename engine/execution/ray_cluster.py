"""Joining or starting the Ray cluster a run's workers live in.

`execution.address` empty: a private Ray instance on this machine for this run, listening on the
loopback address only (Ray binds its servers to the node address, which on Linux is the primary
interface's unless Ray runs in its single-machine mode, RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0), no
dashboard; it stops with the run. Otherwise the cluster at that address (`ray start --head`
printed it; "auto" finds the one on this machine), which outlives the run.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import warnings
from typing import Any

from danas.config import ExecutionConfig
from danas.errors import FatalError, UsageError

# What a worker process must see as the run's process does: Keras's backend, the XLA flags and
# caches. Copied into each actor's runtime environment, so they hold on other machines too.
WORKER_ENV = ("KERAS_BACKEND", "XLA_FLAGS", "JAX_PLATFORMS", "DANAS_CACHE", "DANAS_XLA_CACHE")


def require_ray() -> None:
    """Stops with one line naming the extra when Ray is missing."""
    if importlib.util.find_spec("ray") is None:
        raise UsageError("execution.backend ray needs the distributed extra (ray not installed): "
                         "pip install -e \".[distributed]\" (or pip install \"danas[distributed]\")")


def connect(execution: ExecutionConfig) -> bool:
    """Joins the cluster, or starts the private one; True if this call started it (then `stop` it)."""
    if not execution.address:
        os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # read when ray is imported: loopback only
    import ray

    if ray.is_initialized():  # a caller (a notebook, a test) already joined one: use it
        return False
    if execution.address:
        try:
            _init(address=execution.address)
        except ConnectionError as err:
            raise FatalError(f"execution.address {execution.address!r}: no Ray cluster answered ({err}); start one "
                             "with `ray start --head` and set the address it prints, or leave address empty (a cluster "
                             "with token authentication, ray's default, also needs RAY_AUTH_MODE=token here and its "
                             "~/.ray/auth_token)") from err
        return False
    need = execution.workers * execution.cpus_per_worker
    _init(num_cpus=max(need, os.cpu_count() or 1), include_dashboard=False)
    return True


def _init(**settings: Any) -> None:
    """ray.init without the workers' output in this terminal (errors come back as exceptions)."""
    import ray

    with warnings.catch_warnings():
        # Ray starts its processes with fork + exec (subprocess), which JAX warns about once its
        # backend exists; nothing runs between the fork and the exec, so there is nothing to deadlock.
        warnings.filterwarnings("ignore", message=r"os\.fork\(\) was called", category=RuntimeWarning)
        ray.init(log_to_driver=False, logging_level=logging.ERROR, **settings)


def check_resources(execution: ExecutionConfig) -> None:
    """Refuses a worker count the cluster cannot place (Ray would wait for it forever)."""
    import ray

    have = ray.cluster_resources()
    for name, each in (("CPU", execution.cpus_per_worker), ("GPU", execution.gpus_per_worker)):
        need = execution.workers * each
        if need > have.get(name, 0) + 1e-9:
            raise FatalError(f"execution: {execution.workers} workers x {each:g} {name}s need {need:g} {name}s; the "
                             f"Ray cluster has {have.get(name, 0):g}: lower execution.workers or "
                             f"execution.{name.lower()}s_per_worker, or add nodes")


def worker_env(execution: ExecutionConfig) -> dict[str, Any]:
    """The actor's runtime environment: WORKER_ENV as here, and on GPUs no memory preallocation
    (each JAX process would take 75 % of the device for itself)."""
    env = {name: os.environ[name] for name in WORKER_ENV if name in os.environ}
    if execution.gpus_per_worker:
        env["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
    return {"env_vars": env}


def stop() -> None:
    import ray

    ray.shutdown()
