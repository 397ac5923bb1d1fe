"""Hostile text: what a claims ledger or a string parameter says is data, never markup or code.

One real run reads a ledger whose every free-text field holds HTML, script, ``javascript:`` links,
markdown that would render to HTML and template syntax, from a path (``claims_path``) whose folder
names hold more of the same plus quotes, backslashes and Python code. The briefing is then parsed:
no script element, event-handler attribute or ``javascript:`` URL that the suite does not put there
itself (the baseline briefing is the reference), and each hostile string is there as visible text.
The path reaches the notebook as a string literal, no code in it runs, and the run writes nothing
outside its output root. Static checks keep YAML safe-loaded and keep HTML escaping switched on.
"""

from __future__ import annotations

import ast
import collections
import csv
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from estimates.paths import PACKAGE_DIR, PROJECT_DIR, TEMPLATE_DIR

from .conftest import quick_flags
from .fixtures.runs import changes, snapshot
from .test_claims import real_rows, write_rows

HOSTILE = (
    '<script>alert("script")</script>',
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(2)">a link</a>',
    "[a markdown link](javascript:alert(3))",
    "<svg onload=alert(4)></svg>",
    '"><script>alert(5)</script><p title="',
    "' onmouseover='alert(6)' x='",
    '**bold** _em_ <b onclick="alert(7)">b</b>',
    '<iframe src="javascript:alert(8)"></iframe>',
    "</td></tr></table><script>alert(9)</script>",
    "{{ 7 * 7 }} {% if true %}jinja{% endif %}",
    "<style>body { display: none }</style>",
    '<meta http-equiv="refresh" content="0; url=javascript:alert(10)">',
)
#: Every free-text column of the ledger (claims.COLUMNS less ids, numbers, dates and grades).
TEXT_COLUMNS = ("statement", "unit", "originator", "outlet", "carried_by", "grade_reason", "seed_text")
#: Of those, the ones the briefing shows.
SHOWN = ("statement", "originator", "outlet", "grade_reason")

#: Folder names on the way to the hostile ledger: markup, quotes, backslashes, and code that would
#: leave a file named pwned-* if the path were ever pasted into Python (or a shell) as code.
PATH_PARTS = (
    "<img src=x onerror=alert(11)> \"double\" 'single'",
    'q"); __import__("os").system("touch pwned-double"); ("',
    "q'); __import__('os').system('touch pwned-single'); ('",
    "back\\slash \\' \\\" $(touch pwned-shell)",
    "<script>alert(12)<",  # with the file name below, the path holds "<script>alert(12)</script>.csv"
)
LEDGER_NAME = "script>.csv"
#: Elements that can run script or change what a reader sees; the suite's own are counted.
ACTIVE = ("script", "iframe", "object", "embed", "svg", "math", "style", "meta", "link", "base", "form")


def hostile_value(column: str) -> str:
    return f"{column}: " + " ".join(HOSTILE)


class Page(HTMLParser):
    """Elements, attributes and text of an HTML page (character references decoded)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: collections.Counter = collections.Counter()
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "srcdoc", "xlink:href",
                  "srcset", "cite", "longdesc", "manifest", "ping"}


def _is_javascript_url(value: str) -> bool:
    # Browsers ignore whitespace and control characters inside a URL scheme: "java\tscript:".
    squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
    return "javascript:" in squeezed or "vbscript:" in squeezed


def assert_inert(page: Page, reference: Page | None = None) -> None:
    handlers = [(tag, name) for tag, name, _ in page.attributes if name.lower().startswith("on")]
    assert handlers == []
    # Only an attribute a browser follows as a URL can run a javascript: URL; an alt text that
    # quotes a hostile source's name is text.
    urls = [(tag, name, value) for tag, name, value in page.attributes
            if name.lower() in URL_ATTRIBUTES and _is_javascript_url(value)]
    assert urls == []
    data = [(tag, value[:40]) for tag, name, value in page.attributes
            if value.strip().lower().startswith("data:") and not value.startswith("data:image/png;base64,")]
    assert data == []
    if reference is not None:  # no more active elements than the suite's own briefing has
        assert {t: page.tags[t] for t in ACTIVE} == {t: reference.tags[t] for t in ACTIVE}


def _left_live(index: int) -> str:
    """HOSTILE[index] as it would land in the page if nothing escaped it."""
    snippet = HOSTILE[index]
    if snippet.startswith('"'):
        return f'<p title="{snippet}">'  # breaks out of a double-quoted attribute
    if snippet.startswith("'"):
        return f"<p title='{snippet}'>"  # ... or a single-quoted one
    if snippet.startswith("["):
        return '<a href="javascript:alert(3)">a markdown link</a>'  # as a Markdown renderer makes it
    return snippet


@pytest.mark.parametrize("index", [i for i, s in enumerate(HOSTILE) if not s.startswith("{{")],
                         ids=lambda i: HOSTILE[i][:24])
def test_the_checks_catch_each_snippet_left_live(index, baseline_run):
    # Were a snippet copied into the page unescaped, the checks used below would fail.
    html = (baseline_run / "briefing.html").read_text(encoding="utf-8")
    reference = Page(html)
    with pytest.raises(AssertionError):
        assert_inert(Page(html.replace("</main>", _left_live(index) + "</main>")), reference)


# --- one run on a hostile ledger at a hostile path -------------------------------------------------

@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "ledgers"
    for part in PATH_PARTS:
        folder = folder / part
    folder.mkdir(parents=True)
    rows = real_rows()
    header = rows[0]
    for row in rows[1:]:
        for column in TEXT_COLUMNS:
            row[header.index(column)] = hostile_value(column)
    ledger = write_rows(folder / LEDGER_NAME, rows)
    cwd, out = base / "cwd", base / "reports"
    cwd.mkdir()
    watched = {"ledgers": base / "ledgers", "cwd": cwd, "data": PROJECT_DIR / "data",
               "notebooks": PROJECT_DIR / "notebooks"}
    before = {name: snapshot(path) for name, path in watched.items()}
    done = subprocess.run([sys.executable, "-m", "estimates.cli", "run", "--out", str(out),
                           "-p", "claims_path", str(ledger), *quick_flags()],
                          capture_output=True, text=True, cwd=cwd, timeout=600)
    assert done.returncode == 0, done.stderr
    after = {name: snapshot(path) for name, path in watched.items()}
    run_dir = (out / "latest").resolve()
    return {"base": base, "ledger": ledger, "run_dir": run_dir, "before": before, "after": after}


@pytest.fixture(scope="module")
def page(hostile) -> Page:
    return Page((hostile["run_dir"] / "briefing.html").read_text(encoding="utf-8"))


def test_briefing_has_no_script_handler_or_javascript_url(page, baseline_run):
    reference = Page((baseline_run / "briefing.html").read_text(encoding="utf-8"))
    assert_inert(reference)  # the suite's own briefing passes the same checks
    assert_inert(page, reference)
    assert page.tags["script"] == 0


def test_hostile_text_is_shown_as_text(page, hostile):
    text = "".join(page.text)
    for column in SHOWN:
        assert hostile_value(column) in text, column
    assert "{{ 7 * 7 }} {% if true %}jinja{% endif %}" in text  # not evaluated as a template
    assert str(hostile["ledger"]) in text  # the path, as the parameter's value and the data file


def test_hostile_text_reaches_results_and_tables_unchanged(hostile):
    results = json.loads((hostile["run_dir"] / "results.json").read_text())
    sources = results["attrition"]["sources"]
    assert sources, "the run cited no claim from the hostile ledger"
    for source in sources:
        for column in SHOWN:
            assert source[column] == hostile_value(column)
    with open(hostile["run_dir"] / "sources.csv", encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert {row["statement"] for row in table} == {hostile_value("statement")}


def test_notebook_outputs_are_inert(hostile):
    for path in sorted(hostile["run_dir"].glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                bundle = output.get("data", {})
                assert "application/javascript" not in bundle, path.name
                if "text/html" in bundle:
                    html = bundle["text/html"]
                    assert_inert(Page(html if isinstance(html, str) else "".join(html)))
                    assert "<script" not in (html if isinstance(html, str) else "".join(html)).lower()


def test_claims_path_reaches_the_notebook_as_a_string_literal(hostile):
    notebook = nbformat.read(hostile["run_dir"] / "attrition.ipynb", as_version=4)
    [injected] = [c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assignments = {node.targets[0].id: node.value for node in ast.parse(injected.source).body
                   if isinstance(node, ast.Assign)}
    assert ast.literal_eval(assignments["claims_path"]) == str(hostile["ledger"])
    manifest = json.loads((hostile["run_dir"] / "manifest.json").read_text())
    assert manifest["parameters"]["claims_path"] == str(hostile["ledger"])
    assert manifest["data_files"][str(hostile["ledger"])]  # it read that very file


def test_no_code_in_the_path_ran(hostile):
    planted = [p for p in hostile["base"].rglob("pwned*")] + list(PROJECT_DIR.glob("pwned*"))
    assert planted == []


def test_the_run_wrote_nothing_outside_its_output_root(hostile):
    for name, before in hostile["before"].items():
        assert changes(before, hostile["after"][name]) == [], name


def test_code_in_a_parameter_given_straight_to_papermill_stays_data(tmp_path):
    # Papermill writes parameters into the notebook as Python literals; a newline and code in a
    # string must stay inside the string, where the notebook's own validation refuses it.
    import papermill

    value = "claims.csv\n__import__('os').system('touch pwned-newline') # \"'\\"
    output = tmp_path / "out.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        papermill.execute_notebook(str(PROJECT_DIR / "notebooks" / "attrition.ipynb"), str(output),
                                   parameters={"claims_path": value, "n_samples": 1000},
                                   cwd=str(tmp_path), progress_bar=False, kernel_name="python3")
    assert caught.value.ename == "ParameterError"
    assert "parameter 'claims_path': must not contain control characters" in caught.value.evalue
    [injected] = [c for c in nbformat.read(output, as_version=4).cells
                  if "injected-parameters" in c.metadata.get("tags", [])]
    assignments = {node.targets[0].id: node.value for node in ast.parse(injected.source).body
                   if isinstance(node, ast.Assign)}
    assert ast.literal_eval(assignments["claims_path"]) == value
    assert list(tmp_path.rglob("pwned*")) == []


# --- static checks ---------------------------------------------------------------------------------------

def _source_lines(pattern: str, folders=(PACKAGE_DIR,), suffixes=(".py", ".j2")) -> list[str]:
    found = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix in suffixes and path.is_file():
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                    if re.search(pattern, line):
                        found.append(f"{path.relative_to(PACKAGE_DIR)}:{number}: {line.strip()}")
    return found


def test_yaml_is_only_ever_safe_loaded():
    assert _source_lines(r"yaml\.safe_load\(")  # the check below is not vacuous
    unsafe = _source_lines(r"yaml\.(load|load_all|full_load|full_load_all|unsafe_load|unsafe_load_all)\(|Loader\s*=")
    assert unsafe == []


def test_html_escaping_is_never_switched_off():
    # Jinja escapes only with autoescape on and nothing marked safe; pandas' Styler and Markdown
    # renderers pass text through as HTML unless told otherwise, so they are not used for briefings.
    assert _source_lines(r"autoescape\s*=\s*True")
    # (Reading a CSS rule's declared property in the screenshot script renders nothing: not pandas' Styler.)
    risky = _source_lines(r"autoescape\s*=\s*False|Markup\(|\|\s*safe\b|escape\s*=\s*False|\.style\.(?!getPropertyValue\()|Styler|"
                          r"import (markdown|mistune)|from (markdown|mistune)|{%\s*autoescape\s+false")
    assert risky == []
    assert TEMPLATE_DIR.is_relative_to(PACKAGE_DIR)  # the templates are among the files scanned


def test_csv_cells_that_would_run_as_formulas_are_neutralised():
    import pandas as pd

    from estimates.storage import csv_bytes

    frame = pd.DataFrame({"text": ["=HYPERLINK(\"http://x\")", "+1", "plain", "@SUM(A1)"], "n": [-1.5, 2, 3, 4]})
    import csv
    import io

    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode())))
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "plain", "'@SUM(A1)"]
    assert rows[1][1] == "-1.5"  # numbers keep their sign
