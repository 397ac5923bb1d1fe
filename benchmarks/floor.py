"""The compute floor: every notebook of the suite run once in one plain IPython process, no kernels.

Usage (from benchmarks/run.py): ``python benchmarks/floor.py PARAMS.json MANIFEST.json OUT_DIR RESULT.json``

The same code cells as ``estimates run`` executes, with the parameters papermill would inject placed
after each ``parameters`` cell, figures rendered to PNG by the same inline backend a kernel uses,
and the briefing rendered from the recorded sections. What it leaves out is exactly the overhead the
suite adds: starting kernels, papermill, and writing executed notebooks.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from pathlib import Path

started = time.perf_counter()


def main(params_path: str, manifest_path: str, out_dir: str, result_path: str) -> None:
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell

    from estimates.parameters.schema import validate
    from estimates.report import record
    from estimates.report.briefing import render_briefing
    from estimates.run import plan
    from estimates.run import suite as runner

    params = validate(json.loads(Path(params_path).read_text()))
    captured: dict[str, dict] = {}
    original = record.record

    def capture(model: str, payload: dict) -> dict:
        captured[model] = original(model, payload)
        return captured[model]

    record.record = capture  # the notebooks call record.record(...) through the module
    shell = InteractiveShell.instance()
    shell.enable_gui = lambda gui=None: None  # no event loop to hook: figures go through display()
    shell.run_line_magic("matplotlib", "inline")  # as in a kernel: each figure rendered to PNG
    timings = {}
    for spec in plan.SUITE:
        tick = time.perf_counter()
        shell.reset(new_session=False)
        for cell in nbformat.read(spec.path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            with contextlib.redirect_stdout(io.StringIO()):
                outcome = shell.run_cell(cell.source, store_history=False)
            outcome.raise_error()
            if "parameters" in cell.metadata.get("tags", []):
                shell.user_ns.update(params.for_model(spec.name))
        timings[spec.name] = time.perf_counter() - tick
    tick = time.perf_counter()
    results = runner.assemble_results({name: captured[name] for name in (s.name for s in plan.SUITE)},
                                      runner.case_summary(params))
    manifest = json.loads(Path(manifest_path).read_text())
    render_briefing(results, manifest, Path(out_dir))
    timings["briefing"] = time.perf_counter() - tick
    Path(result_path).write_text(json.dumps({"seconds": time.perf_counter() - started, "parts": timings,
                                             "results": results}))


if __name__ == "__main__":
    main(*sys.argv[1:5])
