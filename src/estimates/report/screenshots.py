"""Pictures of the briefing's front page: the first 1440x900 screen and the first printed A4 page.

``docs/`` holds the two the README shows, so a newcomer sees the product before installing it;
``make screenshots`` writes them again from a fresh baseline run. They are taken by the same
Chromium that prints ``briefing.pdf`` (:func:`estimates.report.pdf.find_chromium`), driven by
Playwright, with every request other than the briefing file itself refused.

The printed page is drawn by Chromium with the print stylesheet at the width Chromium lays out a
printed page (A4 less the ``@page`` margins, read from the briefing's own stylesheet), cut where the
first page ends (the first forced page break, or the top of a block kept whole that would straddle
the page's foot), and placed on an A4 sheet at those margins. What Chromium prints *in* the margins
(the handling marking and "page N of M") is not in the picture: no PDF rasteriser is installed
with the project, and ``briefing.pdf`` shows them.

Usage: ``python -m estimates.report.screenshots RUN_DIR OUT_DIR``.
"""

from __future__ import annotations

import argparse
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from estimates.report import pdf

SCREEN = (1440, 900)
#: A4 in millimetres, and CSS pixels per millimetre (CSS fixes 96 px to the inch).
A4_MM = (210, 297)
PX_PER_MM = 96 / 25.4
#: Pictures of a 1:1 CSS pixel grid: small files, and the printed page at 96 dpi.
DEVICE_SCALE = 1
#: How far Chromium shrinks a printed page whose content is wider than the page (Blink's
#: printing maximum shrink factor); wider content than that is cut off on paper.
MAX_SHRINK = 2.0
SCREEN_FILE = "front-page-screen.png"
PRINT_FILE = "front-page-print.png"
#: The sheet's edge, so a white page still reads as a page on a white README.
SHEET_EDGE = "#b8bec5"
#: Headless, no sandbox (CI runs as root), no GPU, nothing that phones home: pdf.py's flags, less the
#: one only --print-to-pdf reads.
LAUNCH_ARGS = [flag for flag in pdf.FLAGS if flag != "--no-pdf-header-footer"]

#: The margins of the briefing's ``@page`` rules that apply to the page as loaded (print media), in CSS px.
_PAGE_MARGINS_JS = """() => {
    const px = length => {
        const probe = document.createElement("div");
        probe.setAttribute("style", "position:absolute; visibility:hidden; width:" + length);
        document.body.appendChild(probe);
        const width = probe.getBoundingClientRect().width;
        probe.remove();
        return width;
    };
    const margins = {};
    const visit = rules => { for (const rule of rules) {
        if (rule instanceof CSSMediaRule && matchMedia(rule.media.mediaText).matches) visit(rule.cssRules);
        if (rule instanceof CSSPageRule && !rule.selectorText) for (const side of ["top", "right", "bottom", "left"]) {
            const value = rule.style.getPropertyValue("margin-" + side);
            if (value) margins[side] = px(value);
        }
    } };
    for (const sheet of document.styleSheets) visit(sheet.cssRules);
    return margins;
}"""

#: Where the first printed page ends, in CSS px from the top, for a page ``height`` px tall: at the
#: first forced break, or above a block kept whole (break-inside: avoid) that would cross the foot.
_FIRST_PAGE_END_JS = """height => {
    const forced = new Set(["page", "left", "right", "recto", "verso", "always"]);
    let end = height, before;
    do {
        before = end;
        for (const element of document.body.querySelectorAll("*")) {
            const style = getComputedStyle(element), box = element.getBoundingClientRect();
            if (style.display === "none" || box.height === 0 || box.top >= end) continue;
            if (forced.has(style.breakBefore) && box.top > 0) end = Math.min(end, box.top);
            if (forced.has(style.breakAfter)) end = Math.min(end, box.bottom);
            if (style.breakInside === "avoid" && box.top > 0 && box.bottom > end && box.height <= height)
                end = box.top;
        }
    } while (end < before);
    return Math.floor(end);
}"""


class ScreenshotError(RuntimeError):
    """The pictures cannot be taken; the message is one line saying why and what to do."""


@dataclass(frozen=True)
class PrintedPage:
    """An A4 sheet and its margins, in CSS px (fractions kept: Chromium rounds only the content box)."""

    width: float
    height: float
    top: float
    right: float
    bottom: float
    left: float

    @classmethod
    def a4(cls, margins: dict[str, float]) -> PrintedPage:
        """A4 with ``margins`` (CSS px by side; a side not given has none).

        >>> page = PrintedPage.a4({"top": 60.47, "right": 52.91, "bottom": 68.03, "left": 52.91})
        >>> page.sheet, page.content, page.origin
        ((794, 1123), (688, 994), (53, 60))
        """
        width, height = (mm * PX_PER_MM for mm in A4_MM)
        return cls(width, height, *(float(margins.get(side, 0)) for side in ("top", "right", "bottom", "left")))

    @property
    def sheet(self) -> tuple[int, int]:
        """The sheet's width and height in whole pixels."""
        return round(self.width), round(self.height)

    @property
    def content(self) -> tuple[int, int]:
        """Width and height Chromium lays a printed page's content out in."""
        return round(self.width - self.left - self.right), round(self.height - self.top - self.bottom)

    @property
    def origin(self) -> tuple[int, int]:
        """Where the content box starts on the sheet (left, top)."""
        return round(self.left), round(self.top)


def capture(briefing_html: Path, out_dir: Path, *, chromium: str | None = None, browser=None) -> list[Path]:
    """Write the front page as seen on screen and as printed; return the two PNG paths.

    ``out_dir/front-page-screen.png`` is the first 1440x900 screen; ``out_dir/front-page-print.png``
    the first printed A4 page at 96 dpi (794x1123 px). ``browser`` is a Playwright Chromium browser
    to use (one caller already running Playwright cannot start it a second time); without it,
    ``chromium`` (default :func:`estimates.report.pdf.find_chromium`) is launched and closed. Raises
    :class:`ScreenshotError`, or :class:`estimates.report.pdf.PdfError` when Chromium is missing.

    Example: ``capture(Path("reports/latest/briefing.html"), Path("docs"))``.
    """
    briefing_html = Path(briefing_html).resolve()
    if not briefing_html.is_file():
        raise ScreenshotError(f"briefing_html: {briefing_html} is not a file (expected a run's briefing.html)")
    out_dir = Path(out_dir)
    if browser is not None:
        return _capture(browser, briefing_html, out_dir)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ScreenshotError("Playwright for Python is not installed (pip install -e '.[test]')") from None
    executable = chromium or pdf.find_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            return _capture(launched, briefing_html, out_dir)
        finally:
            launched.close()


def _capture(browser, briefing_html: Path, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    screen, printed = out_dir / SCREEN_FILE, out_dir / PRINT_FILE
    page = _open(browser, briefing_html, SCREEN)
    page.screenshot(path=str(screen))
    page.context.close()
    _print_first_page(browser, briefing_html, printed)
    return [screen, printed]


def _open(browser, path: Path, viewport: tuple[int, int], media: str = "screen"):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                  device_scale_factor=DEVICE_SCALE)
    page = context.new_page()
    # The briefing is self-contained; anything else it asked for would be a fault, not content.
    page.route("**/*", lambda route: route.continue_() if route.request.url == path.as_uri() else route.abort())
    page.emulate_media(media=media)
    page.goto(path.as_uri(), wait_until="load")
    return page


def printed_sheet(page) -> PrintedPage:
    """The A4 sheet with the margins of the ``@page`` rule of the briefing loaded in ``page``."""
    return PrintedPage.a4(page.evaluate(_PAGE_MARGINS_JS))


def _print_first_page(browser, path: Path, target: Path) -> None:
    page = _open(browser, path, SCREEN, media="print")
    sheet = printed_sheet(page)
    width, height = sheet.content
    page.set_viewport_size({"width": width, "height": height})
    # Chromium prints a document wider than the page by laying it out wider, by at most
    # MAX_SHRINK, and shrinking every page to fit: so does the picture.
    wide = min(max(page.evaluate("document.documentElement.scrollWidth"), width), round(width * MAX_SHRINK))
    tall = round(height * wide / width)
    if wide > width:
        page.set_viewport_size({"width": wide, "height": tall})
    end = page.evaluate(_FIRST_PAGE_END_JS, tall)
    shot = page.screenshot(clip={"x": 0, "y": 0, "width": wide, "height": max(end, 1)})
    page.context.close()
    scale = DEVICE_SCALE
    paper = Image.new("RGB", tuple(side * scale for side in sheet.sheet), "white")
    with Image.open(io.BytesIO(shot)) as content:
        fitted = content.convert("RGB")
        if wide > width:
            fitted = fitted.resize((width * scale, max(round(fitted.height * width / wide), 1)), Image.LANCZOS)
        paper.paste(fitted, tuple(side * scale for side in sheet.origin))
    inner = ImageOps.crop(paper, 1)
    ImageOps.expand(inner, border=1, fill=SHEET_EDGE).save(target, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m estimates.report.screenshots",
                                     description="Pictures of a run's front page, on screen and printed.")
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a run folder holding briefing.html")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR", help=f"where {SCREEN_FILE} and {PRINT_FILE} go")
    arguments = parser.parse_args(argv)
    briefing_html = arguments.run_dir / "briefing.html"
    if not briefing_html.is_file():
        print(f"RUN_DIR: {arguments.run_dir} holds no briefing.html; give a run folder such as reports/latest",
              file=sys.stderr)
        return 2
    try:
        written = capture(briefing_html, arguments.out_dir)
    except (ScreenshotError, pdf.PdfError) as error:
        print(f"screenshots: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
