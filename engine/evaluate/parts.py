"""The parts of a supernet search that evaluate candidates: the joint space, the supernet pool
and the evaluator, wired alike in a run's process and in every distributed worker (and by the
benchmarks), so a candidate is measured the same way wherever it runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from danas.budget import Budget
from danas.config import SpecConfig
from engine.evaluate.evaluator import Evaluator
from engine.evaluate.metrics import positive_index
from engine.evaluate.supernets import SupernetPool
from engine.space.joint import JointSpace


@dataclass(frozen=True, kw_only=True)
class SupernetParts:
    """The joint space, the supernet pool and the evaluator of a supernet search."""

    space: JointSpace
    pool: SupernetPool
    evaluator: Evaluator


def supernet_parts(config: SpecConfig, modality: Any, classes: tuple[str, ...], budget: Budget,
                   load: Callable[[str], bytes | None] = lambda name: None,
                   save: Callable[[str, bytes], None] = lambda name, data: None,
                   progress: Callable[[str], None] = lambda message: None) -> SupernetParts:
    """Wires a supernet search's parts; by default checkpoints are neither loaded nor saved."""
    space = joint_space(config, modality)
    pool = SupernetPool(config, modality, space, len(classes), load=load, save=save, progress=progress)
    evaluator = Evaluator(config, modality, pool, len(classes),
                          positive_index(config.objective.average, config.objective.positive_class, classes), budget)
    return SupernetParts(space=space, pool=pool, evaluator=evaluator)


def data_configs(config: SpecConfig, modality: Any) -> list[dict[str, Any]]:
    """The data search space, or the one pinned configuration of a data-unaware run."""
    configs = modality.data_configs()
    if not config.strategy.data_aware:
        pinned = config.strategy.pinned_data
        configs = [{key: pinned[key] for key in configs[0]}]
    return configs


def joint_space(config: SpecConfig, modality: Any) -> JointSpace:
    """Data configurations x the architecture space of `config.search_space`."""
    space = config.search_space
    return JointSpace(tuple(data_configs(config, modality)), space.stage_depths.as_tuple(), tuple(space.alphas))
