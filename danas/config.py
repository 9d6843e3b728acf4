"""The frozen, typed config: built once from a validated spec; the only thing code reads.

Lists become tuples and sections become frozen dataclasses, so nothing downstream can change
the run's settings or supply its own defaults. Sections that hold several kinds (modality,
search space, strategy) become one dataclass per kind. A test keeps these fields equal to the
schema's properties.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Any, Mapping, Union


@dataclass(frozen=True)
class SplitsConfig:
    train: str | None
    validation: str
    test: str


@dataclass(frozen=True)
class MaxExamplesConfig:
    train: int | None
    validation: int | None
    test: int | None


@dataclass(frozen=True)
class DatasetConfig:
    source: str
    path: str | None
    splits: SplitsConfig
    max_examples: MaxExamplesConfig
    when_missing: str
    builtin_size: int
    cache_dir: str | None
    format: str | None = None
    label_set: str | None = None
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class StageDepthsConfig:
    stage3: tuple[int, ...]
    stage4: tuple[int, ...]
    stage5: tuple[int, ...]
    stage6: tuple[int, ...]
    stage7: tuple[int, ...]

    def as_tuple(self) -> tuple[tuple[int, ...], ...]:
        return (self.stage3, self.stage4, self.stage5, self.stage6, self.stage7)


@dataclass(frozen=True)
class MobileNetV2SpaceConfig:
    type: str
    stage_depths: StageDepthsConfig
    alphas: tuple[float, ...]
    mono_width_factor: float


@dataclass(frozen=True)
class DartsSpaceConfig:
    type: str
    ops: tuple[str, ...]
    cells: int
    channels: int
    nodes: int
    partial_channels: int


@dataclass(frozen=True)
class MutationMixConfig:
    data: float
    depth: float
    width: float


@dataclass(frozen=True)
class EvolutionConfig:
    type: str
    data_aware: bool
    pinned_data: types.MappingProxyType | None
    population: int
    initial_population: str
    tournament_size: int
    crossover_rate: float
    mutation_rate: float
    mutation_mix: MutationMixConfig


@dataclass(frozen=True)
class RandomConfig:
    type: str
    data_aware: bool
    pinned_data: types.MappingProxyType | None


@dataclass(frozen=True)
class DifferentiableConfig:
    type: str
    data_aware: bool
    pinned_data: types.MappingProxyType | None
    epochs: int
    warmup_epochs: int
    arch_learning_rate: float
    gamma_learning_rate: float
    early_stop_ratio: float
    alignment: str
    resource_penalty: str
    resource_penalty_weight: float


@dataclass(frozen=True)
class TrainingConfig:
    pretrain_steps: int
    pretrain_rule: str
    supernets: str
    match_pinned_pretraining: bool
    finetune_steps: int
    final_steps: int
    final_systems: int
    screen_steps: int
    calibration_batches: int
    retrain_steps: int
    batch_size: int
    eval_batch_size: int
    optimizer: str
    learning_rate: float
    weight_decay: float
    momentum: float
    schedule: str
    warmup_steps: int


@dataclass(frozen=True)
class HardwareConfig:
    target: str
    ram_bytes: int | None
    flash_bytes: int | None
    data_bytes: int
    activation_bytes: int
    weight_bytes: int
    flash_overhead_bytes: int
    estimator: str
    reject_margin: float
    pointer_bytes: int = 4


@dataclass(frozen=True)
class FitnessWeightsConfig:
    accuracy: float
    precision: float
    recall: float
    ram: float
    flash: float


@dataclass(frozen=True)
class ObjectiveConfig:
    weights: FitnessWeightsConfig
    average: str
    positive_class: str | None


@dataclass(frozen=True)
class BudgetConfig:
    max_evaluations: int | None
    max_minutes: float | None


@dataclass(frozen=True)
class OutputConfig:
    root: str


@dataclass(frozen=True)
class ExportConfig:
    int8_tflite: bool = False


@dataclass(frozen=True)
class ExecutionConfig:
    backend: str = "local"
    workers: int = 2
    address: str = ""
    cpus_per_worker: float = 1
    gpus_per_worker: float = 0


# A modality's own frozen dataclass (modalities/<type>/config.py); its `type` names the modality.
ModalityConfig = Any
SearchSpaceConfig = Union[MobileNetV2SpaceConfig, DartsSpaceConfig]
StrategyConfig = Union[EvolutionConfig, RandomConfig, DifferentiableConfig]

# The dataclass for each kind of a multi-kind section, keyed by the string the spec uses. The
# modality section's kinds are the registered modalities' own (passed to `build_config`).
KINDS: dict[str, dict[str, type]] = {
    "search_space": {"mobilenetv2": MobileNetV2SpaceConfig, "darts": DartsSpaceConfig},
    "strategy": {"evolution": EvolutionConfig, "random": RandomConfig,
                 "differentiable": DifferentiableConfig},
}


@dataclass(frozen=True)
class SpecConfig:
    """A whole validated spec."""

    version: int
    name: str
    seed: int
    dataset: DatasetConfig
    modality: ModalityConfig
    search_space: SearchSpaceConfig
    strategy: StrategyConfig
    training: TrainingConfig
    hardware: HardwareConfig
    objective: ObjectiveConfig
    budget: BudgetConfig
    output: OutputConfig
    export: ExportConfig = ExportConfig()
    execution: ExecutionConfig = ExecutionConfig()


def build_config(resolved: dict[str, Any], modality_kinds: Mapping[str, type]) -> SpecConfig:
    """Builds the typed config from a resolved (filled and validated) spec dict; `modality_kinds`
    maps each modality name to its config dataclass."""
    return _build(SpecConfig, resolved, {**KINDS, "modality": dict(modality_kinds)})


def _build(cls: type, data: dict[str, Any], kinds: dict[str, dict[str, type]]) -> Any:
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        if field.name in data:
            values[field.name] = _convert(hints[field.name], data[field.name], field.name, kinds)
    return cls(**values)


def _convert(hint: Any, value: Any, name: str, kinds: dict[str, dict[str, type]]) -> Any:
    if name in kinds and isinstance(value, dict):
        return _build(kinds[name][value["type"]], value, kinds)
    if dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return _build(hint, value, kinds)
    if name == "pinned_data" and value is not None:
        return types.MappingProxyType(dict(value))
    return _freeze(value)


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value
