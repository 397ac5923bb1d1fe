"""The HTML briefing: structure a reader relies on, checked on the baseline run."""

import re
from html.parser import HTMLParser

import pytest

from estimates.wording import likelihood


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def page(baseline_run):
    html = (baseline_run / "briefing.html").read_text()
    collector = _Collector()
    collector.feed(html)
    return html, collector


def test_judgments_carry_the_term_matching_their_probability(page, baseline_results):
    html, _ = page
    for judgment in baseline_results["attrition"]["judgments"]:
        term = likelihood(judgment["probability"]["probability"]).term
        block = re.search(rf'id="judgment-{judgment["id"]}">(.*?)</li>', html, re.S).group(1)
        assert f'<strong class="term">{term}</strong>' in block


def test_every_source_used_is_listed(page, baseline_results):
    html, _ = page
    for source in baseline_results["attrition"]["sources"]:
        assert f'id="claim-{source["claim_id"]}"' in html
    claimed = {p["claim_id"] for p in baseline_results["attrition"]["parameters"] if p["claim_id"]}
    assert claimed <= {s["claim_id"] for s in baseline_results["attrition"]["sources"]}


def test_no_code_no_traceback_no_external_urls(page):
    html, collector = page
    text = " ".join(collector.text)
    assert "Traceback" not in text and "Error" not in text
    assert "In [" not in text and "\x1b[" not in html
    for tag, attrs in collector.tags:
        assert tag != "script"
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not re.match(r"^(https?:)?//", value), (tag, value)


def test_figures_are_embedded_with_alt_text(page, baseline_run):
    _, collector = page
    images = [attrs for tag, attrs in collector.tags if tag == "img"]
    assert len(images) >= 3
    for attrs in images:
        assert attrs["src"].startswith("data:image/png;base64,")
        assert len(attrs.get("alt", "")) > 20
    assert sorted(p.name for p in baseline_run.glob("*.png")) == [
        "attrition_fan.png", "attrition_first_passage.png", "attrition_intervals.png"]
    assert {p.name for p in baseline_run.glob("*.csv")} == {"judgments.csv", "projection.csv", "sources.csv"}


def test_assumptions_are_kept_apart_from_reported_facts(page, baseline_results):
    html, _ = page
    reported = html.index("Inputs taken from reporting")
    assumed = html.index("Analyst assumptions")
    for row in baseline_results["attrition"]["parameters"]:
        position = html.index(f"<code>{row['name']}</code> = ", reported)
        assert (position < assumed) == (row["kind"] == "reported"), row["name"]


def test_provenance_footer(page, baseline_run):
    html, _ = page
    footer = html[html.index('<footer id="provenance">'):]
    assert baseline_run.name in footer
    assert "data/claims.csv" in footer
    assert re.search(r"[0-9a-f]{64}", footer)
