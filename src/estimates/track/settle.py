"""Judgments settled by later statements, as the case's ``outcomes:`` says which settle which.

A judgment about an official count carries an :class:`~estimates.core.observables.Observable`; the
case names, for each such judgment id, the statements (rows of its statements file) that may settle
it. A statement settles a question when the count it states is above the limit on a day no later than
the date asked, or not above it on a day no earlier (:meth:`Observable.settled_by`). The statement is
taken as stated: the judgment is about what the official count shows.

Among the statements that settle a question, the first reported decides: from that day the outcome
was known. A run whose cut-off was on or after that day is not scored against it
(:meth:`estimates.track.store.JudgmentStore.resolved`). Statements that settle a question both ways
are reported as a conflict; the first reported still decides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from estimates.core.observables import Observable
from estimates.errors import InputError
from estimates.inputs.case import Case
from estimates.inputs.claims import Ledger
from estimates.inputs.statements import Statement


@dataclass(frozen=True)
class Settlement:
    """What happened to one question (a judgment id asked in one statement's words)."""

    judgment_id: str
    statement: str
    happened: bool
    #: The statement (its ``observation_id``) that settled it, the last day it may describe and its
    #: first claim; ``reported``: the day it was first reported.
    observation_id: str
    on_date: str
    source_claim: str
    reported: str
    #: Later-reported statements that settle it the other way.
    contradicted_by: tuple[str, ...] = ()

    def describe(self) -> str:
        line = (f"'{self.judgment_id}' {'happened' if self.happened else 'did not happen'}: statement "
                f"{self.observation_id} (claim {self.source_claim}, reported {self.reported}) settles the "
                f"question that {self.statement}")
        if self.contradicted_by:
            line += f"; contradicted by {', '.join(self.contradicted_by)}, reported later"
        return line


def statement_settles(observable: Observable, statement: Statement) -> bool | None:
    """What ``statement``, as stated, settles of ``observable`` (None: nothing)."""
    low, high = statement.bounds(observable.committed)
    return observable.settled_by(low, high, statement.date, statement.date_latest or statement.date)


def first_reported(statement: Statement, ledger: Ledger) -> str | None:
    """The day a statement was first reported: the earliest report date of its claims in the ledger."""
    dates = [ledger[c].report_date for c in statement.claim_ids if c in ledger and ledger[c].report_date]
    return min(dates).isoformat() if dates else None


def settlements(judgments: pd.DataFrame, case: Case, statements: tuple[Statement, ...],
                ledger: Ledger) -> list[Settlement]:
    """The outcomes the case's statements settle among stored ``judgments`` (rows of
    :meth:`~estimates.track.store.JudgmentStore.judgments`, with ``observable``), each question once.

    A question whose settling statement every run that asked it had already seen (reported by its
    cut-off) is left out: it scores nothing.
    """
    by_id = {s.observation_id: s for s in statements}
    for judgment_id, ids in case.outcomes.items():
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise InputError(f"{case.folder / 'case.yaml'}: setting 'outcomes.{judgment_id}': no statement "
                             f"'{unknown[0]}' in the statements file; allowed: {', '.join(by_id) or 'none'}")
    asked = judgments[judgments["observable"].notna() & judgments["judgment_id"].isin(list(case.outcomes))]
    found = []
    for (judgment_id, worded), rows in asked.groupby(["judgment_id", "statement"], sort=True):
        observable = Observable.from_dict(json.loads(rows["observable"].iloc[0]))
        answers = []
        for observation_id in case.outcomes[judgment_id]:
            statement, reported = by_id[observation_id], first_reported(by_id[observation_id], ledger)
            answer = statement_settles(observable, statement) if reported else None
            if answer is not None:
                answers.append((reported, observation_id, answer, statement))
        if not answers:
            continue
        answers.sort(key=lambda a: a[:2])
        reported, observation_id, answer, statement = answers[0]
        cut_offs = rows["cut_off"].dropna()
        if not cut_offs.empty and reported <= cut_offs.min():
            continue
        found.append(Settlement(
            judgment_id=judgment_id, statement=worded, happened=answer, observation_id=observation_id,
            on_date=(statement.date_latest or statement.date).isoformat(), source_claim=statement.claim_ids[0],
            reported=reported, contradicted_by=tuple(a[1] for a in answers[1:] if a[2] != answer)))
    return found


def case_statements(case: Case, params=None) -> tuple[tuple[Statement, ...], Ledger]:
    """The statements file and claims ledger that ``params`` name (validated parameters; by
    default the case's own), every statement whatever its report date."""
    import functools

    from estimates.inputs.claims import load_ledger
    from estimates.inputs.files import load_parameter_file
    from estimates.inputs.statements import load_statements
    from estimates.parameters.schema import with_case

    params = with_case({"case": str(case.folder)}) if params is None else params
    ledger = load_parameter_file(params, "claims_path", load_ledger).value
    loaded = load_parameter_file(params, "statements_path",
                                 functools.partial(load_statements, start=params.conflict_start)).value
    return loaded[0], ledger


def settle_case(store, case: Case, params=None) -> tuple[list[Settlement], int]:
    """Record in ``store`` what the case's statements settle among its stored judgments (statements
    and ledger as ``params`` name them, by default the case's own); returns the settlements found
    and how many were new."""
    statements, ledger = case_statements(case, params)
    found = settlements(store.judgments(case_folder=str(Path(case.folder).resolve())), case, statements, ledger)
    return found, store.settle(found)
