"""A model measured on a split: classification metrics and the mean cross-entropy."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.evaluate.batches import eval_batches
from engine.evaluate.metrics import classification_metrics


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
