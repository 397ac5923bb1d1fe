"""The layout is the architecture: imports run one way, models stay in their folders, modules stay small.

Each module of the package belongs to a layer; it may import from its own layer and the layers
below, never above. This reads every ``import`` statement (module level and inside functions) with
``ast``, so a dependency cannot hide in a function body.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from estimates.registry import MODELS

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "estimates"
MAX_LINES = 450

#: Layers from the bottom. A pattern is a module name, or a prefix ending in ``.*``.
LAYERS: tuple[tuple[str, ...], ...] = (
    # pure maths and wording, plot primitives, exit codes, paths, atomic writes, what a model is
    ("estimates", "estimates.core", "estimates.core.*", "estimates.errors", "estimates.paths", "estimates.storage",
     "estimates.charts", "estimates.model"),
    ("estimates.inputs", "estimates.inputs.*"),
    # declarations only: parameter fields, each model's description and parameters, the registry
    ("estimates.parameters", "estimates.parameters.fields", "estimates.parameters.shared", "estimates.models",
     "estimates.models.uses", r"estimates.models.<model>", r"estimates.models.<model>.parameters", "estimates.registry"),
    ("estimates.parameters.*",),
    ("estimates.report", "estimates.report.record", "estimates.report.provenance"),
    (r"estimates.models.<model>.*",),
    ("estimates.report.*",),
    # the track record: judgments kept across published runs
    ("estimates.track", "estimates.track.*"),
    # running the suite; the analyst's workbench (JupyterLab on a working copy) and its browser driver
    ("estimates.run", "estimates.run.*", "estimates.workbench", "estimates.lab_browser"),
    ("estimates.sweep", "estimates.sweep.*", "estimates.track.commands", "estimates.track.backtest"),
    ("estimates.cli",),
)

#: Imports inside a function that reach a layer above, each with why it is not a dependency of the
#: module itself.
LAZY_UPWARD = {
    # The Model description is imported by the registry; its methods dispatch, at call time, to the
    # schema assembled from that registry and to the notebook record.
    ("estimates.model", "estimates.parameters.schema"),
    ("estimates.model", "estimates.report.record"),
    ("estimates.model", "estimates.parameters.variations"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(name: str) -> int:
    matches = []
    for index, patterns in enumerate(LAYERS):
        for pattern in patterns:
            regex = re.escape(pattern).replace(re.escape("<model>"), r"[a-z_0-9]+").replace(r"\.\*", r"\..+")
            if re.fullmatch(regex, name):
                matches.append((len(pattern), index))
    if not matches:
        raise AssertionError(f"module {name} is in no layer of tests/test_layout.py")
    return max(matches)[1]  # the most specific pattern decides


def imported(path: Path) -> list[tuple[str, int]]:
    """Every ``estimates`` module the file imports, with the line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.split(".")[0] == "estimates"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "estimates":
            assert node.level == 0, f"{path}: relative import at line {node.lineno}"
            found.append((node.module, node.lineno))
            known = modules()
            found += [(f"{node.module}.{a.name}", node.lineno) for a in node.names if f"{node.module}.{a.name}" in known]
    return found


def test_every_import_goes_down_the_layers():
    problems = []
    for name, path in modules().items():
        mine = layer_of(name)
        for target, line in imported(path):
            if target not in modules() or (name, target) in LAZY_UPWARD:
                continue
            if layer_of(target) > mine:
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name} imports {target}, a layer above")
    assert not problems, "\n".join(problems)


def test_the_layer_check_catches_an_upward_import(tmp_path):
    upward = tmp_path / "bad.py"
    upward.write_text("def f():\n    from estimates.run.suite import run_suite\n")
    assert imported(upward) == [("estimates.run.suite", 2)]
    assert layer_of("estimates.run.suite") > layer_of("estimates.core.wording")


def test_no_module_is_over_the_line_limit():
    long = {name: n for name, p in modules().items() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


#: Modules allowed to name a model: the registry (one line each) and the package face (its docstring).
MAY_NAME_MODELS = {"estimates.registry", "estimates"}


def names_in(path: Path) -> set[str]:
    """Identifiers, attribute names, imported names and whole string constants in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, ast.alias):
            found.update(node.name.split("."))
            if node.asname:
                found.add(node.asname)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.update(node.module.split("."))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
            found.update(re.findall(r"[a-z_]+", node.value) if len(node.value) < 40 and "." in node.value else ())
    return found


def test_only_the_model_folders_name_a_model():
    models = set(MODELS)
    assert models == {"attrition", "resupply", "pooling", "losses", "lanchester"}
    problems = []
    for name, path in modules().items():
        if name.startswith("estimates.models.") and name.split(".")[2] in models or name in MAY_NAME_MODELS:
            continue
        named = names_in(path) & models
        if named:
            problems.append(f"{path.relative_to(PACKAGE.parent)} names {sorted(named)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("source", ['x = "attrition"', "from estimates.models.pooling import MODEL",
                                     "def losses(): pass", 'key = "lanchester.judgments"'])
def test_the_model_name_check_sees_each_way_of_naming(tmp_path, source):
    path = tmp_path / "m.py"
    path.write_text(source + "\n")
    assert names_in(path) & set(MODELS)
