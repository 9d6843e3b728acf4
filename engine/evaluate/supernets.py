"""Supernets: built and pre-trained when a candidate first needs one, checkpointed, and reused
(from the run folder on resume, from the cache by a later run).

Sharing (training.supernets): 'shared' trains one supernet for every data configuration, each
step on a batch of one configuration drawn at random (elastic input size, as Once-for-All, Cai
et al. 2020, samples a resolution per batch), so the pre-training budget is spent once, not
once per configuration; the network is fully convolutional up to a global pooling, so one set
of weights serves every input size, and a 1-channel input (mono) enters it as its channel
repeated, which is exactly a 1-channel stem whose kernel is the sum over input channels (what
extraction exports). 'per_configuration' trains one supernet per data configuration (the paper).

Pre-training rules: 'full' trains the largest network (the paper); 'sandwich' trains the
largest, the smallest and one random subnet every step (BigNAS, Yu et al. 2020), so the
shared weights serve small candidates too.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from danas.config import SpecConfig
from danas.errors import FatalError
from engine.evaluate.batches import train_batches
from engine.evaluate.checkpoint import pack, unpack
from engine.evaluate.loop import train
from engine.evaluate.optimizers import make_optimizer
from engine.evaluate.pretrain_budget import matched_pretrain_steps
from engine.evaluate.seeds import stable_seed
from engine.evaluate.steps import Subnet, TrainState, make_grad, make_init, make_predict, make_train_step
from engine.space.candidate import Candidate
from engine.space.joint import JointSpace
from engine.space.supernet import MobileNetV2Supernet, candidate_inputs

# Part of every checkpoint's name: bump it when the supernet's layers or their order change, so
# checkpoints cached by an older danas are never loaded into a different network.
# 2: initial weights drawn on the host (numpy), not by Keras's initializers;
# 3: only the blocks and exit heads the depth choices can use
SUPERNET_VERSION = 3
SHARED_KEY = "shared"  # the one supernet of training.supernets 'shared'


@dataclass(frozen=True)
class Programs:
    """The compiled functions of one width of a supernet, on the supernet's whole weights."""

    model: MobileNetV2Supernet  # at that width: the slices the programs run on
    grad: Callable = field(repr=False)
    init_finetune_state: Callable = field(repr=False)  # optimizer.init, compiled once
    finetune_step: Callable = field(repr=False)
    predict: Callable = field(repr=False)


@dataclass
class Supernet:
    """A pre-trained supernet as one data configuration's candidates use it.

    `factor` is the colour's width factor (the mono factor, or 1): a candidate's width is
    alpha x factor. `whole` is the supernet (largest alpha, x 1 when shared), whose weights
    `trainable` and `non_trainable` are; `programs` run at one width on their leading slices
    (candidates narrower than it are masked). `model_input` repeats a 1-channel batch to the
    network's channels.
    """

    data: dict[str, Any]
    key: str
    factor: float
    whole: MobileNetV2Supernet
    programs: Programs
    trainable: list
    non_trainable: list
    pretrain_seconds: float = 0.0
    reused: bool = False

    @property
    def model(self) -> MobileNetV2Supernet:
        return self.programs.model

    def inputs(self, candidate: Candidate) -> dict[str, Any]:
        """The candidate's masks, gates and exit selector at this view's width."""
        return candidate_inputs(self.model, candidate.depths, candidate.alpha * self.factor)

    def subnet(self, candidate: Candidate) -> Subnet:
        return Subnet(grad=self.programs.grad, inputs=self.inputs(candidate))

    def model_input(self, x: np.ndarray) -> np.ndarray:
        """A batch as the network takes it: a 1-channel batch repeated to the network's channels."""
        return repeat_channels(x, self.whole.input_dims[-1])


def repeat_channels(x: np.ndarray, channels: int) -> np.ndarray:
    """`x` [..., c] with c == channels, or its single channel repeated `channels` times.

    Example:
        >>> repeat_channels(np.ones((2, 4, 4, 1), np.float32), 3).shape
        (2, 4, 4, 3)
    """
    if x.shape[-1] == channels:
        return x
    if x.shape[-1] != 1:
        raise ValueError(f"a batch of {x.shape[-1]} channels cannot enter a {channels}-channel supernet; "
                         "only 1-channel inputs are repeated")
    return np.repeat(x, channels, axis=-1)


class SupernetPool:
    """Builds, pre-trains, saves and loads supernets: one shared by every data configuration,
    or one per data configuration (training.supernets).

    A data configuration's candidates are trained in the programs of its colour's widest
    subnet (the masked supernet of the paper, per configuration: compiled once per input size
    and colour, shared with pre-training), not in one program per width: on 2 CPU cores a
    narrower program saves less than its compilation costs (96 px, batch 32, the small spec's
    depths: 338 ms per gradient at width 0.5, 215 ms at 0.5/3; compiling one takes ~11 s).
    """

    def __init__(self, config: SpecConfig, modality, space: JointSpace, classes: int,
                 load: Callable[[str], bytes | None], save: Callable[[str, bytes], None],
                 progress: Callable[[str], None]):
        self.config, self.modality, self.space, self.classes = config, modality, space, classes
        self.load, self.save, self.progress = load, save, progress
        self.shared = config.training.supernets == "shared"
        self.supernets: dict[str, Supernet] = {}
        self.programs: dict[tuple[str, float], Programs] = {}
        self.augment = modality.augmentation()

    def get(self, data: dict[str, Any]) -> Supernet:
        """The supernet a data configuration's candidates use (a view of the shared one when
        shared), at its colour's widest subnet."""
        key = self.modality.key(data)
        if key not in self.supernets:
            if self.shared:
                first = SHARED_KEY not in self.supernets
                net = self._shared()
                self.supernets[key] = self._view(net, data, key,
                                                 pretrain_seconds=net.pretrain_seconds if first else 0.0)
            else:
                self.supernets[key] = self._make([data], key)
        return self.supernets[key]

    def for_candidate(self, candidate: Candidate) -> Supernet:
        """The supernet view a candidate trains and is measured in: its colour's widest subnet,
        masked to the candidate (the same function as a narrow network at its width: masked
        channels are exactly zero and every layer, batch norm and optimizer acts per channel)."""
        return self.get(candidate.data)

    def _shared(self) -> Supernet:
        if SHARED_KEY not in self.supernets:
            self.supernets[SHARED_KEY] = self._make(list(self.space.data_configs), SHARED_KEY)
        return self.supernets[SHARED_KEY]

    def _view(self, net: Supernet, data: dict[str, Any], key: str, **fields) -> Supernet:
        """`net` as a data configuration's candidates use it: in its colour's widest subnet's programs."""
        factor = self.width_factor(data)
        return Supernet(data, key, factor, net.whole, self._programs(net, max(self.space.alphas) * factor),
                        net.trainable, net.non_trainable, reused=net.reused, **fields)

    def _programs(self, net: Supernet, width: float) -> Programs:
        """The programs of one width of `net`'s supernet (compiled on first use, then shared)."""
        width = round(width, 6)
        if width >= round(net.whole.width, 6):
            return net.programs
        key = (net.whole.name, width)
        if key not in self.programs:
            model = MobileNetV2Supernet(net.whole.input_dims, width, self.classes, self.space.depth_choices,
                                        placeholder_weights=True, name=f"{net.whole.name}_w{width:g}")
            self.programs[key] = _programs(model, self.config, self.augment)
        return self.programs[key]

    @property
    def pretrain_steps(self) -> int:
        """training.pretrain_steps, or for a pinned run's shared supernet (match_pinned_pretraining)
        the steps at its configuration that cost what the shared supernet of the modality's whole
        data space spends."""
        config = self.config
        steps = config.training.pretrain_steps
        if not (self.shared and config.training.match_pinned_pretraining and not config.strategy.data_aware):
            return steps
        area = lambda data: math.prod(self.modality.input_shape(data)[:-1])  # noqa: E731
        return matched_pretrain_steps(steps, area(self.space.data_configs[0]),
                                      [area(data) for data in self.modality.data_configs()])

    def width_factor(self, data: dict[str, Any]) -> float:
        space = self.config.search_space
        return space.mono_width_factor if data.get("color") == "mono" else 1.0

    def checkpoint_of(self, data: dict[str, Any]) -> str:
        """The checkpoint name of the supernet a data configuration's candidates train in."""
        return self.checkpoint_name(SHARED_KEY if self.shared else self.modality.key(data))

    def checkpoint_name(self, key: str) -> str:
        training = self.config.training
        settings = [SUPERNET_VERSION, key, self.config.seed, self.pretrain_steps, training.pretrain_rule,
                    training.batch_size, training.learning_rate, training.optimizer, training.schedule,
                    sorted(self.space.alphas), self.space.depth_choices, self.modality.info.fingerprint,
                    self.config.search_space.mono_width_factor]
        if key == SHARED_KEY:
            settings.append([self.modality.key(d) for d in self.space.data_configs])
        return f"{key}-{hashlib.sha256(json.dumps(settings, default=str).encode()).hexdigest()[:12]}"

    def _make(self, configs: list[dict[str, Any]], key: str) -> Supernet:
        """The supernet trained on `configs`: built at the largest input and width among them."""
        shapes = [self.modality.input_shape(d) for d in configs]
        shape = tuple(max(s[i] for s in shapes) for i in range(len(shapes[0])))
        if not {s[-1] for s in shapes} <= {1, shape[-1]}:
            raise FatalError(f"one supernet cannot take inputs of {sorted({s[-1] for s in shapes})} channels "
                             "(only 1-channel inputs are repeated to the others'); set training.supernets: "
                             "per_configuration")
        factor = max(self.width_factor(d) for d in configs)
        model = MobileNetV2Supernet(shape, max(self.space.alphas) * factor, self.classes,
                                    self.space.depth_choices, init_seed=stable_seed(self.config.seed, key, "init"),
                                    name=f"supernet_{key}")
        net = Supernet(configs[0], key, factor, model, _programs(model, self.config, self.augment),
                       [v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables])
        name = self.checkpoint_name(key)
        saved = self.load(name)
        if saved is not None:
            groups, _ = unpack(saved, {"t": net.trainable, "n": net.non_trainable})
            net.trainable, net.non_trainable = groups["t"], groups["n"]
            net.reused = True
            self.progress(f"reusing the pre-trained supernet for {key}")
            return net
        start = time.time()
        self._pretrain(net, configs)
        net.pretrain_seconds = time.time() - start
        self.save(name, pack({"t": net.trainable, "n": net.non_trainable}))
        return net

    def _pretrain(self, net: Supernet, configs: list[dict[str, Any]]) -> None:
        """`pretrain_steps` steps; each on a batch of one of `configs` (drawn at random when there
        are several), by the pre-training rule, in the programs of the batch's colour."""
        training = self.config.training
        steps = self.pretrain_steps
        if steps == 0:
            return
        self.progress(f"pre-training the supernet for {net.key} ({steps} steps, {training.pretrain_rule}"
                      + (f", {len(configs)} data configurations" if len(configs) > 1 else "") + ")")
        optimizer = make_optimizer(training, steps)
        state = TrainState(net.trainable, net.non_trainable, net.programs.init_finetune_state(net.trainable))
        depths, alphas = self.space.valid_depths, self.space.alphas
        several = len(configs) > 1
        streams = [train_batches(self.modality.arrays("train", data), training.batch_size,
                                 stable_seed(self.config.seed, self.modality.key(data) if several else net.key,
                                             "pretrain"), self.modality.to_model_input) for data in configs]
        order = (np.random.default_rng(stable_seed(self.config.seed, net.key, "data order")).integers(
            len(configs), size=steps) if several else np.zeros(steps, int))
        views = [self._view(net, data, net.key) for data in configs]
        rng = np.random.default_rng(stable_seed(self.config.seed, net.key, "sandwich"))

        def batches():
            for i in range(steps):
                x, y = next(streams[order[i]])
                yield net.model_input(x), y

        def subnets(step: int) -> tuple[Subnet, ...]:
            view = views[order[step]]
            largest = view.subnet(Candidate(view.data, max(depths, key=sum), max(alphas)))
            if training.pretrain_rule != "sandwich":
                return (largest,)
            middle = self.space.sample(rng)
            return (largest, view.subnet(Candidate(view.data, min(depths, key=sum), min(alphas))),
                    view.subnet(Candidate(view.data, middle.depths, middle.alpha)))

        outcome = train(make_train_step(None, optimizer), state, batches(), steps,
                        stable_seed(self.config.seed, net.key, "augment"), subnets, "pre-training step")
        if outcome.failure:
            raise FatalError(f"supernet pre-training for {net.key} diverged ({outcome.failure}); lower "
                             f"training.learning_rate (now {training.learning_rate}) and run again")
        net.trainable, net.non_trainable = outcome.state.trainable, outcome.state.non_trainable


def _programs(model: MobileNetV2Supernet, config: SpecConfig, augment) -> Programs:
    optimizer = make_optimizer(config.training, config.training.finetune_steps)
    grad = make_grad(model, augment)
    return Programs(model, grad, make_init(optimizer), make_train_step(grad, optimizer), make_predict(model))
