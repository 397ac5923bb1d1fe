"""JupyterLab in a real browser, driven as an analyst uses it: open a notebook, run all, read the page.

The workbench's own check (the browser test) and its pictures (``make lab-screenshots``) both go
through here. JupyterLab is started on a free loopback port with a token of its own, on a folder of
working copies, with settings, runtime files and workspaces in a private folder so that nothing of
the user's JupyterLab is read or changed. Chromium is Debian's (:func:`estimates.report.pdf.find_chromium`),
driven by Playwright; JupyterLab's application object is exposed to the page
(``LabApp.expose_app_in_browser``), so the test runs cells through JupyterLab's own commands, the ones
its Run menu calls. Every cell is kept in the page (``windowingMode: none``), so the page text is
what a reader scrolling the notebook would see.

Usage: ``python -m estimates.lab_browser OUT_DIR`` writes a screenshot of each notebook after Run All.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from estimates.workbench import lab_command, sync

#: How long JupyterLab may take to start, and a notebook to run all its cells.
START_S = 90
RUN_S = 600
#: Settings in the private settings folder: every cell in the page; no news, update check or toast.
#: Autosave stays on, as an analyst has it: it writes to the working copy, never to notebooks/.
SETTINGS = {"@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
            "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
                "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True}}

_READY_JS = """() => {
    const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
    return Boolean(w && w.content && w.context.isReady && kernel && kernel.status === "idle");
}"""
_SET_PARAMETERS_JS = """(source) => {
    const w = window.jupyterapp.shell.currentWidget;
    const cell = w.content.widgets.find(c => c.model.type === "code");
    cell.model.sharedModel.setSource(source);
}"""
_RUN_ALL_JS = """async (seconds) => {
    const w = window.jupyterapp.shell.currentWidget;
    window.jupyterapp.shell.activateById(w.id);  // Run All acts on the notebook in focus
    const late = new Promise((_, fail) => setTimeout(() => fail(new Error(`Run All took over ${seconds} s`)),
                                                      seconds * 1000));
    await Promise.race([window.jupyterapp.commands.execute("notebook:run-all-cells"), late]);
    const code = w.content.widgets.filter(c => c.model.type === "code");
    code[code.length - 1].node.scrollIntoView({block: "end"});  // the closing "what this says" in view
    return {
        errors: code.flatMap(c => c.model.outputs.toJSON()).filter(o => o.output_type === "error"),
        executed: code.filter(c => c.model.executionCount !== null).length,
        cells: code.length,
        text: w.content.node.innerText,
    };
}"""


@dataclass(frozen=True)
class RunAll:
    """What a notebook showed after Run All."""

    notebook: str
    errors: list[dict] = field(repr=False)
    executed: int
    cells: int
    text: str = field(repr=False)
    screenshot: bytes = field(default=b"", repr=False)

    @property
    def error_lines(self) -> list[str]:
        return [line for error in self.errors for line in error.get("traceback", [])]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(root: Path) -> Iterator[str]:
    """JupyterLab serving ``root`` on a free loopback port; yields its address with the token."""
    token, port = secrets.token_hex(16), free_port()
    with tempfile.TemporaryDirectory(prefix="estimates-lab-") as private:
        private = Path(private)
        settings = private / "settings"
        for name, values in SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(values))
        env = os.environ | {"JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(private),
                            "JUPYTER_RUNTIME_DIR": str(private / "runtime"), "JUPYTER_CONFIG_DIR": str(private / "config")}
        command = lab_command(root, port=port, browser=False) + [
            "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=", "--ServerApp.log_level=WARN"]
        with open(private / "lab.log", "wb") as log:
            server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
            try:
                _wait_for(server, f"http://127.0.0.1:{port}/api/status?token={token}", private / "lab.log")
                # ?reset: a fresh layout each time, not the last page's notebooks restored around this one.
                yield f"http://127.0.0.1:{port}/lab/tree/{{notebook}}?reset&token={token}"
            finally:
                server.terminate()
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()


def _wait_for(server: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"JupyterLab exited ({server.returncode}): {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer within {START_S} s: {log.read_text()[-2000:]}")


def run_all(browser, address: str, notebook: str, *, parameters: str | None = None,
            screenshot: bool = False) -> RunAll:
    """Open ``notebook`` in a new page, optionally set its parameters cell's source, run all cells."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(address.format(notebook=notebook))
        page.wait_for_function(_READY_JS, timeout=START_S * 1000)
        if parameters is not None:
            page.evaluate(_SET_PARAMETERS_JS, parameters)
        found = page.evaluate(_RUN_ALL_JS, RUN_S)
        image = page.screenshot(full_page=False) if screenshot else b""
        return RunAll(notebook, found["errors"], found["executed"], found["cells"], found["text"], image)
    finally:
        page.close()


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    from estimates.paths import NOTEBOOK_DIR
    from estimates.report.pdf import find_chromium
    from estimates.report.screenshots import LAUNCH_ARGS

    parser = argparse.ArgumentParser(prog="python -m estimates.lab_browser")
    parser.add_argument("out_dir", type=Path, help="where the PNGs go")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="estimates-lab-copy-") as work, sync_playwright() as playwright:
        sync(NOTEBOOK_DIR, Path(work))
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
        with jupyterlab(Path(work)) as address:
            for path in sorted(NOTEBOOK_DIR.glob("*.ipynb")):
                done = run_all(browser, address, path.name, screenshot=True)
                (args.out_dir / f"notebook-{path.stem}.png").write_bytes(done.screenshot)
                print(f"{path.stem}: {done.executed} of {done.cells} cells run, {len(done.errors)} errors")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
