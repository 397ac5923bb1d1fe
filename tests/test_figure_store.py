"""The figure store: a figure set is drawn once per distinct input and re-used byte for byte."""

from __future__ import annotations

import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from estimates.report import briefing  # noqa: E402
from estimates.report.figure_store import LISTING, FigureStore  # noqa: E402


def _draw(calls: list, label: str = "a"):
    def draw():
        calls.append(label)
        figure, ax = plt.subplots(figsize=(2, 1))
        ax.set_title(label)
        return [(f"figure_{label}", figure, f"alt {label}")]
    return draw


def test_same_inputs_drawn_once_changed_inputs_drawn_again(tmp_path):
    calls: list = []
    store = FigureStore(tmp_path, "source-1")
    first = store.figures({"section": {"x": 1}}, _draw(calls))
    again = FigureStore(tmp_path, "source-1").figures({"section": {"x": 1}}, _draw(calls))
    assert calls == ["a"] and again == first and first[0].png.startswith(b"\x89PNG")
    FigureStore(tmp_path, "source-1").figures({"section": {"x": 2}}, _draw(calls))
    FigureStore(tmp_path, "source-2").figures({"section": {"x": 1}}, _draw(calls))  # the code changed
    FigureStore(tmp_path, "source-1", read=False).figures({"section": {"x": 1}}, _draw(calls))  # --force
    assert calls == ["a"] * 4


@pytest.mark.parametrize("damage", ["listing", "png", "garbled"])
def test_a_damaged_set_is_drawn_again_not_trusted(tmp_path, damage):
    calls: list = []
    store = FigureStore(tmp_path, "s")
    store.figures({"k": 1}, _draw(calls))
    entry = next(tmp_path.iterdir())
    if damage == "listing":
        (entry / LISTING).unlink()  # cut off between the PNGs and the listing
    elif damage == "png":
        (entry / "figure_a.png").unlink()
    else:
        (entry / LISTING).write_text("[{\"name\": ")
    drawn = FigureStore(tmp_path, "s").figures({"k": 1}, _draw(calls))
    assert calls == ["a", "a"] and drawn[0].name == "figure_a"
    assert FigureStore(tmp_path, "s").figures({"k": 1}, _draw(calls)) == drawn and len(calls) == 2


def test_prune_keeps_the_most_recently_used(tmp_path):
    store = FigureStore(tmp_path, "s")
    for k in range(4):
        store.figures({"k": k}, _draw([], str(k)))
    keys = [store.key({"k": k}) for k in range(4)]
    for age, key in enumerate(keys):  # k = 0 the most recently used
        os.utime(tmp_path / key / LISTING, (1_000_000 - age, 1_000_000 - age))
    (tmp_path / "half-written").mkdir()
    store.prune(keep=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(keys[:2])


def test_a_briefing_from_the_store_is_the_briefing_drawn_afresh(baseline_results, baseline_run, tmp_path):
    manifest = json.loads((baseline_run / "manifest.json").read_text())
    for name in ("plain", "filling", "reusing"):
        (tmp_path / name).mkdir()
    plain = briefing.render_briefing(baseline_results, manifest, tmp_path / "plain").read_bytes()
    store = FigureStore(tmp_path / "store", manifest["package"]["source_sha256"])
    filled = briefing.render_briefing(baseline_results, manifest, tmp_path / "filling", store=store)
    reused = FigureStore(tmp_path / "store", manifest["package"]["source_sha256"])
    from_store = briefing.render_briefing(baseline_results, manifest, tmp_path / "reusing", store=reused)
    assert store.hits == 0 and store.misses > 5
    assert (reused.hits, reused.misses) == (store.misses, 0)
    assert filled.read_bytes() == plain == from_store.read_bytes()
