"""A distributed evaluation worker: in its own process, the same parts a local run evaluates
candidates with (modality, supernet pool, evaluator), built from the run's frozen config.

Checkpoints pass through the run's process, never a shared file system: the head ships a
supernet checkpoint with the first candidate that needs it, and a supernet the worker
pre-trained comes back with that candidate's result, for the head to keep in the bundle.

CPU share: XLA splits some reductions by its CPU thread pool's size, which JAX takes from the
process's affinity mask when it starts (measured: the smoke run's losses differ in the 4th digit
between 1 and 2 visible cores). So a worker lets JAX start with the mask it was given, the one
the run's own process has on a machine like it, and then pins every thread, the pool's
included, to its share of the cores: the same programs, the same numbers, on its own cores.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from danas.config import SpecConfig

if TYPE_CHECKING:  # the evaluation stack (JAX) is imported in the worker's process, when it starts
    from engine.evaluate.finalize import FinalJob


@dataclass(frozen=True, kw_only=True)
class WorkerResult:
    """What a task gave (a TrialRecord, or a returned system's FinalWeights), the supernet
    checkpoints the worker made for it (name -> bytes), and whether the worker now holds the
    task's supernet and programs (not after a candidate rejected before training)."""

    value: Any
    checkpoints: dict[str, bytes] = field(default_factory=dict)
    built: bool = True


class EvaluationWorker:
    """Evaluates candidates of one run; `slot` (0, 1, ...) picks its CPUs on a shared machine."""

    def __init__(self, config: SpecConfig, slot: int, cpus: float):
        from engine.backend import enable_compilation_cache, load_keras
        from engine.evaluate.parts import supernet_parts
        from engine.hardware.targets import hardware_budget
        from modalities import open_modality
        from modalities.cache import cache_root

        load_keras()
        start_jax()
        pin_threads(slot, cpus)
        enable_compilation_cache(cache_root(config.dataset.cache_dir) / "xla")
        self.modality = open_modality(config)
        classes = tuple(self.modality.load().classes)
        self.shipped: dict[str, bytes] = {}
        self.made: dict[str, bytes] = {}
        self.parts = supernet_parts(config, self.modality, classes, hardware_budget(config.hardware),
                                    load=self.shipped.get, save=self.made.__setitem__)

    def evaluate(self, candidate: dict[str, Any], index: int, checkpoints: dict[str, bytes]) -> WorkerResult:
        """Trial `index`'s record; `checkpoints` are supernets the head has and this worker may need."""
        from engine.space.candidate import Candidate

        self.shipped.update(checkpoints)
        record = self.parts.evaluator.evaluate(Candidate.from_json(candidate), index)
        return WorkerResult(value=record, checkpoints=self._made(), built=record.status != "rejected")

    def finalize(self, job: FinalJob, checkpoints: dict[str, bytes]) -> WorkerResult:
        """A returned system's final fine-tune and test metrics (`finalize.final_weights`)."""
        from engine.evaluate.finalize import final_weights

        self.shipped.update(checkpoints)
        return WorkerResult(value=final_weights(self.parts.evaluator, job), checkpoints=self._made())

    def _made(self) -> dict[str, bytes]:
        """The checkpoints made since the last call (the pool saves through this dict's __setitem__)."""
        made = dict(self.made)
        self.made.clear()
        return made


def start_jax() -> None:
    """Creates JAX's CPU client and runs one program, so its thread pools exist (sized by the
    affinity mask as it is now)."""
    import jax.numpy as jnp

    (jnp.ones((8, 8)) @ jnp.ones((8, 8))).block_until_ready()


def pin_threads(slot: int, cpus: float) -> list[int]:
    """Restricts every thread of this process (and those it starts later) to its CPU share;
    returns the share's CPUs."""
    share = cpu_share(slot, cpus, sorted(os.sched_getaffinity(0)))
    for thread in os.listdir("/proc/self/task"):
        try:
            os.sched_setaffinity(int(thread), share)
        except OSError:  # a thread that ended meanwhile
            pass
    return share


def cpu_share(slot: int, cpus: float, allowed: list[int]) -> list[int]:
    """The slot-th share of `cpus` (at least 1) of the `allowed` CPUs, wrapping round; all of
    them if a share is as large.

    Example:
        >>> cpu_share(0, 1, [0, 1]), cpu_share(1, 1, [0, 1]), cpu_share(2, 1, [0, 1]), cpu_share(1, 4, [0, 1])
        ([0], [1], [0], [0, 1])
    """
    count = max(1, int(cpus))
    if count >= len(allowed):
        return list(allowed)
    first = slot * count % len(allowed)
    return [allowed[(first + i) % len(allowed)] for i in range(count)]
