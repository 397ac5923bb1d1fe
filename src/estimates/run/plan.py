"""What a run will execute, and everything checked before any of it starts.

The suite is the registry's models (:data:`estimates.registry.MODELS`), each with its notebook and
the models it depends on; :func:`preflight` checks the notebooks, the output root and (through
each model's ``load`` and ``check``) every input file the parameters name, so bad input exits 2
before anything is written or any kernel starts.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from estimates.errors import InputError
from estimates.parameters.schema import Parameters
from estimates.registry import MODELS

#: For tests: a directory of notebooks to run instead of the registry's, each named by its file
#: stem, with the notebooks it depends on in its metadata (``{"estimates": {"depends": [...]}}``).
SUITE_DIR_ENV = "ESTIMATES_SUITE_DIR"


@dataclass(frozen=True)
class NotebookSpec:
    name: str
    path: Path
    depends: tuple[str, ...] = ()


#: The registry's models, in order: each model's notebook runs once those it depends on are done.
SUITE: tuple[NotebookSpec, ...] = tuple(NotebookSpec(m.name, m.notebook, m.depends) for m in MODELS.values())


def preflight(out_root: Path, suite: tuple[NotebookSpec, ...] | None = None,
              params: Parameters | None = None) -> None:
    """Check everything that can be checked before anything is created or any kernel starts.

    With ``params``, the data files they name are read and validated too (the claims ledger), so a
    bad ledger is invalid input (exit 2) rather than a notebook failure.
    """
    suite = suite or default_suite(params)
    for spec in suite:
        if not spec.path.is_file():
            raise InputError(f"notebook '{spec.name}' not found at {spec.path}")
    check_dependencies(suite)
    out_root = Path(out_root)
    probe = out_root
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"--out {out_root}: {probe} is not a directory; give a writable directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"--out {out_root}: {probe} is not writable; give a writable directory")
    if params is not None:
        check_inputs(params, suite)


def check_inputs(params: Parameters, suite: tuple[NotebookSpec, ...]) -> None:
    """Load and check every input file of the suite's models; InputError naming the parameter."""
    for spec in suite:
        if spec.name in MODELS:
            MODELS[spec.name].load(params)


def default_suite(params: Parameters | None = None) -> tuple[NotebookSpec, ...]:
    """:data:`SUITE` (with ``params``, only the models their case runs), or the notebooks in
    ``$ESTIMATES_SUITE_DIR`` (for tests run as a subprocess)."""
    folder = os.environ.get(SUITE_DIR_ENV)
    if not folder:
        if params is None:
            return SUITE
        # A notebook that is no registered model (a test's stand-in) is not the case's to switch off.
        return tuple(spec for spec in SUITE if spec.name in params.models or spec.name not in MODELS)
    specs = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("estimates", {})
        specs.append(NotebookSpec(path.stem, path, tuple(meta.get("depends", ()))))
    if not specs:
        raise InputError(f"{SUITE_DIR_ENV}={folder}: no notebooks there")
    return tuple(specs)


def check_dependencies(suite: tuple[NotebookSpec, ...]) -> None:
    """Every name once, every dependency in the suite, and no cycle; InputError otherwise."""
    names = [spec.name for spec in suite]
    for name in names:
        if names.count(name) > 1:
            raise InputError(f"notebook '{name}' appears twice in the suite")
    for spec in suite:
        for dep in spec.depends:
            if dep not in names:
                raise InputError(f"notebook '{spec.name}' depends on '{dep}', which is not in the suite")
    placed: set[str] = set()
    remaining = list(suite)
    while remaining:
        ready = [spec for spec in remaining if set(spec.depends) <= placed]
        if not ready:
            raise InputError("notebooks depend on each other in a cycle: "
                             + ", ".join(sorted(spec.name for spec in remaining)))
        placed.update(spec.name for spec in ready)
        remaining = [spec for spec in remaining if spec.name not in placed]
