"""`run-spec`: parse arguments, load and validate the spec, hand it to the engine, map errors
to exit codes. Heavy imports (JAX, Keras) happen only when a run starts, so `--help` and
`--check` answer at once.

Exit codes: 0 done, 1 the run failed, 2 bad input (spec, data, arguments), 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

import yaml

from engine.errors import DanasError
from reports.terminal import Terminal

DEBUG_ENV = "DANAS_DEBUG"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run-spec",
        description="Run a Data-Aware NAS experiment described by a YAML spec.",
        epilog="Examples:\n  run-spec specs/wakevision_small.yaml\n"
               "  run-spec specs/kws_small.yaml --check\n"
               "  run-spec specs/wakevision_small.yaml --set training.batch_size=32\n"
               f"Set {DEBUG_ENV}=1 to see tracebacks.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spec", help="the YAML spec file")
    parser.add_argument("--check", action="store_true",
                        help="validate, print the resolved spec and the search-space size, exit")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE", help="override a spec field, e.g. training.batch_size=32")
    parser.add_argument("-q", "--quiet", action="store_true", help="only results and errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail on stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    terminal = Terminal(verbosity=0 if args.quiet else 2 if args.verbose else 1)
    try:
        return _run(args, terminal)
    except DanasError as err:
        if os.environ.get(DEBUG_ENV):
            raise
        for line in err.lines():
            terminal.error(line)
        return err.exit_code
    except KeyboardInterrupt:
        terminal.error("interrupted")
        return 130


def _run(args: argparse.Namespace, terminal: Terminal) -> int:
    from engine.spec import load_spec

    spec = load_spec(args.spec, args.overrides)
    if args.check:
        _show_check(spec, terminal)
        return 0
    from engine.run import run  # JAX and Keras load here, and only here

    return run(spec, terminal)


def _show_check(spec, terminal: Terminal) -> None:
    from engine.hardware.targets import budget
    from engine.space.size import space_size

    size = space_size(spec.config)
    hardware = spec.config.hardware
    ram, flash = budget(hardware.target, hardware.ram_bytes, hardware.flash_bytes)
    terminal.result(f"# {spec.text.path}: valid (spec version {spec.config.version})")
    terminal.result(yaml.safe_dump(spec.resolved, sort_keys=False, width=88).rstrip())
    terminal.result(f"# data configurations: {size.data:,} ({size.data_detail})")
    terminal.result(f"# architectures: {size.architectures:,} ({size.architecture_detail})")
    terminal.result(f"# joint search space: {size.joint:,} systems")
    terminal.result(f"# budget: {ram:,} B RAM, {flash:,} B flash ({hardware.target})")


if __name__ == "__main__":
    sys.exit(main())
