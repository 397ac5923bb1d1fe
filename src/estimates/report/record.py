"""How a notebook records the numbers that go into ``results.json``.

A notebook calls :func:`record` from inside; the record travels in the executed notebook as a
display output with its own MIME type (as scrapbook does), so it survives any way the notebook is
run: JupyterLab, plain papermill, or ``estimates run``. The runner only ever *reads* records
(:func:`read_records`); it never recomputes a number.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np

MIME_TYPE = "application/vnd.estimates.record+json"


def jsonable(value: Any) -> Any:
    """Turn numpy, dates and tuples into plain JSON values; refuse NaN and infinity."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot record a non-finite number ({value})")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def record(model: str, payload: dict) -> dict:
    """Record ``payload`` as model ``model``'s section of ``results.json``.

    Returns the JSON-ready payload. Outside a kernel (e.g. in a test) nothing is displayed.
    """
    data = jsonable(payload)
    json.dumps(data, allow_nan=False)  # fail in the notebook, where the cause is visible
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with the notebook stack
        return data
    if get_ipython() is not None:
        summary = f"Recorded '{model}' for results.json ({len(data)} keys)."
        display({MIME_TYPE: {"model": model, "data": data}, "text/plain": summary}, raw=True)
    return data


def read_records(notebook) -> dict[str, dict]:
    """Every record in an executed notebook (an ``nbformat`` node), merged per model."""
    records: dict[str, dict] = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            bundle = output.get("data", {})
            if MIME_TYPE in bundle:
                item = bundle[MIME_TYPE]
                records.setdefault(item["model"], {}).update(item["data"])
    return records
