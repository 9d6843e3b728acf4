"""Cross-field rules that JSON Schema cannot express (Ludwig's `@register_config_check`).

Each check reads the typed config and yields a `Problem` per broken rule; all run, so the
user sees every problem at once.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from engine.errors import Problem
from engine.space.mobilenet_genes import valid_depths
from engine.spec.config import (AudioConfig, DartsSpaceConfig, DifferentiableConfig,
                                EvolutionConfig, MobileNetV2SpaceConfig, SpecConfig, VisionConfig)

Check = Callable[[SpecConfig], Iterable[Problem]]
CHECKS: list[Check] = []

SOURCES_BY_MODALITY = {
    "vision": ("wake_vision", "image_folder", "builtin_person"),
    "audio": ("speech_commands", "builtin_speech"),
}
BUILTIN_SOURCES = ("builtin_person", "builtin_speech")
VISION_KEYS = ("resolution", "color")
AUDIO_KEYS = ("sample_rate", "window", "hop", "mel_bins", "n_mfcc")


def check(fn: Check) -> Check:
    """Registers a cross-field check."""
    CHECKS.append(fn)
    return fn


def cross_field_problems(config: SpecConfig) -> list[Problem]:
    """Every cross-field problem of `config`."""
    return [problem for fn in CHECKS for problem in fn(config)]


@check
def _source_fits_modality(cfg: SpecConfig) -> Iterator[Problem]:
    allowed = SOURCES_BY_MODALITY[cfg.modality.type]
    if cfg.dataset.source not in allowed:
        yield Problem("dataset.source", f"received {cfg.dataset.source!r}, which is not "
                      f"{cfg.modality.type} data; with modality.type {cfg.modality.type} "
                      f"expected one of: {', '.join(allowed)}")


@check
def _path_given(cfg: SpecConfig) -> Iterator[Problem]:
    data = cfg.dataset
    if data.source not in BUILTIN_SOURCES and data.path is None and data.when_missing == "error":
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
def _audio_frontend(cfg: SpecConfig) -> Iterator[Problem]:
    audio = cfg.modality
    if not isinstance(audio, AudioConfig):
        return
    where = "modality.window_hop_pairs" if audio.window_hop_pairs else "modality.hop"
    for window, hop in audio.window_hops():
        if hop > window:
            yield Problem(where, f"hop {hop} > window {window}; every hop must be <= its "
                          "window, or frames would skip samples")
    for coefficients in audio.n_mfcc:
        if coefficients > min(audio.mel_bins):
            yield Problem("modality.n_mfcc", f"received {coefficients}; expected <= the "
                          f"smallest mel_bins ({min(audio.mel_bins)}): MFCCs are a DCT of the mel bands")
    shortest = int(audio.clip_seconds * min(audio.sample_rate))
    for window, _ in audio.window_hops():
        if window > shortest:
            yield Problem("modality.window", f"received {window}; expected <= {shortest} "
                          "samples, the clip length at the lowest sample rate")


@check
def _pinned_data_in_space(cfg: SpecConfig) -> Iterator[Problem]:
    pinned = cfg.strategy.pinned_data
    if pinned is None:
        return
    modality = cfg.modality
    keys = VISION_KEYS if isinstance(modality, VisionConfig) else AUDIO_KEYS
    for key in pinned:
        if key not in keys:
            yield Problem(f"strategy.pinned_data.{key}", f"not a {modality.type} data gene; "
                          f"expected keys: {', '.join(keys)}")
    for key, allowed in _gene_values(modality).items():
        if key in pinned and pinned[key] not in allowed:
            yield Problem(f"strategy.pinned_data.{key}", f"received {pinned[key]}; must be in "
                          f"the data search space: {', '.join(map(str, allowed))}")


def _gene_values(modality) -> dict[str, tuple]:
    if isinstance(modality, VisionConfig):
        return {"resolution": modality.resolutions, "color": modality.color}
    pairs = modality.window_hops()
    return {"sample_rate": modality.sample_rate, "window": tuple(w for w, _ in pairs),
            "hop": tuple(h for _, h in pairs), "mel_bins": modality.mel_bins,
            "n_mfcc": modality.n_mfcc}


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
def _some_architecture(cfg: SpecConfig) -> Iterator[Problem]:
    space = cfg.search_space
    if isinstance(space, MobileNetV2SpaceConfig) and not valid_depths(space.stage_depths.as_tuple()):
        yield Problem("search_space.stage_depths", "no valid architecture: a stage may be "
                      "empty only if every later stage is empty; allow 0 in the later stages")


@check
def _warmup_steps(cfg: SpecConfig) -> Iterator[Problem]:
    training = cfg.training
    if training.warmup_steps and training.schedule != "warmup_cosine_decay":
        yield Problem("training.warmup_steps", f"set, but training.schedule is "
                      f"{training.schedule}; warm-up applies to warmup_cosine_decay only")
