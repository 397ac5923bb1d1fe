"""What the briefing's front page holds: the key judgments, the bottom line and the scope note.

A decision-maker reads the first page and perhaps nothing else, so what goes on it follows rules
stated once here and printed in the briefing's annex (:data:`KEY_JUDGMENT_RULE`):

- key judgments are those a model declares in the registry (``Model.key_judgment_ranks``), at most
  :data:`MAX_KEY_JUDGMENTS`, best rank first, leaving out any that come out the same in every draw
  and every variation of its inputs (they follow from how a model is built, not from the evidence);
- the bottom line is at most :data:`MAX_BOTTOM_LINE` sentences, one from each model that declares a
  headline (``Model.headline_rank``), best rank first;
- the scope note says what is asked, by which cut-off, from what, and what is left out.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

MAX_KEY_JUDGMENTS = 5
MAX_BOTTOM_LINE = 3

KEY_JUDGMENT_RULE = (
    f"The front page shows at most {MAX_KEY_JUDGMENTS} key judgments. Each model declares which of its "
    "judgments may be key and ranks them against the other models' in the suite's registry; the "
    "best-ranked a run makes are shown, leaving out any that come out the same in every draw and with "
    "every input at either end of its plausible range, since those follow from how the model is built. "
    "Every other judgment appears on its model's page. The bottom line takes one sentence from each "
    f"model that declares one, in the registry's order, at most {MAX_BOTTOM_LINE}."
)


def key_judgments(rows: Iterable[Mapping], ranks: Mapping[str, int], limit: int = MAX_KEY_JUDGMENTS) -> list:
    """The rows (``briefing.gather_judgments``) shown as key judgments, best rank first.

    >>> rows = [{"judgment": {"id": i}, "decided": i == "c"} for i in "abcd"]
    >>> [r["judgment"]["id"] for r in key_judgments(rows, {"b": 1, "c": 2, "a": 3, "d": 4}, limit=2)]
    ['b', 'a']
    """
    ranked = [row for row in rows if row["judgment"]["id"] in ranks and not row["decided"]]
    return sorted(ranked, key=lambda row: ranks[row["judgment"]["id"]])[:limit]


def bottom_line(headlines: Iterable[tuple[int, str | None]], limit: int = MAX_BOTTOM_LINE) -> list[str]:
    """At most ``limit`` sentences, from ``(rank, sentence)`` pairs, best rank first.

    >>> bottom_line([(2, "B."), (1, "A."), (3, None), (4, "D."), (5, "E.")])
    ['A.', 'B.', 'D.']
    """
    return [sentence for _, sentence in sorted(h for h in headlines if h[1])][:limit]


def scope(sources: Iterable[Mapping], cut_off: str | None) -> dict:
    """What the run rests on: claims, originators and lines of evidence cited, and how many of the
    claims were reported after the cut-off (a run uses those only as stated assumptions).

    >>> scope([{"claim_id": "a", "originator_id": "x", "evidence_line": "l1", "report_date": "2022-04-01"},
    ...        {"claim_id": "b", "originator_id": "x", "evidence_line": "l2", "report_date": "2022-05-02"}],
    ...       "2022-04-11")
    {'claims': 2, 'originators': 1, 'lines': 2, 'after_cut_off': 1}
    """
    sources = list(sources)
    limit = dt.date.fromisoformat(str(cut_off)[:10]) if cut_off else None
    late = [s for s in sources if limit and s.get("report_date")
            and dt.date.fromisoformat(str(s["report_date"])[:10]) > limit]
    return {
        "claims": len(sources),
        "originators": len({s.get("originator_id") or s.get("originator") for s in sources}),
        "lines": len({s.get("evidence_line") or s["claim_id"] for s in sources}),
        "after_cut_off": len(late),
    }
