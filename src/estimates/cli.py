"""The ``estimates`` command. It parses arguments and reports; the work happens elsewhere.

Exit codes: 0 success; 1 a notebook failed (its executed copy is kept, ``latest`` does not move);
2 invalid input (bad parameter, unreadable file, unwritable output root), with nothing created;
75 another run holds the output root's lock and ``--no-wait`` was given; 130 / 143 interrupted by
SIGINT / SIGTERM (kernels killed, the run marked interrupted, ``latest`` does not move).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from estimates.errors import EXIT_BUSY, EXIT_FAILED, EXIT_INVALID, EXIT_OK, InputError
from estimates.paths import DEFAULT_OUTPUT_ROOT
from estimates.run.locking import LockBusy, describe, exit_status


class _Parser(argparse.ArgumentParser):
    """Argument errors exit 2 with a single line, like every other invalid input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # The top-level parser's prog is "estimates", a subcommand's "estimates run".
        self.exit(EXIT_INVALID, f"estimates: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="estimates", description="Estimate military capacity from graded open-source claims.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="run the notebook suite and write a briefing")
    run.add_argument("--case", type=Path, metavar="DIR",
                     help="case folder (case.yaml and its data files; default: the bundled case); same as -p case DIR")
    run.add_argument("--params", type=Path, metavar="FILE.yaml", help="YAML mapping of parameter values")
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                     help="set one parameter (repeatable); overrides --params")
    run.add_argument("--out", type=Path, default=DEFAULT_OUTPUT_ROOT, metavar="ROOT",
                     help="output root holding one directory per run (default: reports/)")
    run.add_argument("--seed", type=str, metavar="N", help="same as -p seed N")
    run.add_argument("--jobs", "-j", type=_positive_int, metavar="N",
                     help="notebooks to run at once (default: the number of cores)")
    run.add_argument("--force", action="store_true",
                     help="execute every notebook, even those whose inputs are unchanged since a run")
    run.add_argument("--keep", type=_positive_int, metavar="N",
                     help="afterwards delete all but the newest N runs (never the one 'latest' points to)")
    run.add_argument("--no-wait", action="store_true",
                     help="if another run holds the output root, exit 75 at once instead of waiting")
    run.add_argument("--since", metavar="RUN",
                     help="the run 'what changed' compares with: a run id under --out or a run directory "
                          "(default: the last published run of the same case that is not a scenario)")
    run.add_argument("--alert-command", metavar="CMD",
                     help="run CMD (split as a shell would, never run by one) with each alert as JSON on its "
                          "standard input: a judgment that changed band or confidence since the last published run")
    run.add_argument("--pdf", action="store_true",
                     help="also write briefing.pdf with headless Chromium (checked before the run starts)")

    judgments = commands.add_parser("judgments", help="every key judgment of every published run under an output root")
    judgments.add_argument("--out", type=Path, default=DEFAULT_OUTPUT_ROOT, metavar="ROOT",
                           help="the output root (default: reports/)")
    judgments.add_argument("--case", type=Path, metavar="DIR", help="only the runs of this case folder")
    judgments.add_argument("--format", choices=("table", "csv", "json"), default="table",
                           help="how to print them (default: table)")
    judgments.add_argument("--voi", action="store_true",
                           help="instead, the collection priorities of the newest published non-scenario run of each case: per "
                                "judgment, the claims whose confirmation or refutation would move it most")

    resolve = commands.add_parser("resolve", help="record what happened to a judgment, with the claim that shows it")
    resolve.add_argument("--out", type=Path, default=DEFAULT_OUTPUT_ROOT, metavar="ROOT",
                         help="the output root (default: reports/)")
    resolve.add_argument("judgment_id", metavar="JUDGMENT_ID", help="a judgment id, as 'estimates judgments' lists it")
    resolve.add_argument("answer", choices=("yes", "no"), help="whether the event happened")
    resolve.add_argument("--on", required=True, metavar="DATE", help="when it was settled (YYYY-MM-DD)")
    resolve.add_argument("--source", required=True, metavar="CLAIM_ID", help="the claim that shows it")

    score = commands.add_parser("score", help="Brier and log scores of the resolved judgments, with references")
    score.add_argument("--out", type=Path, default=DEFAULT_OUTPUT_ROOT, metavar="ROOT",
                       help="the output root (default: reports/)")
    score.add_argument("--format", choices=("table", "json"), default="table", help="how to print them")
    score.add_argument("--figure", type=Path, metavar="FILE.png",
                       help="also draw the calibration of all resolved judgments (observed rate per band) to FILE.png")

    settle = commands.add_parser("settle", help="record what a case's later statements settle among the stored judgments")
    settle.add_argument("--out", type=Path, default=DEFAULT_OUTPUT_ROOT, metavar="ROOT",
                        help="the output root (default: reports/)")
    settle.add_argument("--case", type=Path, metavar="DIR",
                        help="the case whose case.yaml 'outcomes' name the statements (default: the bundled case)")

    backtest = commands.add_parser("backtest", help="run the suite at past cut-offs, keep and score its judgments")
    backtest.add_argument("--case", type=Path, metavar="DIR", help="case folder (default: the bundled case)")
    backtest.add_argument("--from", dest="start", required=True, metavar="DATE", help="the first cut-off (YYYY-MM-DD)")
    backtest.add_argument("--to", dest="end", required=True, metavar="DATE", help="the last cut-off at most (YYYY-MM-DD)")
    backtest.add_argument("--every", default="7d", metavar="Nd", help="days between cut-offs (default: 7d)")
    backtest.add_argument("--out", type=Path, default=DEFAULT_OUTPUT_ROOT, metavar="ROOT",
                          help="the output root whose judgments store keeps the runs (default: reports/)")
    backtest.add_argument("--params", type=Path, metavar="FILE.yaml", help="YAML mapping of parameter values")
    backtest.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                          help="set one parameter (repeatable); as_of is set to each cut-off")
    backtest.add_argument("--seed", metavar="N", help="same as -p seed N")
    backtest.add_argument("--workers", type=_positive_int, metavar="N",
                          help="worker processes of the local Dask cluster (default: one per cut-off, at most the cores)")
    backtest.add_argument("--format", choices=("table", "json"), default="table", help="how to print what it found")

    lab = commands.add_parser("lab", help="open the notebooks in JupyterLab, on a working copy in lab/ that git ignores")
    lab.add_argument("--dir", type=Path, metavar="DIR", help="the working copy's folder (default: lab/ in the project)")
    lab.add_argument("--port", type=_positive_int, metavar="N", help="JupyterLab's port (default: its own choice)")
    lab.add_argument("--no-browser", action="store_true", help="start the server without opening a browser")

    diff = commands.add_parser("diff", help="what changed between two runs, and which inputs caused it")
    diff.add_argument("run_a", type=Path, metavar="RUN_A", help="the earlier run directory")
    diff.add_argument("run_b", type=Path, metavar="RUN_B", help="the later run directory")

    sweep = commands.add_parser("sweep", help="compute many scenarios on Dask and write one comparison table")
    sweep.add_argument("--grid", type=Path, required=True, metavar="FILE.yaml",
                       help="parameter -> list of values (a Cartesian grid), or 'scenarios:' a list of mappings")
    sweep.add_argument("--out", type=Path, required=True, metavar="DIR",
                       help="directory for sweep.csv, sweep.parquet and sweep.html")
    sweep.add_argument("--scheduler", metavar="ADDRESS",
                       help="address of a running Dask scheduler (default: start a local cluster)")
    sweep.add_argument("--workers", type=_positive_int, metavar="N",
                       help="worker processes of the local cluster (default: the number of cores)")
    sweep.add_argument("--reports", action="store_true",
                       help="also run the notebook suite for each scenario (a full report per scenario)")

    commands.add_parser("params", help="list every parameter with type, default, range, unit and source")

    case = commands.add_parser("case", help="work with case folders")
    case_commands = case.add_subparsers(dest="case_command", required=True, parser_class=_Parser)
    new = case_commands.add_parser("new", help="write a complete, editable copy of a case to a new folder")
    new.add_argument("folder", type=Path, metavar="DIR", help="the new case folder (must not exist, or be empty)")
    new.add_argument("--from", dest="source", type=Path, metavar="CASE",
                     help="the case to copy (default: the bundled case)")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def resolve_parameters(args: argparse.Namespace):
    """Schema defaults < ``case.yaml`` < ``--params`` file < ``-p``; ``--seed N`` is ``-p seed N``."""
    from estimates.parameters.files import resolve

    return resolve(args.params, args.parameter, args.seed, case=args.case)


def _run(args: argparse.Namespace) -> int:
    from estimates.run.locking import signals_raise
    from estimates.run.plan import preflight
    from estimates.run.progress import terminal_progress
    from estimates.run.suite import check_since, run_suite

    params = resolve_parameters(args)
    since = check_since(args.out, args.since)
    if args.alert_command is not None:
        import shlex

        try:
            if not shlex.split(args.alert_command):
                raise ValueError("it is empty")
        except ValueError as error:
            raise InputError(f"--alert-command: a command line as a shell would split it; {error}") from None
    preflight(args.out, params=params)  # invalid input exits 2 here, before anything is created
    if args.pdf:
        from estimates.report.pdf import PdfError, find_chromium

        try:
            find_chromium()
        except PdfError as error:
            raise InputError(f"--pdf: {error}") from None

    def waiting(pid: int | None) -> None:
        holder = f" (pid {pid})" if pid else ""
        print(f"estimates: waiting for the run holding {args.out}{holder} to finish", file=sys.stderr, flush=True)

    with signals_raise(), terminal_progress():
        outcome = run_suite(params, args.out, jobs=args.jobs, force=args.force, keep=args.keep,
                            wait=not args.no_wait, on_wait=waiting, since=since,
                            inputs_checked=True, alert_command=args.alert_command)
    stream = sys.stdout if outcome.exit_code == EXIT_OK else sys.stderr
    print(outcome.message if outcome.exit_code == EXIT_OK else f"estimates: run failed: {outcome.message} "
          f"(kept in {outcome.run_dir})", file=stream)
    if args.pdf and outcome.exit_code == EXIT_OK:
        return _pdf(outcome.briefing)
    return outcome.exit_code


def _pdf(briefing: Path) -> int:
    from estimates.report.pdf import PdfError, write_pdf

    try:
        print(f"pdf: {write_pdf(briefing)}")
    except PdfError as error:
        print(f"estimates: the run succeeded, but briefing.pdf was not written: {error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from estimates.report.diff import DiffError, compare, load_run

    try:
        older, newer = load_run(args.run_a), load_run(args.run_b)
    except DiffError as error:
        raise InputError(str(error)) from None
    print(compare(older, newer).text(), end="")
    return EXIT_OK


def _sweep(args: argparse.Namespace) -> int:
    from estimates.run.locking import signals_raise
    from estimates.sweep.scenarios import load_grid, run_sweep

    scenarios = load_grid(args.grid)
    with signals_raise():
        outcome = run_sweep(scenarios, args.out, scheduler=args.scheduler, workers=args.workers,
                            reports=args.reports, progress=True)
    print(outcome.message, file=sys.stdout if outcome.exit_code == EXIT_OK else sys.stderr)
    return outcome.exit_code


def _judgments(args: argparse.Namespace) -> int:
    from estimates.track.commands import list_judgments

    if args.voi:
        from estimates.track.priorities import list_priorities

        print(list_priorities(args.out, case=args.case, output=args.format), end="")
        return EXIT_OK
    print(list_judgments(args.out, case=args.case, output=args.format), end="")
    return EXIT_OK


def _resolve(args: argparse.Namespace) -> int:
    from estimates.track.commands import resolve

    print(resolve(args.out, args.judgment_id, args.answer, args.on, args.source), end="")
    return EXIT_OK


def _score(args: argparse.Namespace) -> int:
    from estimates.track.commands import score_report

    print(score_report(args.out, args.format, figure=args.figure), end="")
    return EXIT_OK


def _settle(args: argparse.Namespace) -> int:
    from estimates.track.commands import settle

    print(settle(args.out, args.case), end="")
    return EXIT_OK


def _backtest(args: argparse.Namespace) -> int:
    from estimates.parameters.files import given
    from estimates.track.backtest import cut_offs
    from estimates.track.commands import backtest

    dates = cut_offs(args.start, args.end, args.every)
    base = given(args.params, args.parameter, args.seed, case=args.case)
    print(backtest(args.out, dates, base, workers=args.workers or min(len(dates), os.cpu_count() or 1),
                   output=args.format), end="")
    return EXIT_OK


def _lab(args: argparse.Namespace) -> int:
    from estimates.workbench import WORK_DIR, open_lab

    return open_lab(args.dir or WORK_DIR, port=args.port, browser=not args.no_browser)


def _params() -> int:
    import pandas as pd

    from estimates.parameters.schema import specs_frame

    with pd.option_context("display.max_colwidth", 90, "display.width", 250):
        print(specs_frame().to_string(index=False))
    return EXIT_OK


def _case(args: argparse.Namespace) -> int:
    from estimates.run.scaffold import new_case

    folder = new_case(args.folder, args.source)
    print(f"case: {folder}\nedit {folder / 'case.yaml'} and its data files, then: estimates run --case {args.folder}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {"run": _run, "sweep": _sweep, "diff": _diff, "case": _case, "lab": _lab, "judgments": _judgments,
                "resolve": _resolve, "score": _score, "settle": _settle, "backtest": _backtest,
                "params": lambda _: _params()}
    try:
        return commands[args.command](args)
    except InputError as error:
        print(f"estimates: error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except LockBusy as error:
        print(f"estimates: {error}; not waiting (--no-wait)", file=sys.stderr)
        return EXIT_BUSY
    except KeyboardInterrupt as error:
        print(f"estimates: interrupted by {describe(error)}", file=sys.stderr)
        return exit_status(error)
    except BrokenPipeError:
        # The reader went away (e.g. `estimates params | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
