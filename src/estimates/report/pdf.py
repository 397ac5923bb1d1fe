"""``briefing.pdf``: the briefing printed by headless Chromium with its own print stylesheet.

Chromium is an optional system program (Debian: ``apt-get install chromium``), found on ``PATH`` or
named by the environment variable ``ESTIMATES_CHROMIUM``. It is started with a throw-away profile
and with background networking off; the briefing itself makes no network request.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

#: Names Chromium goes by on Linux distributions and with Google's packages, in order of preference.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ENVIRONMENT_VARIABLE = "ESTIMATES_CHROMIUM"
#: Headless, no sandbox (CI runs as root), no GPU, and nothing that talks to the network.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-pdf-header-footer",
)
TIMEOUT_S = 120


class PdfError(RuntimeError):
    """The PDF cannot be made; the message is one line saying why and what to do."""


def find_chromium() -> str:
    """The Chromium executable to use, or :class:`PdfError` saying it is not installed."""
    named = os.environ.get(ENVIRONMENT_VARIABLE)
    if named:
        found = shutil.which(named)
        if not found:
            raise PdfError(f"{ENVIRONMENT_VARIABLE}={named} is not an executable Chromium")
        return found
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "Chromium is not installed (looked on PATH for " + ", ".join(CHROMIUM_NAMES) + "); install it "
        f"(on Debian: apt-get install chromium), name it with {ENVIRONMENT_VARIABLE}, or run without --pdf"
    )


def write_pdf(html: Path, pdf: Path | None = None, *, chromium: str | None = None) -> Path:
    """Print ``html`` to ``pdf`` (default: beside it, same name, ``.pdf``) and return its path.

    The file appears whole or not at all: Chromium writes a temporary file that is renamed.
    """
    html = Path(html).resolve()
    pdf = Path(pdf) if pdf is not None else html.with_suffix(".pdf")
    chromium = chromium or find_chromium()
    with tempfile.TemporaryDirectory(prefix="estimates-chromium-") as profile:
        target = Path(profile) / "out.pdf"
        command = [chromium, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={target}", html.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium did not finish printing within {TIMEOUT_S} s") from None
        except OSError as error:
            raise PdfError(f"Chromium could not be started ({error.strerror or error})") from None
        if not target.is_file() or target.read_bytes()[:5] != b"%PDF-":
            detail = " ".join((done.stderr or "").split())[-300:]
            raise PdfError(f"Chromium exited {done.returncode} without writing a PDF" + (f": {detail}" if detail else ""))
        shutil.move(str(target), str(pdf.with_name(f".{pdf.name}.tmp")))
        os.replace(pdf.with_name(f".{pdf.name}.tmp"), pdf)
    return pdf
