"""Figures drawn once: a briefing re-uses the PNGs of a figure set whose inputs have not changed.

Drawing is most of a briefing's time (matplotlib's layout and rasterising, about a quarter of a
second a figure), and after a change to one parameter most sections record exactly what they did
before. A figure set is a function of what it is drawn from (a model's recorded section, or one
judgment and the labels of its inputs), the package source and the plotting libraries, so those make
its key. Each set lives in ``ROOT/.cache/figures/<key>/``: its PNGs, then ``figures.json`` naming
them with their alt text, written last, so a set interrupted while being written has no listing and
is drawn again. Anything unreadable is a miss: the cost is a redraw, never a wrong figure.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from estimates.storage import atomic_write, dump_json

#: The store's folder under the output root's cache folder.
FIGURES_DIR = "figures"
LISTING = "figures.json"
#: Figure sets kept, the most recently used first: a few runs' worth of every section.
KEEP = 200


@dataclass(frozen=True)
class Drawn:
    """One figure as the briefing embeds it."""

    name: str
    png: bytes = field(repr=False)
    alt: str


def png_bytes(figure) -> bytes:
    """The figure as PNG (no software stamp, so equal figures give equal bytes); closes it."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def plotting_versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("matplotlib", "seaborn", "numpy", "pandas")}


class FigureStore:
    """Figure sets under ``directory`` keyed by what they are drawn from; ``read=False`` draws every
    set afresh (``estimates run --force``) and still stores it."""

    def __init__(self, directory: Path, source_sha256: str, *, read: bool = True):
        self.directory = Path(directory)
        self.read = read
        self._base = {"source": source_sha256, "plotting": plotting_versions()}
        self.hits = self.misses = 0

    def key(self, drawn_from: dict) -> str:
        return hashlib.sha256(dump_json(self._base | {"drawn_from": drawn_from})).hexdigest()

    def figures(self, drawn_from: dict, draw: Callable[[], Iterable[tuple]]) -> list[Drawn]:
        """The set ``draw()`` makes (``(name, figure, alt)`` triples) for ``drawn_from``, stored or drawn."""
        entry = self.directory / self.key(drawn_from)
        found = self._load(entry) if self.read else None
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        made = [Drawn(name, png_bytes(figure), alt) for name, figure, alt in draw()]
        self._save(entry, made)
        return made

    def _load(self, entry: Path) -> list[Drawn] | None:
        try:
            listing = json.loads((entry / LISTING).read_bytes())
            found = [Drawn(row["name"], (entry / f"{row['name']}.png").read_bytes(), row["alt"]) for row in listing]
            os.utime(entry / LISTING)  # recently used: kept longest
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return found

    def _save(self, entry: Path, made: list[Drawn]) -> None:
        try:
            entry.mkdir(parents=True, exist_ok=True)
            for figure in made:
                atomic_write(entry / f"{figure.name}.png", figure.png)
            atomic_write(entry / LISTING, dump_json([{"name": f.name, "alt": f.alt} for f in made]))
        except OSError:
            pass  # a store that cannot be written costs a redraw next time, not this briefing

    def prune(self, keep: int = KEEP) -> None:
        """Drop all but the ``keep`` most recently used sets, and any set without a listing."""
        try:
            entries = [p for p in self.directory.iterdir() if p.is_dir()]
        except OSError:
            return
        listed = [p for p in entries if (p / LISTING).is_file()]
        listed.sort(key=lambda p: (p / LISTING).stat().st_mtime, reverse=True)
        for stale in listed[keep:] + [p for p in entries if p not in listed]:
            shutil.rmtree(stale, ignore_errors=True)
