"""The analyst's workbench: JupyterLab on a working copy of the suite's notebooks.

JupyterLab writes to the notebooks it opens: it records the kernel's language details when a kernel
starts and autosaves every two minutes, outputs and edited parameter values included. Opened in
place, the tracked notebooks would change under the analyst's feet and ``git status`` would list
them. So ``make lab`` (``estimates lab``) opens a working copy in ``lab/`` (ignored by git), and the
tracked notebooks stay as stored: without outputs, with the parameters the suite declares.

A copy the analyst has not edited follows the tracked notebook when that changes; an edited copy is
kept, and the newer tracked version is written beside it, so no work is lost either way.
``lab/.copies.json`` records, for each copy, the digest of the tracked notebook it came from and of
the copy as written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from estimates.paths import NOTEBOOK_DIR, PROJECT_DIR
from estimates.storage import atomic_write, dump_json

WORK_DIR = PROJECT_DIR / "lab"
RECORD = ".copies.json"


@dataclass(frozen=True)
class Synced:
    """What happened to one notebook's working copy."""

    name: str
    action: str  # "copied", "updated", "kept", "unchanged"
    note: str = ""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sync(source: Path = NOTEBOOK_DIR, work: Path = WORK_DIR) -> list[Synced]:
    """Bring ``work``'s copies of ``source``'s notebooks up to date without losing an edit."""
    work.mkdir(parents=True, exist_ok=True)
    try:
        record = json.loads((work / RECORD).read_bytes())
    except (OSError, ValueError):
        record = {}
    done = []
    for notebook in sorted(source.glob("*.ipynb")):
        copy, tracked = work / notebook.name, _digest(notebook)
        was = record.get(notebook.name, {})
        if not copy.exists():
            action = "copied"
        elif was.get("tracked") == tracked:
            done.append(Synced(notebook.name, "unchanged"))
            continue
        elif _digest(copy) == was.get("copy"):
            action = "updated"  # the tracked notebook changed and the copy was never edited
        else:
            newer = work / f"{notebook.stem}.updated.ipynb"
            shutil.copyfile(notebook, newer)
            done.append(Synced(notebook.name, "kept", f"edited here; the suite's newer version is {newer.name}"))
            continue
        shutil.copyfile(notebook, copy)
        record[notebook.name] = {"tracked": tracked, "copy": _digest(copy)}
        done.append(Synced(notebook.name, action))
    atomic_write(work / RECORD, dump_json(record))
    return done


def lab_command(work: Path = WORK_DIR, *, port: int | None = None, browser: bool = True) -> list[str]:
    """The ``jupyter lab`` command line that serves ``work``."""
    command = [str(Path(sys.executable).parent / "jupyter"), "lab", f"--ServerApp.root_dir={work}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines often run as root
    if port is not None:
        command.append(f"--port={port}")
    if not browser:
        command.append("--no-browser")
    return command


def open_lab(work: Path = WORK_DIR, *, port: int | None = None, browser: bool = True) -> int:
    """Sync the working copy, say what changed, and run JupyterLab on it until it exits."""
    for synced in sync(work=work):
        if synced.action != "unchanged":
            print(f"lab: {synced.name} {synced.action}{': ' + synced.note if synced.note else ''}")
    return subprocess.call(lab_command(work, port=port, browser=browser))
