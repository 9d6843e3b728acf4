"""`run-spec export RUN --format optuna`: the trials as an Optuna journal file that Optuna (and
so optuna-dashboard) loads: one study, every trial with its genes, objectives and constraints."""

from __future__ import annotations

import json
import shutil

import pytest

from engine.cli import main
from reports.optuna_journal import flat_params
from tests.smoke_runs import only_run


def test_the_journal_loads_in_optuna_with_every_trial(baseline, tmp_path):
    optuna = pytest.importorskip("optuna")
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    root = tmp_path / "run"
    shutil.copytree(only_run(baseline[0] / "base"), root)  # the shared baseline is never modified
    assert main(["export", str(root), "--format", "optuna"]) == 0
    records = [json.loads(line) for line in (root / "trials.jsonl").read_text().splitlines()]
    (study,) = optuna.get_all_study_summaries(JournalStorage(JournalFileBackend(str(root / "optuna.journal"))))
    loaded = optuna.load_study(study_name=study.study_name,
                               storage=JournalStorage(JournalFileBackend(str(root / "optuna.journal"))))
    assert loaded.metric_names == ["accuracy", "ram_bytes", "flash_bytes"]
    assert len(loaded.trials) == len(records)
    for trial, record in zip(loaded.trials, records):
        assert trial.params == flat_params(record["candidate"])
        assert trial.user_attrs["danas_trial"] == record["index"] + 1
        if record["status"] == "ok":
            assert trial.values == [record["metrics"]["accuracy"], record["estimate"]["ram_bytes"],
                                    record["estimate"]["flash_bytes"]]
            assert len(trial.system_attrs["constraints"]) == 2
    assert {t.number for t in loaded.best_trials} <= {t.number for t in loaded.trials}  # a Pareto front exists
    assert main(["verify", str(root)]) == 0
