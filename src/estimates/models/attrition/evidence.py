"""Which official statements the joint estimate of the attrition process rests on.

Every statement in the case's statements file whose claims the ledger holds and that was reported by
the information cut-off is used (:func:`usable_statements`); each is dated within its window, from
its event date to its first report (never after the cut-off); and the count the run's parameters
state (``units_ineffective`` at ``count_date``) takes the place of the statement citing the same
claim, or joins them when none does, so that a scenario value flows through the joint estimate and
a case without a statements file still has its one report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from estimates.core.wording import long_date
from estimates.errors import InputError
from estimates.inputs.claims import Ledger
from estimates.inputs.statements import Statement
from estimates.parameters.schema import Parameters

#: Name of the statement made from the run's own count when no statement cites its claim.
FROM_PARAMETERS = "count-from-parameters"


@dataclass(frozen=True)
class Evidence:
    """The statements a run's joint estimate uses, those left out and why, and notes for the reader."""

    used: tuple[Statement, ...]
    left_out: tuple[dict, ...]
    notes: tuple[str, ...]

    @property
    def claim_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for s in self.used for c in s.claim_ids))

    @property
    def last_day(self) -> int:
        """The last day any statement used may describe."""
        return max(s.day_latest for s in self.used)


def check_statements(params: Parameters, statements: tuple[Statement, ...]) -> None:
    """A statement that needs more units ineffective than the most committed: InputError naming its
    line, before any model runs."""
    top = params.committed_range[1]
    for line, statement in enumerate(statements, start=2):
        smallest = statement.bounds([top])[0][0]
        if smallest > top:
            raise InputError(f"parameter 'statements_path': {params.statements_path}: line {line}: "
                             f"statement '{statement.observation_id}' needs at least {smallest} "
                             f"{params.words.unit_plural} ineffective, more than the {top} committed at most (units_committed + "
                             f"denominator_uncertainty)")


def evidence(params: Parameters, ledger: Ledger, statements: tuple[Statement, ...]) -> Evidence:
    """The statements of ``statements`` the run uses, dated, with the run's own count in place."""
    used, left_out = usable_statements(statements, ledger, params.as_of)
    notes = []
    dated = []
    for s in used:
        first = min(ledger[c].report_date for c in s.claim_ids)
        dated.append(s.dated_by(min(first, params.as_of)))
    count_claim = params.claim_for("units_ineffective")
    own = Statement.count(FROM_PARAMETERS, params.count_as_of, params.units_ineffective,
                          claim_ids=(count_claim,) if count_claim and count_claim in ledger else (),
                          reading="The count this run uses (units_ineffective at count_date).",
                          start=params.conflict_start)
    anchor = [i for i, s in enumerate(dated) if count_claim and count_claim in s.claim_ids]
    if anchor:
        i = anchor[0]
        stated = dated[i]
        if stated.count_low != params.units_ineffective or stated.count_high != params.units_ineffective \
                or stated.date != params.count_as_of:
            notes.append(f"statement {stated.observation_id} says {stated.describe()} on {long_date(stated.date)}; "
                         f"this run uses {params.units_ineffective} on {long_date(params.count_as_of)} instead "
                         f"(units_ineffective, count_date)")
        latest = max(stated.date_latest or stated.date, params.count_as_of)
        dated[i] = replace(stated, count_low=params.units_ineffective, count_high=params.units_ineffective,
                           share_above=None, share_below=None, date=params.count_as_of, date_latest=latest)
    else:
        dated.append(own.dated_by(params.count_as_of))
    return Evidence(tuple(sorted(dated, key=lambda s: (s.day, s.day_latest))), tuple(left_out), tuple(notes))


#: Why a statement is left out: a claim it cites is not in the ledger; none of its claims was
#: reported by the cut-off and one has no report date, so it cannot be placed before or after it;
#: every claim it cites was reported after the cut-off.
LEFT_OUT = ("not_in_ledger", "no_report_date", "after_cut_off")


def usable_statements(statements: tuple[Statement, ...], ledger: Ledger,
                      cut_off: dt.date | None = None) -> tuple[tuple[Statement, ...], list[dict]]:
    """Statements known by the information cut-off; the rest, with the reason, for the briefing.

    A statement is used when every claim it cites is in the ledger and at least one of them was
    reported on or before ``cut_off`` (a statement repeated by several outlets is known once the
    first reports it). Otherwise it is left out: ``not_in_ledger``; ``no_report_date`` when none was
    reported by the cut-off and one has no report date (it cannot be placed before or after the
    cut-off); ``after_cut_off`` when all were reported after it (an outcome a later run can check).
    Without ``cut_off`` report dates are not looked at. (The claims loader now refuses a row without
    a report date; ``no_report_date`` remains for ledgers built otherwise.)

    >>> from estimates.inputs.claims import Claim, Ledger
    >>> def claim(i, reported):
    ...     return Claim(claim_id=i, statement="x", report_date=reported, originator="o", outlet="o",
    ...                  originator_id="o", outlet_id="o", evidence_line="o", carried_by="o", reliability="B", credibility="2", grade_reason="r")
    >>> undated = claim("c", "2024-08-03").model_copy(update={"report_date": None})  # an older ledger's row
    >>> ledger = Ledger(None, "", (claim("a", "2024-08-03"), claim("b", "2024-09-01"), undated))
    >>> start = dt.date(2024, 6, 15)
    >>> rows = [Statement.count(i, dt.date(2024, 8, 3), 17, claim_ids=ids, start=start)
    ...         for i, ids in (("one", ("a", "c")), ("two", ("b",)), ("three", ("c",)), ("four", ("d",)))]
    >>> used, out = usable_statements(tuple(rows), ledger, dt.date(2024, 8, 3))
    >>> [s.observation_id for s in used], [(o["observation_id"], o["why"]) for o in out]
    (['one'], [('two', 'after_cut_off'), ('three', 'no_report_date'), ('four', 'not_in_ledger')])
    """
    kept, left_out = [], []
    for s in statements:
        row = {"observation_id": s.observation_id, "claim_ids": list(s.claim_ids), "date": s.date.isoformat(),
               "reported": s.describe()}
        missing = [c for c in s.claim_ids if c not in ledger]
        if missing:
            left_out.append(row | {"why": "not_in_ledger", "reason": f"claim {missing[0]} is not in the claims ledger"})
            continue
        if cut_off is None:
            kept.append(s)
            continue
        dates = {c: ledger[c].report_date for c in s.claim_ids}
        if any(d is not None and d <= cut_off for d in dates.values()):
            kept.append(s)
        elif any(d is None for d in dates.values()):
            undated = [c for c, d in dates.items() if d is None]
            left_out.append(row | {"why": "no_report_date",
                                   "reason": f"claim {undated[0]} has no report date, so it cannot be placed "
                                             f"before or after the cut-off"})
        else:
            first = min(dates.values())
            left_out.append(row | {"why": "after_cut_off", "report_date": first.isoformat(),
                                   "reason": f"reported after the cut-off: first reported {long_date(first)}, "
                                             f"after {long_date(cut_off)}"})
    return tuple(kept), left_out
