"""Watching: a run that moves a judgment across a band or confidence level raises one alert for it."""

from __future__ import annotations

import json
import shutil
import sys

from estimates.track.watch import ALERTS

from .conftest import quick_flags, run_cli

RECEIVER = "import sys, pathlib\npathlib.Path(sys.argv[1]).open('a').write(sys.stdin.read() + '\\n')\n"


def test_a_moved_band_is_one_alert_on_file_and_on_the_commands_stdin(baseline_root, tmp_path):
    root = tmp_path / "reports"
    shutil.copytree(baseline_root, root, symlinks=True)
    receiver, received = tmp_path / "receive.py", tmp_path / "received dir" / "got.jsonl"
    receiver.write_text(RECEIVER)
    received.parent.mkdir()
    # Reconstitution is an assumption, not a reported value: not a scenario, so its moves are watched.
    done = run_cli("run", "--out", str(root), *quick_flags(reconstitution_per_week=6),
                   "--alert-command", f"{sys.executable} {receiver} '{received}'")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((root / "latest" / "manifest.json").read_text())
    moved = {j["id"] for j in manifest["compared_with"]["judgments"]
             if j["term_changed"] or (j["old"] and j["new"] and j["old"]["confidence"] != j["new"]["confidence"])}
    assert moved, "the change was meant to move a judgment across a band"
    written = [json.loads(line) for line in (root / ALERTS).read_text().splitlines()]
    assert sorted(a["judgment_id"] for a in written) == sorted(moved)  # exactly one alert each
    assert [json.loads(line) for line in received.read_text().splitlines()] == written
    for alert in written:
        assert alert["run_id"] == manifest["run_id"] and alert["changed"]
        assert any(i["name"] == "reconstitution_per_week" for i in alert["inputs_changed"])


def test_a_scenario_raises_no_alert_and_a_bad_command_is_refused_up_front(baseline_root, tmp_path):
    root = tmp_path / "reports"
    shutil.copytree(baseline_root, root, symlinks=True)
    bad = run_cli("run", "--out", str(root), *quick_flags(), "--alert-command", "echo 'unbalanced")
    assert bad.returncode == 2 and "--alert-command" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    done = run_cli("run", "--out", str(root), *quick_flags(units_ineffective=45), "--alert-command", "false")
    assert done.returncode == 0, done.stderr
    assert not (root / ALERTS).exists()  # 45 departs from the reported 29: a scenario
