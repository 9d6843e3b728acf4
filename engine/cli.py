"""`run-spec`: parse arguments, load and validate the spec, hand it to the engine, map errors
to exit codes. Heavy imports (JAX, Keras) happen only when a run starts, so `--help`,
`--check`, `report`, `compare` and `verify` answer at once.

Exit codes: 0 done, 1 the run failed (or a bundle did not verify), 2 bad input (spec, data,
arguments), 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import Sequence

import yaml

from danas.errors import DanasError, Problem, SpecError, UsageError, printable
from reports.terminal import Terminal

DEBUG_ENV = "DANAS_DEBUG"
COMMANDS = ("report", "compare", "verify", "export")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run-spec",
        description="Run a Data-Aware NAS experiment described by a YAML spec.",
        epilog="Examples:\n  run-spec specs/wakevision_small.yaml\n"
               "  run-spec specs/kws_small.yaml --check\n"
               "  run-spec specs/wakevision_small.yaml --set training.batch_size=32\n"
               "  run-spec --resume runs/wakevision-small-20261121-101500\n"
               "  run-spec report RUN_DIR | run-spec compare RUN_A RUN_B | run-spec verify RUN_DIR\n"
               "  run-spec export RUN_DIR [--only TRIAL]   (int8 TFLite + C arrays; the deploy extra)\n"
               f"Set {DEBUG_ENV}=1 to see tracebacks.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spec", nargs="?", help="the YAML spec file (optional with --resume)")
    parser.add_argument("--check", action="store_true",
                        help="validate, print the resolved spec and the search-space size, exit")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE", help="override a spec field, e.g. training.batch_size=32")
    parser.add_argument("--resume", metavar="RUN_DIR", type=Path, help="continue an interrupted run")
    parser.add_argument("-q", "--quiet", action="store_true", help="only results and errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail on stderr")
    return parser


def command_parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"run-spec {command}")
    if command == "compare":
        parser.add_argument("runs", nargs=2, type=Path, metavar="RUN_DIR")
        parser.add_argument("--threshold", type=float, default=0.75,
                            help="count systems at or above this validation accuracy (default 0.75, the paper's)")
        parser.add_argument("--plot", type=Path, help="where to write the Pareto overlay (PNG)")
    else:
        parser.add_argument("run", type=Path, metavar="RUN_DIR")
    if command == "export":
        parser.add_argument("--only", type=int, metavar="TRIAL", help="export only this Pareto-optimal trial (its #)")
        parser.add_argument("--format", choices=("tflite", "optuna"), default="tflite",
                            help="tflite: int8 models and C arrays (default); optuna: RUN_DIR/optuna.journal of "
                                 "every trial, for optuna-dashboard")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        args, command = command_parser(argv[0]).parse_args(argv[1:]), argv[0]
    else:
        args, command = build_parser().parse_args(argv), "run"
    quiet, verbose = getattr(args, "quiet", False), getattr(args, "verbose", False)
    terminal = Terminal(verbosity=0 if quiet else 2 if verbose else 1)
    try:
        return _dispatch(command, args, terminal)
    except DanasError as err:
        if os.environ.get(DEBUG_ENV):
            raise
        for line in err.lines():
            terminal.error(line)
        return err.exit_code
    except KeyboardInterrupt:
        terminal.error("interrupted")
        return 130
    except Exception as err:  # a bug: say so in one line, keep the traceback for DANAS_DEBUG
        if os.environ.get(DEBUG_ENV):
            raise
        terminal.error(f"internal error: {type(err).__name__}: {err}. This is a danas bug; please report it "
                       f"with the output of the same command run with {DEBUG_ENV}=1")
        return 1


def _dispatch(command: str, args: argparse.Namespace, terminal: Terminal) -> int:
    if command == "report":
        from reports.bundle import Bundle
        from reports.finish import load_report

        terminal.result(load_report(Bundle(_bundle(args.run))))
        return 0
    if command == "verify":
        from reports.manifest import verify

        problems = verify(args.run)
        for problem in problems:
            terminal.error(problem)
        if not problems:
            terminal.result(f"{args.run}: every file matches manifest.json")
        return 1 if problems else 0
    if command == "compare":
        return _compare(args, terminal)
    if command == "export":
        return _export(args, terminal)
    return _run(args, terminal)


def _export(args: argparse.Namespace, terminal: Terminal) -> int:
    from reports.bundle import Bundle

    if args.format == "optuna":
        return _export_optuna(_bundle(args.run), terminal)
    from engine.deploy.export import export_run
    from reports.finish import load_report

    export_run(_bundle(args.run), args.only, terminal.info)
    terminal.result(load_report(Bundle(args.run)))
    return 0


def _export_optuna(root: Path, terminal: Terminal) -> int:
    import importlib.util
    import json

    from danas.budget import Budget
    from danas.records import TrialRecord
    from reports.bundle import Bundle
    from reports.finish import write_manifest
    from reports.optuna_journal import write_journal

    if importlib.util.find_spec("optuna") is None:
        raise UsageError("run-spec export --format optuna needs the optuna extra: pip install -e \".[optuna]\"")
    summary_file = root / "summary.json"
    if not summary_file.exists():
        raise UsageError(f"{printable(str(root))}: the run has not finished (no summary.json); finish it with "
                         "run-spec --resume RUN_DIR first")
    trials = [TrialRecord.from_json(json.loads(line)) for line in (root / "trials.jsonl").read_text().splitlines()]
    budget = Budget.from_json(json.loads(summary_file.read_text())["budget"])
    name = json.loads((root / "spec.resolved.json").read_text())["name"]
    count = write_journal(root / "optuna.journal", name, trials, budget)
    write_manifest(Bundle(root))
    terminal.result(f"{root / 'optuna.journal'}: {count} trials; browse with: optuna-dashboard {root / 'optuna.journal'}")
    return 0


def _run(args: argparse.Namespace, terminal: Terminal) -> int:
    from engine.spec import load_bundle_spec, load_spec

    if args.spec is None and args.resume is None:
        raise UsageError("run-spec: no spec given; usage: run-spec SPEC or run-spec --resume RUN_DIR")
    spec = load_spec(args.spec, args.overrides) if args.spec else None
    if args.resume is not None:
        recorded = load_bundle_spec(_bundle(args.resume))
        if spec is not None and spec.resolved != recorded.resolved:
            raise SpecError(str(args.spec), _differences(spec.resolved, recorded.resolved, args.resume))
        spec = recorded
    if args.check:
        _show_check(spec, terminal)
        return 0
    from engine.run import run  # JAX and Keras load here, and only here

    return run(spec, terminal, resume=_bundle(args.resume) if args.resume else None)


def _compare(args: argparse.Namespace, terminal: Terminal) -> int:
    from reports.compare import comparison_table, load_run, overlay_plot

    runs = [load_run(_bundle(path)) for path in args.runs]
    terminal.result(comparison_table(runs, args.threshold))
    plot = args.plot or Path(f"compare-{runs[0]['root'].name}-vs-{runs[1]['root'].name}.png")
    overlay_plot(runs, plot)
    terminal.result(f"Pareto overlay: {plot}")
    return 0


def _bundle(path: Path) -> Path:
    if not (path / "spec.resolved.json").is_file():
        raise UsageError(f"{printable(str(path))}: not a danas run folder (no spec.resolved.json); expected a "
                         "folder under runs/ written by run-spec")
    return path


def _differences(new: dict, old: dict, run_dir: Path, path: str = "") -> list[Problem]:
    if isinstance(new, dict) and isinstance(old, dict):
        return [p for key in sorted(set(new) | set(old))
                for p in _differences(new.get(key), old.get(key), run_dir, f"{path}.{key}" if path else key)]
    if new == old:
        return []
    return [Problem(path, f"is {new!r} here but {old!r} in the run being resumed ({run_dir}); resume with "
                          "run-spec --resume RUN_DIR alone, or start a new run")]


def _show_check(spec, terminal: Terminal) -> None:
    from engine.hardware.targets import hardware_budget
    from engine.space.size import space_size
    from modalities import MODALITIES

    modality = MODALITIES.get(spec.config.modality.type)
    size = space_size(spec.config, len(modality.space_configs(spec.config.modality)),
                      modality.space_detail(spec.config.modality))
    hardware = spec.config.hardware
    budget = hardware_budget(hardware)
    terminal.result(f"# {spec.text.path}: valid (spec version {spec.config.version})")
    terminal.result(yaml.safe_dump(spec.resolved, sort_keys=False, width=88).rstrip())
    terminal.result(f"# data configurations: {size.data:,} ({size.data_detail})")
    terminal.result(f"# architectures: {size.architectures:,} ({size.architecture_detail})")
    terminal.result(f"# joint search space: {size.joint:,} systems")
    terminal.result(f"# budget: {budget.ram_bytes:,} B RAM, {budget.flash_bytes:,} B flash ({hardware.target})")


def console() -> None:
    """The `run-spec` console script: `main`, then exit with its status."""
    code = main()
    # Finished: a Ctrl-C from now on would only interrupt the interpreter's shutdown. (Only the
    # process's entry point may do this; `main` called in a process that goes on must not.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)


if __name__ == "__main__":
    console()
