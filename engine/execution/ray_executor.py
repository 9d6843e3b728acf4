"""The ray backend: a batch of candidates spread over Ray actors, records returned in ask order.

Each actor is an `EvaluationWorker`; `routing.choose` sends a candidate (or, after the search, a
returned system's final fine-tune and test) to a worker that already holds its data
configuration when it can. A worker takes one candidate at a time, so the head
always knows which are free. A worker that dies (its process killed, its machine lost) is
replaced by a new actor and its candidate goes back to the queue: the run ends with the trials it
would have had. A candidate's own error (not a worker's death) stops the run as it would locally.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from danas import interrupts
from danas.config import SpecConfig
from danas.errors import FatalError
from danas.records import TrialRecord
from engine.evaluate.finalize import FinalJob, FinalWeights
from engine.execution import ray_cluster
from engine.execution.jobs import Job
from engine.execution.routing import Pending, WorkerState, choose
from engine.execution.worker import WorkerResult

@dataclass(frozen=True, kw_only=True)
class Task:
    """One call of a worker method (`args`, then the shipped checkpoints) for data configuration `data`."""

    method: str
    args: tuple
    data: dict


# A run whose workers keep dying (every new one too) stops instead of replacing them for ever.
MAX_DEATHS_PER_WORKER = 3
WAIT_SECONDS = 0.5  # how often the head looks up from waiting, to notice Ctrl-C


class RayExecutor:
    """Evaluates batches on `config.execution.workers` Ray actors.

    `supernet_of(data)` names the supernet checkpoint a data configuration's candidates use and
    `data_key(data)` its key; `load(name)` / `save(name, bytes)` are the run's checkpoint store.
    """

    def __init__(self, config: SpecConfig, supernet_of: Callable[[dict], str], data_key: Callable[[dict], str],
                 load: Callable[[str], bytes | None], save: Callable[[str, bytes], None],
                 progress: Callable[[str], None], warn: Callable[[str], None]):
        ray_cluster.require_ray()
        self.config, self.execution = config, config.execution
        self.supernet_of, self.data_key = supernet_of, data_key
        self.load, self.save, self.progress, self.warn = load, save, progress, warn
        self.started = ray_cluster.connect(self.execution)
        self.actors: dict[int, Any] = {}
        self.workers: dict[int, WorkerState] = {}
        self.available: dict[str, bytes] = {}
        self.training: dict[str, int] = {}
        self.deaths = 0
        try:
            ray_cluster.check_resources(self.execution)
            for slot in range(self.execution.workers):
                self._start(slot)
        except BaseException:
            self.close()
            raise

    def _start(self, slot: int) -> None:
        import ray

        from engine.execution.worker import EvaluationWorker

        actor = ray.remote(EvaluationWorker).options(
            num_cpus=self.execution.cpus_per_worker, num_gpus=self.execution.gpus_per_worker,
            runtime_env=ray_cluster.worker_env(self.execution), max_restarts=0, max_task_retries=0)
        self.actors[slot] = actor.remote(self.config, slot, self.execution.cpus_per_worker)
        self.workers[slot] = WorkerState(slot=slot)

    def evaluate(self, jobs: Sequence[Job]) -> Iterator[TrialRecord]:
        """The records of `jobs`, in their order, each as soon as it and those before it are done."""
        if jobs:
            self.progress(f"evaluating candidates {jobs[0].index + 1}-{jobs[-1].index + 1} on {len(self.actors)} "
                          "Ray workers")
        tasks = [Task(method="evaluate", args=(job.candidate.to_json(), job.index), data=job.candidate.data)
                 for job in jobs]
        yield from self._run(tasks)

    def finalize(self, jobs: Sequence[FinalJob]) -> Iterator[FinalWeights]:
        """The returned systems' final fine-tunes and test metrics, in order, on the workers that
        hold their programs (the run's process only extracts the models)."""
        tasks = [Task(method="finalize", args=(job,), data=job.trial.candidate["data"]) for job in jobs]
        yield from self._run(tasks)

    def _run(self, tasks: list[Task]) -> Iterator[Any]:
        """Each task's result, in the tasks' order, dispatched by `routing.choose`."""
        import ray

        pending = [Pending(index=i, data_key=self.data_key(task.data), supernet=self.supernet_of(task.data))
                   for i, task in enumerate(tasks)]
        running: dict[Any, tuple[int, Pending]] = {}
        done: dict[int, Any] = {}
        order = list(range(len(tasks)))
        try:
            while order:
                self._dispatch(pending, running, tasks)
                if not running:
                    raise RuntimeError(f"no Ray worker can take tasks {[p.index for p in pending]}")  # a routing bug
                ready, _ = ray.wait(list(running), num_returns=1, timeout=WAIT_SECONDS)
                interrupts.check()
                for ref in ready:
                    slot, job = running.pop(ref)
                    result = self._collect(ref, slot, job, pending)
                    if result is not None:
                        done[job.index] = result.value
                while order and order[0] in done:
                    yield done.pop(order.pop(0))
        except GeneratorExit:  # the run stopped reading (its budget ran out mid-batch)
            self._drain(running)
            raise

    def _drain(self, running: dict) -> None:
        """Waits for the tasks still running (one per worker at most), keeping any checkpoint they
        made, so every worker is free for the next call."""
        for ref, (slot, job) in list(running.items()):
            self._collect(ref, slot, job, [])

    def _dispatch(self, pending: list[Pending], running: dict, tasks: list[Task]) -> None:
        for worker in sorted(self.workers.values(), key=lambda w: w.slot):
            if worker.busy or not pending:
                continue
            position = choose(worker, pending, list(self.workers.values()), set(self.available), self.training)
            if position is None:
                continue
            job = pending.pop(position)
            shipped = {} if job.supernet in worker.supernets else self._checkpoint(job.supernet)
            if not shipped and job.supernet not in worker.supernets:
                self.training.setdefault(job.supernet, worker.slot)
            task = tasks[job.index]
            ref = getattr(self.actors[worker.slot], task.method).remote(*task.args, shipped)
            running[ref] = (worker.slot, job)
            worker.busy = True

    def _checkpoint(self, name: str) -> dict[str, bytes]:
        """{name: bytes} if the run has that supernet checkpoint (in the bundle or the cache)."""
        if name not in self.available:
            data = self.load(name)
            if data is not None:
                self.available[name] = data
        return {name: self.available[name]} if name in self.available else {}

    def _collect(self, ref: Any, slot: int, job: Pending, pending: list[Pending]) -> WorkerResult | None:
        """A finished task's result; None if its worker died (the task is queued again)."""
        import ray

        worker = self.workers[slot]
        try:
            result = ray.get(ref)
        except ray.exceptions.RayActorError as err:
            self._replace(slot, job, pending, err)
            return None
        except ray.exceptions.RayTaskError as err:  # the candidate's own error, raised as a local run would
            cause = getattr(err, "cause", None)
            raise (cause if isinstance(cause, BaseException) else err.as_instanceof_cause()) from None
        for name, data in result.checkpoints.items():
            self.save(name, data)
            self.available[name] = data
        for name in [n for n, trainer in self.training.items() if trainer == slot]:
            del self.training[name]
        worker.busy = False
        if result.built:
            worker.data_keys.add(job.data_key)
            worker.supernets.add(job.supernet)
        return result

    def _replace(self, slot: int, job: Pending, pending: list[Pending], err: Exception) -> None:
        self.deaths += 1
        if self.deaths > MAX_DEATHS_PER_WORKER * len(self.actors):
            raise FatalError(f"{self.deaths} Ray workers died (the last: {last_error(err)}); see the Ray logs "
                             "(/tmp/ray/session_latest/logs on each machine); is danas installed where the workers run? "
                             "Else lower execution.workers or training.batch_size")
        self.warn(f"Ray worker {slot + 1} died during its task ({job.data_key}); a new worker runs it again")
        for name in [n for n, trainer in self.training.items() if trainer == slot]:
            del self.training[name]
        pending.insert(sum(p.index < job.index for p in pending), job)
        self._start(slot)

    def close(self) -> None:
        """Stops the workers (and the private Ray instance, if this run started it)."""
        import ray

        for actor in self.actors.values():
            try:
                ray.kill(actor)
            except Exception:  # noqa: BLE001 - an actor already gone is what we want
                pass
        self.actors.clear()
        if self.started:
            ray_cluster.stop()


def last_error(err: BaseException) -> str:
    """The last line of an error's text that names an error (Ray's death reports quote the
    worker's traceback), else its type.

    Example:
        >>> last_error(RuntimeError("The actor died.\\nTraceback ...\\nModuleNotFoundError: No module named 'danas'"))
        "ModuleNotFoundError: No module named 'danas'"
    """
    lines = [line.strip() for line in str(err).splitlines() if "Error" in line]
    return lines[-1][:200] if lines else type(err).__name__
