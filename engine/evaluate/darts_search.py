"""The bilevel DARTS search with data weights gamma (Shi, Njor et al. 2025), on JAX + optax.

First-order DARTS (Liu et al. 2019): a weight step on a training batch (the spec's optimizer,
gradients clipped to norm 5 as DARTS does), then an architecture step on a validation batch
that updates alpha and beta (Adam, beta1 0.5, weight decay 1e-3, as DARTS) and gamma (Adam,
its own learning rate), the weights held fixed. The schedule (warm-up, early stop of the data
search) is its schedule's (`engine.evaluate.darts_schedule`). Every sample enters under
every data configuration (the modality serves each split in the same order for each), until
the data search stops; then only the chosen configuration is featurised.

An optional resource penalty adds weight x E[cost] / max cost to the architecture loss, where
E[cost] = sum over edges and ops of softmax(alpha) x the op's parameters (or MACs) in the
derived network and max cost takes every edge's most expensive op: a number in [0, 1].
With `resource_penalty: ram` it adds instead
    weight x sum over data configurations d of softmax(gamma)_d x max(0, RAM_d / RAM budget - 1)
where RAM_d is the estimated RAM of the network derived from the current alpha, fed d's input
(recomputed at the start of every epoch): a system's RAM is set mostly by its input resolution
and colour, so the penalty steers the data weights away from configurations whose system
would not fit, and leaves those that fit to compete on accuracy alone.

`budget.max_minutes` is checked after every epoch: once it has passed, the search ends there
(its checkpoint saved) and the system is derived from the current alpha and gamma.

The state is checkpointed after every epoch (weights, optimizer states, alpha, beta, gamma,
trajectories); batches depend only on (seed, epoch, step), so a resumed search ends exactly
where an uninterrupted one does.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax

from danas import interrupts
from danas.errors import FatalError
from engine.evaluate.optimizers import make_optimizer
from engine.evaluate.checkpoint import pack, unpack
from engine.evaluate.loop import non_finite
from engine.evaluate.seeds import stable_seed
from engine.space.darts.arch import edge_cost_tables
from engine.space.darts.genotype import Genotype, cell_edges, derive, softmax
from engine.space.darts.search_network import DartsSearchNetwork, aligned_shape
from engine.evaluate.darts_schedule import DartsState, Differentiable

CHECKPOINT = "darts-search"
# 2: the weight optimizer's state is one flat vector per moment (optax.flatten); a checkpoint of
# the older per-weight layout is not resumed ("other settings"), never restored into the new one
CHECKPOINT_FORMAT = 2
PARAM_GROUPS = ("trainable", "non_trainable", "w_opt", "arch", "gamma", "a_opt", "g_opt")
ARCH_KEYS = ("alpha_normal", "alpha_reduce", "beta_normal", "beta_reduce")
DARTS_ARCH_WEIGHT_DECAY = 1e-3
DARTS_GRAD_CLIP = 5.0


@dataclass
class SearchOutcome:
    genotype: Genotype
    chosen: int
    state: DartsState
    gamma: np.ndarray
    arch: dict[str, np.ndarray]
    history: dict[str, Any]
    seconds: float
    stopped_by_time: bool = False


@dataclass
class _Params:
    trainable: list
    non_trainable: list
    w_opt: Any
    arch: dict
    gamma: Any
    a_opt: Any
    g_opt: Any
    history: dict = field(default_factory=lambda: {"gamma": [], "epochs": []})


class DartsSearch:
    """Runs (or resumes) the search for a spec over the given data configurations."""

    def __init__(self, config, modality, data_configs: list[dict], classes: int,
                 load: Callable[[str], bytes | None], save: Callable[[str, bytes], None],
                 progress: Callable[[str], None], ram_budget: int | None = None, deadline: float | None = None):
        self.config, self.modality, self.configs = config, modality, data_configs
        self.classes, self.ram_budget, self.deadline = classes, ram_budget, deadline
        self.space, self.settings = config.search_space, config.strategy
        self.load, self.save, self.progress = load, save, progress
        self.strategy = Differentiable(self.settings)
        self.train = [modality.arrays("train", d) for d in data_configs]
        self.val = [modality.arrays("validation", d) for d in data_configs]
        _check_aligned(self.train, "train", data_configs, modality)
        _check_aligned(self.val, "validation", data_configs, modality)
        shapes = [modality.input_shape(d) for d in data_configs]
        from engine.backend import load_keras

        load_keras().utils.set_random_seed(stable_seed(config.seed, "darts", "init"))
        self.model = DartsSearchNetwork(shapes, self.space.ops, self.space.cells, self.space.channels,
                                        self.space.nodes, self.space.partial_channels, classes,
                                        self.settings.alignment, name="darts_search")
        self.model.build_all()
        self.batch = min(config.training.batch_size, len(self.train[0].y))
        self.steps_per_epoch = max(1, len(self.train[0].y) // self.batch)
        self.w_optimizer = optax.chain(optax.clip_by_global_norm(DARTS_GRAD_CLIP),
                                       make_optimizer(config.training, self.settings.epochs * self.steps_per_epoch))
        self.a_optimizer = optax.chain(optax.add_decayed_weights(DARTS_ARCH_WEIGHT_DECAY),
                                       optax.adam(self.settings.arch_learning_rate, b1=0.5, b2=0.999))
        self.g_optimizer = optax.adam(self.settings.gamma_learning_rate, b1=0.5, b2=0.999)
        self.penalty = _penalty_tables(config, shapes)
        if self.settings.resource_penalty == "ram" and ram_budget is None:
            raise ValueError("resource_penalty 'ram' needs the hardware's RAM budget (ram_budget); "
                             "this is a danas bug if a run got here")
        self.ram_weight = self.settings.resource_penalty_weight if self.settings.resource_penalty == "ram" else 0.0
        self.augment = modality.augmentation()
        self._steps: dict[Any, tuple[Callable, Callable]] = {}

    # -- the loop ---------------------------------------------------------------------------
    def run(self) -> SearchOutcome:
        start = time.time()
        params, state = self._restore() or (self._fresh(), self.strategy.init(len(self.configs)))
        if state.epoch:
            self.progress(f"resuming the DARTS search after epoch {state.epoch}")
        # at least one epoch; a resumed search whose time had run out does not train again
        while not self.strategy.done(state) and not (state.epoch and self._out_of_time()):
            params, state = self._epoch(params, state)
            self.save(CHECKPOINT, _to_bytes(params, state, _settings(self.config)))
        stopped = not self.strategy.done(state)
        if stopped:
            self.progress(f"budget.max_minutes reached after epoch {state.epoch} of {self.settings.epochs}; "
                          "deriving the system from the current architecture and data weights")
        arch = {k: np.asarray(v) for k, v in params.arch.items()}
        gamma = np.asarray(params.gamma)
        chosen = self.strategy.final_choice(state, gamma)
        genotype = derive(arch, self.space.ops, self.space.nodes)
        return SearchOutcome(genotype, chosen, state, gamma, arch, params.history, time.time() - start, stopped)

    def _out_of_time(self) -> bool:
        return self.deadline is not None and time.time() >= self.deadline

    def _ram_over_budget(self, arch: dict) -> np.ndarray:
        """max(0, RAM_d / RAM budget - 1) of the network derived from `arch`, per data configuration."""
        if not self.ram_weight:
            return np.zeros(len(self.configs), np.float32)
        from engine.evaluate.darts_retrain import darts_estimate

        genotype = derive({k: np.asarray(v) for k, v in arch.items()}, self.space.ops, self.space.nodes)
        ram = [darts_estimate(self.config, self.modality, d, genotype, self.classes).ram_bytes for d in self.configs]
        return np.maximum(0.0, np.asarray(ram, np.float64) / self.ram_budget - 1.0).astype(np.float32)

    def _epoch(self, params: _Params, state: DartsState) -> tuple[_Params, DartsState]:
        epoch, searching = state.epoch, self.strategy.searches_architecture(state.epoch)
        self.progress(f"DARTS epoch {epoch + 1}/{self.settings.epochs}: "
                      f"{'weights, architecture and data' if searching else 'warm-up, weights only'}")
        order = np.random.default_rng(stable_seed(self.config.seed, "darts", "train", epoch)).permutation(
            len(self.train[0].y))
        base_key = jax.random.PRNGKey(stable_seed(self.config.seed, "darts", "augment", epoch))
        losses, arch_losses, arch_acc, started = [], [], [], time.time()
        over = self._ram_over_budget(params.arch) if searching else np.zeros(len(self.configs), np.float32)
        for step in range(self.steps_per_epoch):
            index = np.sort(order[step * self.batch:(step + 1) * self.batch])
            weight_step, arch_step = self._compiled(state.chosen)
            xs, y = self._batch(self.train, index, state.chosen)
            params.trainable, params.non_trainable, params.w_opt, loss = weight_step(
                params.trainable, params.non_trainable, params.w_opt, xs, y, params.arch, params.gamma,
                jax.random.fold_in(base_key, step))
            losses.append(loss)
            if searching:
                xs, y = self._batch(self.val, self._val_index(state.arch_steps), state.chosen)
                params.arch, params.gamma, params.a_opt, params.g_opt, a_loss, a_acc = arch_step(
                    params.trainable, params.non_trainable, params.arch, params.gamma, params.a_opt,
                    params.g_opt, xs, y, over)
                arch_losses.append(a_loss)
                arch_acc.append(a_acc)
                gamma = np.asarray(params.gamma)
                state = self.strategy.after_arch_step(state, gamma)
                params.history["gamma"].append([state.arch_steps, *np.round(gamma, 6).tolist()])
                if state.stopped_at_step == state.arch_steps and len(self.configs) > 1:
                    self.progress(f"data search stopped at architecture step {state.arch_steps}: "
                                  f"{self.modality.key(self.configs[state.chosen])} chosen")
            interrupts.check()
        self._check_finite(losses, epoch)
        record = _epoch_record(epoch, searching, losses, arch_losses, arch_acc, params, time.time() - started)
        if self.ram_weight and searching:
            record["ram_over_budget"] = np.round(over.astype(np.float64), 6).tolist()
        params.history["epochs"].append(record)
        return params, self.strategy.after_epoch(state)

    def _batch(self, splits, index, chosen):
        if chosen is not None:
            return [self.modality.to_model_input(splits[chosen].x[index])], np.asarray(splits[chosen].y[index])
        return [self.modality.to_model_input(s.x[index]) for s in splits], np.asarray(splits[0].y[index])

    def _val_index(self, arch_step: int) -> np.ndarray:
        n = len(self.val[0].y)
        rng = np.random.default_rng(stable_seed(self.config.seed, "darts", "val", arch_step))
        return np.sort(rng.choice(n, size=min(self.batch, n), replace=False))

    def _check_finite(self, losses, epoch: int) -> None:
        failure = non_finite(np.asarray(jax.device_get(losses), np.float64), f"epoch {epoch + 1}, step")
        if failure:
            raise FatalError(f"the DARTS search diverged ({failure}); lower training.learning_rate "
                             f"(now {self.config.training.learning_rate}) and run again")

    # -- compiled steps ---------------------------------------------------------------------
    def _compiled(self, chosen: int | None) -> tuple[Callable, Callable]:
        if chosen not in self._steps:
            self._steps[chosen] = _make_steps(self.model, chosen, self.w_optimizer, self.a_optimizer,
                                              self.g_optimizer, self.augment, self.penalty, self.ram_weight)
        return self._steps[chosen]

    # -- state ------------------------------------------------------------------------------
    def _fresh(self) -> _Params:
        rng = np.random.default_rng(stable_seed(self.config.seed, "darts", "arch"))
        edges, n_ops = len(cell_edges(self.space.nodes)), len(self.space.ops)
        arch = {k: jnp.asarray(1e-3 * rng.standard_normal((edges, n_ops) if k.startswith("alpha") else edges),
                               jnp.float32) for k in ARCH_KEYS}
        gamma = jnp.zeros(len(self.configs), jnp.float32)
        history = {"gamma": [[0, *[0.0] * len(self.configs)]], "epochs": []}
        trainable = [v.value for v in self.model.trainable_variables]
        return _Params(trainable, [v.value for v in self.model.non_trainable_variables],
                       self.w_optimizer.init(trainable), arch, gamma, self.a_optimizer.init(arch),
                       self.g_optimizer.init(gamma), history)

    def _restore(self) -> tuple[_Params, DartsState] | None:
        data = self.load(CHECKPOINT)
        if data is None:
            return None
        template = self._fresh()
        restored, meta = unpack(data, {name: getattr(template, name) for name in PARAM_GROUPS})
        if meta["settings"] != _settings(self.config):
            self.progress("the saved DARTS search was made with other settings; starting again")
            return None
        return _Params(**restored, history=meta["history"]), DartsState.from_json(meta["state"])


def darts_summary(outcome: SearchOutcome, data_keys: list[str], ratio: float) -> dict[str, Any]:
    """darts.json: what the search decided and how it got there (plain JSON for the reports)."""
    return {"data_configurations": data_keys, "chosen": data_keys[outcome.chosen],
            "data_weights": np.round(softmax(outcome.gamma.astype(np.float64)), 6).tolist(),
            "gamma": np.round(outcome.gamma, 6).tolist(), "early_stop_ratio": ratio,
            "data_search_stopped_at_step": outcome.state.stopped_at_step if len(data_keys) > 1 else None,
            "architecture_steps": outcome.state.arch_steps, "genotype": outcome.genotype.to_json(),
            "search_seconds": round(outcome.seconds, 2), "history": outcome.history,
            "stopped_by_max_minutes_after_epoch": outcome.state.epoch if outcome.stopped_by_time else None}


def _make_steps(model, chosen, w_optimizer, a_optimizer, g_optimizer, augment, penalty, ram_weight):
    def loss_fn(trainable, non_trainable, xs, y, arch, gamma):
        weights = None if chosen is not None else jax.nn.softmax(gamma)
        logits, non_trainable = model.stateless_call(trainable, non_trainable, xs, data_weights=weights, arch=arch,
                                                     chosen=chosen, training=True)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean(), (non_trainable, logits)

    @jax.jit
    def weight_step(trainable, non_trainable, opt_state, xs, y, arch, gamma, key):
        if augment is not None:
            xs = [augment(x, key) for x in xs]  # one key: the same crop of each sample in every configuration
        (loss, (non_trainable, _)), grads = jax.value_and_grad(loss_fn, has_aux=True)(
            trainable, non_trainable, xs, y, arch, gamma)
        updates, opt_state = w_optimizer.update(grads, opt_state, trainable)
        return optax.apply_updates(trainable, updates), non_trainable, opt_state, loss

    @jax.jit
    def arch_step(trainable, non_trainable, arch, gamma, a_opt, g_opt, xs, y, ram_over):
        def objective(arch, gamma):
            loss, (_, logits) = loss_fn(trainable, non_trainable, xs, y, arch, gamma)
            ram = ram_weight * jnp.sum(jax.nn.softmax(gamma) * ram_over)
            return loss + _expected_cost(arch, penalty) + ram, logits

        (loss, logits), (g_arch, g_gamma) = jax.value_and_grad(objective, argnums=(0, 1), has_aux=True)(arch, gamma)
        updates, a_opt = a_optimizer.update(g_arch, a_opt, arch)
        arch = optax.apply_updates(arch, updates)
        if chosen is None:  # once the data is chosen, gamma is frozen
            updates, g_opt = g_optimizer.update(g_gamma, g_opt, gamma)
            gamma = optax.apply_updates(gamma, updates)
        return arch, gamma, a_opt, g_opt, loss, jnp.mean(jnp.argmax(logits, -1) == y)

    return weight_step, arch_step


def _expected_cost(arch, penalty):
    if penalty is None:
        return 0.0
    weight, tables, scale = penalty
    cost = sum(jnp.sum(jax.nn.softmax(arch[f"alpha_{kind}"], axis=-1) * tables[kind]) for kind in tables)
    return weight * cost / scale


def _penalty_tables(config, shapes) -> tuple[float, dict, float] | None:
    settings, space = config.strategy, config.search_space
    if settings.resource_penalty in ("none", "ram") or settings.resource_penalty_weight == 0:
        return None  # (the RAM penalty acts on the data weights: DartsSearch._ram_over_budget)
    column = 0 if settings.resource_penalty == "params" else 1
    shape = aligned_shape(shapes, settings.alignment)
    raw = edge_cost_tables(shape, space.ops, space.channels, space.cells, space.nodes)
    tables = {kind: np.asarray([[cost[column] for cost in edge] for edge in rows], np.float32)
              for kind, rows in raw.items()}
    scale = float(sum(t.max(axis=1).sum() for t in tables.values())) or 1.0
    return settings.resource_penalty_weight, {k: jnp.asarray(v) for k, v in tables.items()}, scale


def _check_aligned(splits, name: str, configs, modality) -> None:
    for data, split in zip(configs[1:], splits[1:]):
        if len(split.y) != len(splits[0].y) or not np.array_equal(split.y, splits[0].y):
            raise FatalError(f"the {name} split differs between data configurations {modality.key(configs[0])} and "
                             f"{modality.key(data)}; gamma needs every sample under every configuration")


def _epoch_record(epoch, searching, losses, arch_losses, arch_acc, params, seconds) -> dict[str, Any]:
    mean = lambda values: round(float(np.mean(jax.device_get(values))), 6) if values else None  # noqa: E731
    record = {"epoch": epoch + 1, "architecture": searching, "train_loss": mean(losses),
              "arch_loss": mean(arch_losses), "arch_batch_accuracy": mean(arch_acc), "seconds": round(seconds, 2),
              "data_weights": np.round(softmax(np.asarray(params.gamma, np.float64)), 6).tolist()}
    for key, value in params.arch.items():
        value = np.asarray(value, np.float64)
        record[key] = np.round(softmax(value) if key.startswith("alpha") else value, 6).tolist()
    return record


def _settings(config) -> dict[str, Any]:
    """What a checkpoint must have been made with to be resumed (and its layout's version)."""
    return json.loads(json.dumps({"format": CHECKPOINT_FORMAT, "seed": config.seed,
                                  "space": config.search_space.__dict__,
                                  "strategy": {k: v for k, v in config.strategy.__dict__.items()},
                                  "training": config.training.__dict__, "modality": config.modality.__dict__},
                                 default=str))


def _to_bytes(params: _Params, state: DartsState, settings: dict[str, Any]) -> bytes:
    return pack({name: getattr(params, name) for name in PARAM_GROUPS},
                meta={"state": state.to_json(), "history": params.history, "settings": settings})
