"""How a table reads in a notebook: every cell's text whole and wrapped, numbers already worded.

pandas shows a data frame with each text cell cut at 50 characters and each float at six decimals;
that suits data, not a judgment an analyst must read to the end. A :class:`Table` holds cells that
are already the words and rounded figures a reader should see, and renders them whole: as HTML in
JupyterLab (escaped, since claim text is data), as plain text anywhere else.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

#: Left-aligned, top-aligned, wrapping cells: JupyterLab right-aligns table cells for numbers.
_STYLE = ("<style>table.estimates-table td, table.estimates-table th {text-align: left; vertical-align: top; "
          "white-space: normal; max-width: 42em;}</style>")


@dataclass(frozen=True, eq=False)
class Table:
    """A table of worded cells (strings), with an optional caption."""

    frame: pd.DataFrame
    caption: str = ""

    def _repr_html_(self) -> str:
        with pd.option_context("display.max_colwidth", None):
            body = self.frame.to_html(escape=True, border=0, classes="estimates-table", na_rep="")
        caption = f"<p><strong>{html.escape(self.caption)}</strong></p>" if self.caption else ""
        return _STYLE + caption + body

    def __repr__(self) -> str:
        with pd.option_context("display.max_colwidth", None, "display.width", 200):
            body = self.frame.to_string(na_rep="")
        return f"{self.caption}\n{body}" if self.caption else body

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()


def percent(probability: float, standard_error: float | None = None) -> str:
    """A probability as a percentage, with its Monte Carlo error only where there is one.

    >>> percent(0.8312, 0.0026), percent(0.25), percent(0.25, 0.0)
    ('83.1% (Monte Carlo error ±0.3 points)', '25.0%', '25.0%')
    """
    text = f"{100 * probability:.1f}%"
    if standard_error:
        text += f" (Monte Carlo error ±{100 * standard_error:.1f} points)"
    return text


def count(value: float) -> str:
    """A count of things, as a whole number with thousands separated: ``20200.356`` -> ``20,200``."""
    return f"{value:,.0f}"


@dataclass(frozen=True)
class Prose:
    """Paragraphs of Markdown a notebook shows as text: a closing "what this says", for instance.

    Built from the numbers, so the words change when the numbers do; Markdown, so JupyterLab renders
    it as it renders the notebook's own prose.
    """

    paragraphs: tuple[str, ...]
    title: str = ""

    def _repr_markdown_(self) -> str:
        head = f"## {self.title}\n\n" if self.title else ""
        return head + "\n\n".join(self.paragraphs)

    def __repr__(self) -> str:
        return self._repr_markdown_()
