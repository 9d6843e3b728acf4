"""What the run's loop hands an executor (one asked candidate and the index its record gets),
and what an executor is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generator, Iterator, Protocol, Sequence

from danas.records import TrialRecord
from engine.space.candidate import Candidate

if TYPE_CHECKING:  # the evaluation stack (JAX) is not needed to name it
    from engine.evaluate.finalize import FinalJob, FinalWeights


@dataclass(frozen=True, kw_only=True)
class Job:
    """Trial `index` (0-based, in ask order) evaluates `candidate`."""

    index: int
    candidate: Candidate


class Executor(Protocol):
    """Evaluates batches of jobs (engine.execution.local, engine.execution.ray_executor)."""

    def evaluate(self, jobs: Sequence[Job]) -> Generator[TrialRecord, None, None]:
        """The jobs' records in the jobs' order; a caller that stops reading early closes it."""
        ...

    def finalize(self, jobs: Sequence[FinalJob]) -> Iterator[FinalWeights]:
        """The returned systems' `finalize.FinalWeights` (final fine-tune, test metrics), in order."""
        ...

    def close(self) -> None:
        """Releases what the executor holds (workers, a cluster it started)."""
        ...
