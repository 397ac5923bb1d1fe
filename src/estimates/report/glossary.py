"""The briefing's glossary: plain-language entries, each term linked where the reader first meets it.

The entries are data (``glossary.json`` beside this module): a term, the slug of its anchor, the
words that count as a use of it and a definition of one to three sentences. :func:`link_first_uses`
takes the rendered briefing and wraps the first use of each term in body text in
``<a class="glossary-term" href="#glossary-<slug>">``; :func:`glossary_section` renders the annex
(``templates/glossary.html.j2``) for the terms linked, so every link has its target; and
:func:`add_glossary` does both, putting the annex where the briefing template included the
glossary template.

Text nodes are found with the standard library's :class:`html.parser.HTMLParser`, never with a
regular expression over the markup, and the document is rewritten by inserting the two tags into
the original string, so everything else comes back byte for byte. The matched words are copied from
the source as they are (character references included), never unescaped, so text from the sources,
however hostile, cannot become markup.

>>> linked = link_first_uses("<p>A Weibull hazard.</p><h2>Hazard</h2><p>The hazard again.</p>")
>>> print(linked.html)
<p>A <a class="glossary-term" href="#glossary-weibull">Weibull</a> <a class="glossary-term" href="#glossary-hazard">hazard</a>.</p><h2>Hazard</h2><p>The hazard again.</p>
>>> [entry.slug for entry in linked.terms]
['weibull', 'hazard']
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import jinja2

from estimates.paths import TEMPLATE_DIR

ENTRIES = Path(__file__).resolve().parent / "glossary.json"
#: What ``{% include "glossary.html.j2" %}`` leaves in the rendered briefing for :func:`add_glossary`
#: to replace: a comment, so linking never looks inside it, and one that escaped text cannot forge.
PLACEHOLDER = "<!-- estimates:glossary -->"

#: Elements whose text is never linked: links and code already mean something else, headings and
#: the document head are labels, and script, style and form controls are not prose.
OPAQUE = frozenset({
    "a", "code", "pre", "kbd", "samp", "script", "style", "title", "head", "textarea", "select",
    "option", "button", "svg", "math", "noscript", "template", "iframe", "object",
    "h1", "h2", "h3", "h4", "h5", "h6",
})
#: Elements that never have content, so an opaque marking on one must not swallow what follows.
VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
})

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Letters (any script), digits, spaces and the punctuation of the terms in use; no "<" or "&",
# so a variant can never reach into markup or a character reference.
_VARIANT = re.compile(r"^[^\W_](?:[\w %'’²–-]*[^\W_])?$")
_SENTENCE_END = re.compile(r"[.!?](?:\s+|$)")
# Ways the briefing's HTML may write a space or an apostrophe inside a term.
_SPACE = r"(?:\s|&nbsp;|&#160;|&#x[aA]0;|\u00a0)+"
_APOSTROPHE = r"(?:'|’|&#39;|&#x27;|&apos;|&rsquo;|&#8217;)"
# A use starts a word: no letter, digit, underscore or hyphen before it (so neither "hazard_shape"
# nor a claim id such as "x-hazard" holds one), nor "&" or "#", which would put it inside a
# character reference. It ends one too: no letter, digit, underscore or hyphen after it.
_WORD_START = r"(?<![\w&#-])"
_WORD = re.compile(_WORD_START + r"\w+")


@dataclass(frozen=True)
class Entry:
    """One glossary entry: ``variants`` match in any case, ``exact`` only as written."""

    term: str
    slug: str
    definition: str
    variants: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        return f"glossary-{self.slug}"


@dataclass(frozen=True)
class LinkedHtml:
    """A document with the first use of each term linked, and the entries linked, in order of first use."""

    html: str
    terms: tuple[Entry, ...]


def load_entries(path: Path = ENTRIES) -> tuple[Entry, ...]:
    """Read and check the glossary entries (``glossary.json``).

    The file holds ``{"entries": [{term, slug, definition, variants?, exact?}]}``. Raises
    ``ValueError`` naming the entry and field for a slug outside ``[a-z0-9-]``, a repeated slug, a
    variant with characters outside letters, digits, spaces and ``%'’²–-``, a variant used by two
    entries (compared in any case), an entry with no variant, or a definition not of one to three
    sentences.
    """
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    loaded = tuple(_entry(row) for row in raw["entries"])
    seen_slugs: set[str] = set()
    owner_of: dict[str, Entry] = {}
    for entry in loaded:
        if entry.slug in seen_slugs:
            raise ValueError(f"glossary entry {entry.term!r}: slug {entry.slug!r} is used twice")
        seen_slugs.add(entry.slug)
        words = entry.variants + entry.exact
        for word in words:
            other = owner_of.setdefault(word.casefold(), entry)
            if other.slug != entry.slug or words.count(word) > 1:
                raise ValueError(f"glossary entry {entry.term!r}: variant {word!r} also counts as a use of {other.term!r}")
    return loaded


@functools.lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    """The project's glossary entries, read once."""
    return load_entries()


def link_first_uses(html: str, glossary: tuple[Entry, ...] | None = None) -> LinkedHtml:
    """Link the first use of each glossary term in the body text of ``html`` to its entry.

    A use is a variant of the term standing as a whole word (not joined to a letter, digit,
    underscore or hyphen, so ``hazard_shape`` and a claim id such as ``btg-ineffective-29`` are not
    uses); where variants overlap, the longest wins. Only text nodes are searched, and none inside
    the elements in :data:`OPAQUE`, inside an element with ``id="glossary"`` or a
    ``data-no-glossary`` attribute, in an attribute, or in a comment. Figure captions and table
    cells are prose and are linked. The first use that can be linked gets the link; a term met only
    in a heading or code gets none and is not in ``terms``.

    >>> link_first_uses("<p>BTGs, then a BTG-equivalent.</p>").html
    '<p><a class="glossary-term" href="#glossary-battalion-tactical-group">BTGs</a>, then a <a class="glossary-term" href="#glossary-btg-equivalent">BTG-equivalent</a>.</p>'
    """
    glossary = entries() if glossary is None else glossary
    matcher = _matcher(glossary)
    inserts: list[tuple[int, int, Entry]] = []
    used: dict[str, Entry] = {}
    for start, end in _TextRuns(html).run():
        for match in matcher.uses(html, start, end):
            entry = matcher.owners[match.lastgroup]
            if entry.slug not in used:
                used[entry.slug] = entry
                inserts.append((match.start(), match.end(), entry))
    pieces, cursor = [], 0
    for start, end, entry in inserts:
        pieces += [html[cursor:start], f'<a class="glossary-term" href="#{entry.anchor}">', html[start:end], "</a>"]
        cursor = end
    pieces.append(html[cursor:])
    return LinkedHtml("".join(pieces), tuple(used.values()))


def glossary_section(terms) -> str:
    """The glossary annex for ``terms`` (entries), alphabetical by term, each ``<dt>`` carrying the
    ``id`` its links point to."""
    ordered = sorted(terms, key=lambda entry: entry.term.casefold())
    return _template().module.glossary(ordered).strip()


def add_glossary(html: str) -> LinkedHtml:
    """Link first uses in a briefing rendered with ``{% include "glossary.html.j2" %}`` and put the
    annex of the terms linked where it was included (at :data:`PLACEHOLDER`)."""
    count = html.count(PLACEHOLDER)
    if count != 1:
        raise ValueError(f"the briefing must include glossary.html.j2 exactly once; found {count} placeholders")
    linked = link_first_uses(html)
    return LinkedHtml(linked.html.replace(PLACEHOLDER, glossary_section(linked.terms)), linked.terms)


# --- inside ---------------------------------------------------------------------------------------

def _entry(row: dict) -> Entry:
    name = row.get("term") or row.get("slug") or "?"
    for field in ("term", "slug", "definition"):
        if not isinstance(row.get(field), str) or not row[field].strip():
            raise ValueError(f"glossary entry {name!r}: field {field!r} is missing or empty")
    not_lists = [field for field in ("variants", "exact") if not isinstance(row.get(field, []), list)]
    if not_lists:
        raise ValueError(f"glossary entry {name!r}: field {not_lists[0]!r} must be a list of words")
    entry = Entry(term=row["term"], slug=row["slug"], definition=row["definition"],
                  variants=tuple(row.get("variants", ())), exact=tuple(row.get("exact", ())))
    if not _SLUG.match(entry.slug):
        raise ValueError(f"glossary entry {name!r}: slug {entry.slug!r} must be lower-case letters, digits and single hyphens")
    if not entry.variants + entry.exact:
        raise ValueError(f"glossary entry {name!r}: needs at least one of 'variants' (any case) or 'exact'")
    for word in entry.variants + entry.exact:
        if not isinstance(word, str) or not _VARIANT.match(word):
            raise ValueError(f"glossary entry {name!r}: variant {word!r} may hold only letters, digits, spaces and %'’²–-,"
                             " starting and ending with a letter or digit")
    sentences = len(_SENTENCE_END.findall(entry.definition.strip()))
    if not 1 <= sentences <= 3 or not entry.definition.strip().endswith((".", "!", "?")):
        raise ValueError(f"glossary entry {name!r}: definition must be one to three sentences; it has {sentences}")
    return entry


@dataclass(frozen=True)
class _Matcher:
    """Finds uses of the terms. One pattern holds every variant; it is tried only where a word
    starts that some variant starts with, since trying a hundred alternatives at every word of a
    long briefing is what takes the time."""

    pattern: re.Pattern
    owners: dict[str, Entry]
    first_words: frozenset[str]

    def uses(self, text: str, start: int, end: int):
        resume = start
        for word in _WORD.finditer(text, start, end):
            if word.start() < resume or word.group().casefold() not in self.first_words:
                continue
            match = self.pattern.match(text, word.start(), end)
            if match:
                resume = match.end()
                yield match


@functools.lru_cache(maxsize=8)
def _matcher(glossary: tuple[Entry, ...]) -> _Matcher:
    """Each alternative is a named group, so a match says whose it is, and the longest come first,
    so where variants overlap the longer is taken."""
    words = [(word, False, entry) for entry in glossary for word in entry.variants]
    words += [(word, True, entry) for entry in glossary for word in entry.exact]
    words.sort(key=lambda item: -len(item[0]))
    owners, alternatives = {}, []
    for number, (word, exact, entry) in enumerate(words):
        body = "".join(_SPACE if c.isspace() else _APOSTROPHE if c in "'’" else re.escape(c) for c in word)
        alternatives.append(f"(?P<w{number}>{body})" if exact else f"(?P<w{number}>(?i:{body}))")
        owners[f"w{number}"] = entry
    pattern = re.compile(_WORD_START + "(?:" + "|".join(alternatives) + r")(?![\w-])")
    first_words = frozenset(re.match(r"\w+", word).group().casefold() for word, _, _ in words)
    return _Matcher(pattern, owners, first_words)


@functools.lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("glossary.html.j2")


class _TextRuns(HTMLParser):
    """Finds the spans of the source that are linkable text: ``spans`` is a list of ``(start, end)``
    offsets into ``source``, each a stretch of text (character references included) between
    two pieces of markup, outside every opaque element.

    Positions come from the parser's own line and column, so the spans are slices of the original
    string and nothing is re-serialised.
    """

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.spans: list[tuple[int, int]] = []
        self._source = source
        # The parser counts lines at "\n" only; so do these offsets.
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self._opaque: dict[str, int] = {}
        self._regions: list[list] = []  # [tag, nesting] for each open id="glossary" / data-no-glossary element
        self._run_start: int | None = None
        self._broken = False

    def run(self) -> list[tuple[int, int]]:
        self.feed(self._source)
        self.close()
        self._end_run(len(self._source))
        return self.spans

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _end_run(self, at: int) -> None:
        if self._run_start is not None and at > self._run_start:
            self.spans.append((self._run_start, at))
        self._run_start = None

    def _linkable(self) -> bool:
        return not self._broken and not self._regions and not any(self._opaque.values())

    def handle_data(self, data: str) -> None:
        at = self._offset()
        if self._source.startswith("<", at):
            # The parser hands over as data a lone "<" and, at the end of the document, the "<" of a
            # tag, comment or declaration it could not finish: a browser drops such a construct and
            # everything after it, so nothing from there on is linked.
            self._broken = self._broken or re.match(r"[A-Za-z/!?]", self._source[at + 1:at + 2]) is not None
            self._end_run(at)
        elif not self._linkable():
            self._end_run(at)
        elif self._run_start is None:
            self._run_start = at

    def handle_starttag(self, tag: str, attrs) -> None:
        self._end_run(self._offset())
        for region in self._regions:
            if region[0] == tag:
                region[1] += 1
        if tag == "body":
            self._opaque["head"] = 0  # a head the document never closed ends here
        if tag in OPAQUE:
            self._opaque[tag] = self._opaque.get(tag, 0) + 1
        names = dict(attrs)
        if tag not in VOID and (names.get("id") == "glossary" or "data-no-glossary" in names):
            self._regions.append([tag, 0])

    # A "/>" does not close an HTML element that has content, so treat it as an opening tag.
    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self._end_run(self._offset())
        if self._opaque.get(tag):
            self._opaque[tag] -= 1
        for region in self._regions:
            if region[0] == tag:
                region[1] -= 1
        self._regions = [region for region in self._regions if region[1] >= 0]

    def _markup(self, *_args) -> None:
        self._end_run(self._offset())

    handle_comment = handle_decl = handle_pi = unknown_decl = _markup
