"""The notebooks as an analyst uses them: JupyterLab in Debian's Chromium, Run All on each.

JupyterLab is started by the test on a free loopback port, on a working copy (what ``make lab``
opens). Each notebook's parameters cell is set to the quick profile in the page, as an analyst edits
a value, then every cell is run through JupyterLab's own Run All. Skips without Chromium or
Playwright, except under CI=true (as tests/test_browser.py).
"""

from __future__ import annotations

import hashlib
import re

import nbformat
import pytest

from estimates.lab_browser import jupyterlab, run_all
from estimates.parameters.schema import with_case
from estimates.paths import NOTEBOOK_DIR
from estimates.registry import MODELS
from estimates.workbench import sync

from .conftest import QUICK
from .test_browser import _unavailable

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def _tracked() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in NOTEBOOKS}


def _parameters(path, **values) -> str:
    """The notebook's parameters cell with ``values`` typed over the stored ones."""
    cell = next(c for c in nbformat.read(path, as_version=4).cells if "parameters" in c.metadata.get("tags", []))
    source = cell.source
    for name, value in values.items():
        source, found = re.subn(rf"^{name}: (\w+) = .*?(  #|$)", rf"{name}: \1 = {value!r}\2", source, flags=re.M)
        assert found == 1 or name not in MODELS[path.stem].parameter_names(), (path.name, name)
    return source


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    from estimates.report.pdf import PdfError, find_chromium
    from estimates.report.screenshots import LAUNCH_ARGS

    try:
        chromium = find_chromium()
        from playwright.sync_api import sync_playwright
    except (PdfError, ImportError) as error:
        _unavailable(f"no browser for the JupyterLab test: {error}")
    before = _tracked()
    work = tmp_path_factory.mktemp("lab")
    sync(NOTEBOOK_DIR, work)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        with jupyterlab(work) as address:
            yield browser, address
        browser.close()
    # Working in JupyterLab never touched the repository's notebooks.
    assert _tracked() == before


@pytest.fixture(scope="module")
def ran(lab) -> dict:
    browser, address = lab
    return {path.stem: run_all(browser, address, path.name, parameters=_parameters(path, **QUICK))
            for path in NOTEBOOKS}


@pytest.mark.parametrize("name", [p.stem for p in NOTEBOOKS])
def test_run_all_runs_every_cell_without_an_error(ran, name):
    done = ran[name]
    assert done.errors == [] and done.executed == done.cells > 0, done.error_lines


@pytest.mark.parametrize("name", [n for n in MODELS if (NOTEBOOK_DIR / f"{n}.ipynb").exists()])
def test_every_key_judgment_reads_in_full(ran, name):
    judgments = MODELS[name].key_judgments(with_case(dict(QUICK)))
    text = " ".join(ran[name].text.split())
    for judgment in judgments:
        assert judgment.sentence in text, judgment.sentence


def test_an_invalid_value_is_one_line_naming_it(lab):
    browser, address = lab
    path = NOTEBOOK_DIR / "attrition.ipynb"
    done = run_all(browser, address, path.name, parameters=_parameters(path, n_samples=5))
    assert len(done.errors) == 1
    assert len(done.error_lines) == 1 and "n_samples" in done.error_lines[0], done.error_lines
    assert done.executed == 2  # the parameters cell and the validation cell: no model ran

