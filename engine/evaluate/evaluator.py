"""Evaluates one candidate system: estimate, reject if far over budget, else fine-tune a copy of
its supernet's weights and measure it on the validation split (never the test split, which is
kept for the final report of the Pareto-optimal systems).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import jax
import numpy as np

from engine import interrupts
from engine.evaluate.batches import eval_batches, train_batches
from engine.evaluate.fitness import fitness
from engine.evaluate.metrics import classification_metrics
from engine.evaluate.steps import TrainState
from engine.evaluate.supernets import Supernet, SupernetPool, stable_seed
from engine.hardware.estimate import Estimate, estimate_system
from engine.space.candidate import Candidate
from engine.space.mobilenet_arch import build_network
from engine.spec.config import SpecConfig


@dataclass
class TrialResult:
    """What happened to one candidate."""

    candidate: Candidate
    data_key: str
    status: str  # ok | rejected | failed
    reason: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    estimate: dict[str, Any] = field(default_factory=dict)
    fitness: float | None = None
    seconds: float = 0.0
    pretrain_seconds: float = 0.0


def is_out_of_memory(err: BaseException) -> bool:
    """MemoryError on the host, or XLA's RESOURCE_EXHAUSTED on a device."""
    return isinstance(err, MemoryError) or "RESOURCE_EXHAUSTED" in str(err)


class Evaluator:
    """Turns candidates into `TrialResult`s for one run."""

    def __init__(self, config: SpecConfig, modality, pool: SupernetPool, classes: int,
                 positive: int | None, budget: tuple[int, int]):
        self.config, self.modality, self.pool = config, modality, pool
        self.classes, self.positive = classes, positive
        self.ram_budget, self.flash_budget = budget

    def estimate(self, candidate: Candidate) -> Estimate:
        """RAM, flash and MACs of the system (data configuration + model)."""
        hardware = self.config.hardware
        data = candidate.data
        network = build_network(self.modality.input_shape(data), candidate.depths,
                                candidate.alpha * self.pool.width_factor(data), self.classes)
        return estimate_system(network, hardware, self.modality.input_bytes(data, hardware.data_bytes),
                               self.modality.frontend_scratch_bytes(data, hardware.data_bytes))

    def rejection(self, estimate: Estimate) -> str:
        """Why a system is too far over budget to train, or ''."""
        limit = 1.0 + self.config.hardware.reject_margin
        reasons = []
        if estimate.ram_bytes > limit * self.ram_budget:
            reasons.append(f"RAM {estimate.ram_bytes:,} B > {limit:.2f} x budget {self.ram_budget:,} B")
        if estimate.flash_bytes > limit * self.flash_budget:
            reasons.append(f"flash {estimate.flash_bytes:,} B > {limit:.2f} x budget {self.flash_budget:,} B")
        return "; ".join(reasons)

    def evaluate(self, candidate: Candidate) -> TrialResult:
        start = time.time()
        key = self.modality.key(candidate.data)
        estimate = self.estimate(candidate)
        result = TrialResult(candidate, key, "ok", estimate=estimate.as_dict())
        reason = self.rejection(estimate)
        if reason:
            result.status, result.reason = "rejected", reason
            return result
        try:
            supernet = self.pool.get(candidate.data)
            result.pretrain_seconds = 0.0 if supernet.reused else supernet.pretrain_seconds
            supernet.pretrain_seconds = 0.0  # charged once, to the first candidate that needed it
            net = self.pool.for_candidate(candidate)
            trainable, non_trainable, failure = self.finetune(net, candidate)
            if failure:
                result.status, result.reason = "failed", failure
            else:
                result.metrics = self.measure(net, trainable, non_trainable, candidate, "validation")
                result.fitness = fitness(result.metrics, estimate.ram_bytes, estimate.flash_bytes,
                                         self.ram_budget, self.flash_budget, self.config.objective.weights)
        except Exception as err:  # noqa: BLE001 - only out-of-memory is a candidate's failure
            if not is_out_of_memory(err):
                raise
            result.status = "failed"
            result.reason = (f"out of memory for data configuration {key}; lower training.batch_size "
                             f"(now {self.config.training.batch_size}), e.g. --set training.batch_size="
                             f"{max(1, self.config.training.batch_size // 2)}")
        result.seconds = round(time.time() - start, 3)
        return result

    def finetune(self, net: Supernet, candidate: Candidate) -> tuple[list, list, str]:
        """Fine-tunes a copy of the supernet's weights; returns them, or a failure reason."""
        training = self.config.training
        steps = training.finetune_steps
        seed = stable_seed(self.config.seed, candidate.to_json())
        inputs = net.inputs(candidate)
        state = TrainState(net.trainable, net.non_trainable, net.finetune_optimizer.init(net.trainable))
        batches = train_batches(self.modality.arrays("train", candidate.data), training.batch_size, seed,
                                self.modality.to_model_input)
        key = jax.random.PRNGKey(seed)
        losses = []
        for _ in range(steps):
            x, y = next(batches)
            key, sub = jax.random.split(key)
            state, loss = net.finetune_step(state, x, y, (inputs,), sub)
            losses.append(loss)
            interrupts.check()
        values = np.asarray(jax.device_get(losses)) if losses else np.zeros(0)
        if not np.all(np.isfinite(values)):
            first = int(np.argmax(~np.isfinite(values)))
            return state.trainable, state.non_trainable, f"loss became {values[first]} at fine-tuning step {first}"
        return state.trainable, state.non_trainable, ""

    def measure(self, net: Supernet, trainable, non_trainable, candidate: Candidate, split: str) -> dict[str, float]:
        """Accuracy, precision, recall and F1 on a split."""
        inputs = net.inputs(candidate)
        return measure_split(lambda x: net.predict(trainable, non_trainable, x, inputs), self.modality,
                             candidate.data, split, self.config.training.eval_batch_size, self.classes, self.positive)


def measure_split(predict, modality, data: dict[str, Any], split: str, batch_size: int, classes: int,
                  positive: int | None) -> dict[str, float]:
    """Accuracy, precision, recall and F1 of `predict` (inputs -> class indices) on a split."""
    predictions, labels = [], []
    for x, y, valid in eval_batches(modality.arrays(split, data), batch_size, modality.to_model_input):
        predictions.append(np.asarray(predict(x))[:valid])
        labels.append(y)
    metrics = classification_metrics(np.concatenate(labels), np.concatenate(predictions), classes, positive)
    return {k: round(v, 6) for k, v in metrics.items()}
