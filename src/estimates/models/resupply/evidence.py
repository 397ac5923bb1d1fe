"""The transfer claims as lines of evidence: what the briefing says about them, how their truth is
grouped in the Sobol analysis, and which claim's confirmation would move a judgment most.

A line of evidence is the ledger's ``evidence_line``: claims from one briefing, one network or one
article. Claims on one line are not independent, so their truth factors form one Sobol group; so do
lines that a latent factor ties together (a factor that moves claims on two lines makes them
correlated). Which factor moves which claim is read from the latent structure itself
(:meth:`~estimates.models.resupply.grading.LatentStructure.latent` of unit vectors), so the grouping
follows whatever factors the grading module defines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from estimates.inputs.claims import Claim
from estimates.models.resupply.grading import LatentStructure

#: Weights used only to see which latent factor moves which claim: any weights inside the allowed
#: range that leave each claim its own noise show the same pattern of non-zero loadings.
PROBE_WEIGHTS = (0.25, 0.25)


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with its noun: "1 claim", "4 claims", "1 line of evidence", "2 lines of evidence"."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def listed(items: Sequence[str], separator: str = ", ", last: str = "and") -> str:
    """"a", "a and b", "a, b and c" (``separator`` between all but the last two, ``last`` before the last).

    >>> listed(["tanks", "guns", "crews"], last="or")
    'tanks, guns or crews'
    """
    items = list(items)
    return items[0] if len(items) == 1 else separator.join(items[:-1]) + f" {last} " + items[-1]


def factor_claims(structure: LatentStructure) -> list[tuple[int, ...]]:
    """For each latent factor (column of the normals), the claims whose latent truth it moves."""
    n = structure.n_factors
    if n == 0:
        return []
    loadings = np.asarray(structure.latent(np.eye(n), *PROBE_WEIGHTS))  # factors x claims
    return [tuple(int(i) for i in np.flatnonzero(row)) for row in loadings]


@dataclass(frozen=True)
class TruthGroup:
    """Claims whose truth is correlated through a line of evidence or a shared factor: one Sobol group."""

    name: str
    lines: tuple[str, ...]
    claims: tuple[Claim, ...]

    @property
    def where(self) -> str:
        """The line (or lines) in words: "the line of evidence x", "the correlated lines of evidence x and y"."""
        if len(self.lines) == 1:
            return f"the line of evidence {self.lines[0]}"
        return f"the correlated lines of evidence {listed(self.lines)}"

    @property
    def watch(self) -> str:
        """What to watch to learn about the group's truth, before a judgment names one claim."""
        originators = len(dict.fromkeys(c.originator_id for c in self.claims))
        outlets = listed(list(dict.fromkeys(c.outlet for c in self.claims)))
        return (f"confirmation or denial of the transfer claims on {self.where} "
                f"({counted(len(self.claims), 'claim')} from {counted(originators, 'originator')}, "
                f"carried by {outlets})")

    def confirmation(self, named: Sequence[Claim]) -> str:
        """What to watch when the ``named`` claims of the group (ties) are those whose confirmation
        moves a judgment most."""
        others = len(self.claims) - len(named)
        company = (f"; with {counted(others, 'other transfer claim')} on {self.where}" if others
                   else f"; on {self.where}")
        quoted = [f"claim {c.claim_id}, \"{c.statement.rstrip('.')}\" ({c.originator}, graded {c.grade})"
                  for c in named]
        return f"confirmation or denial of {listed(quoted, '; ', 'or of')}{company}"


def truth_groups(claims: Sequence[Claim], structure: LatentStructure) -> tuple[tuple[TruthGroup, ...], tuple[int, ...]]:
    """The Sobol groups of the claim-truth factors and, for each factor, the index of its group.

    Claims are joined when they share an ``evidence_line`` or a factor moves both; each connected set
    of claims is one group, named after its lines, in the order the claims come.
    """
    parent = list(range(len(claims)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(members: Sequence[int]) -> None:
        for i in members[1:]:
            parent[root(i)] = root(members[0])

    by_line: dict[str, list[int]] = {}
    for i, claim in enumerate(claims):
        by_line.setdefault(claim.evidence_line, []).append(i)
    for members in by_line.values():
        join(members)
    moved = factor_claims(structure)
    for members in moved:
        if members:
            join(members)
    roots = list(dict.fromkeys(root(i) for i in range(len(claims))))
    groups = []
    for r in roots:
        members = tuple(claims[i] for i in range(len(claims)) if root(i) == r)
        lines = tuple(dict.fromkeys(c.evidence_line for c in members))
        groups.append(TruthGroup(f"claim truth: {' + '.join(lines)}", lines, members))
    # A factor that moves no claim (none should) is inert: it joins the first group.
    factor_group = tuple(roots.index(root(members[0])) if members else 0 for members in moved)
    return tuple(groups), factor_group


def describe(claims: Sequence[Claim], subject: str) -> dict:
    """The transfer claims as the briefing's lead states them: counts, and one sentence built from
    their grades, originators, outlets and lines of evidence (never from a case's own text).

    >>> import datetime as dt
    >>> c = Claim(claim_id="a", statement="s", report_date=dt.date(2024, 1, 1), originator="A ministry",
    ...           originator_id="ministry", outlet="A bulletin", outlet_id="bulletin", carried_by="x",
    ...           evidence_line="bulletin-1", reliability="A", credibility="1", grade_reason="r")
    >>> print(describe([c], "the army")["sentence"])  # doctest: +NORMALIZE_WHITESPACE
    The reported transfers to the army rest on 1 claim from 1 originator (A ministry), on 1 line of
    evidence (bulletin-1), carried by A bulletin, graded A1.
    """
    originators: dict[str, str] = {}  # id -> the first claim's wording of it
    for c in claims:
        originators.setdefault(c.originator_id, c.originator)
    lines = list(dict.fromkeys(c.evidence_line for c in claims))
    outlets = list(dict.fromkeys(c.outlet for c in claims))
    grades = Counter(c.grade for c in claims)
    record = {"claims": len(claims), "originators": len(originators), "lines": len(lines),
              "outlets": len(outlets), "grades": dict(sorted(grades.items()))}
    if not claims:
        record["sentence"] = "No transfer claim in the ledger read for this run is counted."
        return record
    graded = listed([g if k == 1 else f"{g} ({k} claims)" for g, k in sorted(grades.items())])
    sentence = (f"The reported transfers to {subject} rest on {counted(len(claims), 'claim')} from "
                f"{counted(len(originators), 'originator')} ({listed(list(originators.values()), '; ')}), "
                f"on {counted(len(lines), 'line of evidence', 'lines of evidence')} ({listed(lines)}), "
                f"carried by {listed(outlets)}, graded {graded}.")
    if len(lines) < len(claims):
        sentence += " Claims on one line of evidence are not independent confirmation of one another."
    record["sentence"] = sentence
    return record
