"""The briefing in a real browser: Debian's Chromium driven by Playwright, with no network.

Where Chromium (or Playwright) is missing these tests skip with a message, except under CI=true,
where they fail: CI installs Chromium (.ci/run). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from estimates.paths import PROJECT_DIR
from estimates.report import briefing, pdf

from .conftest import ESTIMATES, quick_flags
from .test_diff import changed_run_for

ARTIFACTS = PROJECT_DIR / "test-artifacts"
#: As agreed for this project: headless, no sandbox (CI runs as root), nothing that phones home.
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires the browser tests to run (.ci/run installs Chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> str:
    try:
        return pdf.find_chromium()
    except pdf.PdfError as error:
        _unavailable(str(error))


@pytest.fixture(scope="module")
def browser(chromium):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def _open(browser, path: Path, screenshot: str):
    """Load ``path``; return the page with what it logged and every request it tried to make."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))

    def block(route):  # anything but the file itself never leaves the machine
        if route.request.url == path.as_uri():
            route.continue_()
        else:
            route.abort()

    page.route("**/*", block)
    page.goto(path.as_uri(), wait_until="load")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
    return context, page, errors, requests


def _check_page(page, errors, requests, path: Path):
    assert errors == []
    assert [url for url in requests if not url.startswith("data:")] == [path.as_uri()]
    figures = page.evaluate("""() => Array.from(document.images).map(img => {
        img.scrollIntoView();
        const box = img.getBoundingClientRect();
        return {alt: img.alt, complete: img.complete, natural: img.naturalWidth, width: box.width,
                height: box.height, visible: getComputedStyle(img).visibility !== "hidden"};
    })""")
    assert len(figures) >= 5
    for figure in figures:
        assert figure["complete"] and figure["natural"] > 0, figure["alt"]
        assert figure["width"] > 100 and figure["height"] > 50 and figure["visible"], figure["alt"]


def test_baseline_briefing_in_chromium(browser, baseline_run):
    path = baseline_run / "briefing.html"
    context, page, errors, requests = _open(browser, path, "briefing.png")
    try:
        _check_page(page, errors, requests, path)
        assert page.title() == "Russian ground forces in Ukraine, spring 2022: " + briefing.TITLE
        assert page.locator("#bottom-line .judgment-card").count() >= 2
        assert page.locator("nav").is_visible()
        # The print stylesheet: no navigation on paper, and the page prints.
        page.emulate_media(media="print")
        assert not page.locator("nav").is_visible()
        assert page.pdf(format="A4")[:5] == b"%PDF-"
    finally:
        context.close()
    assert (ARTIFACTS / "briefing.png").stat().st_size > 50_000


def test_briefing_with_what_changed_in_chromium(browser, baseline_run, tmp_path_factory):
    path = changed_run_for(baseline_run, tmp_path_factory) / "briefing.html"
    context, page, errors, requests = _open(browser, path, "briefing-changed.png")
    try:
        _check_page(page, errors, requests, path)
        section = page.locator("#what-changed")
        assert section.is_visible() and "units_ineffective" in section.inner_text()
    finally:
        context.close()


def test_write_pdf(chromium, baseline_run, tmp_path):
    html = tmp_path / "briefing.html"
    shutil.copy(baseline_run / "briefing.html", html)
    written = pdf.write_pdf(html)
    assert written == tmp_path / "briefing.pdf"
    data = written.read_bytes()
    assert data[:5] == b"%PDF-" and data.count(b"/Type /Page") + data.count(b"/Type/Page") > 3


def test_every_printed_page_carries_the_marking_and_its_number(chromium, baseline_run, tmp_path):
    import pypdf

    html = tmp_path / "briefing.html"
    shutil.copy(baseline_run / "briefing.html", html)
    pages = pypdf.PdfReader(str(pdf.write_pdf(html))).pages
    assert len(pages) > 3
    for number, page in enumerate(pages, start=1):
        text = " ".join(page.extract_text().split())
        assert briefing.HANDLING in text, number
        assert f"page {number} of {len(pages)}" in text, number


def test_pdf_without_chromium_says_so_before_running(tmp_path):
    # Needs no browser: the check happens before anything is created.
    env = {**os.environ, pdf.ENVIRONMENT_VARIABLE: str(tmp_path / "no-such-chromium")}
    done = subprocess.run([ESTIMATES, "run", "--out", str(tmp_path / "reports"), "--pdf", *quick_flags()],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 2
    assert "--pdf" in done.stderr and "not an executable Chromium" in done.stderr
    assert not (tmp_path / "reports").exists()


def test_find_chromium_message_names_what_to_install(monkeypatch):
    monkeypatch.delenv(pdf.ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pdf.PdfError, match=r"Chromium is not installed .*apt-get install chromium"):
        pdf.find_chromium()
