"""The README's baseline figures, written from a ``results.json``.

Every figure the README quotes from the baseline run sits in a span whose opening HTML comment
names a format and the key path(s) in ``results.json`` the figure comes from; only the text between
the two comments is generated, and rendered Markdown shows neither comment::

    pooled 90% interval <!-- fig pct1 pooling.pooled.p_as_of.interval -->19.3%-31.6%<!-- /fig -->

Key paths go down ``results.json`` one key at a time, separated by dots; a key that itself holds a
dot (``0.05``) is matched whole. In a list, a segment is a position (``0``), ``field=value`` (every
record whose field has that value) or a bare identifier (the record whose ``id``, ``name``,
``claim_id`` or ``observation_id`` it is). Braces give several keys at one level
(``tank.{0.05,0.95}``).

A figure resolves to one number, or to several (an interval's ``low`` and ``high``, a pair, the
records a filter selects), which are quoted as their range, ``low-high`` (`` to `` when a value is
signed or negative). Formats: ``pct<d>`` (a share as a percentage, ``d`` decimals), ``num<d>``
(thousands separated), ``signed<d>`` (with its sign), ``sig<d>`` (``d`` significant figures),
``date`` (``11 April 2022``) and ``day-month`` (``6 April``). A probability recorded with its Monte
Carlo ``standard_error`` is quoted with no digit finer than that error: ``d`` is the most decimals,
never the fewest.

Spans sit on one line, and never at the start of one: an HTML comment opening a line would start
an HTML block in Markdown and swallow the rest of the paragraph.

Run ``python -m estimates.report.readme_figures RESULTS README`` to rewrite the figures, add
``--check`` to list the ones that disagree without writing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from estimates.core.wording import long_date
from estimates.errors import EXIT_FAILED, EXIT_INVALID, EXIT_OK, InputError
from estimates.storage import atomic_write

OPEN = "<!-- fig "
CLOSE = "<!-- /fig -->"
_SPAN = re.compile(r"<!-- fig (?P<spec>[^<>]*?) -->(?P<text>[^<\n]*)<!-- /fig -->")
_NUMERIC = re.compile(r"(?P<kind>pct|num|signed|sig)(?P<digits>\d)")
_DATES = {"date": long_date, "day-month": lambda d: f"{d.day} {d:%B}"}
#: Fields that identify a record in a list, as ``results.json`` writes them.
IDENTIFYING = ("id", "name", "claim_id", "observation_id")


class FigureError(InputError):
    """A figure cannot be written: its span, format or key path is wrong. One line naming it."""


@dataclass(frozen=True)
class Figure:
    """One span of the README: where it is, what it asks for and what it says now."""

    line: int
    start: int  # offsets of the generated text in the whole README
    end: int
    fmt: str
    paths: tuple[str, ...]
    text: str

    @property
    def key(self) -> str:
        return " ".join(self.paths)


@dataclass(frozen=True)
class _Estimate:
    """A Monte Carlo probability with its standard error."""

    value: float
    standard_error: float


# --- reading the README ---------------------------------------------------------------------------

def figures(readme: str) -> list[Figure]:
    """Every figure span of ``readme``, in order; a malformed span is a :class:`FigureError`.

    >>> [f.paths for f in figures("a <!-- fig num0 x.{lo,hi} -->1-2<!-- /fig --> b")]
    [('x.lo', 'x.hi')]
    """
    found: list[Figure] = []
    offset = 0
    for number, line in enumerate(readme.splitlines(keepends=True), start=1):
        if line.lstrip().startswith("<!--") and OPEN in line:
            raise FigureError(f"README line {number}: a figure opens the line; Markdown would read it as an HTML block")
        position = 0
        while (at := line.find(OPEN, position)) >= 0:
            span = _SPAN.match(line, at)
            if span is None:
                raise FigureError(f"README line {number}: a figure opened with no {CLOSE} after its text on the same line")
            words = span["spec"].split()
            if len(words) < 2 or "--" in span["spec"]:
                raise FigureError(f"README line {number}: a figure needs a format and a key path (and no '--'), "
                                 f"got {span['spec']!r}")
            if problem := _format_problem(words[0]):
                raise FigureError(f"README line {number}: {problem}")
            paths = tuple(p for word in words[1:] for p in _expand(word))
            found.append(Figure(number, offset + span.start("text"), offset + span.end("text"), words[0], paths,
                                span["text"]))
            position = span.end()
        offset += len(line)
    return found


def _format_problem(fmt: str) -> str | None:
    if fmt in _DATES or _NUMERIC.fullmatch(fmt):
        return None
    return f"unknown format {fmt!r}; allowed: pct<d>, num<d>, signed<d>, sig<d> (d a digit), {', '.join(_DATES)}"


def _expand(path: str) -> list[str]:
    """``a.{b,c}.d`` as ``a.b.d`` and ``a.c.d``."""
    braces = re.fullmatch(r"(?P<head>[^{}]*)\{(?P<alternatives>[^{}]*)\}(?P<tail>.*)", path)
    if braces is None:
        return [path]
    return [p for alt in braces["alternatives"].split(",") for p in _expand(braces["head"] + alt + braces["tail"])]


# --- reading results.json -------------------------------------------------------------------------

def resolve(results: Any, path: str) -> list[Any]:
    """The values ``path`` names in ``results`` (several where a filter selects several records).

    >>> resolve({"q": {"0.05": 1.5, "0.95": 9.0}, "rows": [{"id": "a", "x": 1}, {"id": "b", "x": 2}]}, "q.0.95")
    [9.0]
    >>> resolve({"rows": [{"id": "a", "x": 1}, {"id": "b", "x": 2}]}, "rows.b.x")
    [2]
    """
    nodes, rest, walked = [results], path, ""
    while rest:
        here = nodes[0]
        if isinstance(here, dict):
            key = _key_of(here, rest, walked or "(top)")
            if not all(isinstance(node, dict) and key in node for node in nodes):
                raise FigureError(f"{path}: a record under {walked} has no key {key!r}")
            nodes = [node[key] for node in nodes]
        elif isinstance(here, list):
            key = rest.partition(".")[0]
            nodes = [record for node in nodes for record in _select(node, key, walked)]
        else:
            raise FigureError(f"{path}: {walked} is a value ({here!r}), it has no {rest!r}")
        walked = f"{walked}.{key}" if walked else key
        rest = rest[len(key) + 1:]
    return nodes


def _key_of(mapping: dict, rest: str, where: str) -> str:
    matches = [k for k in mapping if rest == k or rest.startswith(f"{k}.")]
    if not matches:
        known = ", ".join(sorted(map(str, mapping))[:12]) + (", ..." if len(mapping) > 12 else "")
        raise FigureError(f"no key {rest.partition('.')[0]!r} under {where} (keys: {known})")
    return max(matches, key=len)  # the longest: "0.05" rather than "0"


def _select(records: list, key: str, walked: str) -> list:
    if key.isdigit():
        if int(key) >= len(records):
            raise FigureError(f"{walked} has {len(records)} items, no item {key}")
        return [records[int(key)]]
    field, equals, value = key.partition("=")
    rows = [r for r in records if isinstance(r, dict)]
    chosen = ([r for r in rows if str(r.get(field)) == value] if equals
              else [r for r in rows if any(r.get(f) == key for f in IDENTIFYING)])
    if not chosen:
        raise FigureError(f"no record {key!r} in {walked}")
    return chosen


def _numbers(value: Any, path: str) -> list:
    """A resolved value as the numbers it quotes (an interval is two), or a date."""
    if isinstance(value, bool) or value is None:
        raise FigureError(f"{path}: is {value!r}, not a number")
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, str):
        try:
            return [dt.date.fromisoformat(value)]
        except ValueError:
            raise FigureError(f"{path}: is the text {value!r}, not a number or a date") from None
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item, path)]
    if isinstance(value, dict) and {"low", "high"} <= value.keys():
        return _numbers([value["low"], value["high"]], path)
    if isinstance(value, dict) and {"probability", "standard_error"} <= value.keys():
        return [_Estimate(float(value["probability"]), float(value["standard_error"] or 0.0))]
    known = ", ".join(sorted(map(str, value))[:12]) if isinstance(value, dict) else type(value).__name__
    raise FigureError(f"{path}: holds several values ({known}); name one, or an interval")


# --- writing figures ------------------------------------------------------------------------------

def quote(fmt: str, paths: Sequence[str], results: dict) -> str:
    """The text a figure of format ``fmt`` over ``paths`` reads for ``results``.

    >>> quote("pct1", ["p"], {"p": {"low": 0.19313, "high": 0.31649, "level": 0.9}})
    '19.3%-31.6%'
    >>> quote("pct1", ["j"], {"j": {"probability": 0.4131, "standard_error": 0.0078}})
    '41%'
    """
    if problem := _format_problem(fmt):
        raise FigureError(problem)
    values = [n for path in paths for item in resolve(results, path) for n in _numbers(item, path)]
    if fmt in _DATES:
        dates = {v for v in values if isinstance(v, dt.date)}
        if len(dates) != 1 or len(values) != 1:
            raise FigureError(f"{' '.join(paths)}: format {fmt} needs one date, got {values!r}")
        return _DATES[fmt](dates.pop())
    if any(isinstance(v, dt.date) for v in values):
        raise FigureError(f"{' '.join(paths)}: format {fmt} needs numbers, got a date")
    error = max((v.standard_error for v in values if isinstance(v, _Estimate)), default=0.0)
    # + 0.0 makes -0.0 plain 0.0: the two compare equal, so which one a range printed hung on order.
    numbers = [(v.value if isinstance(v, _Estimate) else v) + 0.0 for v in values]
    if any(math.isnan(n) or math.isinf(n) for n in numbers):
        raise FigureError(f"{' '.join(paths)}: is not finite ({numbers!r})")
    match = _NUMERIC.fullmatch(fmt)
    kind, digits = match["kind"], int(match["digits"])
    low, high = min(numbers), max(numbers)
    if low == high:
        return _number(kind, digits, low, error)
    between = " to " if kind == "signed" or low < 0 else "-"
    return f"{_number(kind, digits, low, error)}{between}{_number(kind, digits, high, error)}"


def _number(kind: str, digits: int, value: float, error: float) -> str:
    if kind == "pct":
        return _fixed(100 * value, _decimals(digits, 100 * error)) + "%"
    if kind == "sig":
        places = digits - 1 - math.floor(math.log10(abs(value))) if value else 0
        return _fixed(value, _decimals(places, error))
    return _fixed(value, _decimals(digits, error), sign="+" if kind == "signed" else "")


def _fixed(value: float, decimals: int, sign: str = "") -> str:
    """``value`` to ``decimals`` places, thousands separated; negative places round to tens, hundreds."""
    rounded = round(value, decimals) if decimals < 0 else value
    return f"{rounded:{sign},.{max(decimals, 0)}f}"


def _decimals(most: int, error: float) -> int:
    """Decimals to quote: at most ``most``, and none finer than the standard error ``error``
    (the last digit's step is the smallest power of ten at least ``error``)."""
    if error <= 0:
        return most
    return min(most, -math.ceil(math.log10(error)))


def render(readme: str, results: dict) -> str:
    """``readme`` with every figure rewritten from ``results``; nothing outside the spans changes."""
    out, last = [], 0
    for figure in figures(readme):
        out += [readme[last:figure.start], _quoted(figure, results)]
        last = figure.end
    return "".join(out) + readme[last:]


def differences(readme: str, results: dict, *, name: str = "README.md") -> list[str]:
    """One line per figure whose text is not what ``results`` gives: where, which key, both texts."""
    return [f"{name} line {f.line}: {f.key} ({f.fmt}) reads {f.text!r}, results.json gives {wanted!r}"
            for f in figures(readme) if (wanted := _quoted(f, results)) != f.text]


def _quoted(figure: Figure, results: dict) -> str:
    try:
        return quote(figure.fmt, figure.paths, results)
    except FigureError as error:
        raise FigureError(f"README line {figure.line}: {error}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m estimates.report.readme_figures",
                                     description="Rewrite the README's baseline figures from a results.json.")
    parser.add_argument("results", type=Path, help="the results.json the figures come from")
    parser.add_argument("readme", type=Path, help="the README to rewrite in place")
    parser.add_argument("--check", action="store_true", help="list the figures that disagree; write nothing")
    args = parser.parse_args(argv)
    try:
        results = json.loads(args.results.read_text(encoding="utf-8"))
        readme = args.readme.read_text(encoding="utf-8")
        found = differences(readme, results, name=args.readme.name)
        count = len(figures(readme))
    except (OSError, ValueError) as error:  # FigureError and bad JSON are ValueErrors
        print(f"readme-figures: {error}", file=sys.stderr)
        return EXIT_INVALID
    if args.check:
        print("\n".join(found) or f"{args.readme}: all {count} figures agree with {args.results}")
        return EXIT_FAILED if found else EXIT_OK
    if found:
        atomic_write(args.readme, render(readme, results).encode("utf-8"))
    print(f"{args.readme}: {count} figures from {args.results}, {len(found)} rewritten")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
