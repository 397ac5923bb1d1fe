"""The ``estimates`` command. It parses arguments and reports; the work happens elsewhere.

Exit codes: 0 success; 1 a notebook failed (its executed copy is kept, ``latest`` does not move);
2 invalid input (bad parameter, unreadable file, unwritable output root), with nothing created.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Sequence

import yaml

from .paths import DEFAULT_OUTPUT_ROOT
from .runner import EXIT_INVALID, EXIT_OK, InputError


class _Parser(argparse.ArgumentParser):
    """Argument errors exit 2 with a single line, like every other invalid input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_INVALID, f"estimates: error: {message} (see 'estimates {self.prog.split()[-1]} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="estimates", description="Estimate military capacity from graded open-source claims.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="run the notebook suite and write a briefing")
    run.add_argument("--params", type=Path, metavar="FILE.yaml", help="YAML mapping of parameter values")
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                     help="set one parameter (repeatable); overrides --params")
    run.add_argument("--out", type=Path, default=DEFAULT_OUTPUT_ROOT, metavar="ROOT",
                     help="output root holding one directory per run (default: reports/)")
    run.add_argument("--seed", type=str, metavar="N", help="same as -p seed N")

    commands.add_parser("params", help="list every parameter with type, default, range, unit and source")
    return parser


def read_params_file(path: Path) -> dict[str, Any]:
    """Safe-load a YAML parameter file into a mapping, or raise InputError with one line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"--params {path}: file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"--params {path}: cannot read ({error})") from None
    try:
        values = yaml.safe_load(text)
    except ValueError as error:  # a date-shaped value that is no date, e.g. 2022-13-01
        raise InputError(f"--params {path}: invalid value ({error})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise InputError(f"--params {path}: YAML syntax error{where}: {problem}") from None
    if values is None:
        raise InputError(f"--params {path}: the file is empty; expected a mapping of parameter names to values")
    if not isinstance(values, dict):
        raise InputError(f"--params {path}: expected a mapping of parameter names to values, got a {type(values).__name__}")
    return values


def parse_value(text: str) -> Any:
    """A ``-p`` value, typed the way papermill's ``-y`` reads YAML: 125 -> int, 0.5 -> float."""
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):  # ValueError: a date-shaped value that is no date
        return text


def resolve_parameters(args: argparse.Namespace):
    """Schema defaults < ``--params`` file < ``-p``; ``--seed N`` is ``-p seed N``."""
    from .params import ParameterError, validate

    values: dict[str, Any] = {}
    if args.params is not None:
        values.update(read_params_file(args.params))
    for name, text in args.parameter:
        values[name] = parse_value(text)
    if args.seed is not None:
        values["seed"] = parse_value(args.seed)
    try:
        return validate(values)
    except ParameterError as error:
        raise InputError(str(error)) from None


def _run(args: argparse.Namespace) -> int:
    from .runner import preflight, run_suite

    params = resolve_parameters(args)
    preflight(args.out)
    outcome = run_suite(params, args.out)
    stream = sys.stdout if outcome.exit_code == EXIT_OK else sys.stderr
    print(outcome.message if outcome.exit_code == EXIT_OK else f"estimates: run failed: {outcome.message} "
          f"(kept in {outcome.run_dir})", file=stream)
    return outcome.exit_code


def _params() -> int:
    import pandas as pd

    from .params import specs

    rows = [{
        "name": s.name, "type": s.type, "default": s.default,
        "range": f"{s.minimum}..{s.maximum}" if s.minimum is not None else "",
        "plausible": f"{s.plausible[0]}..{s.plausible[1]}" if s.plausible else "",
        "unit": s.unit, "source": s.source, "description": s.help,
    } for s in specs()]
    with pd.option_context("display.max_colwidth", 90, "display.width", 250):
        print(pd.DataFrame(rows).to_string(index=False))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        return _params()
    except InputError as error:
        print(f"estimates: error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("estimates: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
