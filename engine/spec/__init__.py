"""Spec loading, once, at the edge: read -> overrides -> defaults -> schema -> typed config -> checks.

Nothing here imports JAX or Keras, so `run-spec --check` answers at once.

Example:
    >>> spec = load_spec("specs/wakevision_small.yaml")   # doctest: +SKIP
    >>> spec.config.strategy.population                   # doctest: +SKIP
    8
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from danas.errors import SpecError
from engine.spec.checks import cross_field_problems
from danas.config import SpecConfig, build_config
from engine.spec.defaults import fill_defaults
from engine.spec.load import SpecText, read_spec
from engine.spec.overrides import apply_overrides
from engine.spec.validate import schema_problems
from modalities import MODALITIES, modality_kinds

__all__ = ["Spec", "SpecError", "load_bundle_spec", "load_spec", "resolve"]


@dataclass(frozen=True)
class Spec:
    """A loaded spec: the file as written, the overrides, the resolved dict and the typed config."""

    text: SpecText
    overrides: tuple[str, ...]
    resolved: dict[str, Any] = field(repr=False)
    config: SpecConfig


def load_spec(path: str | Path, overrides: Sequence[str] = ()) -> Spec:
    """Loads, completes and validates the spec at `path`.

    Raises:
        SpecError: with every problem found, one per line.
    """
    text = read_spec(path)
    resolved, config = resolve(text.data, str(text.path), overrides, base_dir=text.path.parent)
    return Spec(text, tuple(overrides), resolved, config)


def load_bundle_spec(run_dir: Path) -> Spec:
    """The spec a run folder was started with: its verbatim spec.yaml, and its resolved spec
    (overrides applied, paths made absolute) as the settings."""
    import hashlib
    import json

    text = (run_dir / "spec.yaml").read_text(encoding="utf-8")
    resolved_data = json.loads((run_dir / "spec.resolved.json").read_text(encoding="utf-8"))
    # a run started before training.supernets existed trained one supernet per data configuration:
    # resumed, it must go on doing so (the new default would change the trials still to come)
    training = resolved_data.get("training")
    if isinstance(training, dict) and "supernets" not in training:
        training["supernets"] = "per_configuration"
    # and one started before training.match_pinned_pretraining pre-trained a pinned run pretrain_steps
    if isinstance(training, dict) and "match_pinned_pretraining" not in training:
        training["match_pinned_pretraining"] = False
    # and one started before strategy.initial_population drew generation 0 uniformly
    strategy = resolved_data.get("strategy")
    if isinstance(strategy, dict) and strategy.get("type") == "evolution" and "initial_population" not in strategy:
        strategy["initial_population"] = "uniform"
    overrides_file = run_dir / "overrides.json"
    overrides = tuple(json.loads(overrides_file.read_text())) if overrides_file.exists() else ()
    resolved, config = resolve(resolved_data, str(run_dir / "spec.resolved.json"))
    source = SpecText(run_dir / "spec.yaml", text, hashlib.sha256(text.encode()).hexdigest(), resolved_data)
    return Spec(source, overrides, resolved, config)


def resolve(
    data: dict[str, Any],
    source: str = "spec",
    overrides: Sequence[str] = (),
    base_dir: Path | None = None,
) -> tuple[dict[str, Any], SpecConfig]:
    """Turns a parsed spec mapping into (resolved dict, typed config), or raises `SpecError`."""
    data = _renamed(apply_overrides(copy.deepcopy(data), list(overrides)))
    resolved = fill_defaults(data)
    problems = schema_problems(resolved)
    if problems:
        raise SpecError(source, problems)
    _derive(resolved, base_dir)
    config = build_config(resolved, modality_kinds())
    problems = cross_field_problems(config)
    if problems:
        raise SpecError(source, problems)
    return resolved, config


def _renamed(data: Any) -> Any:
    """Older specs' keys read under their new names: a differentiable search's from-scratch
    training steps were `training.finetune_steps` before `training.retrain_steps` existed."""
    if not isinstance(data, dict) or not isinstance(data.get("training"), dict):
        return data
    strategy = data.get("strategy")
    training = data["training"]
    if isinstance(strategy, dict) and strategy.get("type") == "differentiable" \
            and "finetune_steps" in training and "retrain_steps" not in training:
        training["retrain_steps"] = training.pop("finetune_steps")
    return data


def _derive(resolved: dict[str, Any], base_dir: Path | None) -> None:
    """Fills values that depend on other fields, so the resolved spec says what was used."""
    dataset = resolved["dataset"]
    if dataset["path"] is not None and base_dir is not None:
        # Relative to the spec file, so a spec and its data can move together.
        dataset["path"] = str((base_dir / Path(dataset["path"]).expanduser()).resolve())
    strategy = resolved["strategy"]
    if not strategy["data_aware"]:
        # the Hardware-Aware NAS baseline: the modality's reference configuration unless pinned
        reference = MODALITIES.get(resolved["modality"]["type"]).reference_data(resolved["modality"])
        strategy["pinned_data"] = {**reference, **(strategy["pinned_data"] or {})}
