"""The HTML briefing: the structure a reader relies on, checked on the baseline run."""

import copy
import json
import re
from html.parser import HTMLParser

import pytest

from estimates.core import confidence
from estimates.core.wording import SCALE, likelihood
from estimates.parameters.schema import label, specs
from estimates.registry import MODELS
from estimates.report import briefing
from estimates.report.case_words import in_case_words

TERMS = [band.term for band in SCALE]


class _Collector(HTMLParser):
    """Start tags with attributes, all text, and the text of each element with an id."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def _text(fragment: str) -> str:
    # Glossary links wrap words inside running text: read through them, as a reader does.
    fragment = re.sub(r'<a class="glossary-term" href="[^"]*">([^<]*)</a>', r"\1", fragment)
    return " ".join(" ".join(_parse(fragment).text).split())


def _block(html: str, pattern: str) -> str:
    match = re.search(pattern, html, re.S)
    assert match, pattern
    return match.group(0)


@pytest.fixture(scope="module")
def page(baseline_run):
    html = (baseline_run / "briefing.html").read_text()
    return html, _parse(html)


@pytest.fixture(scope="module")
def judgments(baseline_results):
    """Every judgment, in the briefing's section order."""
    return [j for model in MODELS if model in baseline_results
            for j in baseline_results[model].get("judgments", [])]


@pytest.fixture(scope="module")
def key_judgments(baseline_results):
    """The front page's judgments, by the registry's declared ranks (report/front_page.py)."""
    from estimates.report import front_page

    models = [m for m in MODELS if m in baseline_results]
    ranks = {i: r for m in models for i, r in MODELS[m].key_judgment_ranks.items()}
    return [row["judgment"] for row in front_page.key_judgments(briefing.gather_judgments(baseline_results, models), ranks)]


@pytest.fixture(scope="module")
def numbered(judgments, key_judgments):
    """Judgments as the briefing numbers them: the key ones first, in rank order, then the rest."""
    return key_judgments + [j for j in judgments if j not in key_judgments]


@pytest.fixture(scope="module")
def manifest(baseline_run):
    return json.loads((baseline_run / "manifest.json").read_text())


def test_front_page_header(page, manifest, baseline_results):
    html, _ = page
    front = _text(_block(html, r'<section id="front-page">.*?</section>'))
    assert front.startswith(briefing.HANDLING)
    assert briefing.TITLE in front and "Russian ground forces in Ukraine, spring 2022" in front
    assert "Information cut-off 11 April 2022 (day 47; day 1 is 24 February 2022)" in front
    assert "counts describe 6 April 2022" in front
    started = manifest["started_utc"][:10].split("-")
    assert f"run {int(started[2])} " in front and started[0] in front
    # Quick runs differ from the baseline in n_samples only: the front page says so, the annex says which.
    assert "1 parameter differs from the baseline" in front
    annex = _text(_block(html, r'<section class="annex" id="annex-parameters">.*?</section>'))
    assert f"1 differs from the baseline: {label('n_samples')} = 4000 draws (baseline 20000)" in annex
    assert briefing.AUTHOR in _text(html[html.index('<footer id="provenance">'):])


def test_front_page_lists_the_key_judgments_in_rank_order(page, key_judgments):
    html, _ = page
    front = _block(html, r'<section id="front-page">.*?</section>')
    assert 3 <= len(key_judgments) <= 5  # ICD 203: a few key judgments, not a list of numbers
    assert re.findall(r'<li class="key-judgment[^"]*" id="key-([^"]+)"', front) == [j["id"] for j in key_judgments]
    for number, judgment in enumerate(key_judgments, start=1):
        band = likelihood(judgment["probability"]["probability"])
        line = _block(front, rf'<li [^>]*id="key-{judgment["id"]}"[^>]*>.*?</li>')
        assert f'data-number="{number}"' in line
        assert f'<strong class="term">{band.term}</strong>' in line
        assert f"({round(band.low * 100)}%–{round(band.high * 100)}%)" in line
        assert judgment["statement"] in _text(line)
        assert re.search(r'<span class="confidence-level"[^>]*>(low|moderate|high) confidence</span>', line)


def test_every_judgment_is_a_card_on_its_models_page(page, baseline_results, numbered):
    html, _ = page
    for model in MODELS:
        if model not in baseline_results:
            continue
        own = _block(html, rf'<section class="model-page" id="model-{model}">.*?</section>')
        assert own.count("<figure") <= 1, f"{model}'s page shows more than one figure"
        for judgment in baseline_results[model].get("judgments", []):
            band = likelihood(judgment["probability"]["probability"])
            card = _block(own, rf'<li [^>]*id="judgment-{judgment["id"]}"[^>]*>.*?</li>')
            sentence = _block(card, r'<p class="judgment">.*?</p>')
            assert f'<strong class="term">{band.term}</strong>' in sentence
            # "There is almost no chance", never "It is almost no chance".
            assert _text(sentence).startswith(("There is " if band.term.endswith("chance") else "It is ") + band.term)
            assert f"({round(band.low * 100)}%–{round(band.high * 100)}%)" in sentence
            assert judgment["statement"] in _text(sentence)
            numbers = _text(_block(card, r'<p class="numbers">.*?</p>'))
            assert f"{100 * judgment['probability']['probability']:.1f}%" in numbers
            if "n_samples" in judgment["probability"]:
                assert "Monte Carlo error" in numbers
            assert f'data-number="{numbered.index(judgment) + 1}"' in card


def test_confidence_is_separate_from_likelihood_and_follows_the_rule(page, judgments, baseline_results):
    html, _ = page
    sources = {s["claim_id"]: s for section in baseline_results.values() if isinstance(section, dict)
               for s in section.get("sources", [])}
    # Inputs are named by their labels, in the case's words.
    labels = {spec.name: in_case_words(spec.label, baseline_results["case"]) for spec in specs()}
    for judgment in judgments:
        card = _block(html, rf'<li [^>]*id="judgment-{judgment["id"]}"[^>]*>.*?</li>')
        expected = confidence.rate(judgment, sources, labels=labels)
        assert expected.level == _confidence_by_hand(judgment, sources), judgment["id"]
        assert f"confidence-{expected.level}" in card and expected.sentences[0] in _text(card)
        full = _block(html, rf'<div class="judgment-full" id="full-{judgment["id"]}">.*?</div>')
        statement = _text(_block(full, r'<p class="confidence">.*?</p>'))
        assert statement == expected.statement
        # Never in the same sentence, nor even the same paragraph, as a likelihood term.
        for term in TERMS:
            assert not re.search(rf"\b{re.escape(term)}\b", statement), (judgment["id"], term)
        assert "confidence" not in _text(_block(card, r'<p class="judgment">.*?</p>')).lower()


def test_every_source_used_is_listed_once(page, baseline_results, judgments):
    html, _ = page
    table = _block(html, r'<table class="sources">.*?</table>')
    listed = re.findall(r'<tr id="claim-([^"]+)"', table)
    assert len(listed) == len(set(listed))
    cited = {p["claim_id"] for section in baseline_results.values() if isinstance(section, dict)
             for p in section.get("parameters", []) if p["claim_id"]}
    cited |= {c for j in judgments for c in j.get("claim_ids", [])}
    assert cited <= set(listed)
    for section in baseline_results.values():
        if isinstance(section, dict):
            for source in section.get("sources", []):
                row = _text(_block(table, rf'<tr id="claim-{source["claim_id"]}">.*?</tr>'))
                for field in ("originator", "outlet", "grade"):
                    assert source[field] in row


def test_no_code_no_traceback_no_external_urls(page):
    html, collector = page
    text = " ".join(collector.text)
    for marker in ("Traceback", "Error", "Warning", "In [", "Out[", "def ", "import "):
        assert marker not in text, marker
    assert "\x1b[" not in html
    for tag, attrs in collector.tags:
        assert tag not in ("script", "iframe", "object", "embed")
        assert not (tag == "link" and attrs.get("rel") == "stylesheet")
        for key in ("src", "href", "srcset", "data", "poster"):
            value = attrs.get(key) or ""
            assert not re.match(r"^\s*([a-z]+:)?//", value, re.I), (tag, value)
            assert not value.startswith(("http:", "https:")), (tag, value)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert styles and not any(re.search(r"@import|url\(", css) for css in styles)
    assert "@media print" in styles[0]


def test_figures_are_embedded_with_alt_text_and_written_beside(page, baseline_run):
    html, collector = page
    images = [attrs for tag, attrs in collector.tags if tag == "img"]
    pngs = sorted(p.name for p in baseline_run.glob("*.png"))
    assert {"attrition_fan.png", "attrition_first_passage.png", "attrition_intervals.png",
            "attrition_readings.png", "sensitivity_attrition-threshold.png"} <= set(pngs)
    # Every PNG written appears once in the page, embedded, and nothing else does.
    assert len(images) == len(pngs)
    embedded = {attrs["src"] for attrs in images}
    import base64

    for name in pngs:
        data = "data:image/png;base64," + base64.b64encode((baseline_run / name).read_bytes()).decode()
        assert data in embedded, name
    for attrs in images:
        assert len(attrs.get("alt", "")) > 40
    assert {"judgments.csv", "sources.csv", "parameters.csv", "attrition_projection.csv"} <= {
        p.name for p in baseline_run.glob("*.csv")}


def _confidence_by_hand(judgment: dict, sources: dict) -> str:
    """The confidence rule as the appendix states it (confidence.RULE), applied here without the
    package: only claim_ids count (never question_claim_ids); claims sharing an evidence_line or an
    originator_id are one line of evidence (joined transitively); high if every claim is A/B and 1/2
    and they form two or more lines, moderate if every claim is at least C3, else low (also with no
    claims or an ungraded one); one level down if the band changes across the plausible ranges, at
    most moderate if it was not tested."""
    levels = ["low", "moderate", "high"]
    rows = [sources.get(c) for c in judgment.get("claim_ids", [])]
    if not rows or any(r is None for r in rows):
        level = 0
    else:
        grades = [(r["reliability"], str(r["credibility"])) for r in rows]
        lines: list[set] = []
        for r in rows:
            ids = {("line", r["evidence_line"]), ("originator", r["originator_id"])}
            for line in [line for line in lines if line & ids]:
                lines.remove(line)
                ids |= line
            lines.append(ids)
        if all(g[0] in "AB" and g[1] in "12" for g in grades) and len(lines) >= 2:
            level = 2
        elif all(g[0] in "ABC" and g[1] in "123" for g in grades):
            level = 1
        else:
            level = 0
    sensitivity = judgment.get("sensitivity")
    if sensitivity is None:
        level = min(level, 1)
    elif not sensitivity["holds"]:
        level = max(level - 1, 0)
    return levels[level]


def test_key_tables_are_the_recorded_numbers(baseline_run, baseline_results, judgments, numbered):
    import pandas as pd

    table = pd.read_csv(baseline_run / "judgments.csv").set_index("id")
    assert list(table.index) == [j["id"] for j in numbered]
    sources = {row["claim_id"]: row for section in baseline_results.values() if isinstance(section, dict)
               for row in section.get("sources", [])}
    for judgment in judgments:
        assert table.loc[judgment["id"], "probability"] == judgment["probability"]["probability"]
        assert table.loc[judgment["id"], "term"] == judgment["term"]
        assert table.loc[judgment["id"], "confidence"] == _confidence_by_hand(judgment, sources), judgment["id"]


def test_assumptions_are_kept_apart_from_reported_facts(page, baseline_results):
    html, _ = page
    reported = html.index("Inputs taken from reporting")
    assumed = html.index("Analyst assumptions")
    for row in baseline_results["attrition"]["parameters"]:
        position = html.index(f'id="input-{row["name"]}"', reported)
        assert (position < assumed) == (row["kind"] == "reported"), row["name"]


def test_alternative_readings_of_the_75_percent(page, baseline_results):
    html, _ = page
    section = _text(html[html.index('id="method-attrition"'):html.index('id="method-resupply"')])
    readings = baseline_results["attrition"]["seventy_five"]
    assert "Share of the army" in section and "Combat power retained" in section
    assert f"{readings['share_of_army']['pool_from_share']['low']:,.0f}" in section


def test_parameters_appendix_lists_every_parameter(page, baseline_results):
    html, _ = page
    appendix = _block(html, r'<section class="annex" id="annex-parameters">.*?</section>')
    names = {p["name"] for section in baseline_results.values() if isinstance(section, dict)
             for p in section.get("parameters", [])}
    assert set(re.findall(r'<tr id="parameter-([^"]+)"', appendix)) == names
    language = _text(_block(html, r'<section class="annex" id="annex-language">.*?</section>'))
    assert all(sentence in language for sentence in confidence.RULE)
    from estimates.report.front_page import KEY_JUDGMENT_RULE

    assert KEY_JUDGMENT_RULE in language


def test_provenance_footer(page, baseline_run, manifest):
    html, _ = page
    footer = html[html.index('<footer id="provenance">'):]
    assert baseline_run.name in footer
    assert manifest["parameters_sha256"] in footer and f"Seed</dt><dd>{manifest['seed']}<" in footer
    for path, digest in manifest["data_files"].items():
        assert path in footer and digest in footer
    assert manifest["package"]["version"] in footer and manifest["package"]["source_sha256"] in footer


# --- rendering from results.json alone ----------------------------------------------------------------

def _render(results, manifest, tmp_path):
    return briefing.render_briefing(results, manifest, tmp_path).read_text()


def test_sections_render_only_when_their_model_is_present(baseline_results, manifest, tmp_path):
    results = {"schema_version": 2, "attrition": copy.deepcopy(baseline_results["attrition"])}
    html = _render(results, manifest, tmp_path)
    assert 'id="intervals"' in html
    assert 'id="judgment-resupply' not in html and "resupply_" not in html
    # A model the briefing has no template for still contributes judgments, sources and parameters.
    other = copy.deepcopy(baseline_results["attrition"])
    for judgment in other["judgments"]:
        judgment["id"] = "other-" + judgment["id"]
    html = _render({"schema_version": 2, "other": other}, manifest, tmp_path)
    assert 'id="intervals"' not in html and "the &#34;about 75%&#34;" not in html.lower()
    assert 'id="judgment-other-attrition-threshold"' in html
    assert 'id="claim-btg-ineffective-29"' in html


def test_claim_text_is_escaped(baseline_results, manifest, tmp_path):
    results = copy.deepcopy(baseline_results)
    results["attrition"]["sources"][0]["statement"] = '<script>alert("x")</script>'
    results["attrition"]["judgments"][0]["statement"] = "a <b>bold</b> claim"
    html = _render(results, manifest, tmp_path)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "a &lt;b&gt;bold&lt;/b&gt; claim" in html


def test_the_uk_yardstick_is_printed_when_asked_and_the_record_stays_icd_203(baseline_results, manifest, tmp_path):
    from estimates.core.wording import likelihood

    asked = {**manifest, "parameters": {**manifest["parameters"], "likelihood_scale": "uk"}}
    html = _render(copy.deepcopy(baseline_results), asked, tmp_path)
    assert 'id="scale-uk"' in html and "realistic possibility" in html and "UK Probability Yardstick" in html
    for section in baseline_results.values():
        for judgment in section.get("judgments", []) if isinstance(section, dict) else []:
            card = _block(html, rf'<li class="judgment-card[^"]*" id="judgment-{judgment["id"]}".*?</li>')
            printed = likelihood(judgment["probability"]["probability"], "uk")
            assert f'<strong class="term">{printed.term}</strong>' in card
            # The confidence rests on ICD 203 bands whatever is printed: the same as the ICD briefing's.
            assert judgment["term"] == likelihood(judgment["probability"]["probability"]).term
    default = _render(copy.deepcopy(baseline_results), manifest, tmp_path)
    assert 'id="scale-icd203"' in default and "realistic possibility" not in default
