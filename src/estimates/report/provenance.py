"""Where each figure came from: parameters with their sources, the claims behind them, data hashes.

A notebook adds this to what it records, so ``results.json`` and the briefing can show, for every
input, whether it is a reported fact (with its claim id and grade) or an analyst assumption.
"""

from __future__ import annotations

from pathlib import Path

from estimates.inputs.claims import Ledger
from estimates.parameters.schema import ASSUMPTION, Parameters, names_for, spec
from estimates.paths import PROJECT_DIR


def parameter_rows(params: Parameters, model: str) -> list[dict]:
    """Each parameter the model uses: value, unit, and whether it is reported or assumed."""
    values = params.model_dump(mode="json")
    defaults = Parameters().model_dump(mode="json")
    rows = []
    for name in names_for(model):
        row = spec(name)
        claim = params.claim_for(name)
        rows.append({
            "name": name,
            "value": values[name],
            "is_default": values[name] == defaults[name],
            "unit": row.unit,
            "label": row.label,
            "kind": "reported" if claim else ASSUMPTION,
            "claim_id": claim,
            "help": row.help,
        })
    return rows


def section_provenance(params: Parameters, model: str, ledger: Ledger,
                       extra_claims: tuple[str, ...] = (), files: dict[Path, str] | None = None) -> dict:
    """The provenance part of a model's ``results.json`` section; ``files`` maps each data file the
    model read besides the ledger to its SHA-256."""
    rows = parameter_rows(params, model)
    for row in rows:  # a value resting on a claim reported after the cut-off is the analyst's to own
        claim = ledger[row["claim_id"]] if row["claim_id"] and row["claim_id"] in ledger else None
        if claim is not None and claim.report_date > params.as_of:
            row["kind"] = ASSUMPTION
    claim_ids = [r["claim_id"] for r in rows if r["claim_id"]] + list(extra_claims)
    return {
        "parameters": rows,
        # An analyst's own ledger (claims_path) may lack claims the schema cites; the briefing says
        # which (estimates.core.caveats, through each model's notes), rather than the run failing on a valid ledger.
        "sources": ledger.source_rows([c for c in claim_ids if c in ledger]),
        "data_files": {relative_path(ledger.path): ledger.sha256,
                       **{relative_path(path): digest for path, digest in (files or {}).items()}},
    }


def relative_path(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(PROJECT_DIR).as_posix()
    except ValueError:
        return str(path)
