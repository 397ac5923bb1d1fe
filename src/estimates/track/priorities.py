"""``estimates judgments --voi``: the collection priorities of the newest published run of each case.

"Published" is :func:`estimates.report.diff.previous_published`'s rule, the one the track record
uses: a run that succeeded, wrote its briefing and is not a scenario. Runs are read as recorded
(``results.json``); nothing is recomputed.
"""

from __future__ import annotations

import json
from pathlib import Path

from estimates.errors import InputError
from estimates.report.diff import DiffError, Run, load_run, previous_published
from estimates.report.priorities import NONE, NOTHING_RECORDED, TOP, claim_line, gather

COLUMNS = ["run_id", "case", "model", "judgment_id", "rank", "claim_id", "p_true", "p_if_confirmed",
           "p_if_refuted", "expected_change", "claim_statement", "note"]


def newest_runs(root: Path, case: Path | None = None) -> list[Run]:
    """The newest published run of each case under ``root`` (of ``case`` alone, if given), by case folder."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"--out {root}: no such output root; give the folder 'estimates run --out' wrote to")
    cases = set()
    for path in root.iterdir():
        if path.is_symlink() or not path.is_dir():
            continue
        try:
            cases.add(load_run(path).case_folder())
        except (DiffError, KeyError, TypeError, ValueError):
            continue
    if case is not None:
        cases &= {str(Path(case).resolve())}
    found = (previous_published(root, {}, {"parameters": {"case": folder}}) for folder in sorted(cases))
    return [load_run(path) for path in found if path is not None]


def rows(run: Run, top: int = TOP) -> list[dict]:
    """One row per ranked claim of each judgment; one row with a ``note`` per model without any."""
    base = {"run_id": run.run_id, "case": run.case_folder()}
    out = []
    sections = run.sections()
    for entry in gather(sections, list(sections), top=top):
        model = {**base, "model": entry["model"]}
        if not entry["drawn"] or not entry["judgments"]:
            out.append({**model, "note": NONE if not entry["drawn"] else NOTHING_RECORDED})
        for judgment in entry["judgments"]:
            for rank, claim in enumerate(judgment["claims"], start=1):
                out.append({**model, "judgment_id": judgment["id"], "rank": rank,
                            **{k: claim[k] for k in COLUMNS if k in claim}, "claim_statement": claim["statement"]})
    return [{column: row.get(column) for column in COLUMNS} for row in out]


def list_priorities(root: Path, *, case: Path | None = None, output: str = "table", top: int = TOP) -> str:
    """The top ``top`` collection priorities per judgment of the newest published run of each case."""
    runs = newest_runs(root, case)
    if output in ("json", "csv"):
        import pandas as pd

        records = [row for run in runs for row in rows(run, top)]
        if output == "json":
            return json.dumps(records, indent=1) + "\n"
        return pd.DataFrame(records, columns=COLUMNS).to_csv(index=False)
    if not runs:
        return f"no published run under {root}\n"
    lines = []
    for run in runs:
        lines.append(f"run {run.run_id} (case {run.case_folder()})")
        sections = run.sections()
        for entry in gather(sections, list(sections), top=top):
            if not entry["drawn"] or not entry["judgments"]:
                lines.append(f"  {entry['model']}: {NONE if not entry['drawn'] else NOTHING_RECORDED}")
                continue
            lines.append(f"  {entry['model']}:")
            for judgment in entry["judgments"]:
                p = judgment["probability"]
                lines.append(f"    {judgment['id']} ({'' if p is None else f'{100 * p:.1f}%, '}that "
                             f"{judgment['statement']}):")
                lines += [f"      {rank}. {claim_line(claim)}" for rank, claim in enumerate(judgment["claims"], 1)]
                if not judgment["claims"]:
                    lines.append("      no claim is true in some draws and false in others")
    return "\n".join(lines) + "\n"
