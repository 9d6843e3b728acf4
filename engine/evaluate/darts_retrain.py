"""The evaluation phase of a DARTS search: the derived network trained from scratch on the
chosen data configuration, measured, estimated, and scored like any evolutionary candidate."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from danas.budget import Budget
from danas.records import Estimate
from engine.evaluate.batches import train_batches
from engine.evaluate.evaluator import measure_split
from engine.evaluate.fitness import fitness
from engine.evaluate.loop import train
from engine.evaluate.optimizers import make_optimizer
from engine.evaluate.seeds import stable_seed
from engine.evaluate.steps import TrainState, make_grad, make_predict, make_train_step
from engine.hardware.estimate import estimate_system
from engine.space.darts.arch import build_derived
from engine.space.darts.derived_network import derived_model, to_stock
from engine.space.darts.genotype import Genotype


@dataclass(frozen=True, kw_only=True)
class Retrained:
    model: Any  # keras.Model with the trained weights
    validation: dict[str, float]
    test: dict[str, float]
    estimate: Estimate
    fitness: float | None
    failure: str
    seconds: float


def darts_estimate(config, modality, data: dict[str, Any], genotype: Genotype, classes: int) -> Estimate:
    """RAM, flash and MACs of the derived system, by the spec's estimator."""
    space, hardware = config.search_space, config.hardware
    network = build_derived(modality.input_shape(data), genotype, space.channels, space.cells, classes)
    return estimate_system(network, hardware, modality.input_bytes(data, hardware.data_bytes),
                           modality.frontend_scratch_bytes(data, hardware.data_bytes))


def retrain(config, modality, data: dict[str, Any], genotype: Genotype, classes: int, positive: int | None,
            budget: Budget, progress) -> Retrained:
    """Trains the derived network from scratch for training.retrain_steps steps and measures it."""
    from engine.backend import load_keras

    start = time.time()
    space, training = config.search_space, config.training
    seed = stable_seed(config.seed, "darts", "retrain", genotype.to_json(), data)
    load_keras().utils.set_random_seed(seed)
    shape = modality.input_shape(data)
    model = derived_model(shape, genotype, space.channels, space.cells, classes, fast=True)
    estimate = darts_estimate(config, modality, data, genotype, classes)
    progress(f"training the derived network from scratch on {modality.key(data)} ({training.retrain_steps} steps)")
    optimizer = make_optimizer(training, training.retrain_steps)
    step = make_train_step(make_grad(model, modality.augmentation()), optimizer)
    trainable = [v.value for v in model.trainable_variables]
    state = TrainState(trainable, [v.value for v in model.non_trainable_variables], optimizer.init(trainable))
    batches = train_batches(modality.arrays("train", data), training.batch_size, seed, modality.to_model_input)
    outcome = train(step, state, batches, training.retrain_steps, seed, lambda _: ({},), "training step")
    if outcome.failure:
        return Retrained(model=model, validation={}, test={}, estimate=estimate, fitness=None,
                         failure=outcome.failure, seconds=time.time() - start)
    state = outcome.state
    for variable, value in zip(model.trainable_variables, state.trainable):
        variable.assign(value)
    for variable, value in zip(model.non_trainable_variables, state.non_trainable):
        variable.assign(value)
    predict = make_predict(model)
    measured = {split: measure_split(lambda x: predict(state.trainable, state.non_trainable, x, {}), modality, data,
                                     split, training.eval_batch_size, classes, positive) for split in ("validation", "test")}
    score = fitness(measured["validation"], estimate, budget, config.objective.weights)
    stock = to_stock(model, shape, genotype, space.channels, space.cells, classes)
    return Retrained(model=stock, validation=measured["validation"], test=measured["test"], estimate=estimate,
                     fitness=score, failure="", seconds=time.time() - start)
