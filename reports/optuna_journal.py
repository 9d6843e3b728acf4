"""A run's trials as an Optuna journal file (`run-spec export RUN --format optuna`), so
`optuna-dashboard RUN/optuna.journal` browses the search offline with Optuna's own views.

Written through Optuna itself (`JournalStorage(JournalFileBackend(path))`), one study of three
objectives: validation accuracy (maximise), RAM and flash estimates in bytes (minimise). Each
trial's parameters are its genes, flattened (`data.resolution`, `depth_3` ... `depth_7`,
`alpha`; a DARTS genotype as its JSON text), each a categorical over the values the run
recorded; `constraints` (Optuna's convention, <= 0 is feasible) are RAM and flash minus the
budget. Rejected candidates become PRUNED trials, failed ones FAIL, both with their reason.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from danas.budget import Budget
from danas.records import TrialRecord

OBJECTIVES = ("accuracy", "ram_bytes", "flash_bytes")
FIRST_STAGE = 3  # MobileNetV2's searched stages are 3-7: depth genes are named by stage


def flat_params(candidate: dict[str, Any]) -> dict[str, Any]:
    """A candidate's genes as scalar parameters.

    Example:
        >>> flat_params({"data": {"resolution": 96, "color": "rgb"}, "depths": [2, 1, 0, 0, 0], "alpha": 0.5})
        {'data.resolution': 96, 'data.color': 'rgb', 'depth_3': 2, 'depth_4': 1, 'depth_5': 0, 'depth_6': 0, 'depth_7': 0, 'alpha': 0.5}
    """
    params: dict[str, Any] = {}
    for key, value in candidate.items():
        if key == "data":
            params.update({f"data.{k}": _scalar(v) for k, v in value.items()})
        elif key == "depths":
            params.update({f"depth_{FIRST_STAGE + i}": int(d) for i, d in enumerate(value)})
        else:
            params[key] = _scalar(value)
    return params


def _scalar(value: Any) -> Any:
    return value if isinstance(value, (int, float, str, bool)) or value is None else json.dumps(value, sort_keys=True)


def write_journal(path: Path, name: str, trials: list[TrialRecord], budget: Budget) -> int:
    """Writes the journal file (replacing one there); returns the number of trials."""
    import optuna
    from optuna.distributions import CategoricalDistribution
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    path.unlink(missing_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = JournalStorage(JournalFileBackend(str(path)))
    study = optuna.create_study(study_name=name, storage=storage, directions=["maximize", "minimize", "minimize"])
    with warnings.catch_warnings():  # metric names are "experimental" in Optuna since 3.2, and shown by the dashboard
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study.set_metric_names(list(OBJECTIVES))
    params = [flat_params(t.candidate) for t in trials]
    choices: dict[str, list] = {}
    for p in params:
        for key, value in p.items():
            if value not in choices.setdefault(key, []):
                choices[key].append(value)
    for trial, p in zip(trials, params):
        study.add_trial(optuna.trial.create_trial(
            state=_state(trial), params=p,
            distributions={k: CategoricalDistribution(choices[k]) for k in p},
            values=_values(trial), user_attrs=_attributes(trial),
            system_attrs=_constraints(trial, budget)))
    return len(trials)


def _state(trial: TrialRecord):
    from optuna.trial import TrialState

    return {"ok": TrialState.COMPLETE, "rejected": TrialState.PRUNED}.get(trial.status, TrialState.FAIL)


def _values(trial: TrialRecord) -> list[float] | None:
    if trial.status != "ok":
        return None
    return [float(trial.metrics["accuracy"]), float(trial.estimate.ram_bytes), float(trial.estimate.flash_bytes)]


def _attributes(trial: TrialRecord) -> dict[str, Any]:
    attributes = {"danas_trial": trial.index + 1, "data_key": trial.data_key, "status": trial.status,
                  "seconds": trial.seconds}
    if trial.reason:
        attributes["reason"] = trial.reason
    if trial.fitness is not None:
        attributes["fitness"] = trial.fitness
    attributes.update({f"val_{k}": v for k, v in trial.metrics.items() if isinstance(v, (int, float))})
    return attributes


def _constraints(trial: TrialRecord, budget: Budget) -> dict[str, Any]:
    if trial.estimate is None:
        return {}
    return {"constraints": [float(trial.estimate.ram_bytes - budget.ram_bytes),
                            float(trial.estimate.flash_bytes - budget.flash_bytes)]}
