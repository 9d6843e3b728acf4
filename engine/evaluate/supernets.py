"""One supernet per data configuration: built and pre-trained when a candidate first needs it,
checkpointed, and reused (from the run folder on resume, from the cache by a later run).

Pre-training rules: 'full' trains the largest network (the paper); 'sandwich' trains the
largest, the smallest and one random subnet every step (BigNAS, Yu et al. 2020), so the
shared weights serve small candidates too.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import jax
import numpy as np

from danas.config import SpecConfig
from danas.errors import FatalError
from engine.evaluate.batches import train_batches
from engine.evaluate.checkpoint import pack, unpack
from engine.evaluate.loop import train
from engine.evaluate.optimizers import make_optimizer
from engine.evaluate.seeds import stable_seed
from engine.evaluate.steps import TrainState, make_grad, make_predict, make_train_step
from engine.space.candidate import Candidate
from engine.space.joint import JointSpace
from engine.space.supernet import MobileNetV2Supernet, candidate_inputs

# Part of every checkpoint's name: bump it when the supernet's layers or their order change, so
# checkpoints cached by an older danas are never loaded into a different network.
# 2: initial weights drawn on the host (numpy), not by Keras's initializers;
# 3: only the blocks and exit heads the depth choices can use
SUPERNET_VERSION = 3


@dataclass
class Supernet:
    """A pre-trained supernet and the compiled functions of its data configuration.

    `factor` is the colour's width factor (the mono factor, or 1): a candidate's width is
    alpha x factor, and the supernet's is the largest alpha x factor.
    """

    data: dict[str, Any]
    key: str
    factor: float
    model: MobileNetV2Supernet
    trainable: list
    non_trainable: list
    grad: Callable = field(repr=False)
    init_finetune_state: Callable = field(repr=False)  # optimizer.init, compiled once
    finetune_step: Callable = field(repr=False)
    predict: Callable = field(repr=False)
    pretrain_seconds: float = 0.0
    reused: bool = False

    def inputs(self, candidate: Candidate) -> dict[str, Any]:
        """The candidate's masks, gates and exit selector for this supernet."""
        return candidate_inputs(self.model, candidate.depths, candidate.alpha * self.factor)


class SupernetPool:
    """Builds, pre-trains, saves and loads supernets, one per data configuration."""

    def __init__(self, config: SpecConfig, modality, space: JointSpace, classes: int,
                 load: Callable[[str], bytes | None], save: Callable[[str, bytes], None],
                 progress: Callable[[str], None]):
        self.config, self.modality, self.space, self.classes = config, modality, space, classes
        self.load, self.save, self.progress = load, save, progress
        self.supernets: dict[str, Supernet] = {}
        self.narrow: dict[tuple[str, float], Supernet] = {}
        self.augment = modality.augmentation()

    def get(self, data: dict[str, Any]) -> Supernet:
        key = self.modality.key(data)
        if key not in self.supernets:
            self.supernets[key] = self._make(data, key)
        return self.supernets[key]

    def for_candidate(self, candidate: Candidate) -> Supernet:
        """The network a candidate trains and is measured in: a genuinely narrow copy of its
        supernet at the candidate's width, carrying the supernet's first channels.

        Narrow and masked compute the same function (masked channels are exactly zero and every
        layer, batch norm and optimizer acts per channel), but a narrow step costs what the
        candidate costs, not what the widest network costs. Its functions are compiled once per
        (data configuration, width) and reused by every candidate of that width."""
        net = self.get(candidate.data)
        if candidate.alpha == max(self.space.alphas):
            return net
        key = (net.key, candidate.alpha)
        if key not in self.narrow:
            self.narrow[key] = self._make_narrow(net, candidate.alpha)
        narrow = self.narrow[key]
        return Supernet(net.data, net.key, net.factor, narrow.model,
                        _slice_like(net.trainable, narrow.model.trainable_variables),
                        _slice_like(net.non_trainable, narrow.model.non_trainable_variables),
                        narrow.grad, narrow.init_finetune_state, narrow.finetune_step, narrow.predict,
                        reused=True)

    def _make_narrow(self, net: Supernet, alpha: float) -> Supernet:
        model = MobileNetV2Supernet(self.modality.input_shape(net.data), alpha * net.factor, self.classes,
                                    self.space.depth_choices, placeholder_weights=True,
                                    name=f"supernet_{net.key}_a{alpha:g}")
        return _with_functions(net.data, net.key, net.factor, model, self.config, self.augment)

    def width_factor(self, data: dict[str, Any]) -> float:
        space = self.config.search_space
        return space.mono_width_factor if data.get("color") == "mono" else 1.0

    def checkpoint_name(self, key: str) -> str:
        training = self.config.training
        settings = [SUPERNET_VERSION, key, self.config.seed, training.pretrain_steps, training.pretrain_rule,
                    training.batch_size, training.learning_rate, training.optimizer, training.schedule,
                    sorted(self.space.alphas), self.space.depth_choices, self.modality.info.fingerprint,
                    self.config.search_space.mono_width_factor]
        return f"{key}-{hashlib.sha256(json.dumps(settings, default=str).encode()).hexdigest()[:12]}"

    def _make(self, data: dict[str, Any], key: str) -> Supernet:
        factor = self.width_factor(data)
        model = MobileNetV2Supernet(self.modality.input_shape(data), max(self.space.alphas) * factor, self.classes,
                                    self.space.depth_choices, init_seed=stable_seed(self.config.seed, key, "init"),
                                    name=f"supernet_{key}")
        net = _with_functions(data, key, factor, model, self.config, self.augment)
        name = self.checkpoint_name(key)
        saved = self.load(name)
        if saved is not None:
            groups, _ = unpack(saved, {"t": net.trainable, "n": net.non_trainable})
            net.trainable, net.non_trainable = groups["t"], groups["n"]
            net.reused = True
            self.progress(f"reusing the pre-trained supernet for {key}")
            return net
        start = time.time()
        self._pretrain(net)
        net.pretrain_seconds = time.time() - start
        self.save(name, pack({"t": net.trainable, "n": net.non_trainable}))
        return net

    def _pretrain(self, net: Supernet) -> None:
        training = self.config.training
        steps = training.pretrain_steps
        if steps == 0:
            return
        self.progress(f"pre-training the supernet for {net.key} ({steps} steps, {training.pretrain_rule})")
        optimizer = make_optimizer(training, steps)
        state = TrainState(net.trainable, net.non_trainable, jax.jit(optimizer.init)(net.trainable))
        depths = self.space.valid_depths
        largest = net.inputs(Candidate(net.data, max(depths, key=sum), max(self.space.alphas)))
        smallest = net.inputs(Candidate(net.data, min(depths, key=sum), min(self.space.alphas)))
        rule_step = make_train_step(net.grad, optimizer)
        batches = train_batches(self.modality.arrays("train", net.data), training.batch_size,
                                stable_seed(self.config.seed, net.key, "pretrain"), self.modality.to_model_input)
        rng = np.random.default_rng(stable_seed(self.config.seed, net.key, "sandwich"))

        def subnets(step: int) -> tuple[dict, ...]:
            if training.pretrain_rule != "sandwich":
                return (largest,)
            middle = self.space.sample(rng)
            return (largest, smallest, net.inputs(Candidate(net.data, middle.depths, middle.alpha)))

        outcome = train(rule_step, state, batches, steps, stable_seed(self.config.seed, net.key, "augment"),
                        subnets, "pre-training step")
        if outcome.failure:
            raise FatalError(f"supernet pre-training for {net.key} diverged ({outcome.failure}); lower "
                             f"training.learning_rate (now {training.learning_rate}) and run again")
        net.trainable, net.non_trainable = outcome.state.trainable, outcome.state.non_trainable


def _with_functions(data, key, factor, model: MobileNetV2Supernet, config: SpecConfig, augment) -> Supernet:
    optimizer = make_optimizer(config.training, config.training.finetune_steps)
    grad = make_grad(model, augment)
    return Supernet(data, key, factor, model, [v.value for v in model.trainable_variables],
                    [v.value for v in model.non_trainable_variables], grad, jax.jit(optimizer.init),
                    make_train_step(grad, optimizer), make_predict(model))


def _slice_like(values: list, variables: list) -> list:
    """The leading block of each array with the shape of the matching (narrower) variable.
    Sliced on the host: an eager slice of a device array compiles one XLA program per shape."""
    return [np.ascontiguousarray(np.asarray(value)[tuple(slice(0, n) for n in variable.shape)])
            for value, variable in zip(values, variables)]

