"""Watching: a published run whose judgment changed band or confidence says so, once, where it is heard.

A run is compared with the last published run of its case that is not a scenario
(:func:`estimates.report.diff.previous_published`). Each judgment whose ICD 203 band or confidence
level differs between the two becomes one alert: a JSON object with both sides, the inputs that
changed between the runs and what the attribution found moved the judgment. Alerts are appended to
``ROOT/alerts.jsonl`` (one line each) and, with ``--alert-command``, each is given to that command
on its standard input. The command line is split as a shell would split it but never run by a shell,
and no alert text is ever put into it: claim text is hostile input. A command that fails is logged;
the run that published still succeeded.

A scenario run judges a hypothetical and a run compared with an earlier one of the user's choosing
(``--since``) answers a question the user asked: neither raises alerts.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

ALERTS = "alerts.jsonl"
#: How long an alert command may take.
COMMAND_S = 60


def alerts(changes, manifest: dict, *, case: str, scenario: bool) -> list[dict]:
    """The alerts of a run from its :class:`~estimates.report.changes.Comparison` with the previous one."""
    from estimates.report.diff import DEFAULT_CHOICE

    if changes is None or scenario or changes.chosen != DEFAULT_CHOICE:
        return []
    found = []
    for change in changes.judgments:
        changed = [what for what, moved in (("band", change.term_changed),
                                            ("confidence", change.confidence_changed)) if moved]
        if not changed or change.question_changed:
            continue
        side = lambda s: {"probability": s.probability, "band": s.term, "confidence": s.confidence}  # noqa: E731
        found.append({
            "run_id": manifest["run_id"], "compared_with": changes.old_run,
            "case": case,
            "judgment_id": change.id, "model": change.model, "statement": change.statement,
            "changed": changed, "old": side(change.old), "new": side(change.new),
            "moved_by": [cause.describe() for cause in change.causes],
            "inputs_changed": [i.to_dict() for i in changes.inputs]})
    return found


def deliver(root: Path, found: list[dict], command: str | None, log) -> None:
    """Append ``found`` to ``ROOT/alerts.jsonl`` and hand each to ``command``'s standard input."""
    if not found:
        return
    with open(Path(root) / ALERTS, "a", encoding="utf-8") as stream:
        for alert in found:
            stream.write(json.dumps(alert, sort_keys=True) + "\n")
    if not command:
        return
    argv = shlex.split(command)
    for alert in found:
        try:
            done = subprocess.run(argv, input=json.dumps(alert), text=True, capture_output=True, timeout=COMMAND_S)
        except (OSError, subprocess.TimeoutExpired) as error:
            log.warning("alert command %s failed: %s", argv[0], error)
            continue
        if done.returncode != 0:
            log.warning("alert command %s exited %d: %s", argv[0], done.returncode, done.stderr.strip()[-300:])
