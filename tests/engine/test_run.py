"""`run-spec` end to end on the smoke specs, and compilations that do not grow with candidates."""

from __future__ import annotations

import json

import pytest

from engine.cli import main
from tests.conftest import SPECS
from tests.smoke_runs import small_pool


def run_smoke(spec: str, tmp_path, *overrides: str) -> dict:
    args = [str(SPECS / "smoke" / spec), "--set", f"output.root={tmp_path / 'runs'}",
            "--set", f"dataset.cache_dir={tmp_path / 'cache'}", *sum((["--set", o] for o in overrides), [])]
    assert main(args) == 0
    (bundle,) = (tmp_path / "runs").iterdir()
    return {"root": bundle, "summary": json.loads((bundle / "summary.json").read_text()),
            "trials": [json.loads(line) for line in (bundle / "trials.jsonl").read_text().splitlines()]}


@pytest.mark.slow
def test_vision_smoke_run_writes_every_trial_and_the_pareto_models(tmp_path):
    from engine.backend import load_keras

    # 16 px only (mono and rgb: still a data-aware search), so the compiled programs are the
    # ones the resume tests' runs use, from the session's compilation cache
    # screening with the search's own step count: the same programs, the screening path taken
    run = run_smoke("wakevision_smoke.yaml", tmp_path, "modality.resolutions=[16]", "training.finetune_steps=2",
                    "training.screen_steps=2", "training.final_systems=1")
    trials, summary = run["trials"], run["summary"]
    assert sum(t["status"] != "rejected" for t in trials) == 6
    assert summary["builtin_data"] is True and summary["counts"]["ok"] == 6
    used = {t["data_key"] for t in trials if t["status"] == "ok"}
    assert set(summary["screening"]) == used == {"16px-mono", "16px-rgb"}  # stratified generation 0
    # with the search's own steps the screening re-measures exactly what the search measured
    searched = summary["best_per_data_configuration"]
    assert {k: (s["trial"], s["steps"], s["metrics"]["accuracy"]) for k, s in summary["screening"].items()} == \
        {k: (t["index"], 2, t["metrics"]["accuracy"]) for k, t in searched.items()}
    assert "| val acc after 2 steps |" in (run["root"] / "report.md").read_text()
    pairs = {(t["data_key"], t["candidate"]["alpha"]) for t in trials if t["status"] == "ok"}
    # per (data configuration, width): gradient, pre-training and fine-tuning updates, optimizer
    # initialisation, prediction (no initialiser or per-op programs); plus random-key programs
    assert summary["xla_compilations"] <= 5 * len(pairs) + 8, summary["xla_compilations"]
    pareto = json.loads((run["root"] / "pareto.json").read_text())
    assert pareto and all(0 <= p["test_metrics"]["accuracy"] <= 1 and p["fine_tune_steps"] == 2 for p in pareto)
    model = load_keras().models.load_model(run["root"] / pareto[0]["model"])
    assert model.count_params() > 0
    preprocessing = json.loads((run["root"] / pareto[0]["preprocessing"]).read_text())
    assert model.input_shape[1:] == tuple(preprocessing["input_shape"])
    assert (run["root"] / "spec.yaml").read_text().startswith("# yaml-language-server")
    import shutil

    copy = tmp_path / "copied-bundle"
    shutil.copytree(run["root"], copy)
    assert main(["verify", str(copy)]) == 0
    assert main(["report", str(copy)]) == 0
    (copy / "summary.json").write_text("{}")
    assert main(["verify", str(copy)]) == 1


@pytest.mark.slow
def test_audio_smoke_run(tmp_path):
    pytest.importorskip("espeakng_loader")
    run = run_smoke("kws_smoke.yaml", tmp_path)
    assert run["summary"]["counts"]["ok"] == 4
    assert all(t["candidate"]["data"]["window"] in (480, 640) for t in run["trials"])


def test_hardware_aware_baseline_pins_the_data(tmp_path):
    run = run_smoke("wakevision_smoke.yaml", tmp_path, "strategy.data_aware=false", "budget.max_evaluations=2",
                    "modality.resolutions=[16]")
    assert {t["data_key"] for t in run["trials"]} == {"16px-rgb"}


@pytest.mark.parametrize("finetune, calibration, where", [(2, 2, "at fine-tuning step 0"),
                                                         (0, 2, "at calibration batch 0"),
                                                         (0, 0, "non-finite outputs on the validation split")])
def test_a_candidate_with_nan_loss_fails_and_is_recorded(tmp_path, finetune, calibration, where):
    import jax.numpy as jnp

    from engine.space.candidate import Candidate

    pool, evaluator, _ = small_pool(tmp_path, finetune_steps=finetune, calibration_batches=calibration)
    candidate = Candidate({"resolution": 8, "color": "rgb"}, (1, 0, 0, 0, 0), 0.5)
    net = pool.get(candidate.data)
    net.trainable = [jnp.full_like(net.trainable[0], jnp.nan), *net.trainable[1:]]
    result = evaluator.evaluate(candidate, 0)
    assert result.status == "failed" and where in result.reason
    assert result.fitness is None


def test_over_budget_candidates_are_rejected_before_training(tmp_path):
    # 16 px mono and rgb: the smoke runs' programs
    run = run_smoke("wakevision_smoke.yaml", tmp_path, "hardware.flash_bytes=40000", "budget.max_evaluations=1",
                    "modality.resolutions=[16]")
    rejected = [t for t in run["trials"] if t["status"] == "rejected"]
    assert rejected and all("flash" in t["reason"] and t["seconds"] == 0 for t in rejected)
    assert all(t["estimate"]["flash_bytes"] <= 50000 for t in run["trials"] if t["status"] == "ok")
    assert run["summary"]["counts"]["ok"] == 1


@pytest.mark.parametrize("spec", ["kws_darts_smoke.yaml", "wakevision_darts_smoke.yaml"])
def test_darts_smoke_run_writes_the_derived_system_and_the_search(spec, tmp_path):
    from engine.backend import load_keras

    if spec.startswith("kws"):
        pytest.importorskip("espeakng_loader")
    # vision at 16 px only (mono and rgb: still a search over data), half the search network
    run = run_smoke(spec, tmp_path, *(["modality.resolutions=[16]"] if spec.startswith("wake") else []))
    (trial,) = run["trials"]
    assert trial["status"] == "ok" and set(trial["candidate"]) == {"data", "genotype"}
    darts = json.loads((run["root"] / "darts.json").read_text())
    assert darts["chosen"] == trial["data_key"]
    assert len(darts["data_configurations"]) == 2
    assert len(darts["history"]["gamma"]) == darts["architecture_steps"] + 1 > 1
    assert darts["history"]["gamma"][-1][1:] != darts["history"]["gamma"][0][1:]  # gamma moved
    assert {"plots/darts_data_weights.png", "plots/darts_cells.png"} <= {
        str(p.relative_to(run["root"])) for p in (run["root"] / "plots").iterdir()}
    (system,) = json.loads((run["root"] / "pareto.json").read_text())
    model = load_keras().models.load_model(run["root"] / system["model"])
    preprocessing = json.loads((run["root"] / system["preprocessing"]).read_text())
    assert model.input_shape[1:] == tuple(preprocessing["input_shape"])
    assert "Data weights softmax(gamma)" in (run["root"] / "report.txt").read_text()
    assert "## Differentiable search" in (run["root"] / "report.md").read_text()
    assert main(["verify", str(run["root"])]) == 0
    if spec.startswith("kws"):  # resuming a finished search retrains the same system, records it once
        assert main(["--resume", str(run["root"])]) == 0
        again = [json.loads(line) for line in (run["root"] / "trials.jsonl").read_text().splitlines()]
        assert again == run["trials"]
        assert json.loads((run["root"] / "darts.json").read_text())["history"] == darts["history"]
