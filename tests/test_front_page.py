"""The briefing's front page and main body: what goes on them (rules in ``report/front_page.py``),
and the baseline briefing printed to A4 and read back as text (pypdf).

The printed checks need Debian's Chromium; where it is missing they skip, except under CI=true.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estimates.core.wording import SCALE, likelihood
from estimates.paths import PROJECT_DIR
from estimates.registry import MODELS
from estimates.report import front_page, pdf
from estimates.report.briefing import HANDLING, TITLE, gather_judgments

GOLDEN_DIR = PROJECT_DIR / "tests" / "golden"

# --- the rules --------------------------------------------------------------------------------


def _rows(ids, decided=()):
    return [{"judgment": {"id": i}, "decided": i in decided} for i in ids]


@given(ranks=st.dictionaries(st.sampled_from("abcdefgh"), st.integers(1, 20), max_size=8),
       decided=st.sets(st.sampled_from("abcdefgh")), limit=st.integers(0, 6))
def test_key_judgments_are_the_best_ranked_open_ones(ranks, decided, limit):
    rows = _rows("abcdefgh", decided)
    key = front_page.key_judgments(rows, ranks, limit=limit)
    ids = [row["judgment"]["id"] for row in key]
    eligible = [i for i in "abcdefgh" if i in ranks and i not in decided]
    assert len(ids) == min(limit, len(eligible))
    assert [ranks[i] for i in ids] == sorted(ranks[i] for i in ids)
    # Nothing left out ranks better than something shown.
    left = [ranks[i] for i in eligible if i not in ids]
    assert not ids or not left or min(left) >= max(ranks[i] for i in ids)


def test_bottom_line_keeps_three_sentences_in_rank_order():
    assert front_page.bottom_line([(3, "C."), (1, "A."), (2, None), (2, "B."), (4, "D.")]) == ["A.", "B.", "C."]


def test_scope_counts_originators_lines_and_late_claims():
    sources = [{"claim_id": "a", "originator_id": "o1", "evidence_line": "l", "report_date": "2022-04-06"},
               {"claim_id": "b", "originator_id": "o1", "evidence_line": "l", "report_date": "2022-04-12"},
               {"claim_id": "c", "originator": "Someone", "report_date": None}]
    assert front_page.scope(sources, "2022-04-11") == {"claims": 3, "originators": 2, "lines": 2, "after_cut_off": 1}


# --- the registry's declarations, against the stored baseline -------------------------------------

@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads((GOLDEN_DIR / "baseline.json").read_text())


def test_declared_key_judgments_exist_and_ranks_are_unique(golden):
    ranks = [rank for m in MODELS.values() for rank in m.key_judgment_ranks.values()]
    assert len(ranks) == len(set(ranks)), "two judgments share a rank"
    made = {j["id"] for section in golden.values() if isinstance(section, dict)
            for j in section.get("judgments", [])}
    for model in MODELS.values():
        assert set(model.key_judgment_ranks) <= made, f"{model.name} declares a judgment it does not make"
        if model.page_figure:
            assert model.page_figure in [name for name, *_ in model.figures(golden[model.name])]


def test_each_headline_is_one_sentence_built_from_its_numbers(golden):
    sentences = {}
    for name, model in MODELS.items():
        if model.headline_rank is None:
            assert model.headline(golden[name]) is None
            continue
        text = model.headline(golden[name])
        assert text.endswith(".") and text.count(". ") == 0, text
        assert "_" not in text, f"a code identifier in the bottom line: {text}"
        sentences[name] = text
    share = golden["attrition"]["joint"]["p_as_of"]["interval"]
    assert f"{100 * share['low']:.0f}% to {100 * share['high']:.0f}%" in sentences["attrition"]
    low, high = golden["losses"]["ineffective"]["quantiles"]["0.05"], golden["losses"]["ineffective"]["quantiles"]["0.95"]
    assert f"imply {low:.0f} to {high:.0f}" in sentences["losses"]


def test_a_share_in_the_bottom_line_takes_no_likelihood_term(golden):
    """The headline words shares as estimates ("an estimated 19% to 31%"), never as "likely" etc.;
    a likelihood term may only open a clause about an event ("that ... by DATE")."""
    terms = sorted({band.term for band in SCALE}, key=len, reverse=True)
    for name, model in MODELS.items():
        text = model.headline(golden[name]) or ""
        for term in terms:
            for found in re.finditer(rf"\b{re.escape(term)}\b", text):
                assert re.match(r" \([^)]*\) that ", text[found.end():]), f"{term!r} not about an event: {text}"


def test_a_term_the_threshold_holds_is_said_with_its_range(golden):
    section = dict(golden["attrition"])
    section["judgments"] = [dict(j, sensitivity=dict(j["sensitivity"], holds=True)) for j in section["judgments"]]
    threshold = next(j for j in section["judgments"] if j["id"] == "attrition-threshold")
    term = likelihood(threshold["probability"]["probability"])
    assert f"{term.term} ({term.span}) that fewer than" in MODELS["attrition"].headline(section)


# --- the printed baseline ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def printed(baseline_run, tmp_path_factory) -> list[str]:
    """The baseline briefing printed to A4 by Chromium: the text of each page."""
    try:
        chromium = pdf.find_chromium()
    except pdf.PdfError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{error}; CI=true requires the printed checks to run")
        pytest.skip(str(error))
    import pypdf

    out = pdf.write_pdf(baseline_run / "briefing.html", tmp_path_factory.mktemp("print") / "briefing.pdf",
                        chromium=chromium)
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(out).pages]


def _flat(text: str) -> str:
    # pypdf breaks lines where the page does and may split a word at a hyphen: compare without spaces.
    return re.sub(r"\s+", "", text)


def test_first_page_holds_title_scope_bottom_line_and_every_key_judgment(printed, baseline_results):
    first = _flat(printed[0])
    assert _flat(TITLE) in first
    assert _flat(HANDLING.upper()) in first.upper()
    assert _flat("Scope. What the claims reported by the cut-off imply") in first
    models = [m for m in MODELS if m in baseline_results]
    for name in models:
        if MODELS[name].headline_rank is not None:
            assert _flat(MODELS[name].headline(baseline_results[name])) in first, f"{name}'s bottom-line sentence"
    rows = gather_judgments(baseline_results, models)
    ranks = {i: r for m in models for i, r in MODELS[m].key_judgment_ranks.items()}
    key = front_page.key_judgments(rows, ranks)
    assert 1 <= len(key) <= front_page.MAX_KEY_JUDGMENTS
    for row in key:
        j = row["judgment"]
        term = likelihood(j["probability"]["probability"])
        sentence = f"{term.term} ({term.span}) that {j['statement']}."
        assert _flat(sentence) in first, f"key judgment {j['id']} is not whole on page 1"
    assert len(re.findall(r"(low|moderate|high) confidence", printed[0])) == len(key)


def test_main_body_ends_by_page_six(printed):
    annex = next(i for i, text in enumerate(printed, start=1) if "Annex: the judgments in full" in text)
    assert annex <= 7, f"the main body runs to page {annex - 1}"
    for name in MODELS:
        pages = [i for i, text in enumerate(printed[:annex - 1], start=1) if _flat(MODELS[name].title) in _flat(text)]
        assert pages, f"{name} has no page in the main body"
