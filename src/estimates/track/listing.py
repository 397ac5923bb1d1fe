"""``estimates judgments``: the store's judgments as a table, CSV or JSON, after settling the store."""

from __future__ import annotations

import json
from pathlib import Path

from estimates.errors import InputError
from estimates.run.locking import LockBusy, RootLock
from estimates.track.store import JudgmentStore


def list_judgments(root: Path, *, case: Path | None = None, output: str = "table") -> str:
    """Every judgment of every published run under ``root`` (of ``case`` alone, if given)."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"--out {root}: no such output root; give the folder 'estimates run --out' wrote to")
    store = JudgmentStore(root)
    # Pending rows are dropped only while no run can be publishing: with the root's lock.
    try:
        with RootLock(root, wait=False):
            store.reconcile()
    except LockBusy:
        store.reconcile(drop_pending=False)
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
