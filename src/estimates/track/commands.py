"""The track-record commands: ``estimates judgments``, ``resolve`` and ``score``, as the text they print."""

from __future__ import annotations

import json
from pathlib import Path

from estimates.errors import InputError
from estimates.run.locking import LockBusy, RootLock
from estimates.track.store import JudgmentStore


def opened(root: Path) -> JudgmentStore:
    """The root's store, settled: pending rows are dropped only while no run can be publishing."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"--out {root}: no such output root; give the folder 'estimates run --out' wrote to")
    store = JudgmentStore(root)
    try:
        with RootLock(root, wait=False):
            store.reconcile()
    except LockBusy:
        store.reconcile(drop_pending=False)
    return store


def list_judgments(root: Path, *, case: Path | None = None, output: str = "table") -> str:
    """Every judgment of every published run under ``root`` (of ``case`` alone, if given)."""
    store = opened(root)
    frame = store.judgments(case_folder=str(Path(case).resolve()) if case is not None else None)
    if output == "json":
        return json.dumps(frame.to_dict(orient="records"), indent=1) + "\n"
    if output == "csv":
        return frame.to_csv(index=False)
    if frame.empty:
        return "no published judgments under " + str(root) + "\n"
    shown = frame.assign(probability=[f"{100 * p:.1f}%" for p in frame["probability"]])
    return shown[["run_id", "cut_off", "judgment_id", "probability", "band", "confidence", "scenario"]].to_string(
        index=False) + "\n"


def resolve(root: Path, judgment_id: str, answer: str, on: str, source: str) -> str:
    """Record what happened to a judgment; one line saying what it settles."""
    import datetime as dt

    try:
        dt.date.fromisoformat(on)
    except ValueError:
        raise InputError(f"--on: a date as YYYY-MM-DD; got '{on}'") from None
    try:
        statement, settled = opened(root).resolve(judgment_id, answer == "yes", on, source)
    except KeyError as error:
        raise InputError(error.args[0]) from None
    return (f"resolved '{judgment_id}' ({'happened' if answer == 'yes' else 'did not happen'} by {on}, claim "
            f"{source}): {settled} stored judgment(s) that {statement}\n")


def score_report(root: Path, output: str = "table", *, figure: Path | None = None) -> str:
    """Scores per case and model, and over everything, of the resolved judgments of non-scenario runs;
    with ``figure``, the calibration of them all drawn to that PNG."""
    from estimates.core.scoring import score

    resolved = opened(root).resolved()
    if resolved.empty:
        if figure is not None:
            raise InputError(f"--figure {figure}: no resolved judgments to draw; record outcomes with 'estimates resolve'")
        return "[]\n" if output == "json" else "no resolved judgments yet: record outcomes with 'estimates resolve'\n"
    if figure is not None:
        import matplotlib

        matplotlib.use("Agg")
        from estimates.report.figure_store import png_bytes
        from estimates.storage import atomic_write

        ax = score(resolved["probability"], resolved["happened"]).plot()
        atomic_write(Path(figure), png_bytes(ax.figure))
    groups = [("all", "all", resolved)] + [(case, model, rows) for (case, model), rows
                                          in resolved.groupby(["case_folder", "model"], sort=True)]
    scored = [{"case": case, "model": model, **score(rows["probability"], rows["happened"]).to_dict()}
              for case, model, rows in groups]
    if output == "json":
        return json.dumps(scored, indent=1) + "\n"
    lines = []
    for row in scored:
        d = row["decomposition"]
        lines.append(f"{Path(row['case']).name if row['case'] != 'all' else 'all'} / {row['model']}: "
                     f"{row['n']} resolved; Brier {row['brier']:.3f} (base rate {row['references']['base_rate']['brier']:.3f}, "
                     f"50% {row['references']['half']['brier']:.3f}); log {row['log']:.3f}; reliability "
                     f"{d['reliability']:.3f}, resolution {d['resolution']:.3f}, uncertainty {d['uncertainty']:.3f}")
    return "\n".join(lines) + "\n"



def settle(root: Path, case: Path | None = None) -> str:
    """Record what the case's later statements settle among the stored judgments of its runs."""
    from estimates.inputs.case import load_case
    from estimates.run.locking import RootLock
    from estimates.track.settle import settle_case

    store = opened(root)
    found_case = load_case(case)
    if not found_case.outcomes:
        raise InputError(f"--case {found_case.folder}: its case.yaml has no 'outcomes' saying which statements "
                         f"settle which judgments")
    with RootLock(root):
        found, added = settle_case(store, found_case)
    lines = [s.describe() for s in found]
    lines.append(f"{added} new outcome(s) recorded; {len(found) - added} question(s) already had one")
    return "\n".join(lines) + "\n"


def backtest(root: Path, dates, base: dict, *, workers: int | None = None, output: str = "table") -> str:
    """Run a backtest and print what it found: per cut-off, the settlements and the scores."""
    from estimates.track.backtest import run_backtest
    from estimates.track.backtest_page import write_page

    found = run_backtest(dates, base, root, workers=workers)
    page = write_page(found)
    if output == "json":
        return json.dumps(found.to_dict(), indent=1) + "\n"
    scored = found.score()
    lines = [found.runs.to_string(index=False), ""]
    lines += [s.describe() for s in found.settled] or ["no judgment settled by a later statement"]
    if scored is not None:
        lines.append(f"{scored.n} resolved judgment(s): Brier {scored.brier:.3f} (base rate "
                     f"{scored.brier_base_rate:.3f}, 50% {scored.brier_half:.3f}); log {scored.log:.3f}")
    lines.append(f"backtest: {len(found.runs)} cut-offs in {found.seconds:.1f} s ({found.reused} re-used from the "
                 f"cache); page: {page}")
    return "\n".join(lines) + "\n"
