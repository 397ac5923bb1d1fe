"""``estimates case new DIR``: a complete, editable copy of a case folder.

The copy holds ``case.yaml`` and every data file the case's models read (with the notes and
licences beside them), so it runs as it is and can be edited into another case.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from estimates.errors import InputError
from estimates.inputs.case import CASE_FILE, load_case

#: Notes copied with a case's data, where the source case has them.
NOTES = ("README.md", "claims.md")


def case_files(source: Path | str | None = None) -> list[Path]:
    """Paths, relative to the case folder, of the files a case needs: its ``case.yaml``, the data
    files its models' path parameters name (a file in a sub-folder brings the whole sub-folder,
    which holds its companions and licence), and its notes."""
    from estimates.parameters.schema import Parameters, names_for, spec
    from estimates.registry import MODELS

    case = load_case(source)
    defaults = Parameters.model_fields
    wanted: dict[Path, None] = {Path(CASE_FILE): None}
    for model in case.models or MODELS:
        for name in names_for(model):
            if spec(name).unit != "path":
                continue
            value = Path(str(case.parameters.get(name, defaults[name].default)))
            if value.is_absolute():
                continue  # outside the case: the copy keeps pointing at it
            wanted[Path(value.parts[0]) if len(value.parts) > 1 else value] = None
    wanted.update({Path(note): None for note in NOTES if (case.folder / note).is_file()})
    return list(wanted)


def new_case(target: Path, source: Path | str | None = None) -> Path:
    """Write a copy of the case ``source`` (default: the bundled case) to the new folder ``target``.

    Refuses a ``target`` that exists and is not empty; writes nothing on failure (the copy is made
    beside the target and renamed into place).
    """
    target = Path(target).expanduser().absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"case new {target}: already exists and is not empty; give a new folder")
    if not target.parent.is_dir():
        raise InputError(f"case new {target}: its parent folder {target.parent} does not exist")
    case = load_case(source)
    files = case_files(source)
    for relative in files:
        if not (case.folder / relative).exists():
            raise InputError(f"case new: {case.folder / relative}, named by {case.folder / CASE_FILE}, is missing")
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for relative in files:
            origin, copy = case.folder / relative, staging / relative
            if origin.is_dir():
                shutil.copytree(origin, copy)
            else:
                shutil.copy2(origin, copy)
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(f"case new {target}: cannot write ({error.strerror or error})") from None
    return target
