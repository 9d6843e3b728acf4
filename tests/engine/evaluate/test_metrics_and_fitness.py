import numpy as np

from engine.evaluate.fitness import fitness, pareto_front
from engine.evaluate.metrics import classification_metrics
from engine.evaluate.optimizers import OPTIMIZERS, SCHEDULES
from danas.budget import Budget
from danas.config import FitnessWeightsConfig
from danas.records import Estimate
from engine.spec.schema import load_schema


def test_positive_class_precision_is_not_accuracy():
    y_true = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    y_pred = np.array([1, 1, 0, 1, 1, 0, 0, 0])
    m = classification_metrics(y_true, y_pred, 2, positive=1)
    assert m["accuracy"] == 0.625 and m["precision"] == 0.5 and abs(m["recall"] - 2 / 3) < 1e-9


def test_macro_average_for_multiclass():
    m = classification_metrics(np.array([0, 1, 2, 2]), np.array([0, 1, 2, 1]), 3, None)
    assert abs(m["recall"] - (1 + 1 + 0.5) / 3) < 1e-9


def test_fitness_penalises_only_the_excess():
    weights = FitnessWeightsConfig(1, 1, 1, 1, 1)
    metrics = {"accuracy": 0.5, "precision": 0.5, "recall": 0.5}
    budget = Budget(ram_bytes=100, flash_bytes=100)

    def used(ram: int, flash: int) -> Estimate:
        return Estimate(ram_bytes=ram, flash_bytes=flash, macs=0, params=0, peak_op="conv")

    assert fitness(metrics, used(100, 100), budget, weights) == 3.5
    assert fitness(metrics, used(150, 100), budget, weights) == 3.0
    assert fitness(metrics, used(50, 300), budget, weights) == 1.5


def test_pareto_front_keeps_trade_offs():
    points = [(0.9, 300, 300), (0.8, 100, 300), (0.85, 200, 300), (0.7, 200, 400), (0.8, 100, 300)]
    assert pareto_front(points) == [0, 1, 2]


def test_optax_registries_match_the_schema():
    training = load_schema()["properties"]["training"]["properties"]
    assert OPTIMIZERS.names() == sorted(training["optimizer"]["enum"])
    assert SCHEDULES.names() == sorted(training["schedule"]["enum"])


def test_macro_average_does_not_crown_an_always_person_classifier():
    from engine.evaluate.metrics import positive_index

    classes = ("no-person", "person")
    y = np.array([0, 1] * 50)
    always = np.ones(100, int)
    balanced = np.where(np.arange(100) % 5 == 0, 1 - y, y)  # 80 % accurate, both classes
    weights, budget = FitnessWeightsConfig(1, 1, 1, 0, 0), Budget(ram_bytes=1, flash_bytes=1)
    small = Estimate(ram_bytes=1, flash_bytes=1, macs=0, params=0, peak_op="conv")

    def score(predictions, average):
        positive = positive_index(average, None, classes)
        return fitness(classification_metrics(y, predictions, 2, positive), small, budget, weights)

    assert score(always, "positive") == 2.0  # acc 0.5 + P 0.5 + R 1.0: the paper's objective rewards it
    assert score(always, "macro") < score(balanced, "macro")
    assert positive_index("positive", "no-person", classes) == 0 and positive_index("macro", "person", classes) is None
