"""Invalid input to ``estimates run``: exit 2, one line on stderr naming what is wrong, nothing created.

Most cases call ``estimates.cli.main`` in-process (fast) with ``run_suite`` replaced by a tripwire, so
a case that wrongly validated would fail at once instead of starting a kernel. A few representative
cases also run the real command as a subprocess, which covers the module entry point and argparse.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from estimates import cli, errors
from estimates.parameters.schema import Parameters, specs
from estimates.run import suite as runner

ESTIMATES_SCRIPT = Path(sys.executable).with_name("estimates")
EXIT_INVALID = 2  # cli module docstring: "2 invalid input ..., with nothing created"


# --- the catalogue -------------------------------------------------------------------------------
# Each builder gets a scratch directory, may put input files in it, and returns the arguments after
# ``run`` (without --out, which the test adds) and a regex the single stderr line must match.

def _p(name: str, value: str):
    return lambda tmp: (["-p", name, value], None)


def _params_file(name: str, text: str):
    def build(tmp: Path):
        path = tmp / name
        path.write_text(text, encoding="utf-8")
        return ["--params", str(path)], None
    return build


CASES = {
    "unknown-name": (
        _p("btg_destroyed", "3"),
        r"unknown parameter 'btg_destroyed' \(run 'estimates params' for the list\)$"),
    "misspelt-name": (
        _p("btg_commited", "125"),
        r"unknown parameter 'btg_commited'; did you mean 'units_committed'\?"),
    "not-a-number": (
        _p("units_committed", "abc"),
        r"parameter 'units_committed': .*allowed: an integer from 1 to 100000; got 'abc'$"),
    "float-for-int": (
        _p("units_committed", "2.5"),
        r"parameter 'units_committed': .*allowed: an integer from 1 to 100000; got 2\.5$"),
    "ineffective-above-committed": (
        _p("units_ineffective", "130"),
        r"parameter 'units_ineffective': must be at most units_committed \(125\); got 130$"),
    "committed-zero": (
        _p("units_committed", "0"),
        r"parameter 'units_committed': .*allowed: an integer from 1 to 100000; got 0$"),
    "yaml-nan": (
        _p("overdispersion", ".nan"),
        r"parameter 'overdispersion': must be finite; allowed: a number from 0\.0 to 0\.5; got nan$"),
    "prior-not-allowed": (
        _p("prior", "flat"),
        r"parameter 'prior': .*allowed: one of 'jeffreys', 'uniform'; got 'flat'$"),
    "date-out-of-range": (
        _p("as_of", "1899-12-31"),
        r"parameter 'as_of': .*allowed: a date from 1900-01-01 to 2100-12-31; got "),
    "negative-seed": (
        lambda tmp: (["--seed", "-1"], None),
        r"parameter 'seed': .*allowed: an integer from 0 to 4294967295; got -1$"),
    "seed-not-a-number": (
        lambda tmp: (["--seed", "x"], None),
        r"parameter 'seed': .*allowed: an integer from 0 to 4294967295; got 'x'$"),
    "p-without-value": (
        lambda tmp: (["-p", "units_committed"], None),
        r"argument -p/--parameter: expected 2 arguments \(see 'estimates run --help'\)$"),
    "params-missing": (
        lambda tmp: (["--params", str(tmp / "missing.yaml")], None),
        r"--params .*missing\.yaml: file not found$"),
    "params-syntax-error": (
        _params_file("broken.yaml", "units_committed: [125\nseed: 1\n"),
        r"--params .*broken\.yaml: YAML syntax error at line 2, column \d+: "),
    "params-empty": (
        _params_file("empty.yaml", ""),
        r"--params .*empty\.yaml: the file is empty; expected a mapping of parameter names to values$"),
    "params-comments-only": (
        _params_file("comments.yaml", "# nothing set yet\n"),
        r"--params .*comments\.yaml: the file is empty; expected a mapping of parameter names to values$"),
    "params-list": (
        _params_file("list.yaml", "- units_committed\n- 125\n"),
        r"--params .*list\.yaml: expected a mapping of parameter names to values, got a list$"),
    "params-bad-value": (
        _params_file("values.yaml", "units_committed: 125\nbtg_ineffective: 126\n"),
        r"parameter 'units_ineffective': must be at most units_committed \(125\); got 126$"),
    "params-python-tag": (
        # Would run a shell command under yaml.load / unsafe_load; safe_load must refuse the tag.
        lambda tmp: _params_file(
            "evil.yaml", f'!!python/object/apply:os.system ["echo hi > {tmp / "executed"}"]\n')(tmp),
        r"--params .*evil\.yaml: YAML syntax error at line 1, column 1: could not determine a constructor "
        r"for the tag 'tag:yaml\.org,2002:python/object/apply:os\.system'$"),
    "out-under-a-file": (
        lambda tmp: ([], _regular_file(tmp) / "reports"),
        r"--out .*/file/reports: .*/file is not a directory; give a writable directory$"),
}


def _regular_file(tmp: Path) -> Path:
    path = tmp / "file"
    path.write_text("not a directory\n")
    return path


SUBPROCESS_CASES = ["misspelt-name", "negative-seed", "params-python-tag", "out-under-a-file"]


# --- helpers -------------------------------------------------------------------------------------

@pytest.fixture
def no_kernel(monkeypatch):
    """Replace run_suite, so an input that wrongly passes validation fails fast instead of running."""
    def tripwire(*args, **kwargs):
        raise AssertionError("invalid input reached run_suite: a kernel would have started")
    monkeypatch.setattr(runner, "run_suite", tripwire)


def _tree(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def _prepare(case: str, tmp_path: Path) -> tuple[list[str], Path, str]:
    build, pattern = CASES[case]
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    args, out = build(inputs)
    out = out if out is not None else tmp_path / "reports"
    return ["run", *args, "--out", str(out)], out, pattern


def _assert_rejected(code: int, stdout: str, stderr: str, out: Path, pattern: str) -> None:
    assert code == EXIT_INVALID, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and stderr.endswith("\n"), stderr
    assert re.match(r"estimates: error: \S", lines[0]), lines[0]
    assert re.search(pattern, lines[0]), lines[0]
    assert stdout == ""
    assert not out.exists()


def _main(argv: list[str]) -> int:
    try:
        return cli.main(argv)
    except SystemExit as done:  # argparse errors exit rather than return
        return done.code


# --- in-process: every case ----------------------------------------------------------------------

@pytest.mark.parametrize("case", list(CASES))
def test_invalid_input_exits_2_with_one_line(case, tmp_path, capsys, no_kernel):
    from estimates.parameters import renames

    # Whatever ran before in this process: an old name in refused input gets no notice either.
    renames._notice.cache_clear()
    argv, out, pattern = _prepare(case, tmp_path)
    before = _tree(tmp_path)
    code = _main(argv)
    captured = capsys.readouterr()
    _assert_rejected(code, captured.out, captured.err, out, pattern)
    assert _tree(tmp_path) == before  # nothing created, nothing changed


def test_impossible_date_on_the_command_line_exits_2(tmp_path, capsys, no_kernel):
    out = tmp_path / "reports"
    code = _main(["run", "-p", "as_of", "2022-13-01", "--out", str(out)])
    captured = capsys.readouterr()
    _assert_rejected(code, captured.out, captured.err, out,
                     r"parameter 'as_of': .*allowed: a date from 1900-01-01 to 2100-12-31")


def test_impossible_date_in_a_params_file_exits_2(tmp_path, capsys, no_kernel):
    path = tmp_path / "dates.yaml"
    path.write_text("as_of: 2022-13-01\n", encoding="utf-8")
    out = tmp_path / "reports"
    code = _main(["run", "--params", str(path), "--out", str(out)])
    captured = capsys.readouterr()
    _assert_rejected(code, captured.out, captured.err, out, r"(as_of|dates\.yaml)")


# --- as a real subprocess: a few representative cases --------------------------------------------

def _run_cli(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "estimates.cli", *argv], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


@pytest.mark.parametrize("case", SUBPROCESS_CASES)
def test_invalid_input_to_the_real_command(case, tmp_path):
    argv, out, pattern = _prepare(case, tmp_path)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    before = _tree(tmp_path)
    done = _run_cli(argv, cwd)
    _assert_rejected(done.returncode, done.stdout, done.stderr, out, pattern)
    assert _tree(tmp_path) == before  # no reports/ in the working directory, no run directory
    assert "hi" not in done.stdout  # the YAML tag's shell command did not run


def test_params_lists_every_parameter(tmp_path):
    command = [str(ESTIMATES_SCRIPT)] if ESTIMATES_SCRIPT.exists() else [sys.executable, "-m", "estimates.cli"]
    done = subprocess.run([*command, "params"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[1:]]
    assert [row[0] for row in rows] == [s.name for s in specs()]
    assert list(tmp_path.iterdir()) == []


# --- precedence, through the Python API ----------------------------------------------------------

def _resolve(*argv: str) -> Parameters:
    return cli.resolve_parameters(cli._parser().parse_args(["run", *argv]))


def test_defaults_when_nothing_is_given():
    assert _resolve() == Parameters()


def test_params_file_overrides_defaults_and_p_overrides_the_file(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text("units_committed: 130\nbtg_ineffective: 35\nprior: uniform\n", encoding="utf-8")
    from_file = _resolve("--params", str(path))
    assert (from_file.units_committed, from_file.units_ineffective, from_file.prior) == (130, 35, "uniform")
    assert from_file.hazard_shape_low == Parameters().hazard_shape_low  # untouched names keep their defaults

    both = _resolve("--params", str(path), "-p", "units_ineffective", "40", "-p", "prior", "jeffreys")
    assert (both.units_committed, both.units_ineffective, both.prior) == (130, 40, "jeffreys")


def test_last_p_wins():
    assert _resolve("-p", "seed", "1", "-p", "seed", "2").seed == 2


def test_seed_flag_equals_p_seed():
    assert _resolve("--seed", "7") == _resolve("-p", "seed", "7")
    assert _resolve("--seed", "7").seed == 7
    assert _resolve("--seed", "7") != Parameters()


def test_p_values_are_typed_like_yaml():
    p = _resolve("-p", "overdispersion", "0.02", "-p", "as_of", "2022-04-01", "-p", "horizon_days", "28")
    assert (p.overdispersion, p.as_of.isoformat(), p.horizon_days) == (0.02, "2022-04-01", 28)


def test_resolve_raises_input_error_not_parameter_error():
    with pytest.raises(errors.InputError, match=r"^parameter 'units_committed': "):
        _resolve("-p", "units_committed", "-5")


def test_parser_reads_argument_types():
    args = cli._parser().parse_args(["run", "--params", "a.yaml", "-p", "seed", "3", "--out", "x"])
    assert isinstance(args, argparse.Namespace)
    assert (args.params, args.parameter, args.out, args.seed) == (Path("a.yaml"), [["seed", "3"]], Path("x"), None)


@pytest.mark.parametrize(("argv", "hint"), [(["bogus"], "see 'estimates --help'"),
                                            (["run", "-p", "seed"], "see 'estimates run --help'"),
                                            (["sweep"], "see 'estimates sweep --help'")])
def test_usage_errors_point_to_the_right_help(argv, hint, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith(f"({hint})") and len(err.strip().splitlines()) == 1
