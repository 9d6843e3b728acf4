"""Counts XLA compilations (JAX's backend-compile events), for the report, and traces.

A program found in the persistent compilation cache is not compiled again, so compilations
alone cannot show that a step was rebuilt; every new program is traced, cache or not, so
`traces` is what a "nothing new was built" check reads."""

from __future__ import annotations

from jax import monitoring

_EVENT = "/jax/core/compile/backend_compile_duration"
_TRACE_EVENT = "/jax/core/compile/jaxpr_trace_duration"
_count = {"compiles": 0, "seconds": 0.0, "traces": 0}
_registered = False


def _listen(name: str, seconds: float, **kwargs) -> None:
    if name == _EVENT:
        _count["compiles"] += 1
        _count["seconds"] += seconds
    elif name == _TRACE_EVENT:
        _count["traces"] += 1


def compile_stats() -> dict[str, float]:
    """XLA compilations so far in this process, their seconds, and traces."""
    global _registered
    if not _registered:
        monitoring.register_event_duration_secs_listener(_listen)
        _registered = True
    return dict(_count)


def reset_compile_stats() -> None:
    """Starts counting from zero (a run reports its own compilations, not its process's)."""
    compile_stats()
    _count.update(compiles=0, seconds=0.0, traces=0)
