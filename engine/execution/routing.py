"""Which pending candidate a free worker takes: a pure choice over what the head knows.

Compiled programs belong to a (data configuration, width) pair and live in the worker that built
them; supernet weights live in the worker that pre-trained or loaded them. So a free worker
takes, in this order of preference (ties: the earliest asked):

0. a candidate of a data configuration it already holds (nothing to build);
1. one of a configuration no worker holds, whose supernet it holds (new programs only);
2. one of a configuration no worker holds, whose supernet checkpoint the head has (ship it);
3. one whose supernet nobody has yet, and nobody is pre-training (it pre-trains it: different
   configurations' supernets pre-train in parallel on different workers);
4. a second or later pending candidate of a configuration another worker holds, if it can get
   the supernet without pre-training (new programs, but no worker idles while one has a queue).

It never takes a candidate whose supernet another worker is pre-training: that worker's
checkpoint comes back with its result, and pre-training it twice would waste the time saved.
Which worker evaluates a candidate never changes its record, only how long the run takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence


@dataclass(frozen=True, kw_only=True)
class Pending:
    """A candidate waiting for a worker: its data configuration's key and its supernet's name."""

    index: int
    data_key: str
    supernet: str


@dataclass(kw_only=True)
class WorkerState:
    """What the head knows of one worker."""

    slot: int
    busy: bool = False
    data_keys: set[str] = field(default_factory=set)
    supernets: set[str] = field(default_factory=set)


def choose(worker: WorkerState, pending: Sequence[Pending], workers: Sequence[WorkerState],
           available: set[str], training: dict[str, int]) -> int | None:
    """The position in `pending` of the candidate `worker` takes next, or None (it waits).

    `available`: supernet checkpoints the head holds; `training`: supernet -> the slot of the
    worker pre-training it.

    Example:
        >>> a, b = WorkerState(slot=0, data_keys={"16px-rgb"}), WorkerState(slot=1)
        >>> queue = [Pending(index=0, data_key="16px-mono", supernet="s"),
        ...          Pending(index=1, data_key="16px-rgb", supernet="s")]
        >>> choose(a, queue, [a, b], {"s"}, {}), choose(b, queue, [a, b], {"s"}, {})
        (1, 0)
    """
    held_elsewhere = {key for other in workers if other.slot != worker.slot for key in other.data_keys}
    queued: dict[str, int] = {}
    best: tuple[int, int] | None = None
    for position, job in enumerate(pending):
        queued[job.data_key] = queued.get(job.data_key, 0) + 1
        cost = _cost(worker, job, held_elsewhere, available, training, queued[job.data_key])
        if cost is not None and (best is None or cost < best[0]):
            best = (cost, position)
    return None if best is None else best[1]


def _cost(worker: WorkerState, job: Pending, held_elsewhere: set[str], available: set[str],
          training: dict[str, int], nth_of_its_key: int) -> int | None:
    if job.data_key in worker.data_keys:
        return 0
    trainer = training.get(job.supernet)
    if trainer is not None and trainer != worker.slot:
        return None
    has_weights = job.supernet in worker.supernets or job.supernet in available
    if job.data_key in held_elsewhere:
        return 4 if has_weights and nth_of_its_key > 1 else None
    if job.supernet in worker.supernets:
        return 1
    return 2 if job.supernet in available else 3
