"""A case schema specific to this library, for editors (VS Code's YAML extension).

The generic schema (dangjian/schema/case.schema.json) cannot know the
library's themes or branch ids; this one lists them as enums, so a mistyped
theme or branch is underlined while typing. `check` and `build` write it to
.cache/schema/case.schema.json (git-ignored), which .vscode/settings.json maps
to every case file. Cross-file rules (a branch of another unit, duplicate ids)
remain `check`'s job.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .files import write_atomic
from .load import parse_file
from .model import DEFAULT_THEMES, Library
from .schemas import load_schema

TARGET = Path(".cache") / "schema" / "case.schema.json"


def _read_yaml(path: Path) -> Any:
    """The data of a registry file, or None when it is missing or broken (check reports that).

    Read with the library's own reader: bounded in size, no recursion on deep
    nesting (yaml.safe_load overflows the stack on 80 KB of "["), no anchors.
    """
    if not path.is_file():
        return None
    src = parse_file(path, path.name, path.stem)
    return src.data if src.ok else None


def registry(cases: Path) -> tuple[list[str], list[tuple[str, str, list[tuple[str, str]]]]]:
    """The themes and the units (id, name, [(branch id, branch name)]) the registry files name."""
    themes = list(DEFAULT_THEMES)
    data = _read_yaml(cases / "themes.yaml")
    if isinstance(data, dict) and isinstance(data.get("themes"), list):
        themes = [t for t in data["themes"] if isinstance(t, str)]
    units = []
    data = _read_yaml(cases / "units.yaml")
    for unit in (data.get("units") if isinstance(data, dict) else None) or []:
        if not isinstance(unit, dict) or not isinstance(unit.get("id"), str):
            continue
        branches = [
            (b["id"], str(b.get("name", "")))
            for b in unit.get("branches") or []
            if isinstance(b, dict) and isinstance(b.get("id"), str)
        ]
        units.append((unit["id"], str(unit.get("name", "")), branches))
    return themes, units


def library_schema(themes: list[str], units: list[tuple[str, str, list[tuple[str, str]]]]) -> dict:
    """The case schema with the library's themes and branch ids as enums."""
    schema = copy.deepcopy(load_schema("case"))
    schema["$id"] = "dangjian-library-case.schema.json"
    schema["description"] += "（本文件由 check/build 按本案例库的主题和支部生成，请勿手工修改。）"
    items = schema["definitions"]["themes"]["items"]
    items["enum"] = list(dict.fromkeys(themes))
    schema["definitions"]["themes"]["description"] = (
        "至少一个主题，从本案例库的主题列表中选：" + "、".join(themes)
    )
    branch_ids = [bid for _, _, branches in units for bid, _ in branches]
    listing = "；".join(
        f"{uid}（{name}）：" + "、".join(f"{bid} {bname}" for bid, bname in branches)
        for uid, name, branches in units
        if branches
    )
    for kind in ("brand", "post"):
        branch = schema["definitions"][kind]["properties"]["branch"]
        if branch_ids:
            branch["enum"] = list(dict.fromkeys(branch_ids))
        branch["description"] += "。只能填本单位下设的支部：" + (
            listing or "本案例库没有登记任何支部"
        )
    return schema


def registry_of(library: Library) -> tuple[list[str], list[tuple[str, str, list[tuple[str, str]]]]]:
    """What registry() reads, taken from a library already read and checked."""
    units = [(u.id, u.name, [(b.id, b.name) for b in u.branches]) for u in library.units]
    return list(library.themes), units


def refresh(project: Path, library: Library | None = None) -> Path | None:
    """Write the library's editor schema under .cache/ when it changed; None if it cannot.

    A checked `library` saves reading the registry files again; a library with
    errors (None) still gets a schema from whatever the registry files hold.
    """
    cases = project / "cases"
    if not (cases / "units.yaml").is_file():
        return None
    names = registry_of(library) if library is not None else registry(cases)
    text = json.dumps(library_schema(*names), ensure_ascii=False, indent=1) + "\n"
    target = project / TARGET
    try:
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text)
    except OSError:
        return None  # a read-only checkout: checking must still work, the editor just misses enums
    return target
