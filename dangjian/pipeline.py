"""One call from the files on disk to a validated Library (or the list of what is wrong).

files -> load -> validate -> model. Downstream stages take the Library and
never read YAML again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import load, model, validate
from .diagnostics import Diagnostic, sort
from .model import Library


@dataclass
class Result:
    library: Library | None  # None when there is any diagnostic
    diagnostics: list[Diagnostic] = field(default_factory=list)


def open_library(project: Path, cases_dir: str = "cases") -> Result:
    """Read and check the whole library under `project/cases_dir`."""
    files = load.read_library(project, cases_dir)
    diagnostics = sort(validate.validate(files))
    if diagnostics:
        return Result(None, diagnostics)
    return Result(model.build(files), [])


def narrow(diagnostics: list[Diagnostic], project: Path, paths: list[str]) -> list[Diagnostic]:
    """Keep the diagnostics of files under `paths` (cross-file checks already used everything)."""
    if not paths:
        return diagnostics
    prefixes = []
    for p in paths:
        full = (project / p).resolve() if not Path(p).is_absolute() else Path(p).resolve()
        try:
            prefixes.append(full.relative_to(project.resolve()).as_posix())
        except ValueError:
            prefixes.append(Path(p).as_posix())
    return [
        d
        for d in diagnostics
        if any(pre in ("", ".") or d.file == pre or d.file.startswith(pre + "/") for pre in prefixes)
    ]
