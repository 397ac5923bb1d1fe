"""The real attrition notebook, run through papermill as its users run it."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from scipy import stats

from estimates.paths import NOTEBOOK_DIR
from estimates.report.record import read_records

NOTEBOOK = NOTEBOOK_DIR / "attrition.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> dict:
    """`papermill notebooks/attrition.ipynb out.ipynb -p units_ineffective 35` with the quick profile."""
    out = tmp_path_factory.mktemp("nb") / "out.ipynb"
    papermill = Path(sys.executable).with_name("papermill")
    done = subprocess.run(
        [str(papermill), str(NOTEBOOK), str(out), "-p", "units_ineffective", "35", "-p", "n_samples", "3000",
         "--no-progress-bar"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return read_records(nbformat.read(out, as_version=4))


def test_notebook_records_its_numbers(executed):
    section = executed["attrition"]
    assert section["reported"]["ineffective"] == 35
    assert section["proportion"]["k"] == 35


def test_recorded_intervals_are_for_the_given_parameters(executed):
    intervals = {(i["method"], i["level"]): i for i in executed["attrition"]["proportion"]["intervals"]}
    wilson = intervals[("Wilson", 0.95)]
    ref = stats.binomtest(35, 125).proportion_ci(confidence_level=0.95, method="wilson")
    assert (wilson["low"], wilson["high"]) == pytest.approx((ref.low, ref.high), abs=1e-9)


def test_changed_parameter_is_flagged_in_provenance(executed):
    rows = {row["name"]: row for row in executed["attrition"]["parameters"]}
    assert rows["units_ineffective"]["is_default"] is False
    assert rows["units_committed"]["is_default"] is True
    assert rows["units_ineffective"]["claim_id"] == "btg-ineffective-29"
    assert rows["overdispersion"]["kind"] == "assumption"


@pytest.mark.parametrize("path", sorted(NOTEBOOK_DIR.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_is_thin(path):
    # Everything beyond plotting and prose lives in the package: no defs, classes or loops.
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            for line in cell.source.splitlines():
                assert not line.lstrip().startswith(("def ", "class ", "for ", "while ")), line


def test_plain_papermill_refuses_a_misspelt_parameter(tmp_path):
    # Papermill only warns about a name the notebook does not declare; the validation cell refuses it.
    papermill = Path(sys.executable).with_name("papermill")
    done = subprocess.run([str(papermill), str(NOTEBOOK.with_name("lanchester.ipynb")), str(tmp_path / "out.ipynb"),
                           "-p", "btg_inefective", "35"], capture_output=True, text=True, timeout=600)
    assert done.returncode != 0
    assert "unknown parameter 'btg_inefective'; did you mean 'units_ineffective'?" in done.stderr
    # In the notebook, as an analyst sees it: the validation cell fails with one line, no traceback.
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    errors = [(i, o) for i, c in enumerate(out.cells) if c.cell_type == "code"
              for o in c.get("outputs", []) if o.output_type == "error"]
    assert len(errors) == 1
    where, error = errors[0]
    assert "model.validate(globals())" in out.cells[where].source
    assert error.traceback == [f"ParameterError: {error.evalue}"] and "btg_inefective" in error.evalue


@pytest.mark.parametrize("path", sorted(NOTEBOOK_DIR.glob("*.ipynb")), ids=lambda p: p.name)
def test_stored_kernel_is_the_installed_one(path):
    # JupyterLab marks a notebook modified when its kernelspec differs from the kernel it starts.
    from jupyter_client.kernelspec import KernelSpecManager

    installed = KernelSpecManager().get_kernel_spec("python3")
    stored = nbformat.read(path, as_version=4).metadata.kernelspec
    assert (stored.name, stored.display_name, stored.language) == ("python3", installed.display_name,
                                                                   installed.language)


def test_injected_names_are_read_from_papermills_cell_only():
    from estimates.parameters.schema import (
        ParameterError,
        from_namespace,
        injected_names,
    )

    history = ["", "as_of = '2022-04-06'", "# Parameters\nbtg_ineffective = 30\nbtg_inefective = 35\n"]
    assert injected_names(history) == ["btg_ineffective", "btg_inefective"]
    assert injected_names(["x = 1", "# a comment\ny = 2"]) == []  # JupyterLab: nothing injected
    namespace = {**schema_defaults("lanchester"), "In": history}
    with pytest.raises(ParameterError, match="^unknown parameter 'btg_inefective'; did you mean 'units_ineffective'"):
        from_namespace("lanchester", namespace)
    assert from_namespace("lanchester", {**namespace, "In": history[:2]}).units_ineffective == 29


def schema_defaults(model: str) -> dict:
    from estimates.parameters.schema import Parameters

    return Parameters().for_model(model)
