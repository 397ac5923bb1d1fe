"""The README quotes the baseline run's numbers, and only through the generator.

``tests/golden/baseline.json`` is the stored ``results.json`` of the baseline parameters (quick
profile) and ``tests/test_golden.py`` checks that a fresh run still writes it; here the README's
figure spans are checked against it, so the chain README <- stored baseline <- fresh run is tested.
After ``tests/golden/capture.py`` rewrites the stored runs, ``make readme-figures`` rewrites the
README. The format rules are checked against values rounded by hand.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from estimates.report.readme_figures import (
    FigureError,
    differences,
    figures,
    main,
    quote,
    render,
    resolve,
)

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BASELINE = ROOT / "tests" / "golden" / "baseline.json"


def span(spec: str, text: str) -> str:
    return f"<!-- fig {spec} -->{text}<!-- /fig -->"


# --- the README itself ----------------------------------------------------------------------------

def test_the_readme_quotes_the_stored_baseline():
    readme = README.read_text(encoding="utf-8")
    found = differences(readme, json.loads(BASELINE.read_text()))
    assert not found, "\n".join(found) + "\nrun `make readme-figures` after tests/golden/capture.py"
    quoted = {path.split(".")[0] for figure in figures(readme) for path in figure.paths}
    assert {"pooling", "losses", "lanchester"} <= quoted  # the cross-checks' baseline paragraphs


def test_every_changed_figure_in_the_readme_is_reported_on_one_line_naming_its_key():
    readme = README.read_text(encoding="utf-8")
    results = json.loads(BASELINE.read_text())
    for figure in figures(readme):
        edited = readme[:figure.start] + "9" + figure.text + readme[figure.end:]
        found = differences(edited, results)
        assert len(found) == 1, found
        assert found[0].startswith(f"README.md line {figure.line}: {figure.key} ({figure.fmt}) reads '9{figure.text}'")
        assert found[0].endswith(f"results.json gives {figure.text!r}")


def test_make_readme_figures_rewrites_from_the_file_this_test_checks():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # Run as `make test` runs it too: without the outer make's flags, which would add directory lines.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    done = subprocess.run(["make", "--no-print-directory", "-n", "readme-figures"], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    command = done.stdout.strip().splitlines()[-1].split()
    assert command[1:] == ["-m", "estimates.report.readme_figures", str(BASELINE.relative_to(ROOT)), "README.md"]


# --- the mechanism, on a small README -------------------------------------------------------------

RESULTS = {
    "m": {
        "cut_off": "2022-04-11",
        "interval": {"high": 0.3164897024940131, "level": 0.9, "low": 0.19313057604016115, "method": "grid"},
        "q": {"0.05": 25.14188047000546, "0.5": 38.68412387423432, "0.95": 58.76007026711975},
        "rows": [{"id": "a", "kind": "tank", "bound": 1.8105200239091452},
                 {"id": "b", "kind": "apc", "bound": 1.6041721679429628},
                 {"id": "c", "kind": "tank", "bound": 2.010161386730424}],
        "judgment": {"n_samples": 4000, "probability": 0.413, "standard_error": 0.00778509794414945},
        "note": "four thousand draws",
        "missing": None,
        "by_era": {"1900 on": 1.0},
    },
}
SMALL = (f"Cut-off {span('date m.cut_off', '11 April 2022')}: interval {span('pct1 m.interval', '19.3%-31.6%')},\n"
         f"tanks {span('num0 m.q.{0.05,0.95}', '25-59')} (median {span('num0 m.q.0.5', '39')}); bounds\n"
         f"near {span('num1 m.rows.kind=tank.bound', '1.8-2.0')} and {span('num2 m.rows.b.bound', '1.60')};\n"
         f"judged {span('pct1 m.judgment', '41%')}.\n")


def test_a_readme_that_agrees_renders_to_itself():
    assert differences(SMALL, RESULTS) == []
    assert render(SMALL, RESULTS) == SMALL


def test_a_moved_number_rewrites_its_figure_and_nothing_else():
    moved = json.loads(json.dumps(RESULTS))
    moved["m"]["interval"]["low"] = 0.2049  # 20.49% -> "20.5%"
    rewritten = render(SMALL, moved)
    assert rewritten == SMALL.replace(">19.3%-31.6%<", ">20.5%-31.6%<")
    assert differences(SMALL, moved) == [
        "README.md line 1: m.interval (pct1) reads '19.3%-31.6%', results.json gives '20.5%-31.6%'"]
    assert render(rewritten, moved) == rewritten


def test_a_wrong_figure_in_the_small_readme_is_named():
    wrong = SMALL.replace(">39<", ">38<")
    assert differences(wrong, RESULTS, name="X.md") == ["X.md line 2: m.q.0.5 (num0) reads '38', results.json gives '39'"]


def test_key_paths_take_dotted_keys_whole_and_select_records():
    assert resolve(RESULTS, "m.q.0.05") == [25.14188047000546]
    assert resolve(RESULTS, "m.rows.kind=tank.bound") == [1.8105200239091452, 2.010161386730424]
    assert resolve(RESULTS, "m.rows.b.kind") == ["apc"]  # by its id
    assert resolve(RESULTS, "m.rows.2.id") == ["c"]
    assert resolve(RESULTS, "m.by_era.1900 on") == [1.0]
    assert resolve({"a": {"0": {"05": "short"}, "0.05": "long"}}, "a.0.05") == ["long"]  # the longest key first
    [figure] = figures(f"x {span('num0 m.q.{0.05,0.5,0.95}', '25-59')}\n")
    assert figure.paths == ("m.q.0.05", "m.q.0.5", "m.q.0.95")


# Each expected text is the value rounded by hand, e.g. 100 * 0.19313... = 19.313 -> "19.3%".
@pytest.mark.parametrize(("fmt", "value", "text"), [
    ("pct1", 0.19313057604016115, "19.3%"),
    ("pct1", {"low": 0.19313057604016115, "high": 0.3164897024940131}, "19.3%-31.6%"),
    ("pct0", 0.9488929923683223, "95%"),
    ("pct0", [0.3, 0.5], "30%-50%"),
    ("pct0", [0.5, 0.3], "30%-50%"),
    ("num0", 1861.0, "1,861"),
    ("num0", 20702.845373787677, "20,703"),
    ("num1", [1.8105200239091452, 2.010161386730424], "1.8-2.0"),
    ("num1", {"low": -0.26, "high": 0.5}, "-0.3 to 0.5"),
    ("signed2", 0.3108106069662573, "+0.31"),
    ("signed2", {"low": 0.1833939533131164, "high": 0.4382272606193982}, "+0.18 to +0.44"),
    ("sig2", 666.6666666666666, "670"),
    ("sig2", 230.0, "230"),
    ("sig2", 0.012345, "0.012"),
    ("date", "2022-04-11", "11 April 2022"),
    ("day-month", "2022-04-06", "6 April"),
    # A Monte Carlo probability keeps no digit finer than its standard error.
    ("pct1", {"probability": 0.4131, "standard_error": 0.0078}, "41%"),       # 0.78 points: whole points
    ("pct1", {"probability": 0.4131, "standard_error": 0.0004}, "41.3%"),     # 0.04 points: tenths allowed
    ("pct1", {"probability": 0.4131, "standard_error": 0.0}, "41.3%"),        # exact (a grid posterior)
    ("pct1", {"probability": 0.4131, "standard_error": 0.03}, "40%"),         # 3 points: tens of points
    ("pct1", {"probability": 0.4131, "standard_error": 0.001}, "41.3%"),      # 0.1 points exactly: tenths
    ("num2", {"probability": 0.4131, "standard_error": 0.004}, "0.41"),
])
def test_formats_round_as_computed_by_hand(fmt, value, text):
    assert quote(fmt, ["v"], {"v": value}) == text


def quoted_number(text: str) -> tuple[float, int]:
    number = text.rstrip("%").replace(",", "")
    return float(number), len(number.partition(".")[2])


@given(p=st.floats(0, 1), error=st.floats(1e-7, 0.2))
@example(p=0.4131, error=0.0078)
@example(p=0.05, error=0.001)
def test_a_monte_carlo_probability_shows_no_digit_finer_than_its_error(p, error):
    value, decimals = quoted_number(quote("pct2", ["j"], {"j": {"probability": p, "standard_error": error}}))
    assert decimals <= 2
    if decimals:
        assert 10.0 ** -decimals >= 100 * error * (1 - 1e-9)  # the last digit's step, in points
    # and the rounding costs at most half a step, a step being under ten standard errors
    assert abs(value - 100 * p) <= max(5 * 100 * error, 0.005) + 1e-9


@given(a=st.floats(-1e6, 1e6), b=st.floats(-1e6, 1e6))
@example(a=0.0, b=-0.0)  # equal, yet printed "0.0" or "-0.0" by order until quote() normalised it
def test_a_range_reads_the_same_in_either_order_and_quotes_both_ends(a, b):
    text = quote("num1", ["v"], {"v": [a, b]})
    assert text == quote("num1", ["v"], {"v": [b, a]})
    ends = [float(end.replace(",", "")) for end in re.split(r"(?<=\d)-|(?<=\d) to ", text)]
    low, high = sorted((a, b))
    assert len(ends) == (1 if a == b else 2)
    assert ends[0] == pytest.approx(low, abs=0.051) and ends[-1] == pytest.approx(high, abs=0.051)


# --- what stops the generator: one line naming the figure ------------------------------------------

@pytest.mark.parametrize(("readme", "message"), [
    (f"x {span('num0 m.nope', '1')}\n", r"README line 1: no key 'nope' under m \(keys: by_era, cut_off, interval"),
    (f"x {span('pct m.q.0.5', '1')}\n", r"README line 1: unknown format 'pct'; allowed: pct<d>, num<d>"),
    (f"x {span('num0', '1')}\n", r"README line 1: a figure needs a format and a key path"),
    (f"x {span('num0 m.q--0.5', '1')}\n", r"a figure needs a format and a key path"),
    ("x <!-- fig num0 m.q.0.5 -->1\n<!-- /fig -->\n", r"README line 1: a figure opened with no <!-- /fig -->"),
    (f"  {span('num0 m.q.0.5', '39')} x\n", r"README line 1: a figure opens the line"),
    (f"x\ny {span('num0 m.q', '1')}\n", r"README line 2: m.q: holds several values \(0.05, 0.5, 0.95\)"),
    (f"x {span('num0 m.missing', '1')}\n", r"m.missing: is None, not a number"),
    (f"x {span('num0 m.note', '1')}\n", r"m.note: is the text 'four thousand draws', not a number or a date"),
    (f"x {span('num0 m.rows.7.bound', '1')}\n", r"m.rows has 3 items, no item 7"),
    (f"x {span('num0 m.rows.kind=ship.bound', '1')}\n", r"no record 'kind=ship' in m.rows"),
    (f"x {span('num0 m.q.0.5.x', '1')}\n", r"m.q.0.5.x: m.q.0.5 is a value"),
    (f"x {span('num0 m.cut_off', '1')}\n", r"format num0 needs numbers, got a date"),
    (f"x {span('date m.q.0.5', '1')}\n", r"format date needs one date"),
])
def test_a_broken_figure_stops_with_one_line_naming_it(readme, message):
    with pytest.raises(FigureError, match=message) as raised:
        render(readme, RESULTS)
    assert "\n" not in str(raised.value)


def test_a_value_that_is_not_finite_is_refused():
    with pytest.raises(FigureError, match=r"v: is not finite"):
        quote("num0", ["v"], {"v": math.inf})


# --- the command the make target runs ---------------------------------------------------------------

def test_the_command_rewrites_checks_and_refuses(tmp_path, capsys):
    results, readme = tmp_path / "results.json", tmp_path / "README.md"
    results.write_text(json.dumps(RESULTS))
    readme.write_text(SMALL.replace(">39<", ">38<"), encoding="utf-8")

    assert main([str(results), str(readme), "--check"]) == 1
    assert capsys.readouterr().out.strip() == "README.md line 2: m.q.0.5 (num0) reads '38', results.json gives '39'"
    assert readme.read_text(encoding="utf-8") != SMALL  # --check writes nothing

    assert main([str(results), str(readme)]) == 0
    assert readme.read_text(encoding="utf-8") == SMALL
    assert capsys.readouterr().out.strip().endswith("7 figures from " + str(results) + ", 1 rewritten")
    assert main([str(results), str(readme), "--check"]) == 0
    capsys.readouterr()

    readme.write_text(f"x {span('num0 m.gone', '1')}\n", encoding="utf-8")
    assert main([str(results), str(readme)]) == 2
    assert capsys.readouterr().err.strip().startswith("readme-figures: README line 1: no key 'gone' under m")
    assert main([str(tmp_path / "absent.json"), str(readme)]) == 2
