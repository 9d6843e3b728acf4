"""Classification metrics from labels and predictions (numpy).

Precision, recall and F1 are macro averages over the classes, or, for a binary task with
`objective.average: positive`, those of the positive class. (The reference code's Keras metrics
on one-hot outputs made precision = recall = accuracy; these are the person-class figures the
paper's fitness intends.)
"""

from __future__ import annotations

import numpy as np

from danas.errors import DataError


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray, classes: int,
                           positive: int | None) -> dict[str, float]:
    """Accuracy, precision, recall and F1.

    Example:
        >>> m = classification_metrics(np.array([1, 1, 0, 0]), np.array([1, 0, 0, 1]), 2, 1)
        >>> m["accuracy"], m["precision"], m["recall"]
        (0.5, 0.5, 0.5)
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = [positive] if classes == 2 and positive is not None else list(range(classes))
    precision, recall, f1 = [], [], []
    for label in labels:
        tp = int(np.sum((y_pred == label) & (y_true == label)))
        predicted, actual = int(np.sum(y_pred == label)), int(np.sum(y_true == label))
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        precision.append(p)
        recall.append(r)
        f1.append(2 * p * r / (p + r) if p + r else 0.0)
    return {"accuracy": float(np.mean(y_true == y_pred)) if len(y_true) else 0.0,
            "precision": float(np.mean(precision)), "recall": float(np.mean(recall)),
            "f1": float(np.mean(f1))}


def positive_index(average: str, name: str | None, classes: tuple[str, ...]) -> int | None:
    """The class whose precision and recall the fitness reads (`objective.average: positive`):
    `objective.positive_class`, else class 1 of two; None means macro averages over the classes
    (`average: macro`, and a task of more than two classes with no positive class named).

    Example:
        >>> two = ("no-person", "person")
        >>> positive_index("positive", None, two), positive_index("positive", "no-person", two)
        (1, 0)
        >>> positive_index("macro", None, two) is None
        True
    """
    if average == "macro":
        return None
    if name is None:
        return 1 if len(classes) == 2 else None
    if name not in classes:
        raise DataError(f"objective.positive_class {name!r} is not a class of this data; "
                        f"expected one of: {', '.join(classes)}")
    return classes.index(name)
