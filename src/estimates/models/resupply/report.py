"""The resupply model's parts of the briefing beyond its template: its key table (CSV), its
sentence for the bottom line and its collection priorities."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from estimates.core.wording import long_date, percent


def tables(section: dict) -> dict[str, pd.DataFrame]:
    last = len(section["dates"]) - 1
    rows = []
    for key, c in section["categories"].items():
        share = c["share_of_losses_replaced"] or {}
        rows.append({
            "category": key, "label": c["label"], "restored_unit": c["restored_unit"],
            "binding": key in section["binding_constraint"],
            **{f"delivered_q{q}": v[last] for q, v in c["delivered_quantiles"].items()},
            **{f"restored_q{q}": v[last] for q, v in c["restored_quantiles"].items()},
            "p_at_least_one_restored": c["at_least_one_restored"][last]["probability"],
            **{f"share_replaced_q{q}": v for q, v in share.items()},
        })
    return {"resupply_categories": pd.DataFrame(rows)}


def collection_priorities(section: dict) -> dict[str, list[dict]]:
    """Per judgment, the transfer claims ranked by the expected change in its probability if confirmed
    or refuted; a run recorded before they were has none."""
    return section.get("collection_priorities") or {}


def headline(section: dict) -> str:
    """The resupply model's sentence for the bottom line: what the reported transfers could restore
    at most, what limits it, and the share of the replaced category's losses.

    >>> section = {"words": {"unit_short": "BTG"}, "dates": ["2022-06-01"], "binding_constraint": ["armour"],
    ...     "complete_equivalents": {"0.5": 0.0, "0.95": 0.0}, "replacement_category": "atgm",
    ...     "categories": {"armour": {"label": "tanks", "restored_quantiles": {"0.95": [0.0]}},
    ...                    "atgm": {"label": "anti-tank missiles", "restored_quantiles": {"0.95": [3.0]},
    ...                             "share_of_losses_replaced": {"0.05": 0.0, "0.5": 0.06, "0.95": 0.43}}}}
    >>> print(headline(section))
    Even in the most favourable 5% of draws, the reported transfers restore less than one complete BTG-equivalent by 1 June 2022, as they bring no tanks; of the anti-tank missiles estimated lost, they replace a median 6% (90% interval 0% to 43%).
    """
    words = section.get("words") or {}
    equivalent = f"{words.get('unit_short', 'unit')}-equivalent"
    by = long_date(dt.date.fromisoformat(section["dates"][-1]))
    complete = section["complete_equivalents"]
    if complete["0.95"] < 1:
        restored = f"restore less than one complete {equivalent} by {by}"
    else:
        restored = (f"restore a median {complete['0.5']:.1f} complete {equivalent}s by {by} "
                    f"(at most {complete['0.95']:.1f})")
    categories = section["categories"]
    binding = [categories[key] for key in section.get("binding_constraint", [])]
    missing = [c["label"] for c in binding if c["restored_quantiles"]["0.95"][-1] == 0]
    limit = (f", as they bring no {_series(missing)}" if missing else
             f", limited by {_series([c['label'] for c in binding])}" if binding else "")
    sentence = f"Even in the most favourable 5% of draws, the reported transfers {restored}{limit}"
    replaced = categories.get(section.get("replacement_category") or "", {}).get("share_of_losses_replaced")
    if replaced:
        label = categories[section["replacement_category"]]["label"]
        sentence += (f"; of the {label} estimated lost, they replace a median {percent(replaced['0.5'])} "
                     f"(90% interval {percent(replaced['0.05'])} to {percent(replaced['0.95'])})")
    return sentence + "."


def _series(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
