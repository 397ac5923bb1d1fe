"""The parameter schema: defaults, one test per validation message, ranges, and the notebook cell."""

from __future__ import annotations

import ast
import datetime as dt
import io
import json
import tokenize

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from estimates.core.calendar import day_number
from estimates.parameters.schema import (
    ParameterError,
    Parameters,
    from_namespace,
    names_for,
    specs,
    validate,
)
from estimates.paths import NOTEBOOK_DIR
from estimates.registry import MODELS

ATTRITION_NOTEBOOK = NOTEBOOK_DIR / "attrition.ipynb"
NUMERIC_TYPES = ("int", "float", "date")


# --- Hypothesis strategies ---------------------------------------------------------------------

@st.composite
def k_of_n(draw):
    n = draw(st.integers(1, 1000))
    return draw(st.integers(0, n)), n


@st.composite
def k_above_n(draw):
    n = draw(st.integers(1, 999))
    return draw(st.integers(n + 1, 1000)), n


def _notebook(path=ATTRITION_NOTEBOOK) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _parameters_cell(nb: dict) -> dict:
    return next(c for c in nb["cells"] if c["cell_type"] == "code")


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _one_line(message: str) -> None:
    assert message and "\n" not in message and "\r" not in message


# --- defaults and derived values -----------------------------------------------------------------

def test_defaults_validate():
    assert validate({}) == Parameters()
    assert validate(Parameters().model_dump(mode="json")) == Parameters()


@pytest.mark.parametrize(
    "date, day",
    [
        (dt.date(2022, 2, 24), 1),   # data/claims.md: day 1 of the war is 2022-02-24
        (dt.date(2022, 4, 6), 42),   # data/claims.md: "six weeks" is day 42 = 2022-04-06
        (dt.date(2022, 4, 11), 47),  # claims.csv campaign-six-weeks: the article appeared on day 47
    ],
)
def test_day_number(date, day):
    assert day_number(date, start=dt.date(2022, 2, 24)) == day


def test_days_elapsed_follows_the_counts_date_never_past_the_cut_off():
    assert Parameters().days_elapsed == 42  # count_date 2022-04-06 (claim btg-ineffective-29)
    assert validate({"count_date": "2022-02-25"}).days_elapsed == 2
    assert validate({"as_of": "2022-03-15"}).days_elapsed == 20  # the count cannot describe a later day


@settings(derandomize=True)
@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
       st.integers(0, 3000))
def test_day_number_counts_days(start, date, shift):
    assert day_number(date + dt.timedelta(days=shift), start) == day_number(date, start) + shift
    assert day_number(start, start) == 1


def test_parameters_are_frozen():
    p = Parameters()
    with pytest.raises(ValidationError, match="frozen"):
        p.units_committed = 1  # type: ignore[misc]
    assert p.units_committed == 125


# --- one test per validation message ---------------------------------------------------------------

# (id, values, regex). Each regex names the parameter and what is allowed, and the value given.
INVALID = [
    ("unknown-name", {"btg_destroyed": 3},
     r"^unknown parameter 'btg_destroyed' \(run 'estimates params' for the list\)$"),
    ("misspelt-name", {"btg_commited": 125},
     r"^unknown parameter 'btg_commited'; did you mean 'units_committed'\? \(run 'estimates params' for the list\)$"),
    ("string-for-int", {"units_committed": "125"},
     r"^parameter 'units_committed': input should be a valid integer; allowed: an integer from 1 to 100000; got '125'$"),
    ("float-for-int", {"units_committed": 2.5},
     r"^parameter 'units_committed': .*; allowed: an integer from 1 to 100000; got 2\.5$"),
    ("whole-float-for-int", {"n_samples": 5000.0},
     r"^parameter 'n_samples': .*; allowed: an integer from 1000 to 2000000; got 5000\.0$"),
    ("bool-for-int", {"units_committed": True},
     r"^parameter 'units_committed': .*; allowed: an integer from 1 to 100000; got True$"),
    ("nan", {"overdispersion": float("nan")},
     r"^parameter 'overdispersion': must be finite; allowed: a number from 0\.0 to 0\.5; got nan$"),
    ("inf", {"reconstitution_per_week": float("inf")},
     r"^parameter 'reconstitution_per_week': must be finite; allowed: a number from 0\.0 to 50\.0; got inf$"),
    ("negative-count", {"count_uncertainty": -1},
     r"^parameter 'count_uncertainty': .*greater than or equal to 0; allowed: an integer from 0 to 10000; got -1$"),
    ("above-range", {"threshold_share": 1.5},
     r"^parameter 'threshold_share': .*less than or equal to 1; allowed: a number from 0\.0 to 1\.0; got 1\.5$"),
    ("seed-too-large", {"seed": 2**32},
     r"^parameter 'seed': .*; allowed: an integer from 0 to 4294967295; got 4294967296$"),
    ("ineffective-above-committed", {"units_committed": 100, "units_ineffective": 101},
     r"^parameter 'units_ineffective': must be at most units_committed \(100\); got 101$"),
    ("total-low-above-high", {"units_total_low": 171},
     r"^parameter 'units_total_low': must be at most units_total_high \(170\); got 171$"),
    ("rounding-not-below-shares", {"share_rounding": 0.2, "committed_share_of_army_alt": 0.2},
     r"^parameter 'share_rounding': must be smaller than both committed shares \(0\.75, 0\.2\); got 0\.2$"),
    ("prior-not-allowed", {"prior": "flat"},
     r"^parameter 'prior': .*; allowed: one of 'jeffreys', 'uniform'; got 'flat'$"),
    ("date-before-range", {"as_of": "1899-12-31"},
     r"^parameter 'as_of': .*; allowed: a date from 1900-01-01 to 2100-12-31; got '1899-12-31'$"),
    ("date-after-range", {"as_of": dt.date(2101, 1, 1)},
     r"^parameter 'as_of': .*; allowed: a date from 1900-01-01 to 2100-12-31; got datetime\.date\(2101, 1, 1\)$"),
    ("unparseable-date", {"as_of": "6 April 2022"},
     r"^parameter 'as_of': input should be a valid date.*; allowed: a date from 1900-01-01 to 2100-12-31; "
     r"got '6 April 2022'$"),
    ("impossible-date", {"as_of": "2022-13-01"},
     r"^parameter 'as_of': input should be a valid date.*; allowed: a date from 1900-01-01 to 2100-12-31"),
]


@pytest.mark.parametrize("values, pattern", [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_values_give_one_line_naming_the_rule(values, pattern):
    with pytest.raises(ParameterError, match=pattern) as caught:
        validate(values)
    _one_line(str(caught.value))


def test_non_mapping_is_rejected():
    with pytest.raises(ParameterError, match=r"^parameters must be a mapping of name to value, got list$"):
        validate([("seed", 1)])  # type: ignore[arg-type]


def test_unknown_name_is_reported_before_bad_values():
    # Both are wrong; the name is the more basic mistake, so it is the one reported.
    with pytest.raises(ParameterError, match=r"^unknown parameter 'sed'; did you mean 'seed'\?"):
        validate({"units_committed": "many", "sed": 1})


# Values that keep the combination rules out of the way while one parameter sits at an edge.
_COMPANIONS = {
    "units_committed": {"units_ineffective": 0},
    "units_ineffective": {"units_committed": 100_000},
    "units_total_low": {"units_total_high": 5000},
    "units_total_high": {"units_total_low": 1},
    "committed_share_of_army": {"share_rounding": 0.0},
    "committed_share_of_army_alt": {"share_rounding": 0.0},
    "share_rounding": {"committed_share_of_army": 1.0, "committed_share_of_army_alt": 1.0},
    "originator_correlation": {"outlet_correlation": 0.0},
    "outlet_correlation": {"originator_correlation": 0.0},
}
# Interval pairs: a _low at its maximum needs its _high there too, and the other way round.
for _row in specs():
    for _mine, _other, _edge in (("_low", "_high", "maximum"), ("_high", "_low", "minimum")):
        if _row.name.endswith(_mine):
            _partner = _row.name.removesuffix(_mine) + _other
            if any(r.name == _partner for r in specs()):
                _COMPANIONS[_row.name] = {_partner: getattr(next(r for r in specs() if r.name == _partner), _edge)}


@pytest.mark.parametrize("row", [r for r in specs() if r.type in ("int", "float")], ids=lambda r: r.name)
def test_both_ends_of_the_range_are_accepted(row):
    # The declared bounds are inclusive (pydantic ge/le).
    cast = int if row.type == "int" else float
    for edge, side in ((cast(row.minimum), "minimum"), (cast(row.maximum), "maximum")):
        companions = _COMPANIONS.get(row.name, {})
        if row.name.endswith(("_low", "_high")):
            # Only the bound that can clash needs the partner moved.
            clash = (row.name.endswith("_low") and side == "maximum") or (row.name.endswith("_high") and side == "minimum")
            companions = companions if clash else {}
        assert getattr(validate({row.name: edge, **companions}), row.name) == edge


# --- the schema's declared ranges ------------------------------------------------------------------

@pytest.mark.parametrize("row", specs(), ids=lambda r: r.name)
def test_numeric_parameters_declare_ranges_and_plausible_inside(row):
    if row.type not in NUMERIC_TYPES:
        # The non-numeric kinds are a choice, or a path validated by its own rule.
        assert row.type.startswith("one of") or row.unit in ("path", "folder"), row.type
        return
    assert row.minimum is not None and row.maximum is not None
    assert row.minimum < row.maximum
    assert row.minimum <= row.default <= row.maximum
    if row.plausible is not None and row.type == "date":
        # A date's plausible range is in days about its value.
        low, high = row.plausible
        assert isinstance(low, int) and low <= 0 <= high
    elif row.plausible is not None:
        low, high = row.plausible
        assert row.minimum <= low <= high <= row.maximum
        # The sensitivity range brackets the default it varies.
        assert low <= row.default <= high


def test_every_parameter_has_help_unit_or_blank_and_a_model():
    for row in specs():
        assert row.help.strip(), row.name
        assert row.models, row.name
        assert set(row.models) <= set(MODELS), row.name


# --- the notebook --------------------------------------------------------------------------------

#: Each model's notebook is named for the model; the parameters it declares come from the schema.
MODEL_NOTEBOOKS = [(path.stem, path) for path in sorted(NOTEBOOK_DIR.glob("*.ipynb"))]


def test_every_model_has_its_notebook():
    assert sorted(stem for stem, _ in MODEL_NOTEBOOKS) == sorted(MODELS)


@pytest.mark.parametrize(("model", "path"), MODEL_NOTEBOOKS, ids=lambda v: getattr(v, "name", v))
def test_first_code_cell_is_tagged_parameters(model, path):
    cell = _parameters_cell(_notebook(path))
    assert "parameters" in cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize(("model", "path"), MODEL_NOTEBOOKS, ids=lambda v: getattr(v, "name", v))
def test_parameters_cell_declares_the_schema_names_with_default_values(model, path):
    source = _source(_parameters_cell(_notebook(path)))
    tree = ast.parse(source)
    declared = {}
    for node in tree.body:
        # Only plain ``name: type = literal`` lines belong in a parameters cell.
        assert isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name), ast.dump(node)
        assert node.target.id not in declared, f"{node.target.id} declared twice"
        declared[node.target.id] = ast.literal_eval(node.value)
    defaults = Parameters().model_dump(mode="json")
    assert sorted(declared) == sorted(names_for(model))
    assert declared == {name: defaults[name] for name in names_for(model)}


@pytest.mark.parametrize(("model", "path"), MODEL_NOTEBOOKS, ids=lambda v: getattr(v, "name", v))
def test_every_parameters_cell_line_has_a_comment(model, path):
    source = _source(_parameters_cell(_notebook(path)))
    commented = {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                 if tok.type == tokenize.COMMENT}
    code_lines = {n.lineno for n in ast.parse(source).body}
    assert code_lines and code_lines <= commented


@pytest.mark.parametrize(("model", "path"), MODEL_NOTEBOOKS, ids=lambda v: getattr(v, "name", v))
def test_notebook_defaults_pass_from_namespace(model, path):
    source = _source(_parameters_cell(_notebook(path)))
    namespace = {"__name__": "__main__", "unrelated": object()}
    exec(compile(source, "parameters", "exec"), namespace)  # the cell holds literals only (checked above)
    assert from_namespace(model, namespace) == Parameters()


@pytest.mark.parametrize("path", sorted(NOTEBOOK_DIR.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_are_stored_without_outputs(path):
    nb = _notebook(path)
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {index} has outputs"
            assert cell.get("execution_count") is None, f"{path.name} cell {index} has an execution count"


def test_there_is_a_notebook_to_check():
    assert ATTRITION_NOTEBOOK.is_file()


def test_from_namespace_rejects_a_missing_name():
    namespace = Parameters().model_dump(mode="json")
    del namespace["units_committed"]
    missing = r"^parameter 'units_committed': not set in the notebook's parameters cell$"
    with pytest.raises(ParameterError, match=missing):
        from_namespace("attrition", namespace)


def test_from_namespace_validates_what_it_reads():
    namespace = Parameters().model_dump(mode="json") | {"units_ineffective": 200}
    with pytest.raises(ParameterError, match=r"^parameter 'units_ineffective': must be at most units_committed"):
        from_namespace("attrition", namespace)


# --- properties ----------------------------------------------------------------------------------

@settings(derandomize=True)
@given(k_of_n())
@example((0, 1))
@example((1000, 1000))
def test_any_k_of_n_validates(kn):
    k, n = kn
    p = validate({"units_ineffective": k, "units_committed": n})
    assert (p.units_ineffective, p.units_committed) == (k, n)


@settings(derandomize=True)
@given(k_above_n())
@example((2, 1))
@example((1000, 999))
def test_k_above_n_never_validates(kn):
    k, n = kn
    rule = rf"^parameter 'units_ineffective': must be at most units_committed \({n}\); got {k}$"
    with pytest.raises(ParameterError, match=rule):
        validate({"units_ineffective": k, "units_committed": n})
