"""The glossary: every technical term has a plain entry, its first use in body text is linked, and
linking changes nothing else in the document."""

from __future__ import annotations

import json
import re
import time
from html.parser import HTMLParser

import jinja2
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from estimates.paths import TEMPLATE_DIR
from estimates.report.glossary import (
    PLACEHOLDER,
    Entry,
    _matcher,
    add_glossary,
    entries,
    glossary_section,
    link_first_uses,
    load_entries,
)

LINK = re.compile(r'<a class="glossary-term" href="#glossary-([a-z0-9-]+)">([^<]*)</a>')
#: Words the briefing used without explaining them (issue 14); each must have an entry.
TECHNICAL_WORDS = [
    "Weibull", "Dirichlet", "Sobol", "Jeffreys", "Clopper-Pearson", "Wilson", "Monte Carlo", "Beta",
    "beta-binomial", "posterior", "prior", "Lanchester", "Admiralty", "ICD 203", "hazard",
    "battalion tactical group", "combat-ineffective", "line of evidence", "plausible range",
    "90% interval", "median", "percentile", "Bayes factor", "Akaike weight", "overdispersion",
    "likelihood term", "confidence", "BTG-equivalent", "tail probability", "square law", "CDB90",
]


def unlinked(html: str) -> str:
    """The document with the glossary links taken out again."""
    return LINK.sub(r"\2", html)


def linked_words(html: str) -> list[tuple[str, str]]:
    return LINK.findall(html)


# --- entries --------------------------------------------------------------------------------------

@pytest.mark.parametrize("word", TECHNICAL_WORDS)
def test_every_technical_word_has_an_entry(word):
    linked = link_first_uses(f"<p>The {word} here.</p>")
    assert [text for _, text in linked_words(linked.html)] == [word]
    assert len(linked.terms) == 1 and linked.terms[0].definition


def test_the_admiralty_entry_explains_both_characters():
    (admiralty,) = [e for e in entries() if e.slug == "admiralty-grade"]
    for part in ("reliability", "credibility", "A (", "1 (", "independently", "F and 6"):
        assert part in admiralty.definition


def test_definitions_are_plain_words():
    for entry in entries():
        # a code identifier or a formula has no place in a definition for the decision-maker
        assert "_" not in entry.definition and "=" not in entry.definition, entry.term
        assert len(entry.definition) < 480, entry.term


def test_icd_203_is_named_as_the_us_standard_for_estimative_words():
    (icd,) = [e for e in entries() if e.slug == "icd-203"]
    assert "US standard" in icd.definition and "words of estimative probability" in icd.definition


def _write(tmp_path, rows):
    path = tmp_path / "glossary.json"
    path.write_text(json.dumps({"entries": rows}), encoding="utf-8")
    return path


GOOD = {"term": "Hazard", "slug": "hazard", "variants": ["hazard"], "definition": "A daily chance."}


@pytest.mark.parametrize(("change", "message"), [
    ({"slug": "Hazard!"}, r"slug 'Hazard!' must be lower-case letters, digits and single hyphens"),
    ({"variants": [], "exact": []}, r"needs at least one of 'variants' \(any case\) or 'exact'"),
    ({"variants": ["<b>hazard"]}, r"variant '<b>hazard' may hold only letters"),
    ({"variants": ["a &amp; b"]}, r"variant 'a &amp; b' may hold only letters"),
    ({"definition": "One. Two. Three. Four."}, r"definition must be one to three sentences; it has 4"),
    ({"definition": "no full stop"}, r"definition must be one to three sentences"),
    ({"definition": ""}, r"field 'definition' is missing or empty"),
    ({"variants": "hazard"}, r"field 'variants' must be a list of words"),
])
def test_a_bad_entry_is_refused_naming_the_field(tmp_path, change, message):
    with pytest.raises(ValueError, match=message):
        load_entries(_write(tmp_path, [{**GOOD, **change}]))


def test_a_word_claimed_by_two_entries_is_refused(tmp_path):
    other = {**GOOD, "term": "Risk", "slug": "risk", "variants": [], "exact": ["Hazard"]}
    with pytest.raises(ValueError, match=r"variant 'Hazard' also counts as a use of 'Hazard'"):
        load_entries(_write(tmp_path, [GOOD, other]))
    with pytest.raises(ValueError, match=r"slug 'hazard' is used twice"):
        load_entries(_write(tmp_path, [GOOD, {**GOOD, "term": "Other", "variants": ["other"]}]))


def test_the_bundled_entries_load():
    assert len(entries()) == len({e.slug for e in entries()}) >= 40


# --- linking --------------------------------------------------------------------------------------

def test_only_the_first_use_of_each_term_is_linked():
    html = "<p>The hazard and the median.</p><p>Hazard again, median again, and Weibull.</p><p>Weibull.</p>"
    linked = link_first_uses(html)
    assert linked_words(linked.html) == [("hazard", "hazard"), ("median", "median"), ("weibull", "Weibull")]
    assert [e.slug for e in linked.terms] == ["hazard", "median", "weibull"]
    assert linked.html.startswith('<p>The <a class="glossary-term" href="#glossary-hazard">hazard</a> and')
    assert unlinked(linked.html) == html


@pytest.mark.parametrize("opening, closing", [
    ("<code>", "</code>"), ('<a href="#x">', "</a>"), ("<h1>", "</h1>"), ("<h2>", "</h2>"),
    ('<h3 id="h">', "</h3>"), ("<script>", "</script>"), ("<style>", "</style>"), ("<title>", "</title>"),
    ("<head>", "</head>"), ("<pre>", "</pre>"), ('<section id="glossary">', "</section>"),
    ('<div data-no-glossary class="x">', "</div>"), ("<svg>", "</svg>"),
])
def test_nothing_is_linked_inside_code_links_headings_or_the_glossary(opening, closing):
    inside = f"{opening}Weibull hazard, <strong>median</strong> of the posterior{closing}"
    assert link_first_uses(inside).html == inside
    # the first use outside is the one linked
    linked = link_first_uses(inside + "<p>The posterior.</p>")
    assert linked_words(linked.html) == [("posterior", "posterior")]


def test_attributes_comments_and_alt_text_are_never_touched():
    html = ('<img alt="Weibull hazard" src="data:image/png;base64,V2VpYnVsbA==">'
            '<p title="Monte Carlo median">plain</p><!-- hazard --><p data-x=\'posterior\'>x</p>')
    assert link_first_uses(html).html == html


def test_a_nested_element_of_the_same_name_does_not_end_the_glossary_early():
    html = '<section id="glossary"><section>hazard</section> Weibull</section><p>median, hazard</p>'
    linked = link_first_uses(html)
    assert linked_words(linked.html) == [("median", "median"), ("hazard", "hazard")]


def test_a_void_element_marked_opaque_hides_nothing():
    html = '<img id="glossary" src="x"><p>hazard</p>'
    assert linked_words(link_first_uses(html).html) == [("hazard", "hazard")]


def test_a_head_left_open_ends_at_the_body():
    html = "<html><head><title>Weibull</title><body><p>Weibull</p></body></html>"
    assert linked_words(link_first_uses(html).html) == [("weibull", "Weibull")]


@pytest.mark.parametrize("text", [
    "hazard_shape", "x_hazard", "hazardous", "premedian", "btg-ineffective-29", "hazard-free",
    "2hazard", "non-hazard", "&median;", "ICD 2030", "lanchester", "monte carlo", "wilson", "BETA",
])
def test_a_use_is_a_whole_word_in_the_right_case(text):
    html = f"<p>{text}</p>"
    assert link_first_uses(html).html == html


@pytest.mark.parametrize("text, slug, word", [
    ("HAZARD.", "hazard", "HAZARD"),
    ("(median)", "median", "median"),
    ("a BTG-equivalent", "btg-equivalent", "BTG-equivalent"),
    ("the beta-binomial", "beta-binomial", "beta-binomial"),
    ("a Beta prior", "beta", "Beta prior"),
    ("Clopper-Pearson interval", "clopper-pearson", "Clopper-Pearson interval"),
    ("Lanchester&#39;s equations", "lanchester", "Lanchester&#39;s equations"),
    ("Lanchester’s equations", "lanchester", "Lanchester’s equations"),
    ("Monte&nbsp;Carlo error", "monte-carlo", "Monte&nbsp;Carlo"),
    ("&amp;hazard", "hazard", "hazard"),
    ("29 BTGs", "battalion-tactical-group", "BTGs"),
    ("combat ineffective", "combat-ineffective", "combat ineffective"),
    ("jeffreys prior", "jeffreys", "jeffreys prior"),
])
def test_the_longest_variant_is_linked_as_written(text, slug, word):
    html = f"<p>{text}</p>"
    assert linked_words(link_first_uses(html).html) == [(slug, word)]


def test_the_longest_variant_wins_whatever_order_the_entry_lists_them():
    shape = Entry(term="Shape", slug="shape", definition="A number.", exact=("Weibull", "Weibull shape"))
    linked = link_first_uses("<p>The Weibull shape.</p>", (shape,))
    assert linked_words(linked.html) == [("shape", "Weibull shape")]


def test_escaped_text_from_a_source_stays_escaped():
    claim = "&lt;script&gt;alert(&#39;Weibull&#39;)&lt;/script&gt; &lt;a href=&#34;x&#34;&gt;hazard"
    html = f"<td>{claim}</td>"
    linked = link_first_uses(html)
    assert "&lt;script&gt;" in linked.html and "<script" not in linked.html
    assert start_tags(linked.html) == ["td", "a", "a"]
    assert unlinked(linked.html) == html


def test_a_stray_less_than_sign_is_left_as_it_is():
    html = "<p>a < b hazard</p><p>Weibull <</p>"
    linked = link_first_uses(html)
    assert unlinked(linked.html) == html
    assert [slug for slug, _ in linked_words(linked.html)] == ["hazard", "weibull"]


def test_a_broken_tag_at_the_end_is_not_linked_into():
    html = '<p>x</p><img alt="Weibull hazard'
    assert link_first_uses(html).html == html


# --- the annex ------------------------------------------------------------------------------------

SAMPLE = """<!DOCTYPE html>
<html lang="en"><head><title>Monte Carlo briefing</title><style>.hazard { color: red }</style></head>
<body>
<header><h1>Attrition of battalion tactical groups</h1>
<dl class="meta"><dt>Information cut-off</dt><dd>11 April 2022</dd></dl></header>
<main>
<section id="bottom-line"><h2>Bottom line</h2>
<p>The run counts 29 of 125 BTGs combat-ineffective; the hazard's Weibull shape has median 1.06
(90% interval 0.52 to 2.12). Estimated probability 52.1% (Monte Carlo error ±0.4%).</p>
<p class="small">Likelihood terms follow ICD 203; <code>hazard_shape_low</code> is an input.</p></section>
<figure><img src="data:image/png;base64,AAAA" alt="Fan chart of the hazard"><figcaption>Median and
90% bands of the projection.</figcaption></figure>
<section id="sources"><h2>Sources</h2><p>Admiralty grades: reliability A–F, credibility 1–6.</p>
<table><tr><td>btg-ineffective-29</td><td>Revised &lt;Western&gt; estimates &amp; a Jeffreys prior</td></tr></table>
<p>Posterior beside Clopper-Pearson and Wilson intervals; Sobol indices rank the inputs.</p></section>
</main>
{% include "glossary.html.j2" %}
</body></html>
"""


def lead_environment() -> jinja2.Environment:
    """As the briefing's environment: autoescaping, strict about undefined names, trimmed blocks."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def test_the_included_template_leaves_one_placeholder():
    rendered = lead_environment().from_string(SAMPLE).render()
    assert rendered.count(PLACEHOLDER) == 1


def test_every_link_has_its_entry_in_the_annex():
    briefing = add_glossary(lead_environment().from_string(SAMPLE).render())
    hrefs = [slug for slug, _ in linked_words(briefing.html)]
    ids = re.findall(r'<dt id="glossary-([a-z0-9-]+)">', briefing.html)
    assert sorted(hrefs) == sorted(ids) == sorted(e.slug for e in briefing.terms)
    assert len(hrefs) == len(set(hrefs)) >= 15
    # headings, the head, code and the image's alt are not where the links go
    assert "<h1>Attrition of battalion tactical groups</h1>" in briefing.html
    assert "<title>Monte Carlo briefing</title>" in briefing.html
    assert "<code>hazard_shape_low</code>" in briefing.html
    assert 'alt="Fan chart of the hazard"' in briefing.html
    # the annex's own text is not linked, and there is one annex
    annex = briefing.html[briefing.html.index('<section id="glossary"'):]
    assert "glossary-term" not in annex and briefing.html.count('id="glossary"') == 1
    assert PLACEHOLDER not in briefing.html


def test_the_annex_is_alphabetical_and_escapes_its_text():
    hostile = Entry(term="Bold <b>x</b>", slug="bold", definition="Says <script>x</script> & more.", variants=("bold",))
    annex = glossary_section([entries()[-1], hostile, entries()[0]])
    terms = re.findall(r'<dt id="glossary-[a-z0-9-]+">([^<]*)</dt>', annex)
    assert terms == sorted(terms, key=str.casefold) and len(terms) == 3
    assert "Bold &lt;b&gt;x&lt;/b&gt;" in terms
    assert "Says &lt;script&gt;x&lt;/script&gt; &amp; more." in annex and "<script" not in annex


def test_a_briefing_without_the_placeholder_is_refused():
    with pytest.raises(ValueError, match="must include glossary.html.j2 exactly once; found 0"):
        add_glossary("<p>hazard</p>")
    with pytest.raises(ValueError, match="found 2"):
        add_glossary(PLACEHOLDER * 2)


def test_a_large_embedded_image_costs_little():
    # The real briefing is ~1.4 MB, mostly base64 PNGs in src attributes (0.035 s measured on it).
    image = '<img alt="hazard" src="data:image/png;base64,' + "QUJD" * 375_000 + '">'
    html = "<p>hazard median</p>" + image * 1 + "<p>Weibull</p>" * 2_000
    started = time.perf_counter()
    linked = link_first_uses(html)
    assert time.perf_counter() - started < 3.0
    assert [e.slug for e in linked.terms] == ["hazard", "median", "weibull"]


# --- properties -----------------------------------------------------------------------------------

WORDS = ["Weibull", "hazard", "Hazard", "Monte Carlo", "Monte&nbsp;Carlo", "BTG", "BTG-equivalent",
         "posterior", "Lanchester&#39;s equations", "median", "hazard_shape", "ICD 203", "é"]
PUNCTUATION = [" ", ". ", ">", "&", "&amp;", "&lt;b&gt;", '"', "'", "&#39;", "&#", "&#;", "&x", ";"]
text = st.lists(st.sampled_from(WORDS + PUNCTUATION), max_size=8).map("".join)
raw_text = st.lists(st.sampled_from(WORDS + PUNCTUATION + ["<", "</", "<!", "<?", "<p", "/>"]), max_size=8).map("".join)
ATTRIBUTES = ["", ' href="#x"', ' id="glossary"', ' title="Weibull &amp; hazard"', " data-no-glossary",
              " alt='hazard <'", ' class="hazard"']
TAGS = ["p", "code", "a", "h2", "strong", "figcaption", "section", "td", "script", "title", "div", "pre"]


def _element(children):
    return st.builds(lambda tag, attrs, inner: f"<{tag}{attrs}>{''.join(inner)}</{tag}>",
                     st.sampled_from(TAGS), st.sampled_from(ATTRIBUTES), st.lists(children, max_size=4))


leaves = st.one_of(text, st.just('<img alt="Weibull" src="data:x">'), st.just("<br>"), st.just("<!-- median -->"))
documents = st.recursive(leaves, _element, max_leaves=12).map(lambda body: f"<!DOCTYPE html><body>{body}</body>")


@settings(max_examples=300, deadline=None)
@given(documents)
@example('<p>Weibull</p><code>hazard</code><p title="median">Hazard &amp; median</p>')
def test_linking_only_inserts_the_links(html):
    linked = link_first_uses(html)
    assert unlinked(linked.html) == html
    slugs = [slug for slug, _ in linked_words(linked.html)]
    assert slugs == [e.slug for e in linked.terms] and len(slugs) == len(set(slugs))


@settings(max_examples=300, deadline=None)
@given(st.one_of(raw_text, st.text(max_size=60)))
@example("<p>&#; Weibull &#x; hazard</p>")
@example('<a href="x>hazard</a> median')
def test_any_string_round_trips(html):
    assert unlinked(link_first_uses(html).html) == html


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS + PUNCTUATION + ["Beta prior", "prior", "x-", "Clopper-Pearson interval", "R²"]),
                max_size=12).map("".join))
def test_trying_the_pattern_only_at_first_words_finds_every_use(text):
    # The pattern is tried only where a word some variant starts with begins; searching with it
    # everywhere must find exactly the same uses.
    matcher = _matcher(entries())
    def spans(matches):
        return [(m.start(), m.end(), m.lastgroup) for m in matches]
    assert spans(matcher.uses(text, 0, len(text))) == spans(matcher.pattern.finditer(text))


@settings(max_examples=300, deadline=None)
@given(documents)
def test_no_link_lands_inside_code_a_heading_or_the_glossary(html):
    # A separate, simpler reading of the output: a stack of open elements.
    ForbiddenAncestors().check(link_first_uses(html).html)


FORBIDDEN = {"code", "a", "h1", "h2", "h3", "script", "style", "title", "head", "pre"}
VOID = {"img", "br"}


class ForbiddenAncestors(HTMLParser):
    def check(self, html):
        self.stack = []
        self.links = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("class") == "glossary-term":
            ancestors = [t for t, a in self.stack if t in FORBIDDEN or a.get("id") == "glossary" or "data-no-glossary" in a]
            assert not ancestors, f"a glossary link inside {ancestors}"
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break


def start_tags(html):
    found = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append(tag)

    Tags().feed(html)
    return found
