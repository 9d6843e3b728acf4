"""Does data-aware search beat hardware-aware search at the same wall-clock budget?

    python -m bench data_aware [--quick] [--ram-kb 144] [--set KEY=VALUE ...] [--seeds 7,8,9,10,11]

For each seed, `run-spec specs/wakevision_small.yaml` twice in fresh processes: data-aware (the
spec) searching for MINUTES (`budget.max_minutes`, evaluations unlimited), then
hardware-aware (`strategy.data_aware=false`, the data pinned to the papers' baseline: the
highest resolution in colour) searching for MINUTES plus the time data-aware spent screening
data configurations beyond the one a pinned run fine-tunes, so that neither arm has less time
than the other (the pinned arm evaluates its whole space and stops before its minutes are
up). The pinned arm pre-trains for what data-aware's shared supernet costs
(`training.match_pinned_pretraining`, the default: 311 steps at 96 px for data-aware's 600
over 32-96 px). Both share one data and compilation cache, warmed by a first run that is not
counted, so neither pays for compilation the other was spared.
Reports the best test accuracy among each run's feasible Pareto-optimal systems, its data
configuration, the candidates each run evaluated, each run's wall time and its pre-training
seconds. `--ram-kb` replaces the spec's stm32f765 (512 kB) with a tighter RAM budget; `--set`
changes the spec for both arms as `run-spec --set` does (say `--set dataset.path=/data/wake_vision`
to compare on a real Wake Vision download, or `--set training.match_pinned_pretraining=false` to
give the pinned arm all 600 steps at 96 px; the seed, output, cache and budget keys stay the
benchmark's). Goal: data-aware ahead in >= 4 of 5 seeds (`--quick`: 2 seeds).

Measured, this version (commit 2f31cd5; 2 cores, AMD EPYC with avx512;
`bench/results/data_aware.json`, 75 min): data-aware ahead in 5 of 5 seeds, the goal met.
DA / HA test accuracy (wall seconds; pre-training seconds):
seed 0 0.897 / 0.896 (502 / 413; 128 / 161), 1 0.909 / 0.903 (509 / 389; 132 / 149),
2 0.889 / 0.849 (527 / 379; 128 / 161), 3 0.899 / 0.890 (490 / 376; 130 / 145),
4 0.913 / 0.868 (481 / 346; 129 / 140); means 0.902 / 0.881. Both arms return 96 px rgb every
time, so data-aware wins with the network and weights it hands on, not by choosing other data:
its shared supernet, 600 steps over six input sizes and colours, gives better 96 px rgb systems
than the pinned supernet's 311 steps at 96 px rgb, though the pinned pre-training took longer
(140-161 s against 128-132 s: mixed-size steps cost less than their mean input area predicts,
so the matching errs in the pinned arm's favour). The pinned arm
evaluates its whole space (47-48 systems) and stops, 96-150 s sooner; data-aware evaluates
146-201 of its 288. Seeds 0, 1 and 3 are leads of 1-11 test images of 1200, seeds 2 and 4 of
48 and 55.
With `--set training.match_pinned_pretraining=false` the pinned arm pre-trains all 600 steps at
96 px rgb, twice data-aware's pre-training time, and uses the time it otherwise leaves over, so
both walls come out about equal (`--quick`, 35 min, `bench/results/data_aware_unmatched.json`):
seed 0 0.897 / 0.889 (499 / 462; 128 / 258), 1 0.909 / 0.921 (495 / 475; 113 / 261), means
0.903 / 0.905: a tie. So the shared supernet's lead is one of pre-training cost: for equal
pre-training compute it hands on better 96 px rgb systems; given twice the compute on the one
configuration, the pinned supernet catches up.

Earlier, both arms at 300 pre-training steps (the pinned arm then spent ~2x data-aware's
pre-training time; same host kind, 91 min): data-aware ahead in 3 of 5 seeds, the goal's 4
not met. DA / HA test accuracy (wall seconds):
seed 0 0.874 / 0.887 (595 / 501), 1 0.885 / 0.906 (572 / 534), 2 0.888 / 0.883 (548 / 512),
3 0.872 / 0.870 (557 / 438), 4 0.884 / 0.878 (540 / 438); means 0.881 / 0.885. Both arms
return 96 px rgb every time. The pinned arm evaluates its whole space (48 systems) and stops,
so it ends 37-119 s sooner; data-aware evaluates 105-199 of its 288 in its 5 minutes. Its
three wins are by 2-8 test images of 1200, its two losses by 15 and 25: a tie within seed noise
with the pinned arm slightly ahead on average.
Earlier versions (the final system fine-tuned 300 steps, not continued from its screening):
- stm32f765, all 5 seeds on a 2.3x faster host: hardware-aware ahead in 5 of 5, DA / HA
  0.829 / 0.848, 0.848 / 0.853, 0.856 / 0.858, 0.849 / 0.886, 0.813 / 0.875.
- 144 kB (`--ram-kb 144`), seeds 0-1: DA 0.855 / HA 0.860, 0.822 / 0.839.
Under a budget that squeezes the pinned input, also with both arms at 300 pre-training steps
and not re-measured since (`--ram-kb 150`, same host, three invocations,
~2 h; `bench/results/data_aware_150kb.json`): there all 16 networks at alpha 0.25, 12 of 16 at
0.35 and 1 of 16 at 0.5 fit at 96 px (the search's estimate, 139-166 kB over the 48), every
64 px network fits (64-85 kB): the paper's setting in small (224 px rgb fits 512 kB only at
alpha <= 0.2). The goal's five seeds: data-aware ahead in 5 of 5, DA / HA test (wall seconds)
seed 0 0.864 / 0.851 (526 / 388), 1 0.896 / 0.891 (533 / 399), 2 0.868 / 0.863 (501 / 344),
3 0.881 / 0.867 (508 / 378), 4 0.863 / 0.861 (489 / 365); means 0.874 / 0.866. Two more seeds:
5 0.889 / 0.881, 6 0.835 / 0.885, so over seven the means are level (0.871 / 0.871).
A replication on fresh seeds, its rule written down before it ran (`--seeds 7,8,9,10,11`, one
invocation, 76 min): data-aware ahead in 2 of 5, so the 5 of 5 above was seed luck. DA / HA
seed 7 0.865 / 0.902, 8 0.850 / 0.880, 9 0.872 / 0.864 (data-aware chose 64 px rgb), 10 0.902 /
0.887, 11 0.867 / 0.889; means 0.871 / 0.884. Over all twelve seeds data-aware leads in 8 but
trails on the mean, 0.871 against 0.877. Where it loses: the 96 px rgb system it screens is
weaker. Its shared supernet spreads 300 pre-training steps over six data configurations, the
pinned arm's spends them all on 96 px rgb; after the same 300 screening steps the pinned arm's
96 px rgb system is ahead on validation in 9 of 12 seeds (means 0.863 / 0.838), and data-aware
often hands a depth-0 network on (seeds 8 and 9). In seed 6 both screened the same network and
reached 0.832 / 0.872: the weights it starts from, not only the choice, fall short.
Read it with care: both arms return 96 px rgb in every seed but 9, so the leads of seeds 0-6
(2-17 test images of 1200; the one loss there is by 60) come from the network and weights each
search hands its final phase, not from choosing other data; data-aware screens its fittest
64 px rgb network too (0.80-0.86 after 300 steps) and keeps the 96 px one. In seed 9 it kept
the 64 px one only because its 96 px rgb candidate was a depth-0 network (0.772 after 300).
On the built-in set accuracy follows resolution and colour, so the pinned
configuration is the best data wherever some of its networks fit: even the smallest 96 px rgb
networks (0.83-0.86 after 300 steps) beat the best 64 px ones (0.81); the plain CNN of
`bench.builtin_person_accuracy`, 15 epochs, reaches 0.90-0.93 at 96 px rgb and 0.86-0.87 at 64.
Below 139 kB no 96 px network fits, the pinned arm returns nothing and data-aware wins by
default, which says nothing about search quality. Data-aware search wins by choosing other
data only where a smaller input is nearly as informative, as on real Wake Vision in the paper.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC = "specs/wakevision_small.yaml"
SEEDS, MINUTES = (0, 1, 2, 3, 4), 5.0
BENCH_KEYS = ("seed", "output.", "dataset.cache_dir", "budget.", "strategy.data_aware")  # set by the benchmark


def best_feasible(bundle: Path) -> tuple[float, str]:
    """The best test accuracy among the run's feasible Pareto-optimal systems and its data
    configuration ((0, '') if none)."""
    entries = [e for e in json.loads((bundle / "pareto.json").read_text()) if e["feasible"]]
    best = max(entries, key=lambda e: e["test_metrics"]["accuracy"], default=None)
    return (0.0, "") if best is None else (best["test_metrics"]["accuracy"], best["trial"]["data_key"])


def search(root: Path, seed: int, minutes: float, *overrides: str) -> dict:
    out = Path(tempfile.mkdtemp(dir=root))
    command = [sys.executable, "-m", "engine", SPEC, "-q", "--set", f"seed={seed}",
               "--set", f"output.root={out}", "--set", f"dataset.cache_dir={root / 'cache'}",
               "--set", f"budget.max_minutes={minutes}", "--set", "budget.max_evaluations=100000",
               *sum((["--set", o] for o in overrides), [])]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    (bundle,) = out.iterdir()
    test, data = best_feasible(bundle)
    summary = json.loads((bundle / "summary.json").read_text())
    return {"test": test, "data": data, "seconds": round(time.perf_counter() - start, 1),
            "evaluated": sum(1 for _ in (bundle / "trials.jsonl").open()),
            "final_seconds": summary["seconds"]["final_report"], "screened": len(summary.get("screening") or {}) or 1,
            "pretrain_seconds": summary["seconds"]["supernet_pretraining"]}


def screening_surplus(aware: dict) -> float:
    """Seconds the data-aware run spent screening data configurations beyond the one a pinned
    run fine-tunes (its final phase scaled by (screened - 1) / screened)."""
    return aware["final_seconds"] * (aware["screened"] - 1) / aware["screened"]


def spec_overrides(ram_kb: int | None, overrides: tuple[str, ...]) -> list[str]:
    """The `--set` overrides both arms share; refuses the keys the benchmark sets itself.

    Example:
        >>> spec_overrides(144, ("dataset.path=/data/wv",))
        ['hardware.ram_bytes=147456', 'dataset.path=/data/wv']
    """
    taken = [o for o in overrides if o.split("=", 1)[0].strip().startswith(BENCH_KEYS)]
    if taken:
        raise SystemExit(f"data_aware: --set {', '.join(taken)}: the benchmark sets the seed, output, cache, "
                         "budget and data_aware keys itself; leave them out")
    return ([f"hardware.ram_bytes={ram_kb * 1024}"] if ram_kb else []) + list(overrides)


def run(quick: bool, ram_kb: int | None = None, overrides: tuple[str, ...] = (),
        seeds: tuple[int, ...] | None = None) -> dict:
    seeds, minutes = seeds or (SEEDS[:2] if quick else SEEDS), MINUTES
    shared = spec_overrides(ram_kb, overrides)
    root = Path(tempfile.mkdtemp(prefix="danas-bench-da-"))
    # warms the data and compilation caches for both arms (not counted); a short pre-training
    # builds the same programs (only its own learning-rate schedule's update differs)
    search(root, 99, 0.5, *shared, "training.pretrain_steps=6")
    rows = []
    for seed in seeds:
        aware = search(root, seed, minutes, *shared)
        # equal wall: the pinned arm searches for as long as data-aware screened beyond one system
        hardware_minutes = round(minutes + screening_surplus(aware) / 60, 2)
        hardware = search(root, seed, hardware_minutes, "strategy.data_aware=false", *shared)
        rows.append({"seed": seed, "da_test": aware["test"], "ha_test": hardware["test"], "da_data": aware["data"],
                     "da_seconds": aware["seconds"], "ha_seconds": hardware["seconds"],
                     "da_pretrain_seconds": aware["pretrain_seconds"],
                     "ha_pretrain_seconds": hardware["pretrain_seconds"],
                     "ha_search_minutes": hardware_minutes,
                     "da_evaluated": aware["evaluated"], "ha_evaluated": hardware["evaluated"]})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)  # a long run shows each seed as it ends
    wins = sum(r["da_test"] > r["ha_test"] for r in rows)
    need = 4 if len(rows) == 5 else len(rows)
    return {"goal": f"data-aware ahead in >= {need} of {len(rows)} seeds ({wins})", "wins": wins,
            "met": wins >= need, "minutes_each": minutes, "ram_kb": ram_kb or "spec",
            "overrides": list(overrides), "rows": rows}
