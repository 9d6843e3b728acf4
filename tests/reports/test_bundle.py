import json

import pytest

from danas.errors import FatalError
from reports.bundle import Bundle
from reports.finish import render_text
from reports.manifest import file_hashes, verify
from danas.budget import Budget
from danas.records import Estimate, ParetoEntry, TrialRecord
from reports.render import pareto_table, trial_line

BUDGET = Budget(ram_bytes=512 * 1024, flash_bytes=2048 * 1024)


def record(index: int) -> TrialRecord:
    return TrialRecord(index=index, candidate={"data": {"resolution": 32, "color": "rgb"}, "depths": [1, 0, 0, 0, 0],
                                               "alpha": 0.5},
                       data_key="32px-rgb", status="ok",
                       metrics={"accuracy": 0.75, "precision": 0.5, "recall": 0.25, "f1": 0.33},
                       estimate=Estimate(ram_bytes=20480, flash_bytes=40960, macs=1_500_000, params=1000, peak_op="x"),
                       fitness=3.5, seconds=1.0)


def test_torn_last_record_is_cut_off(tmp_path):
    bundle = Bundle(tmp_path)
    for i in range(3):
        bundle.append_trial(record(i))
    path = tmp_path / "trials.jsonl"
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) - 25])  # killed while writing the third record
    records, repaired = bundle.read_trials()
    assert repaired and [r.index for r in records] == [0, 1]
    assert path.read_bytes() == whole[: whole.index(b"\n", whole.index(b"\n") + 1) + 1]
    assert bundle.read_trials() == (records, False)


def test_lock_refuses_a_second_live_run(tmp_path):
    first, second = Bundle(tmp_path), Bundle(tmp_path)
    first.lock()
    (tmp_path / ".lock").write_text("1")  # process 1 is always alive
    with pytest.raises(FatalError, match="in use by another run"):
        second.lock()
    (tmp_path / ".lock").write_text("999999999")  # a killed run's lock is taken over
    second.lock()
    second.unlock()
    assert not (tmp_path / ".lock").exists()


def test_unwritable_output_folder_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(FatalError, match="cannot write the run folder"):
        Bundle.create(tmp_path / "file", "x")


def test_manifest_detects_changes(tmp_path):
    bundle = Bundle(tmp_path)
    bundle.write_text("a.txt", "hello")
    bundle.write_json("manifest.json", {"files": file_hashes(tmp_path)})
    assert verify(tmp_path) == []
    (tmp_path / "a.txt").write_text("changed")
    (tmp_path / "b.txt").write_text("new")
    assert verify(tmp_path) == ["a.txt: changed (SHA-256 differs)", "b.txt: not in the manifest"]


def test_renderers_fit_80_columns_without_colour():
    table = pareto_table([ParetoEntry(trial=record(i), test_metrics=record(i).metrics, feasible=True, model="m.keras",
                                      preprocessing="m.json", steps=1000) for i in range(3)], BUDGET)
    text = render_text(table, width=80)
    assert "\x1b[" not in text
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "32px-rgb" in text and "d10000 a0.5" in text
    line = trial_line(record(0), 30, BUDGET)
    assert line.startswith("[1/30] 32px-rgb d10000 a0.5: acc 0.750 RAM 20 kB (4%)")
    assert TrialRecord.from_json(json.loads(json.dumps(record(0).to_json()))) == record(0)


def test_live_status_shows_phase_progress_best_and_reasons():
    from reports.live import RunStatus, render_status

    status = RunStatus(30, 20, BUDGET, start=0.0, phase="pre-training the supernet for 96px-rgb")
    status.add(record(0))
    rejected = TrialRecord(index=1, candidate=record(0).candidate, data_key="32px-rgb", status="rejected",
                           reason="RAM 900,000 B > 1.25 x budget")
    status.add(rejected)
    text = render_text(render_status(status, now=90.0), width=80)
    assert "pre-training the supernet for 96px-rgb" in text
    assert "evaluated 1/30   time 1.5/20 min" in text
    assert "best: 32px-rgb d10000 a0.5  acc 0.750" in text
    assert "20 / 512 kB (4%)" in text and "40 / 2,048 kB (2%)" in text
    assert "1 x rejected: RAM 900,000 B > 1.25 x budget" in text
