"""A second case, written from scratch: another conflict, another unit type, a rail route.

Day 1 is 15 June 2024; 17 of 60 "regiments" are reported combat-ineffective on 3 August 2024 (day
50), which is also the information cut-off. Nothing in it comes from the bundled case, so a word of
the seed's that reaches its briefing came from code or templates.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

START = dt.date(2024, 6, 15)
COUNT_DATE = dt.date(2024, 8, 3)
COMMITTED, INEFFECTIVE = 60, 17

#: Words that belong to the bundled case only.
SEED_WORDS = ("BTG", "Russia", "Ukrain", "Caspian", "Anzali", "Astrakhan", "Shalamcheh", "Iraq", "Iran",
              "Kyiv", "24 February 2022")

LEDGER_COLUMNS = ("claim_id", "statement", "quantity", "quantity_low", "quantity_high", "unit", "event_date",
                  "report_date", "originator", "originator_id", "outlet", "outlet_id", "carried_by",
                  "evidence_line", "reliability", "credibility",
                  "grade_reason", "seed_text")


def _claim(claim_id, statement, quantity="", unit="", event="2024-08-03", report="2024-08-03", grade="B2",
           low="", high=""):
    return {"claim_id": claim_id, "statement": statement, "quantity": quantity, "quantity_low": low,
            "quantity_high": high, "unit": unit, "event_date": event, "report_date": report,
            "originator": "Defence ministry of the southern state", "originator_id": "southern-defence-ministry",
            "outlet": "Daily bulletin", "outlet_id": "daily-bulletin", "carried_by": "case:northern-2024",
            "evidence_line": f"bulletin-{report}", "reliability": grade[0], "credibility": grade[1],
            "grade_reason": "A belligerent's official count of its enemy's units: usually reliable, not confirmed.",
            "seed_text": ""}


CLAIMS = [
    _claim("regiments-committed-60", "The northern army committed 60 regiments to the campaign.", 60, "regiment",
           event="2024-06-15", report="2024-06-20"),
    _claim("regiments-ineffective-17", "By 3 August, 17 of the 60 regiments were judged combat ineffective.", 17,
           "regiment"),
    _claim("trains-four", "Four trains a week were said to carry supplies to the railhead.", 4, "train",
           event="2024-07-01", report="2024-07-02", grade="C3"),
    _claim("rocket-launchers-moved", "Six rocket launchers were moved to the railhead on 10 July.", 6, "launcher",
           event="2024-07-10", report="2024-07-12", grade="C3"),
    _claim("regiment-size-tanks", "A regiment of the northern army fields about 30 tanks.", 30, "tank",
           event="2024-06-15", report="2024-06-15", grade="C2", low=25, high=35),
    _claim("armour-losses-claimed", "The southern ministry claims 400 tanks destroyed by 3 August.", 400, "tank"),
]

CASE_YAML = """\
title: The northern army's summer campaign, 2024
conflict_start: 2024-06-15
subject: the northern army
unit_singular: regiment
unit_plural: regiments
unit_short: regt
reporting: the southern defence ministry
route:
  - mode: rail
    label: depot to the railhead
    carrier: train
  - mode: rail
    label: railhead to the front
models: [{models}]
loss_categories:
  tanks: armour
claims:
  units_committed: regiments-committed-60
  units_ineffective: regiments-ineffective-17
  count_date: regiments-ineffective-17
  ship_count: trains-four
parameters:
  as_of: 2024-08-03
  count_date: 2024-08-03
  units_committed: 60
  units_ineffective: 17
  count_uncertainty: 0
  denominator_uncertainty: 0
  ship_count: 4
  claims_path: claims.csv
  statements_path: statements.csv
  transfers_path: transfers.csv
  holdings_path: holdings.csv
  grades_path: grades.csv
  losses_path: losses.csv
"""


def write_csv(path: Path, rows: list[dict], columns) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_second_case(folder: Path, models: tuple[str, ...] = ("attrition", "pooling", "resupply")) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.yaml").write_text(CASE_YAML.format(models=", ".join(models)), encoding="utf-8")
    write_csv(folder / "claims.csv", CLAIMS, LEDGER_COLUMNS)
    write_csv(folder / "statements.csv", [
        {"observation_id": "ministry-17", "claim_ids": "regiments-ineffective-17", "event_date": "2024-08-03",
         "count_low": 17, "count_high": 17, "share_above": "", "reading": "17 of the 60 committed."},
    ], ("observation_id", "claim_ids", "event_date", "count_low", "count_high", "share_above", "reading"))
    write_csv(folder / "transfers.csv", [
        {"consignment_id": "launchers", "claim_id": "rocket-launchers-moved", "category": "rocket_artillery",
         "quantity": 6, "quantity_parameter": "", "mass_low_t": 10, "mass_high_t": 20,
         "departure_date": "2024-07-10", "note": "Six launchers; mass per launcher an assumption."},
    ], ("consignment_id", "claim_id", "category", "quantity", "quantity_parameter", "mass_low_t", "mass_high_t",
        "departure_date", "note"))
    write_csv(folder / "holdings.csv", [
        {"category": "armour", "label": "tanks", "level": "btg", "unit": "tank", "per_unit_low": 25,
         "per_unit_high": 35, "claim_id": "regiment-size-tanks", "grade": "C2", "note": "About 30 tanks."},
        {"category": "rocket_artillery", "label": "rocket launchers", "level": "btg", "unit": "launcher",
         "per_unit_low": 6, "per_unit_high": 12, "claim_id": "", "grade": "assumption",
         "note": "One battalion of rocket artillery per regiment: an assumption."},
    ], ("category", "label", "level", "unit", "per_unit_low", "per_unit_high", "claim_id", "grade", "note"))
    grades = [{"scale": "reliability", "grade": g, "probability": p, "meaning": m, "reason": "assumed"}
              for g, p, m in (("A", 0.95, "completely reliable"), ("B", 0.8, "usually reliable"),
                              ("C", 0.6, "fairly reliable"), ("D", 0.4, "not usually reliable"),
                              ("E", 0.2, "unreliable"), ("F", "base_rate", "cannot be judged"))]
    grades += [{"scale": "credibility", "grade": g, "probability": p, "meaning": m, "reason": "assumed"}
               for g, p, m in (("1", 0.95, "confirmed"), ("2", 0.8, "probably true"), ("3", 0.6, "possibly true"),
                               ("4", 0.4, "doubtful"), ("5", 0.1, "improbable"), ("6", "base_rate", "cannot be judged"))]
    write_csv(folder / "grades.csv", grades, ("scale", "grade", "probability", "meaning", "reason"))
    days = [START + dt.timedelta(days=d) for d in range(0, 50)]
    write_csv(folder / "losses.csv", [
        {"date": day.isoformat(), "category": "tanks", "cumulative": 8 * (i + 1)} for i, day in enumerate(days)
    ], ("date", "category", "cumulative"))
    return folder
