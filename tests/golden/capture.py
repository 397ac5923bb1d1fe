"""Write the stored ``results.json`` copies that ``tests/test_golden.py`` compares runs against.

Run from the project directory with the project's environment, only when the numbers are meant to
change (say so in the commit): ``.venv/bin/python tests/golden/capture.py``. Each case is the quick
profile plus the parameters below: the baseline and one non-default set per model.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.conftest import ESTIMATES, quick_flags  # noqa: E402
from tests.golden.cases import CASES  # noqa: E402


def main() -> None:
    for name, overrides in CASES.items():
        out = Path(tempfile.mkdtemp(prefix=f"golden-{name}-"))
        done = subprocess.run([ESTIMATES, "run", "--out", str(out), "--force", *quick_flags(**overrides)],
                              capture_output=True, text=True, cwd=HERE.parents[1])
        if done.returncode != 0:
            sys.exit(f"{name}: {done.stderr}")
        results = json.loads((out / "latest" / "results.json").read_text())
        (HERE / f"{name}.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        shutil.rmtree(out)
        print(f"{name}: written")


if __name__ == "__main__":
    main()
