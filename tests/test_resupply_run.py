"""The resupply section of a real run: recorded by its notebook, consistent with attrition's."""

import json

import jsonschema

from estimates.core.randomness import model_rng
from estimates.models.attrition import assessment as attrition
from estimates.parameters.schema import validate
from estimates.report.results_schema import results_schema


def test_resupply_section_is_recorded_and_valid(baseline_results):
    assert "resupply" in baseline_results
    jsonschema.validate(baseline_results, results_schema())
    section = baseline_results["resupply"]
    assert set(section["categories"]) >= {"armour", "anti_armour", "strategic_air_defence"}
    assert section["categories"]["strategic_air_defence"]["share_of_losses_replaced"] is None
    assert "armour" in section["binding_constraint"]


def test_quantity_assumptions_are_labelled_as_assumptions(baseline_results):
    rows = {r["name"]: r for r in baseline_results["resupply"]["parameters"]}
    for name in ("rpg_launchers_low", "rpg_launchers_high", "atgm_launchers_low", "atgm_launchers_high"):
        assert rows[name]["kind"] == "assumption" and rows[name]["claim_id"] is None
    assert rows["ship_count"]["claim_id"] == "caspian-three-ships"


def test_every_transfer_claim_is_in_the_sources(baseline_results):
    sources = {s["claim_id"] for s in baseline_results["resupply"]["sources"]}
    truth = {t["claim_id"] for t in baseline_results["resupply"]["claim_truth"]}
    assert truth <= sources
    assert {"rpg-atgm-shalamcheh-2022-03-26", "bavar373-donated", "s300-returned"} <= truth


def test_attrition_through_the_package_matches_the_attrition_section(baseline_run, baseline_results):
    # Resupply computes attrition through the package with attrition's own stream; those numbers
    # must be the attrition notebook's numbers exactly.
    manifest = json.loads((baseline_run / "manifest.json").read_text())
    params = validate({k: v for k, v in manifest["parameters"].items()})
    recomputed = attrition.assess(params, attrition.load(params), model_rng(params.seed, "attrition")).to_dict()
    recorded = baseline_results["attrition"]
    for key in ("proportion", "with_reporting_uncertainty", "projection", "hazard"):
        assert recomputed[key] == recorded[key], key


def test_the_route_and_words_are_the_cases(baseline_results):
    # Read independently of the package: the bundled case.yaml's route and words.
    import yaml

    from estimates.paths import DATA_DIR

    case = yaml.safe_load((DATA_DIR / "case.yaml").read_text(encoding="utf-8"))
    section = baseline_results["resupply"]
    legs = [{"mode": leg["mode"], "label": leg["label"], "carrier": leg.get("carrier")} for leg in case["route"]]
    assert section["route"]["legs"] == legs
    assert section["route"]["carrier"] == next(leg["carrier"] for leg in legs if leg["carrier"])
    rows = {r["name"]: r for r in section["parameters"]}
    assert section["route"]["carrier_count"] == rows["ship_count"]["value"]
    assert {k: case[k] for k in ("subject", "unit_singular", "unit_plural", "unit_short")}.items() <= \
        section["words"].items()
    # The default cut-off (11 April 2022) is the day the transfer claims were reported: none left out.
    assert section["after_cutoff"] == []
    assert {c["level"] for c in section["categories"].values()} == {"unit", "theatre"}
