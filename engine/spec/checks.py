"""Cross-field rules that JSON Schema cannot express (Ludwig's `@register_config_check`).

Each check reads the typed config and yields a `Problem` per broken rule; all run, so the
user sees every problem at once.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from danas.config import (DartsSpaceConfig, DifferentiableConfig, EvolutionConfig, MobileNetV2SpaceConfig,
                          SpecConfig)
from danas.errors import Problem
from engine.space.mobilenet_genes import valid_depths
from modalities import MODALITIES

Check = Callable[[SpecConfig], Iterable[Problem]]
CHECKS: list[Check] = []



def check(fn: Check) -> Check:
    """Registers a cross-field check."""
    CHECKS.append(fn)
    return fn


def cross_field_problems(config: SpecConfig) -> list[Problem]:
    """Every cross-field problem of `config`."""
    return [problem for fn in CHECKS for problem in fn(config)]


@check
def _source_fits_modality(cfg: SpecConfig) -> Iterator[Problem]:
    allowed = MODALITIES.get(cfg.modality.type).sources
    if cfg.dataset.source not in allowed:
        yield Problem("dataset.source", f"received {cfg.dataset.source!r}, which is not "
                      f"{cfg.modality.type} data; with modality.type {cfg.modality.type} "
                      f"expected one of: {', '.join(allowed)}")


@check
def _path_given(cfg: SpecConfig) -> Iterator[Problem]:
    data = cfg.dataset
    builtin = MODALITIES.get(cfg.modality.type).builtin_sources
    if data.source not in builtin and data.path is None and data.when_missing == "error":
        yield Problem("dataset.path", f"missing; source {data.source} needs the folder you "
                      "downloaded it to (or set dataset.when_missing: generate to use the "
                      "built-in stand-in)")


@check
def _custom_words(cfg: SpecConfig) -> Iterator[Problem]:
    data = cfg.dataset
    if data.label_set == "custom" and not data.words:
        yield Problem("dataset.words", "received an empty list; label_set custom needs the "
                      "words to detect, for example [marvin, sheila]")
    if data.label_set not in (None, "custom") and data.words:
        yield Problem("dataset.words", f"set, but dataset.label_set is {data.label_set}; "
                      "words are used only with label_set: custom")


@check
def _strategy_fits_space(cfg: SpecConfig) -> Iterator[Problem]:
    differentiable = isinstance(cfg.strategy, DifferentiableConfig)
    darts = isinstance(cfg.search_space, DartsSpaceConfig)
    if differentiable and not darts:
        yield Problem("search_space.type", f"received {cfg.search_space.type!r}; strategy "
                      "differentiable searches DARTS cells, expected darts")
    if darts and not differentiable:
        yield Problem("strategy.type", f"received {cfg.strategy.type!r}; search_space darts "
                      "is searched by gradient, expected differentiable")


@check
def _modality_rules(cfg: SpecConfig) -> Iterator[Problem]:
    yield from MODALITIES.get(cfg.modality.type).problems(cfg)


@check
def _pinned_data_in_space(cfg: SpecConfig) -> Iterator[Problem]:
    pinned = cfg.strategy.pinned_data
    if pinned is None:
        return
    modality = MODALITIES.get(cfg.modality.type)
    for key in pinned:
        if key not in modality.gene_names:
            yield Problem(f"strategy.pinned_data.{key}", f"not a {modality.name} data gene; "
                          f"expected keys: {', '.join(modality.gene_names)}")
    for key, allowed in modality.gene_values(cfg.modality).items():
        if key in pinned and pinned[key] not in allowed:
            yield Problem(f"strategy.pinned_data.{key}", f"received {pinned[key]}; must be in "
                          f"the data search space: {', '.join(map(str, allowed))}")


@check
def _budget_has_a_limit(cfg: SpecConfig) -> Iterator[Problem]:
    if cfg.budget.max_evaluations is None and cfg.budget.max_minutes is None:
        yield Problem("budget", "both max_evaluations and max_minutes are null; set at least "
                      "one, or the search never stops")


@check
def _evolution_settings(cfg: SpecConfig) -> Iterator[Problem]:
    strategy = cfg.strategy
    if not isinstance(strategy, EvolutionConfig):
        return
    if strategy.tournament_size > strategy.population:
        yield Problem("strategy.tournament_size", f"received {strategy.tournament_size}; "
                      f"expected <= strategy.population ({strategy.population})")
    mix = strategy.mutation_mix
    if mix.data + mix.depth + mix.width <= 0:
        yield Problem("strategy.mutation_mix", "all odds are 0; at least one mutation "
                      "(data, depth or width) needs odds > 0")


@check
def _differentiable_schedule(cfg: SpecConfig) -> Iterator[Problem]:
    strategy = cfg.strategy
    if isinstance(strategy, DifferentiableConfig) and strategy.warmup_epochs >= strategy.epochs:
        yield Problem("strategy.warmup_epochs", f"received {strategy.warmup_epochs}; expected "
                      f"< strategy.epochs ({strategy.epochs}), or the architecture never learns")


@check
def _final_steps_need_a_supernet(cfg: SpecConfig) -> Iterator[Problem]:
    if isinstance(cfg.strategy, DifferentiableConfig) and cfg.training.final_steps:
        yield Problem("training.final_steps", f"received {cfg.training.final_steps}; a differentiable "
                      "search trains its derived system from scratch: set training.retrain_steps instead")
    if isinstance(cfg.strategy, DifferentiableConfig) and cfg.training.screen_steps:
        yield Problem("training.screen_steps", f"received {cfg.training.screen_steps}; a differentiable "
                      "search returns one system, trained from scratch (training.retrain_steps)")
    if isinstance(cfg.strategy, DifferentiableConfig) and cfg.training.calibration_batches:
        yield Problem("training.calibration_batches", f"received {cfg.training.calibration_batches}; a "
                      "differentiable search trains its derived system from scratch, with its own statistics")
    if isinstance(cfg.strategy, DifferentiableConfig) and cfg.training.final_systems:
        yield Problem("training.final_systems", f"received {cfg.training.final_systems}; a differentiable "
                      "search returns one system, trained from scratch (training.retrain_steps)")


@check
def _some_architecture(cfg: SpecConfig) -> Iterator[Problem]:
    space = cfg.search_space
    if isinstance(space, MobileNetV2SpaceConfig) and not valid_depths(space.stage_depths.as_tuple()):
        yield Problem("search_space.stage_depths", "no valid architecture: a stage may be "
                      "empty only if every later stage is empty; allow 0 in the later stages")


@check
def _positive_class_needs_positive_average(cfg: SpecConfig) -> Iterator[Problem]:
    objective = cfg.objective
    if objective.positive_class is not None and objective.average != "positive":
        yield Problem("objective.positive_class", f"set, but objective.average is {objective.average}; the "
                      "positive class counts only with average: positive (add it, or remove positive_class)")


@check
def _warmup_steps(cfg: SpecConfig) -> Iterator[Problem]:
    training = cfg.training
    if training.warmup_steps and training.schedule != "warmup_cosine_decay":
        yield Problem("training.warmup_steps", f"set, but training.schedule is "
                      f"{training.schedule}; warm-up applies to warmup_cosine_decay only")


@check
def _ray_runs_supernet_searches(cfg: SpecConfig) -> Iterator[Problem]:
    if cfg.execution.backend == "ray" and isinstance(cfg.strategy, DifferentiableConfig):
        yield Problem("execution.backend", "received 'ray'; a differentiable search trains one network and has "
                      "no candidates to spread over workers: use backend local (or strategy evolution/random)")
