"""The briefing in a real browser: Debian's Chromium driven by Playwright, with no network.

Where Chromium (or Playwright) is missing these tests skip with a message, except under CI=true,
where they fail: CI installs Chromium (.ci/run). Screenshots go to test-artifacts/.

"In print" means Chromium's print media at the width it lays a printed page out in: A4 less the
briefing's @page margins (210 - 14 - 14 = 182 mm = 688 CSS px at 96 px to the inch, measured on a
PDF Chromium printed). Requests for data: URLs are allowed: they are the figures embedded in the file
and never leave the machine; any other request but the briefing file itself fails a test.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from estimates import registry
from estimates.paths import PROJECT_DIR
from estimates.report import briefing, pdf, screenshots

from .conftest import ESTIMATES, quick_flags
from .test_diff import changed_run_for

ARTIFACTS = PROJECT_DIR / "test-artifacts"
#: The first screen the issue names: where the front page must be whole.
FIRST_SCREEN = (1440, 900)


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
        browser = playwright.chromium.launch(executable_path=chromium, args=screenshots.LAUNCH_ARGS)
        yield browser
        browser.close()


def _open(browser, path: Path, screenshot: str | None = None, *, viewport=(1100, 900), media="screen"):
    """Load ``path``; return the page with what it logged (errors and warnings) and every request it
    tried to make."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.set_default_timeout(5_000)  # the briefing is static once loaded: a missing element is missing
    messages: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: messages.append(f"uncaught: {error}"))
    page.on("request", lambda request: requests.append(request.url))

    def block(route):  # anything but the file itself never leaves the machine
        if route.request.url == path.as_uri():
            route.continue_()
        else:
            route.abort()

    page.route("**/*", block)
    page.emulate_media(media=media)
    page.goto(path.as_uri(), wait_until="load")
    if screenshot:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True, timeout=60_000)
    return context, page, messages, requests


def _assert_quiet_and_offline(messages, requests, path: Path):
    # Requests first: a refused one also logs an error, and the request says more about the cause.
    outside = [url[:80] for url in requests if url != path.as_uri() and not url.startswith("data:")]
    assert outside == [], "the briefing asked for: " + ", ".join(outside)
    assert requests.count(path.as_uri()) == 1
    assert messages == [], "the briefing logged: " + "; ".join(messages)


def _check_page(page, errors, requests, path: Path):
    _assert_quiet_and_offline(errors, requests, path)
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


#: Shown elements that reach past the window's right edge, by their box or by content spilling out
#: of it, innermost only (the culprits, not every ancestor), named tag#id.class with how many and how
#: far; and the document's width against the window's.
_OVERFLOW_JS = """() => {
    const limit = window.innerWidth + 0.5;  // sub-pixel rounding is not an overflow
    const over = [];
    for (const element of document.querySelectorAll("body *")) {
        const style = getComputedStyle(element), box = element.getBoundingClientRect();
        if (style.display === "none" || style.visibility === "hidden" || box.width === 0) continue;
        const spills = style.overflowX === "visible" ? box.left + element.scrollWidth : box.right;
        if (Math.max(box.right, spills) > limit) over.push([element, Math.round(Math.max(box.right, spills))]);
    }
    const culprits = over.filter(([element]) => !over.some(([other]) => other !== element && element.contains(other)));
    const named = new Map();
    for (const [element, right] of culprits) {
        const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
            + (typeof element.className === "string" && element.className.trim()
               ? "." + element.className.trim().split(/\\s+/).join(".") : "");
        const seen = named.get(name) || {count: 0, right: 0};
        named.set(name, {count: seen.count + 1, right: Math.max(seen.right, right)});
    }
    return {document: document.documentElement.scrollWidth, window: window.innerWidth,
            offenders: [...named].map(([name, seen]) => `${name} x${seen.count} (to ${seen.right} px)`)};
}"""


def test_baseline_briefing_in_chromium(browser, baseline_run):
    path = baseline_run / "briefing.html"
    context, page, errors, requests = _open(browser, path, "briefing.png")
    try:
        _check_page(page, errors, requests, path)
        assert page.title() == "Russian ground forces in Ukraine, spring 2022: " + briefing.TITLE
        assert page.locator("#front-page li.key-judgment").count() >= 2
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


# --- what a reader sees: the page fits, says nothing, asks for nothing, and opens on the front page ---

def _overflow_message(found: dict, where: str) -> str:
    return (f"{where}: the document is {found['document']} px wide in a {found['window']} px window; "
            "past the right edge: " + (", ".join(found["offenders"][:12]) or "nothing shown"))


def test_nothing_is_wider_than_a_1280_px_window(browser, baseline_run):
    path = baseline_run / "briefing.html"
    context, page, _, _ = _open(browser, path, viewport=(1280, 900))
    try:
        found = page.evaluate(_OVERFLOW_JS)
    finally:
        context.close()
    assert found["window"] == 1280
    assert found["document"] <= found["window"] and not found["offenders"], _overflow_message(found, "1280 px")


def test_nothing_is_wider_than_the_printed_page(browser, baseline_run):
    # Chromium shrinks every printed page when anything is wider than the page, and cuts off what is
    # wider still, so in print the bound is the page's content width.
    path = baseline_run / "briefing.html"
    context, page, _, _ = _open(browser, path, viewport=(1280, 900), media="print")
    try:
        sheet = screenshots.printed_sheet(page)
        assert min(sheet.top, sheet.right, sheet.bottom, sheet.left) > 0, "the briefing sets no @page margins"
        width, height = sheet.content
        page.set_viewport_size({"width": width, "height": height})
        found = page.evaluate(_OVERFLOW_JS)
    finally:
        context.close()
    assert found["window"] == width
    assert found["document"] <= width and not found["offenders"], _overflow_message(found, f"A4 print, {width} px")


@pytest.mark.parametrize("media", ["screen", "print"])
def test_the_briefing_logs_nothing_and_asks_for_nothing(browser, baseline_run, media):
    path = baseline_run / "briefing.html"
    context, page, messages, requests = _open(browser, path, viewport=(1280, 900), media=media)
    try:
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(200)  # anything loaded lazily asks while the reader scrolls
    finally:
        context.close()
    _assert_quiet_and_offline(messages, requests, path)


def test_the_first_screen_holds_the_bottom_line_and_every_key_judgment(browser, baseline_run, baseline_results):
    path = baseline_run / "briefing.html"
    context, page, _, _ = _open(browser, path, viewport=FIRST_SCREEN)
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "first-screen.png"), timeout=60_000)
        order = page.evaluate("""() => Array.from(document.querySelectorAll(
            "section#front-page, section.model-page, section.annex")).map(section => [
                section.id === "front-page" ? "front" : section.classList.contains("model-page") ? "model" : "annex",
                section.id])""")
        front = page.locator("section#front-page")
        assert front.count() == 1, "no <section id=front-page>"
        bottom_line = " ".join(front.locator("#bottom-line").inner_text().split())
        cards = front.locator("#key-judgments li.key-judgment")
        shown = [{part: " ".join(card.locator(f".{part}").inner_text().split())
                  for part in ("statement", "term", "range", "confidence-level")}
                 for card in cards.all()]
        boxes = {"#bottom-line": front.locator("#bottom-line").bounding_box()}
        boxes |= {f"key judgment {n}": card.bounding_box() for n, card in enumerate(cards.all(), start=1)}
        has_title = front.locator("h1").count() == 1 and front.locator("#scope-note").count() == 1
    finally:
        context.close()
    # The front page comes first, then one page per model, then the annexes.
    kinds = [kind for kind, _ in order]
    assert kinds[:1] == ["front"] and kinds == sorted(kinds, key=["front", "model", "annex"].index), order
    assert sorted(id_ for kind, id_ in order if kind == "model") == sorted(f"model-{name}" for name in registry.MODELS)
    assert has_title
    # At most three sentences: a full stop, question or exclamation mark ending the text or followed
    # by a capital (numbers such as 23.2% do not end one).
    assert bottom_line and len(re.findall(r"[.!?](?=\s+[A-Z]|$)", bottom_line)) <= 3, bottom_line
    assert 1 <= len(shown) <= 5, f"{len(shown)} key judgments on the front page"
    judgments = [j for name in registry.MODELS for j in baseline_results[name].get("judgments", [])]
    for card in shown:
        # Each is one of the run's judgments in full, with that judgment's own term, range and a
        # confidence level.
        matches = [j for j in judgments if " ".join(j["statement"].split()) in card["statement"]]
        assert len(matches) == 1, card["statement"]
        judgment = matches[0]
        assert card["term"] == judgment["term"] and card["term"].lower() in card["statement"].lower(), card
        low, high = (round(100 * bound) for bound in judgment["range"])
        assert re.search(rf"\b{low}\b.*\b{high}\b", card["range"]), card
        assert re.fullmatch(r"(low|moderate|high) confidence\.?", card["confidence-level"], re.IGNORECASE), card
    width, height = FIRST_SCREEN
    for what, box in boxes.items():
        inside = box and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width \
            and box["y"] + box["height"] <= height
        assert inside, f"{what} is not whole on the first {width}x{height} screen: {box}"


# --- the pictures of the front page in docs/ -------------------------------------------------------------

def _png_size(path: Path) -> tuple[int, int]:
    # A PNG opens with an 8-byte signature, then the IHDR chunk: length, type, width, height (big-endian).
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", path
    return struct.unpack(">II", head[16:24])


def test_capture_writes_the_screen_and_the_printed_page(browser, baseline_run, tmp_path):
    from PIL import Image

    written = screenshots.capture(baseline_run / "briefing.html", tmp_path / "docs", browser=browser)
    screen, printed = tmp_path / "docs" / "front-page-screen.png", tmp_path / "docs" / "front-page-print.png"
    assert written == [screen, printed]
    assert _png_size(screen) == (1440, 900)
    # A4 at 96 px to the inch: 210 mm / 25.4 * 96 = 793.7 and 297 mm / 25.4 * 96 = 1122.5 px.
    assert _png_size(printed) == (794, 1123)
    for path in written:  # not blank: getcolors gives None past maxcolors distinct colours
        with Image.open(path) as image:
            assert image.convert("RGB").getcolors(maxcolors=16) is None, f"{path.name} has at most 16 colours"
    with Image.open(printed) as image:
        sheet = image.convert("L")
        # Inside the sheet's edge the first 10 mm (38 px) at the left and top are blank paper, as
        # any printed margin is; the first third of the content is not (dark ink somewhere).
        assert sheet.crop((2, 2, 38, 1120)).getextrema() == (255, 255)
        assert sheet.crop((2, 2, 791, 38)).getextrema() == (255, 255)
        assert sheet.crop((60, 70, 730, 400)).getextrema()[0] < 128


def test_screenshots_command_names_a_run_without_a_briefing(tmp_path):
    done = subprocess.run([sys.executable, "-m", "estimates.report.screenshots", str(tmp_path), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("RUN_DIR: ") and "briefing.html" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


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
