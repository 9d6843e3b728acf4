"""Evaluates one candidate system: estimate, reject if far over budget, else fine-tune a copy of
its supernet's weights (training.finetune_steps, may be 0), re-estimate its batch-norm
statistics (training.calibration_batches, see calibration.py) and measure it on the validation
split (never the test split, which is kept for the final report of the Pareto-optimal systems).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from danas.budget import Budget
from danas.config import SpecConfig
from danas.records import Estimate, TrialRecord
from engine.evaluate.batches import eval_batches, train_batches
from engine.evaluate.calibration import recalibrate
from engine.evaluate.fitness import fitness
from engine.evaluate.loop import train
from engine.evaluate.metrics import classification_metrics
from engine.evaluate.seeds import stable_seed
from engine.evaluate.optimizers import make_optimizer
from engine.evaluate.steps import TrainState, make_train_step
from engine.evaluate.supernets import Supernet, SupernetPool
from engine.hardware.estimate import estimate_system
from engine.space.candidate import Candidate
from engine.space.mobilenet_arch import build_network


def is_out_of_memory(err: BaseException) -> bool:
    """MemoryError on the host, or XLA's RESOURCE_EXHAUSTED on a device."""
    return isinstance(err, MemoryError) or "RESOURCE_EXHAUSTED" in str(err)


class Evaluator:
    """Turns candidates into `TrialRecord`s for one run."""

    def __init__(self, config: SpecConfig, modality, pool: SupernetPool, classes: int,
                 positive: int | None, budget: Budget):
        self.config, self.modality, self.pool = config, modality, pool
        self.classes, self.positive, self.budget = classes, positive, budget
        self._steps: dict[tuple, Any] = {}

    def estimate(self, candidate: Candidate) -> Estimate:
        """RAM, flash and MACs of the system (data configuration + model)."""
        hardware = self.config.hardware
        data = candidate.data
        network = build_network(self.modality.input_shape(data), candidate.depths,
                                candidate.alpha * self.pool.width_factor(data), self.classes)
        return estimate_system(network, hardware, self.modality.input_bytes(data, hardware.data_bytes),
                               self.modality.frontend_scratch_bytes(data, hardware.data_bytes))

    def evaluate(self, candidate: Candidate, index: int) -> TrialRecord:
        """The record of trial `index`: rejected, failed, or measured on the validation split."""
        start = time.time()
        estimate = self.estimate(candidate)
        record = TrialRecord(index=index, candidate=candidate.to_json(), data_key=self.modality.key(candidate.data),
                             status="ok", estimate=estimate)
        record.reason = self.budget.rejection(estimate)
        if record.reason:
            record.status = "rejected"
            return record
        try:
            self._train_and_measure(candidate, record)
        except Exception as err:  # noqa: BLE001 - only out-of-memory is a candidate's failure
            if not is_out_of_memory(err):
                raise
            batch = self.config.training.batch_size
            record.status = "failed"
            record.reason = (f"out of memory for data configuration {record.data_key}; lower training.batch_size "
                             f"(now {batch}), e.g. --set training.batch_size={max(1, batch // 2)}")
        record.seconds = round(time.time() - start, 3)
        return record

    def _train_and_measure(self, candidate: Candidate, record: TrialRecord) -> None:
        supernet = self.pool.get(candidate.data)
        record.pretrain_seconds = round(0.0 if supernet.reused else supernet.pretrain_seconds, 3)
        supernet.pretrain_seconds = 0.0  # charged once, to the first candidate that needed it
        net = self.pool.for_candidate(candidate)
        trainable, non_trainable, failure = self.finetune(net, candidate)
        if failure:
            record.status, record.reason = "failed", failure
            return
        metrics = self.measure(net, trainable, non_trainable, candidate, "validation")
        if not np.isfinite(metrics["loss"]):  # weights that never met a training loss (finetune_steps 0)
            record.status, record.reason = "failed", "non-finite outputs on the validation split"
            return
        record.metrics = metrics
        record.fitness = fitness(record.metrics, record.estimate, self.budget, self.config.objective.weights)

    def finetune(self, net: Supernet, candidate: Candidate, steps: int | None = None,
                 start: tuple[list, list] | None = None, after: int = 0) -> tuple[list, list, str]:
        """Fine-tunes a copy of the supernet's weights (or of `start`, (trainable, non-trainable)
        weights already fine-tuned for `after` steps) for `steps` steps (default: the search's
        training.finetune_steps), the learning-rate schedule spanning them, then re-estimates
        the batch-norm statistics on training.calibration_batches batches; returns the weights
        and a failure reason or ''. Batches continuing after `after` steps are drawn anew."""
        training = self.config.training
        steps = training.finetune_steps if steps is None else steps
        seed = stable_seed(self.config.seed, candidate.to_json(), *(["after", after] if after else []))
        inputs = net.inputs(candidate)
        trainable, non_trainable = start if start is not None else (net.trainable, net.non_trainable)
        if steps:
            step = net.programs.finetune_step if steps == training.finetune_steps else self._step_for(net, steps)
            state = TrainState(trainable, non_trainable, net.programs.init_finetune_state(trainable))
            outcome = train(step, state, self._batches(net, candidate, seed), steps, seed, lambda _: (inputs,),
                            "fine-tuning step")
            if outcome.failure:
                return outcome.state.trainable, outcome.state.non_trainable, outcome.failure
            trainable, non_trainable = outcome.state.trainable, outcome.state.non_trainable
        calibration_seed = stable_seed(self.config.seed, candidate.to_json(), "calibration")
        calibration = recalibrate(net.programs.grad, trainable, non_trainable, inputs,
                                  self._batches(net, candidate, calibration_seed), training.calibration_batches,
                                  calibration_seed)
        return trainable, calibration.non_trainable, calibration.failure

    def _batches(self, net: Supernet, candidate: Candidate, seed: int):
        return train_batches(self.modality.arrays("train", candidate.data), self.config.training.batch_size, seed,
                             lambda x: net.model_input(self.modality.to_model_input(x)))

    def _step_for(self, net: Supernet, steps: int):
        """A fine-tuning step whose schedule spans `steps` (same gradient function: one more
        update program per (data configuration, width), not another network)."""
        key = (net.programs.grad, steps)
        if key not in self._steps:
            self._steps[key] = make_train_step(net.programs.grad, make_optimizer(self.config.training, steps))
        return self._steps[key]

    def measure(self, net: Supernet, trainable, non_trainable, candidate: Candidate, split: str) -> dict[str, float]:
        """Accuracy, precision, recall and F1 on a split."""
        inputs = net.inputs(candidate)
        return measure_split(lambda x: net.programs.predict(trainable, non_trainable, net.model_input(x), inputs), self.modality,
                             candidate.data, split, self.config.training.eval_batch_size, self.classes, self.positive)


def measure_split(predict, modality, data: dict[str, Any], split: str, batch_size: int, classes: int,
                  positive: int | None) -> dict[str, float]:
    """Accuracy, precision, recall and F1 of `predict` (inputs -> logits) on a split, and the mean
    cross-entropy `loss`, unrounded: two models that classify alike still differ in it, so it
    tells whether two runs trained the same weights."""
    logits, labels = [], []
    for x, y, valid in eval_batches(modality.arrays(split, data), batch_size, modality.to_model_input):
        logits.append(np.asarray(predict(x), np.float64)[:valid])
        labels.append(y)
    logits_all, y_all = np.concatenate(logits), np.concatenate(labels)
    metrics = classification_metrics(y_all, logits_all.argmax(axis=-1), classes, positive)
    return {**{k: round(v, 6) for k, v in metrics.items()}, "loss": cross_entropy(logits_all, y_all)}


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean softmax cross-entropy of integer labels (float64 on the host).

    Example:
        >>> round(cross_entropy(np.array([[0.0, 0.0]]), np.array([1])), 6)
        0.693147
    """
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return float(-log_probs[np.arange(len(labels)), labels].mean())
