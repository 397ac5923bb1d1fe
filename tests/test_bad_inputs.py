"""The catalogue of bad inputs: parameters, parameter files, claims ledgers and the environment.

Every case goes through the command line (``estimates run ...``) into an output root that already
holds a good run, and must: exit 2; start no kernel; print exactly one line on stderr naming the
parameter, file, row or field and what is allowed; print nothing on stdout; and leave the output
root, the inputs and the working directory byte-for-byte as they were.

This extends tests/test_cli_inputs.py (which keeps its own cases: unknown and misspelt names,
wrong types, NaN, a YAML syntax error, an empty file, a list, a ``!!python`` tag, ...) and
tests/test_claims.py (which checks each bad ledger's message from ``load_ledger``); here each of
those bad ledgers also goes through ``-p claims_path``. Most cases run in-process (fast) behind
three tripwires: papermill, the runner's ``execute`` and a ``python3`` kernelspec that leaves a mark
if anything starts it. A handful also run as real subprocesses, guarded by the kernelspec alone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from estimates import cli, errors
from estimates.paths import CLAIMS_LEDGER
from estimates.run import execute, plan
from estimates.run import suite as runner

from .fixtures.runs import (
    FIXTURES,
    changes,
    fake_previous_run,
    snapshot,
    tripwire_kernel,
)
from .test_claims import BAD_LEDGERS, col, real_rows, write_rows

EXIT_INVALID = 2  # cli module docstring: "2 invalid input ..., with nothing created"
ALL_COLUMNS = re.escape(", ".join(real_rows()[0]))


# --- building the inputs ---------------------------------------------------------------------------
# A builder gets a scratch directory for input files and returns the arguments after ``run``
# (without --out unless it is the --out that is bad). The regex must match the stderr line.

def _p(*pairs: str):
    return lambda inputs: [a for i in range(0, len(pairs), 2) for a in ("-p", pairs[i], pairs[i + 1])]


def _params_file(text: str | bytes, name: str = "scenario.yaml"):
    def build(inputs: Path):
        path = inputs / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return ["--params", str(path)]
    return build


def _ledger(mutate=None, *, raw: bytes | None = None, name: str = "claims.csv"):
    """A ledger file from the real one with one thing changed, passed as ``-p claims_path``."""
    def build(inputs: Path):
        path = inputs / name
        if raw is not None:
            path.write_bytes(raw)
        else:
            write_rows(path, mutate(real_rows()))
        return ["-p", "claims_path", str(path)]
    return build


def _alias_bomb() -> str:
    # Each level repeats the one before ten times: 10**5 items once expanded, 10**9 with nine levels.
    levels = ['&a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    levels += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 5)]
    return "units_committed: [" + ", ".join(levels) + "]\n"


def _huge_field(rows):
    rows[1][col("originator")] = "W" * 200_000  # over the csv module's 131072-character field limit
    return rows


def _grade_z9(rows):
    rows[1][col("reliability")], rows[1][col("credibility")] = "Z", "9"
    return rows


LEDGER = r"parameter 'claims_path': \S*{name}: "


def _statements(row: str):
    """A statements file with one row, passed as ``-p statements_path``."""
    def build(inputs: Path):
        path = inputs / "statements.csv"
        path.write_text("observation_id,claim_ids,event_date,count_low,count_high,share_above,reading\n" + row)
        return ["-p", "statements_path", str(path)]
    return build


def _loss_file(raw: bytes, name: str):
    def build(inputs: Path):
        path = inputs / name
        path.write_bytes(raw)
        return ["-p", "losses_path", str(path)]
    return build

CASES = {
    # --- parameters: values -------------------------------------------------------------------
    "infinite": (
        _p("overdispersion", ".inf"),
        r"parameter 'overdispersion': must be finite; allowed: a number from 0\.0 to 0\.5; got inf$"),
    "minus-infinite": (
        _params_file("hazard_shape_low: -.inf\n"),  # in a file: argparse takes "-.inf" after -p for an option
        r"parameter 'hazard_shape_low': must be finite; allowed: a number from 0\.05 to 20\.0; got -inf$"),
    "negative-count": (
        _p("count_uncertainty", "-1"),
        r"parameter 'count_uncertainty': .*allowed: an integer from 0 to 10000; got -1$"),
    "fractional-count": (
        _p("units_ineffective", "29.5"),
        r"parameter 'units_ineffective': .*allowed: an integer from 0 to 100000; got 29\.5$"),
    "probability-above-1": (
        _p("threshold_share", "1.5"),
        r"parameter 'threshold_share': .*allowed: a number from 0\.0 to 1\.0; got 1\.5$"),
    "probability-below-0": (
        _p("combat_power_retained", "-0.1"),
        r"parameter 'combat_power_retained': .*allowed: a number from 0\.0 to 1\.0; got -0\.1$"),
    "interval-low-above-high": (
        _p("units_total_low", "171"),
        r"parameter 'units_total_low': must be at most units_total_high \(170\); got 171$"),
    "ineffective-above-committed-both-given": (
        _p("units_committed", "20", "units_ineffective", "21"),
        r"parameter 'units_ineffective': must be at most units_committed \(20\); got 21$"),
    "outside-declared-range": (
        _p("horizon_days", "1000"),
        r"parameter 'horizon_days': .*allowed: an integer from 1 to 730; got 1000$"),
    "too-few-draws": (
        _p("n_samples", "10"),
        r"parameter 'n_samples': .*allowed: an integer from 1000 to 2000000; got 10$"),
    "rounding-wider-than-share": (
        _p("committed_share_of_army_alt", "0.02"),
        r"parameter 'share_rounding': must be smaller than both committed shares \(0\.75, 0\.02\); got 0\.025$"),
    "boolean-for-count": (
        _p("units_committed", "true"),
        r"parameter 'units_committed': .*allowed: an integer from 1 to 100000; got True$"),
    "text-for-number": (
        _p("hazard_shape_high", "fast"),
        r"parameter 'hazard_shape_high': .*allowed: a number from 0\.05 to 20\.0; got 'fast'$"),
    "retired-parameter": (
        _p("hazard_shape", "1.2"),
        r"parameter 'hazard_shape' is no longer taken: .*set hazard_shape_low and hazard_shape_high to the same value$"),
    "list-for-count": (
        _p("units_committed", "[125, 130]"),
        r"parameter 'units_committed': .*allowed: an integer from 1 to 100000; got \[125, 130\]$"),
    "number-for-date": (
        _p("as_of", "42"),
        r"parameter 'as_of': .*allowed: a date from 1900-01-01 to 2100-12-31; got 42$"),
    "python-tag-in-p": (
        # -p values are read as YAML, safely: the tag is refused and the text stays text.
        lambda inputs: ["-p", "seed", f'!!python/object/apply:os.system ["touch {inputs / "pwned"}"]'],
        r"parameter 'seed': .*allowed: an integer from 0 to 4294967295; got '!!python/object/apply:os\.system"),
    # --- parameters: claims_path --------------------------------------------------------------
    "claims-path-null": (
        _p("claims_path", "null"),
        r"parameter 'claims_path': input should be a valid string; allowed: a file path on one line; got None$"),
    "claims-path-number": (
        _p("claims_path", "5"),
        r"parameter 'claims_path': input should be a valid string; allowed: a file path on one line; got 5$"),
    "claims-path-empty": (
        _params_file('claims_path: ""\n'),
        r"parameter 'claims_path': must not be empty; allowed: a file path on one line; got ''$"),
    "claims-path-newline": (
        _params_file('claims_path: "claims.csv\\nimport os"\n'),
        r"parameter 'claims_path': must not contain control characters such as a newline or tab; "
        r"allowed: a file path on one line; got '\S*claims\.csv\\nimport os'$"),
    # --- parameter files ------------------------------------------------------------------------
    "params-two-documents": (
        _params_file("seed: 1\n---\nseed: 2\n", "two.yaml"),
        r"--params \S*two\.yaml: YAML syntax error at line 2, column 1: "
        r"expected a single document in the stream, but found another document$"),
    "params-python-tag-in-a-value": (
        _params_file("seed: !!python/object/apply:os.getpid []\n", "tagged.yaml"),
        r"--params \S*tagged\.yaml: YAML syntax error at line 1, column 7: could not determine a constructor "
        r"for the tag 'tag:yaml\.org,2002:python/object/apply:os\.getpid'$"),
    "params-alias-bomb": (
        # Must be refused without expanding the aliases into the message (a billion laughs).
        _params_file(_alias_bomb(), "laughs.yaml"),
        r"parameter 'units_committed': .*allowed: an integer from 1 to 100000; got \[\[.{0,400}$"),
    "params-not-utf8": (
        _params_file(b"seed: \xff\xfe\n", "latin.yaml"),
        r"--params \S*latin\.yaml: cannot read \('utf-8' codec can't decode byte 0xff in position 6"),
    "params-a-directory": (
        lambda inputs: ["--params", str(inputs)],
        r"--params \S*inputs: cannot read \(\[Errno 21\] Is a directory"),
    "params-number-as-name": (
        _params_file("125: units_committed\n", "keys.yaml"),
        r"unknown parameter '125' \(run 'estimates params' for the list\)$"),
    "params-name-with-newline": (
        _params_file('"btg\\ncommitted": 125\n', "newline.yaml"),
        r"unknown parameter 'btg\\ncommitted'"),
    # --- claims ledgers (see also every case of test_claims.BAD_LEDGERS, below) ------------------
    "ledger-grade-Z9": (
        _ledger(_grade_z9),
        LEDGER.format(name="claims\\.csv") + r"claim '\S+' \(line 2\): field 'reliability': "
        r".*allowed: one of A, B, C, D, E, F; got 'Z'$"),
    "ledger-empty-file": (
        _ledger(raw=b""),
        LEDGER.format(name="claims\\.csv") + rf"missing column 'claim_id'; required columns: {ALL_COLUMNS}$"),
    "ledger-missing-file": (
        lambda inputs: ["-p", "claims_path", str(inputs / "nowhere" / "claims.csv")],
        LEDGER.format(name="nowhere/claims\\.csv") + r"claims ledger not found$"),
    "ledger-relative-to-cwd": (
        # A relative path is the user's, from the working directory, not the project's data/.
        _p("claims_path", "claims.csv"),
        LEDGER.format(name="/cwd/claims\\.csv") + r"claims ledger not found$"),
    "ledger-a-directory": (
        lambda inputs: ["-p", "claims_path", str(inputs)],
        LEDGER.format(name="inputs") + r"not a regular file; give the path of a CSV file$"),
    "ledger-a-device": (
        # /dev/null reads as empty; /dev/zero, refused the same way, would never end.
        _p("claims_path", "/dev/null"),
        LEDGER.format(name="/dev/null") + r"not a regular file; give the path of a CSV file$"),
    "ledger-not-utf8": (
        _ledger(raw=CLAIMS_LEDGER.read_bytes().replace("ö".encode(), "ö".encode("latin-1"))),
        LEDGER.format(name="claims\\.csv") + r"not UTF-8 text \(byte \d+\)$"),
    "ledger-field-too-large": (
        _ledger(_huge_field),
        LEDGER.format(name="claims\\.csv") + r"line 2: malformed CSV \(field larger than field limit \(131072\)\)$"),
    # --- the cross-checks' input files -------------------------------------------------------------
    "statements-missing-file": (
        lambda inputs: ["-p", "statements_path", str(inputs / "statements.csv")],
        r"parameter 'statements_path': \S*/statements\.csv: statements file not found$"),
    "statements-bad-count": (
        _statements("six-weeks-29,btg-ineffective-29,2022-04-06,29,x,,bad\n"),
        r"parameter 'statements_path': \S*/statements\.csv: line 2: field 'count_high' must be a whole "
        r"number >= 0 or empty; got 'x'$"),
    "statements-no-count": (
        _statements("six-weeks-29,btg-ineffective-29,2022-04-06,,,,bad\n"),
        r"parameter 'statements_path': \S*/statements\.csv: line 2: field 'count_low' must be given "
        r"\(or count_high, share_above or share_below\): the row states no count; got ''$"),
    "losses-not-json": (
        _loss_file(b"{not json", "equipment.json"),
        r"parameter 'losses_path': \S*/equipment\.json: .*JSON.*$"),
    "losses-negative-count": (
        _loss_file(b'[{"date": "2022-02-25", "day": 2, "tank": -80, "APC": 516}]', "equipment.json"),
        r"parameter 'losses_path': \S*/equipment\.json: .*'tank'.*$"),
    "personnel-losses-missing-file": (
        lambda inputs: ["-p", "personnel_losses_path", str(inputs / "personnel.json")],
        r"parameter 'personnel_losses_path': \S*/personnel\.json: .*not found.*$"),
    "count-after-the-loss-data": (
        _p("as_of", "2027-01-01", "count_date", "2027-01-01"),
        r"parameter 'count_date': the loss data run from 2022-02-25 to 2026-08-08 \(to the cut-off\); got 2027-01-01$"),
    "statement-above-the-committed-force": (
        _p("units_committed", "30"),
        r"parameter 'statements_path': .*btg_statements\.csv: line 3: statement 'bbc-37-38' needs at least 37 "
        r"battalion tactical groups ineffective, more than the 35 committed at most "
        r"\(units_committed \+ denominator_uncertainty\)$"),
    "strength-below-claimed-losses": (
        _p("initial_strength", "1000"),
        r"parameter 'initial_strength': must exceed the 18,600 personnel losses claimed by "
        r"2022-04-06; got 1000$"),
    "shape-low-above-high": (
        _p("hazard_shape_low", "3.0"),
        r"parameter 'hazard_shape_low': must be at most hazard_shape_high \(2\.0\); got 3\.0$"),
    "overcount-low-above-high": (
        _p("overcount_low", "2.5"),
        r"parameter 'overcount_low': must be at most overcount_high \(2\.0\); got 2\.5$"),
    # --- environment ------------------------------------------------------------------------------
    "out-is-a-file": (
        lambda inputs: ["--out", str(_regular_file(inputs))],
        r"--out \S*/file: \S*/file is not a directory; give a writable directory$"),
}


def _regular_file(inputs: Path) -> Path:
    path = inputs / "file"
    path.write_text("not a directory\n")
    return path


SUBPROCESS_CASES = ["ledger-grade-Z9", "ledger-missing-file", "claims-path-newline", "params-alias-bomb",
                    "out-is-a-file"]


# --- the checks ----------------------------------------------------------------------------------------

@pytest.fixture
def place(tmp_path, monkeypatch):
    """tmp_path/inputs for input files, tmp_path/cwd as the working directory, and an output root
    tmp_path/reports that already holds a finished run with ``latest`` pointing at it."""
    (tmp_path / "inputs").mkdir()
    (tmp_path / "cwd").mkdir()
    fake_previous_run(tmp_path / "reports")
    monkeypatch.chdir(tmp_path / "cwd")
    return tmp_path


@pytest.fixture
def no_kernel(tmp_path_factory, monkeypatch):
    """Fail the test if anything tries to execute a notebook or start a kernel."""
    import papermill

    def tripwire(*args, **kwargs):
        raise AssertionError("invalid input reached notebook execution: a kernel would have started")

    env, marker = tripwire_kernel(tmp_path_factory.mktemp("tripwire"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(execute, "execute", tripwire)
    monkeypatch.setattr(papermill, "execute_notebook", tripwire)
    yield
    assert not marker.exists(), "a kernel was started"


def argv_for(case: str, place: Path) -> tuple[list[str], str]:
    build, pattern = CASES[case]
    args = build(place / "inputs")
    if "--out" not in args:
        args += ["--out", str(place / "reports")]
    return ["run", *args], pattern


def assert_refused(code: int, stdout: str, stderr: str, pattern: str) -> str:
    assert code == EXIT_INVALID, stderr
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1 and stderr.endswith("\n"), stderr[:2000]
    line = lines[0]
    assert line.startswith("estimates: error: ") and len(line) < 1000, line[:2000]
    assert re.search(pattern, line), line
    return line


def main(argv: list[str]) -> int:
    try:
        return cli.main(argv)
    except SystemExit as done:  # argparse errors exit rather than return
        return done.code


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused(case, place, capsys, no_kernel):
    argv, pattern = argv_for(case, place)
    before = snapshot(place)
    code = main(argv)
    captured = capsys.readouterr()
    assert_refused(code, captured.out, captured.err, pattern)
    assert changes(before, snapshot(place)) == []


@pytest.mark.parametrize("mutate, pattern", [c[1:] for c in BAD_LEDGERS], ids=[c[0] for c in BAD_LEDGERS])
def test_bad_ledger_is_refused_through_claims_path(mutate, pattern, place, capsys, no_kernel):
    path = write_rows(place / "inputs" / "claims.csv", mutate(real_rows()))
    before = snapshot(place)
    code = main(["run", "-p", "claims_path", str(path), "--out", str(place / "reports")])
    captured = capsys.readouterr()
    line = assert_refused(code, captured.out, captured.err, pattern)
    assert f"parameter 'claims_path': {path}: " in line  # the parameter and the file, then row and field
    assert changes(before, snapshot(place)) == []


def test_missing_notebook_is_refused(place, capsys, no_kernel, monkeypatch):
    ghost = place / "inputs" / "ghost.ipynb"
    monkeypatch.setattr(plan, "SUITE", (plan.NotebookSpec("ghost", ghost),))
    before = snapshot(place)
    code = main(["run", "--out", str(place / "reports")])
    captured = capsys.readouterr()
    assert_refused(code, captured.out, captured.err, rf"notebook 'ghost' not found at {re.escape(str(ghost))}$")
    assert changes(before, snapshot(place)) == []


def test_unwritable_output_root_is_refused(place, capsys, no_kernel, monkeypatch):
    # Tests run as root in CI, where chmod cannot take write access away: ask os.access instead.
    root = place / "reports"
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path) != root and real_access(path, mode, **kw))
    before = snapshot(place)
    code = main(["run", "--out", str(root)])
    captured = capsys.readouterr()
    assert_refused(code, captured.out, captured.err, r"--out \S*/reports: \S*/reports is not writable; "
                   r"give a writable directory$")
    assert changes(before, snapshot(place)) == []


def test_ledger_with_bom_and_windows_line_endings_passes_the_checks(place, capsys, no_kernel, monkeypatch):
    # The counterpart of the catalogue: an odd but valid file is not refused. run_suite is replaced,
    # so this only shows the CLI's checks let it through (tests/test_claims.py checks the claims).
    raw = b"\xef\xbb\xbf" + CLAIMS_LEDGER.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    path = place / "inputs" / "windows.csv"
    path.write_bytes(raw)
    reached = []
    monkeypatch.setattr(runner, "run_suite", lambda params, out, **kw: reached.append(params) or
                        runner.RunOutcome(Path(out), errors.EXIT_OK, "stub"))
    code = main(["run", "-p", "claims_path", str(path), "--out", str(place / "reports")])
    assert code == 0, capsys.readouterr().err
    assert [p.claims_path for p in reached] == [str(path)]


def test_catalogue_is_large():
    # Issue 6 asks for at least 40 bad inputs; test_cli_inputs.py holds more.
    assert len(CASES) + len(BAD_LEDGERS) + 2 >= 40


# --- as real subprocesses: a few cases, and the guard itself ---------------------------------------

def _run_cli(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "estimates.cli", *argv], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, **env}, timeout=300)


@pytest.mark.parametrize("case", SUBPROCESS_CASES)
def test_bad_input_to_the_real_command(case, place, tmp_path_factory):
    env, marker = tripwire_kernel(tmp_path_factory.mktemp("tripwire"))
    argv, pattern = argv_for(case, place)
    before = snapshot(place)
    done = _run_cli(argv, place / "cwd", env)
    assert_refused(done.returncode, done.stdout, done.stderr, pattern)
    assert changes(before, snapshot(place)) == []
    assert not marker.exists(), "a kernel was started"


def test_missing_notebooks_refused_by_the_real_command(place, tmp_path_factory):
    # A project directory without notebooks/ (ESTIMATES_PROJECT_DIR is where paths.py looks).
    env, marker = tripwire_kernel(tmp_path_factory.mktemp("tripwire"))
    empty = tmp_path_factory.mktemp("project")
    before = snapshot(place)
    done = _run_cli(["run", "--case", str(CLAIMS_LEDGER.parent), "--out", str(place / "reports")],
                    place / "cwd", {**env, "ESTIMATES_PROJECT_DIR": str(empty)})
    assert_refused(done.returncode, done.stdout, done.stderr,
                   rf"notebook '\w+' not found at {re.escape(str(empty))}/notebooks/\w+\.ipynb$")
    assert changes(before, snapshot(place)) == []
    assert not marker.exists()


def test_the_kernel_tripwire_fires_when_a_kernel_starts(place, tmp_path_factory):
    # The guard above is only worth something if it would notice a kernel: a valid run trips it.
    env, marker = tripwire_kernel(tmp_path_factory.mktemp("tripwire"))
    suite = tmp_path_factory.mktemp("suite")
    (suite / "failing.ipynb").write_bytes((FIXTURES / "failing.ipynb").read_bytes())
    done = _run_cli(["run", "--out", str(place / "reports"), "-p", "n_samples", "1000"], place / "cwd",
                    {**env, plan.SUITE_DIR_ENV: str(suite)})
    assert done.returncode == 1, done.stderr
    assert marker.exists()


# --- unusual but valid inputs: they run, and the briefing says what they mean ----------------------

def _one_claim(rows):
    # Only the count the estimate rests on; every other claim the schema cites is absent.
    return [rows[0], next(r for r in rows[1:] if r[col("claim_id")] == "btg-ineffective-29")]


def _all_f6(rows):
    for row in rows[1:]:
        row[col("reliability")], row[col("credibility")] = "F", "6"
    return rows


ONE_CLAIM_SENTENCES = ["claims the inputs cite are not in the claims ledger read for this run",
                       "no graded source in this ledger backs them"]

UNUSUAL = {
    # name -> (arguments after `run`, given the inputs folder; what the briefing must say)
    "none-ineffective": (
        lambda inputs: ["-p", "units_ineffective", "0"],
        ["The run counts none of the 125 committed battalion tactical groups as combat-ineffective",
         "cannot show that it is zero"]),
    "all-ineffective": (
        lambda inputs: ["-p", "units_ineffective", "125"],
        ["The run counts all 125 committed battalion tactical groups as combat-ineffective",
         "cannot bound the per-battalion tactical group probability or the daily hazard from above"]),
    "one-claim-ledger": (_ledger(_one_claim), ONE_CLAIM_SENTENCES),
    # The same ledger with the attrition notebook alone (NOTEBOOKS): what the attrition model makes of it.
    "one-claim-ledger-attrition-only": (_ledger(_one_claim), ONE_CLAIM_SENTENCES),
    "every-claim-F6": (
        _ledger(_all_f6),
        ["Every claim cited in this run is graded F6",
         "every judgment here is conditional on reports whose worth is unknown"]),
    # The cross-checks with little to go on: they run, and say what they could not do.
    "one-statement": (
        _statements("six-weeks-29,btg-ineffective-29,2022-04-06,29,29,,the seed alone\n"),
        ["With a single statement there is nothing to check it against"]),
    "statements-that-fall": (
        _statements("six-weeks-29,btg-ineffective-29,2022-04-06,29,29,,first\n"
                    "later,bbc-btg-ineffective,2022-04-11,10,12,,a narrower definition\n"),
        ["The counts cannot be read as counts of the same force",
         "the estimate rests on the independent reading alone"]),
    "as-of-the-second-day": (
        lambda inputs: ["-p", "as_of", "2022-02-26"],
        ["fewer than three days of claims precede the cut-off"]),
}


#: The notebooks each unusual run needs: those whose sections say what is checked (the front page's
#: caveats need any one); the rest of the suite would only add minutes. A case not listed runs them all.
NOTEBOOKS = {
    "none-ineffective": ("attrition", "pooling"),  # the pooled single report is checked too
    "all-ineffective": ("attrition",),
    "one-claim-ledger-attrition-only": ("attrition",),
    "every-claim-F6": ("attrition",),
    "one-statement": ("pooling",),
    "statements-that-fall": ("pooling",),
    "as-of-the-second-day": ("lanchester",),
}


#: Unusual runs going at once. Each kernel's ports are picked free and bound a moment later, so
#: many kernels starting together in separate processes can pick the same port (seen at eight).
AT_ONCE = 4


@pytest.fixture(scope="module")
def unusual_runs(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    """One real run per unusual case, :data:`AT_ONCE` at a time (each with one kernel at a time)."""
    finished = {}
    cases = list(UNUSUAL)
    for first in range(0, len(cases), AT_ONCE):
        finished.update(_run_unusual(cases[first:first + AT_ONCE], tmp_path_factory))
    return finished


def _run_unusual(cases, tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    started = {}
    for case in cases:
        build = UNUSUAL[case][0]
        folder = tmp_path_factory.mktemp(case)
        (folder / "inputs").mkdir()
        args = build(folder / "inputs")
        command = [sys.executable, "-m", "estimates.cli", "run", "--out", str(folder / "reports"), "--jobs", "1",
                   "-p", "n_samples", "1000", *args]
        env = dict(os.environ)
        if case in NOTEBOOKS:
            (folder / "suite").mkdir()
            for spec in plan.SUITE:
                if spec.name in NOTEBOOKS[case]:
                    (folder / "suite" / spec.path.name).write_bytes(spec.path.read_bytes())
            env[plan.SUITE_DIR_ENV] = str(folder / "suite")
        started[case] = (subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True), folder / "reports")
    finished = {}
    for case, (process, root) in started.items():
        out, err = process.communicate(timeout=900)
        finished[case] = (subprocess.CompletedProcess(process.args, process.returncode, out, err), root)
    return finished


def _text(html: str) -> str:
    from html.parser import HTMLParser

    parts: list[str] = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = parts.append
    parser.feed(html)
    return " ".join(" ".join(parts).split())


@pytest.mark.parametrize("case", list(UNUSUAL))
def test_unusual_but_valid_input_runs_and_is_explained(case, unusual_runs):
    done, root = unusual_runs[case]
    assert done.returncode == 0, done.stderr
    run_dir = (root / "latest").resolve()
    assert done.stdout.strip().endswith(str(run_dir / "briefing.html"))
    text = _text((run_dir / "briefing.html").read_text(encoding="utf-8"))
    for sentence in UNUSUAL[case][1]:
        assert sentence in text, sentence


def test_the_pooled_single_report_is_the_attrition_headline_whatever_the_count(unusual_runs):
    import json

    done, root = unusual_runs["none-ineffective"]
    results = json.loads(((root / "latest").resolve() / "results.json").read_text())
    assert results["pooling"]["single_report"]["count"] == results["attrition"]["reported"]["ineffective"] == 0


def test_unusual_runs_keep_their_numbers_straight(unusual_runs):
    import json

    def section(case):
        return json.loads(((unusual_runs[case][1] / "latest") / "results.json").read_text())["attrition"]

    assert section("none-ineffective")["reported"]["ineffective_share"] == 0
    assert section("all-ineffective")["reported"]["ineffective_share"] == 1
    assert [s["claim_id"] for s in section("one-claim-ledger-attrition-only")["sources"]] == ["btg-ineffective-29"]
    assert {s["grade"] for s in section("every-claim-F6")["sources"]} == {"F6"}
    # None of these notes belongs in the ordinary briefing.
    from estimates.models.attrition.report import notes as attrition_notes

    assert attrition_notes(section("every-claim-F6")) and not any(
        "F6" in note for note in attrition_notes(section("none-ineffective")))


def test_notes_for_a_partly_unjudged_ledger_name_the_claims():
    # A unit check of the branch no run above reaches: some, not all, cited claims graded F6.
    from estimates.models.attrition.report import notes as attrition_notes

    section = {"reported": {"ineffective": 29, "committed": 125}, "judgments": [], "data_files": {},
               "parameters": [{"claim_id": "a"}, {"claim_id": "b"}],
               "sources": [{"claim_id": "a", "grade": "F6"}, {"claim_id": "b", "grade": "B2"}]}
    assert attrition_notes(section) == [
        "1 of the 2 claims cited are graded F6 (reliability and truth cannot be judged): a. "
        "The attrition estimate takes them as given."]
