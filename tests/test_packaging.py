"""pyproject.toml and environment.yml agree, and the README's quick start is what CI runs."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml

from estimates.paths import PROJECT_DIR

PYPROJECT = PROJECT_DIR / "pyproject.toml"
ENVIRONMENT = PROJECT_DIR / "environment.yml"
README = PROJECT_DIR / "README.md"
CI_RUN = PROJECT_DIR / ".ci" / "run"

# "name>=floor", the only form either file uses.
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*$")
NOT_PACKAGES = {"python", "pip"}
# Where conda-forge spells a package differently from PyPI (conda-forge's package pages).
CONDA_NAMES = {"playwright-python": "playwright"}


def _floors(requirements: list[str], where: str) -> dict[str, str]:
    """``{"numpy": "1.26", ...}``; every entry must be ``name>=floor`` and named once."""
    floors: dict[str, str] = {}
    for text in requirements:
        match = REQUIREMENT.match(text)
        assert match, f"{where}: {text!r} is not of the form name>=version"
        name = re.sub(r"[-_.]+", "-", match.group(1)).lower()  # PEP 503 normalisation
        name = CONDA_NAMES.get(name, name) if where.startswith("environment.yml") else name
        assert name not in floors, f"{where}: {name} is listed twice"
        floors[name] = match.group(2)
    return floors


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def environment() -> dict:
    return yaml.safe_load(ENVIRONMENT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runtime(pyproject) -> dict[str, str]:
    return _floors(pyproject["project"]["dependencies"], "pyproject dependencies")


@pytest.fixture(scope="module")
def extras_test(pyproject) -> dict[str, str]:
    return _floors(pyproject["project"]["optional-dependencies"]["test"], "pyproject [test]")


@pytest.fixture(scope="module")
def conda(environment) -> dict[str, str]:
    """environment.yml's conda packages, without python, pip and the pip sub-list."""
    entries = [e for e in environment["dependencies"] if isinstance(e, str)]
    floors = _floors([e for e in entries if e.split(">=")[0].strip() not in NOT_PACKAGES], "environment.yml")
    return floors


def test_runtime_and_test_lists_do_not_overlap(runtime, extras_test):
    assert runtime and extras_test
    assert set(runtime) & set(extras_test) == set()


def test_environment_is_runtime_plus_test_extra(runtime, extras_test, conda):
    # Same names and the same version floors; YAML drops the "# test" comment, so the split between
    # runtime and test packages is taken from pyproject's two lists.
    assert conda == runtime | extras_test


def test_environment_test_section_is_the_test_extra(extras_test):
    """The entries under the ``# test`` comment are exactly pyproject's ``test`` extra, in one block."""
    lines = ENVIRONMENT.read_text(encoding="utf-8").splitlines()
    marker = [i for i, line in enumerate(lines) if line.strip() == "# test"]
    assert len(marker) == 1, "environment.yml needs one '# test' comment before the test packages"
    below = []
    for line in lines[marker[0] + 1:]:
        entry = line.strip().removeprefix("- ").strip()
        if not line.strip().startswith("- ") or entry.split(">=")[0].strip() in NOT_PACKAGES or entry.endswith(":"):
            break
        below.append(entry)
    assert _floors(below, "environment.yml # test") == extras_test


def test_environment_python_matches_requires_python(pyproject, environment):
    pythons = [e for e in environment["dependencies"] if isinstance(e, str) and e.startswith("python")]
    assert [p.replace(" ", "") for p in pythons] == [f"python{pyproject['project']['requires-python']}"]


def test_environment_installs_the_package_itself(environment):
    pip_lists = [e["pip"] for e in environment["dependencies"] if isinstance(e, dict) and "pip" in e]
    assert pip_lists == [["-e ."]]
    assert "pip" in environment["dependencies"]  # conda warns when a pip section lacks pip itself
    assert environment["channels"] == ["conda-forge"]


def test_installed_versions_meet_the_floors(runtime, extras_test):
    # The development environment itself satisfies what pyproject promises.
    from importlib.metadata import version

    def key(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", text)[:3])

    too_old = {name: version(name) for name, floor in (runtime | extras_test).items()
               if key(version(name)) < key(floor)}
    assert too_old == {}


# --- README quick start ------------------------------------------------------------------------------

def _first_fenced_block(text: str) -> list[str]:
    match = re.search(r"^```[^\n]*\n(.*?)^```", text, flags=re.S | re.M)
    assert match, "README.md has no fenced code block"
    commands = []
    for line in match.group(1).splitlines():
        line = line.strip().removeprefix("$ ").strip()
        if line and not line.startswith("#"):
            commands.append(line)
    return commands


def _script_commands(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_readme_quick_start_has_two_commands_and_ci_runs_the_second():
    if not README.exists():
        pytest.skip("README.md is not written yet")
    commands = _first_fenced_block(README.read_text(encoding="utf-8"))
    assert len(commands) == 2, commands
    assert commands[1] in _script_commands(CI_RUN.read_text(encoding="utf-8"))


def test_first_fenced_block_parser():
    # The parser above must see prompts and comments for what they are, or the README test proves nothing.
    text = "intro\n\n```bash\n# set up\n$ make briefing\n\nmake test\n```\n\n```\nmake lab\n```\n"
    assert _first_fenced_block(text) == ["make briefing", "make test"]
