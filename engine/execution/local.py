"""The local backend: every candidate in the run's own process, one after another."""

from __future__ import annotations

from typing import Callable, Iterator, Sequence

from danas.records import TrialRecord
from engine.evaluate.evaluator import Evaluator
from engine.evaluate.finalize import FinalJob, FinalWeights, final_weights
from engine.execution.jobs import Job


class LocalExecutor:
    """Evaluates a batch in ask order with the run's evaluator; `announce(job)` before each."""

    def __init__(self, evaluator: Evaluator, announce: Callable[[Job], None]):
        self.evaluator, self.announce = evaluator, announce

    def evaluate(self, jobs: Sequence[Job]) -> Iterator[TrialRecord]:
        for job in jobs:  # lazily: a loop that stops early leaves the rest unevaluated
            self.announce(job)
            yield self.evaluator.evaluate(job.candidate, job.index)

    def finalize(self, jobs: Sequence[FinalJob]) -> Iterator[FinalWeights]:
        for job in jobs:
            yield final_weights(self.evaluator, job)

    def close(self) -> None:
        pass
