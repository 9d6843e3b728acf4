"""The benchmark suite: `python -m bench [NAME ...] [--quick]`, a table on screen, JSON on disk.

    python -m bench                    # all: training, candidates, check, estimator, ranking, data_aware, distributed
    python -m bench training --quick   # one, at the goal's configuration only

Each figure that has a goal is a ratio (or an error) measured in one run on one machine, so a
noisy machine shifts both sides alike. Results go to bench/results/suite-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

BENCHES = ("training", "candidates", "check", "estimator", "ranking", "data_aware", "distributed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[[], *BENCHES], default=[], metavar="NAME",
                        help=f"benchmarks to run ({', '.join(BENCHES)}; default: all)")
    parser.add_argument("--quick", action="store_true", help="fewer configurations and candidates")
    parser.add_argument("--tflite-python", help="a Python with TensorFlow, for the estimator benchmark")
    parser.add_argument("--ram-kb", type=int, help="data_aware: a RAM budget in kB instead of the spec's target")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="data_aware: a spec override for both arms, as run-spec --set")
    parser.add_argument("--seeds", type=_seeds, help="data_aware: comma-separated seeds instead of 0,1,2,3,4 "
                        "(a replication on fresh seeds, e.g. 7,8,9,10,11)")
    parser.add_argument("--out", default="bench/results", help="folder for the JSON results")
    args = parser.parse_args(argv)
    from engine.backend import select_backend
    from engine.environment import environment

    select_backend()
    console, results = Console(), {}
    for name in args.names or BENCHES:
        console.print(f"[bold]{name}[/bold] ...")
        start = time.perf_counter()
        results[name] = _run(name, args)
        results[name]["bench_seconds"] = round(time.perf_counter() - start, 1)
        console.print(_table(name, results[name]))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"suite-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"environment": environment(), **results}, indent=1))
    console.print(f"results: {path}")
    return 0


def _run(name: str, args) -> dict:
    import importlib

    module = importlib.import_module(f"bench.{name}")
    if name == "estimator":
        return module.run(args.quick, args.tflite_python)
    if name == "data_aware":
        return module.run(args.quick, args.ram_kb, tuple(args.overrides), args.seeds)
    return module.run(args.quick)


def _seeds(text: str) -> tuple[int, ...]:
    """`7,8,9` -> (7, 8, 9); argparse reports a malformed list as one line."""
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers such as 7,8,9, got {text!r}") from None


def _table(name: str, result: dict) -> Table:
    table = Table(title=f"{name}: goal {result.get('goal', '-')}", title_justify="left", box=None,
                  header_style="bold", caption=result.get("skipped"))
    rows = result.get("rows", [])
    for column in rows[0] if rows else ["result"]:
        table.add_column(column.replace("_", " "), justify="right")
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    return table


if __name__ == "__main__":
    raise SystemExit(main())
