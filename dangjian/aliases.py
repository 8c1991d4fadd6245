"""The `aliases` of units.yaml: short names people type (发改局) must point at one unit only."""

from __future__ import annotations

from .diagnostics import Diagnostic
from .load import SourceFile


def check_aliases(src: SourceFile, items: list, out: list[Diagnostic]) -> None:
    """An alias equal to another unit's name or alias is an error (search could not tell them apart)."""
    owner: dict[str, tuple[int, str]] = {}  # name or alias -> (unit index, what it is there)
    for i, unit in enumerate(items):
        if isinstance(unit, dict) and isinstance(unit.get("name"), str):
            owner.setdefault(unit["name"].strip(), (i, "名称"))
    for i, unit in enumerate(items):
        aliases = unit.get("aliases") if isinstance(unit, dict) else None
        if not isinstance(aliases, list):
            continue
        for j, alias in enumerate(aliases):
            if not isinstance(alias, str) or not alias.strip():
                continue
            seen = owner.get(alias.strip())
            if seen is None:
                owner[alias.strip()] = (i, "简称")
                continue
            other, what = seen
            if other == i:
                continue  # its own name repeated: pointless, not ambiguous
            line, col = src.at(("units", i, "aliases", j))
            theirs = items[other]
            out.append(
                Diagnostic(
                    src.rel,
                    line,
                    col,
                    "alias-collision",
                    f"units[{i}].aliases[{j}]",
                    f"单位列表(units) 第{i + 1}项 简称(aliases) 第{j + 1}项",
                    f"简称「{alias}」与第 {other + 1} 项单位「{theirs.get('name', theirs.get('id', ''))}」的{what}相同："
                    "搜索时无法区分这两个单位，请改用能区分的简称，或删去这一项。",
                )
            )
