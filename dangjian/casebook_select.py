"""Casebook stage 1: which published cases a book holds, and what the book calls itself.

The filters come from the command line (`--unit`, `--theme`, `--year`); a unit
is named by its id or its name. A filtered book gets its own title ("区发展和
改革局案例选编", "2024年度新增案例") and says what it contains in words.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .epoch import current_year
from .errors import UserError
from .model import Brand, Case, Library, Post, Unit

EXIT_CONTENT, EXIT_USAGE = 1, 2
FIRST_YEAR = 1990  # the schema's minimum for a case's year


@dataclass(frozen=True)
class Selection:
    """The cases of one book and the scope they were chosen by."""

    cases: tuple[Case, ...]  # published, book order (registry order of units)
    units: tuple[Unit, ...]  # the units the book speaks for: the --unit ones, else all active
    themes: tuple[str, ...]
    years: tuple[int, ...]
    unit_filter: bool

    @property
    def filtered(self) -> bool:
        return bool(self.unit_filter or self.themes or self.years)

    @property
    def brands(self) -> int:
        return sum(isinstance(c, Brand) for c in self.cases)

    @property
    def posts(self) -> int:
        return sum(isinstance(c, Post) for c in self.cases)

    def title(self, full_title: str) -> str:
        """The cover title: the settings' for the whole book, what it holds for a filtered one."""
        if not self.filtered:
            return full_title
        names = [u.name for u in self.units] if self.unit_filter else []
        who = "、".join(names) if len(names) <= 2 else f"{names[0]}等{len(names)}个单位"
        when = "、".join(str(y) for y in self.years) + "年度" if self.years else ""
        what = "、".join(f"“{t}”" for t in self.themes) + "主题" if self.themes else ""
        if when and not who and not what:
            return f"{when}新增案例"
        return f"{who}{when}{what}案例选编"

    def scope(self) -> str:
        """The scope in a sentence, for the preface of a filtered book."""
        parts = []
        if self.unit_filter:
            parts.append("、".join(u.name for u in self.units))
        if self.years:
            parts.append("、".join(str(y) for y in self.years) + "年度创建或命名")
        if self.themes:
            parts.append("主题为" + "、".join(f"“{t}”" for t in self.themes))
        return "，".join(parts)


def parse_years(values: Iterable[str]) -> list[int]:
    """`--year` values as years, or UserError(2) naming the one that is not a year."""
    this_year = current_year()
    years = []
    for value in values:
        text = str(value).strip()
        if not re.fullmatch(r"[0-9]{4}", text) or not FIRST_YEAR <= int(text) <= this_year:
            raise UserError(
                f"--year 的值“{value}”不是有效的年份：请写四位数字的年份，"
                f"在 {FIRST_YEAR} 到 {this_year} 之间，例如 --year {this_year}。",
                EXIT_USAGE,
            )
        years.append(int(text))
    return sorted(set(years))


def resolve_units(library: Library, values: Iterable[str]) -> list[str]:
    """`--unit` values (ids or names) as unit ids, or UserError(2) for an unknown one."""
    by_name = {u.name: u.id for u in library.units}
    ids = []
    for value in values:
        value = value.strip()
        if library.unit(value) is not None:
            ids.append(value)
        elif value in by_name:
            ids.append(by_name[value])
        else:
            choices = [u.id for u in library.units] + list(by_name)
            raise UserError(
                f"未知的单位“{value}”{_did_you_mean(value, choices)}"
                "（--unit 取 cases/units.yaml 中单位的 id 或名称）。",
                EXIT_USAGE,
            )
    return list(dict.fromkeys(ids))


def select(
    library: Library, units: Sequence[str], themes: Sequence[str], years: Sequence[int]
) -> Selection:
    """The published cases the filters keep, or UserError naming what is wrong."""
    unit_ids = resolve_units(library, units)
    for theme in themes:
        if theme not in library.themes:
            raise UserError(
                f"未知的主题“{theme}”{_did_you_mean(theme, library.themes)}"
                f"（可用主题：{'、'.join(library.themes)}）。",
                EXIT_USAGE,
            )
    years = sorted(set(years))
    cases = library.select(unit_ids, themes, years)
    if not cases:
        if not (unit_ids or themes or years):
            raise UserError("案例库中还没有已发布的案例，无法生成案例汇编。", EXIT_CONTENT)
        raise UserError(
            f"按所给条件（{_describe(library, unit_ids, themes, years)}）"
            "没有已发布的案例，未生成案例汇编。",
            EXIT_CONTENT,
        )
    order = {u.id: i for i, u in enumerate(library.units)}
    # Library.cases is already in registry order; sort anyway so the book never
    # depends on how the list was built (stable: keeps kind/id order inside a unit).
    cases = tuple(sorted(cases, key=lambda c: order[c.unit.id]))
    if unit_ids:
        scope_units = tuple(u for u in library.units if u.id in unit_ids)
    else:
        scope_units = tuple(u for u in library.units if u.active)
    return Selection(cases, scope_units, tuple(themes), tuple(years), bool(unit_ids))


def _did_you_mean(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1)
    return f"，是否想写“{close[0]}”" if close else ""


def _describe(
    library: Library, units: Sequence[str], themes: Sequence[str], years: Sequence[int]
) -> str:
    parts = []
    if units:
        names = [u.name for uid in units if (u := library.unit(uid))]
        parts.append("单位：" + "、".join(names))
    if themes:
        parts.append("主题：" + "、".join(themes))
    if years:
        parts.append("年份：" + "、".join(str(y) for y in sorted(set(years))))
    return "；".join(parts)
