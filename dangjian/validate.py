"""Validation: the JSON Schema plus the cross-file rules, over the whole library.

Every problem becomes a Diagnostic with file, line, column, field and a Chinese
message that says what to do. Nothing stops at the first error.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

from . import chars
from . import mdrules as md
from .aliases import check_aliases
from .diagnostics import Diagnostic
from .epoch import current_year
from .image_paths import check_image_path
from .load import LibraryFiles
from .model import DEFAULT_THEMES
from .schemas import Schemas, compiled, resolve_ref
from .wording import (
    SLUG,
    SLUG_RULE,
    _enum_message,
    field_label,
    field_path,
    schema_diagnostics,
)
from .yamlfile import SourceFile

__all__ = ["SLUG", "SLUG_RULE", "reserved_id", "validate"]

PLACEHOLDER = re.compile(r"【请填写[^】]*】")
# Ids that name a listing page ("index") or a Windows device (no checkout could hold them).
RESERVED_IDS = frozenset(
    ["index", "con", "prn", "aux", "nul"] + [f"{d}{n}" for d in ("com", "lpt") for n in range(1, 10)]
)


def reserved_id(value: str) -> str | None:
    """Why an id (case, unit or branch) is reserved, or None."""
    if value.lower() not in RESERVED_IDS:
        return None
    if value.lower() == "index":
        return "「index」是网站列表页的名称，用作编号会替换掉列表页"
    return f"「{value}」是 Windows 的设备名，Windows 电脑无法保存这样命名的文件和文件夹"


# -- the library --------------------------------------------------------------


def validate(files: LibraryFiles, year: int | None = None) -> list[Diagnostic]:
    """Every diagnostic of the library: load problems, schema errors, cross-file rules."""
    schemas = compiled(year or current_year())
    out: list[Diagnostic] = list(files.problems)
    registry = [f for f in (files.units, files.themes, files.settings) if f is not None]
    for src in registry + files.cases:
        out.extend(src.problems)
    for src in registry:
        root, validator = schemas.files[src.role]
        _characters(src, src.data, (), root, root, out)
        if src.ok:
            out.extend(schema_diagnostics(src, root, root, validator))

    units = _check_units(files.units, out) if files.units and files.units.ok else None
    themes = _themes(files.themes)
    _check_cases(files, units, themes, schemas, out)
    return out


def _check_units(src: SourceFile, out: list[Diagnostic]) -> dict[str, dict] | None:
    """Unit ids and branch ids unique; branches only under a 机关党委 or 党总支."""
    items = src.data.get("units") if isinstance(src.data, dict) else None
    if not isinstance(items, list):
        return None
    units: dict[str, dict] = {}
    branches: dict[str, tuple] = {}
    for i, unit in enumerate(items):
        if not isinstance(unit, dict) or not isinstance(unit.get("id"), str):
            continue
        uid = unit["id"]
        if uid in units:
            line, col = src.at(("units", i, "id"))
            out.append(Diagnostic(src.rel, line, col, "duplicate-id", f"units[{i}].id",
                                  f"单位列表(units) 第{i + 1}项 单位编号(id)",
                                  f"单位编号「{uid}」重复（第 {src.at(units[uid]['_path'])[0]} 行已用过）：每个单位的编号必须不同。"))
            continue
        why = reserved_id(uid)
        if why:
            line, col = src.at(("units", i, "id"))
            out.append(Diagnostic(src.rel, line, col, "reserved-id", f"units[{i}].id",
                                  f"单位列表(units) 第{i + 1}项 单位编号(id)", f"{why}：请换一个单位编号。"))
        units[uid] = dict(unit, _path=("units", i, "id"))
        own = unit.get("branches") if isinstance(unit.get("branches"), list) else []
        if own and unit.get("org_type") == "党支部":
            line, col = src.at(("units", i, "branches"), key=True)
            out.append(Diagnostic(src.rel, line, col, "branches-of-branch", f"units[{i}].branches",
                                  f"单位列表(units) 第{i + 1}项 下设支部(branches)",
                                  "组织类型是党支部的单位不能再下设支部：请删除 branches，或把组织类型改为机关党委或党总支。"))
        for j, branch in enumerate(own):
            bid = branch.get("id") if isinstance(branch, dict) else None
            if not isinstance(bid, str):
                continue
            place = ("units", i, "branches", j, "id")
            why = reserved_id(bid)
            if why:
                line, col = src.at(place)
                out.append(Diagnostic(src.rel, line, col, "reserved-id", field_path(place),
                                      f"单位列表(units) 第{i + 1}项 下设支部(branches) 第{j + 1}项 支部编号(id)",
                                      f"{why}：请换一个支部编号。"))
            if bid in branches:
                line, col = src.at(place)
                out.append(Diagnostic(src.rel, line, col, "duplicate-id", field_path(place),
                                      f"单位列表(units) 第{i + 1}项 下设支部(branches) 第{j + 1}项 支部编号(id)",
                                      f"支部编号「{bid}」重复（第 {src.at(branches[bid])[0]} 行已用过）：支部编号在整个名册中必须唯一。"))
            branches[bid] = place
    check_aliases(src, items, out)
    return units


def _themes(src: SourceFile | None) -> list[str]:
    if src is None:
        return list(DEFAULT_THEMES)
    themes = src.data.get("themes") if src.ok and isinstance(src.data, dict) else None
    return [t for t in themes if isinstance(t, str)] if isinstance(themes, list) else list(DEFAULT_THEMES)


def _check_cases(files: LibraryFiles, units: dict[str, dict] | None, themes: list[str],
                 schemas: Schemas, out: list[Diagnostic]) -> None:
    by_id: dict[str, list[SourceFile]] = {}
    for src in files.cases:
        by_id.setdefault(src.stem, []).append(src)
        if not SLUG.match(src.stem):
            out.append(Diagnostic(src.rel, 0, 0, "bad-id", "", "文件名",
                                  f"文件名「{chars.shorten(src.stem)}」就是案例编号，不符合编号规则：{SLUG_RULE}。请重命名文件，例如 hongse-yinqing.yaml。"))
        elif reserved_id(src.stem):
            out.append(Diagnostic(src.rel, 0, 0, "reserved-id", "", "文件名",
                                  f"文件名就是案例编号，{reserved_id(src.stem)}：请重命名文件，例如 hongse-yinqing.yaml。"))
        unit = None
        if units is not None:
            unit = units.get(src.unit_dir)
            if unit is None:
                guess = difflib.get_close_matches(src.unit_dir, list(units), 1, 0.6)
                hint = f"是不是「{guess[0]}」？" if guess else "请先在 cases/units.yaml 中登记这个单位，或把文件移到本单位的文件夹。"
                out.append(Diagnostic(src.rel, 0, 0, "unknown-unit", "", "单位文件夹",
                                      f"文件夹「{src.unit_dir}」不是单位名册（cases/units.yaml）中的单位编号：{hint}"))
        if not isinstance(src.data, dict):
            continue
        kind = src.data.get("kind")
        root = schemas.case_root
        _characters(src, src.data, (), root, root["definitions"].get(kind, root) if isinstance(kind, str) else root, out)
        if not src.ok:
            continue
        if kind not in schemas.kinds:
            root = schemas.case_root
            line, col = src.at(("kind",)) if "kind" in src.data else (1, 1)
            if "kind" not in src.data:
                message = "缺少必填字段「案例类型(kind)」：第一行写 kind: brand（党建品牌）或 kind: post（党员示范岗）。"
            else:
                message = f"「{src.raw.get(('kind',), kind)}」不可用：" + _enum_message("kind", ["brand", "post"])
            out.append(Diagnostic(src.rel, line, col, "bad-kind", "kind", "案例类型(kind)", message))
            continue
        root = schemas.case_root
        schema = root["definitions"][kind]
        found: list[Diagnostic] = []
        if not schemas.accepts(kind, src.data):
            found.extend(schema_diagnostics(src, root, schema, schemas.kinds[kind]))
        _cross_checks(src, root, schema, unit, themes, found)
        todo: list[Diagnostic] = []
        _placeholders(src, src.data, (), root, schema, todo)
        # A value still holding a template placeholder is reported once, as
        # such: its type or theme errors would only repeat the same to-do.
        unfilled = {d.field for d in todo}
        out.extend(d for d in found if d.field not in unfilled)
        out.extend(todo)
    for stem, same in by_id.items():
        if len(same) > 1:
            for src in same:
                others = "、".join(o.rel for o in same if o is not src)
                out.append(Diagnostic(src.rel, 0, 0, "duplicate-case-id", "", "文件名",
                                      f"案例编号「{stem}」重复：{others} 也用了这个文件名。案例编号在整个案例库中必须唯一，请改名。"))


def _cross_checks(src: SourceFile, root: dict, schema: dict, unit: dict | None,
                  themes: list[str], out: list[Diagnostic]) -> None:
    data = src.data

    def add(code: str, path: tuple, message: str) -> None:
        line, col = src.at(path)
        out.append(Diagnostic(src.rel, line, col, code, field_path(path), field_label(root, schema, path), message))

    branch = data.get("branch")
    if unit is not None and isinstance(branch, str) and SLUG.match(branch):
        own = [b.get("id") for b in unit.get("branches") or [] if isinstance(b, dict)]
        if branch not in own:
            if own:
                guess = difflib.get_close_matches(branch, own, 1, 0.6)
                hint = (f"是不是「{guess[0]}」？" if guess else "") + "本单位的支部有：" + "、".join(own) + "。"
            else:
                hint = "本单位在名册中没有下设支部：请删除 branch 这一行（案例将属于本单位直属党组织）。"
            add("unknown-branch", ("branch",), f"支部「{branch}」不属于{unit.get('name', src.unit_dir)}：{hint}")
    for i, theme in enumerate(data.get("themes") or []):
        if isinstance(theme, str) and theme not in themes:
            guess = difflib.get_close_matches(theme, themes, 1, 0.5)
            hint = f"是不是「{guess[0]}」？" if guess else ""
            add("unknown-theme", ("themes", i),
                f"主题「{theme}」不在主题列表中：{hint}可选的主题有 " + "、".join(themes) + "。")
    unit_root = src.path.parent
    images = []
    if isinstance(data.get("logo"), str):
        images.append((("logo",), data["logo"]))
    for p, photo in enumerate(data.get("photos") or []):
        if isinstance(photo, dict) and isinstance(photo.get("file"), str):
            images.append((("photos", p, "file"), photo["file"]))
    for path, value in images:
        problem = check_image_path(unit_root, value)
        if problem:
            add("image", path, problem)



def _characters(src: SourceFile, value: Any, path: tuple, root: dict, schema: dict,
                out: list[Diagnostic], sub: dict | None = None) -> None:
    """The one rule for characters, on every key and string of a file (see chars.py).

    The schema is followed alongside the data (`sub`: the schema of `value`);
    labels are worked out only for a value that breaks a rule.
    """
    sub = resolve_ref(root, schema) if sub is None else sub
    if isinstance(value, str):
        markdown = _is_markdown(sub)
        if not markdown and value.isprintable():  # nearly every value: no character to refuse
            return
        # Block text is the Markdown fields; a field the schema does not know is
        # already an error of its own, so only its dangerous characters count.
        block = markdown or sub.get("x-multiline") is True or "type" not in sub
        bad = chars.first_bad(value, block=block)
        if markdown and not bad:
            _markdown_rules(src, value, path, root, schema, out)
        if bad:
            index, ch = bad
            line, col = src.at(path)
            row = value.count("\n", 0, index)
            where = f"（在这段文字的第 {row + 1} 行）" if row else ""
            if ch in "\t\n":
                fix = "换成空格" if ch == "\t" else "把内容写在同一行"
                message = (f"这里只能写一行文字，不能有 {chars.describe(ch)}：请{fix}"
                           f"（双引号里不要写「{chars.visible(ch)}」）。")
            else:
                message = (f"有不允许的字符 {chars.describe(ch)}{where}：它在页面上看不见，却会改变文字的显示"
                           f"或被当成指令。请删除它（常见于从网页、Word 或聊天软件复制的文字，"
                           f"或双引号里「{chars.visible(ch)}」这样的转义）。")
            out.append(Diagnostic(src.rel, line, col, "bad-char", field_path(path),
                                  field_label(root, schema, path), message))
    elif isinstance(value, float) and not isinstance(value, bool):
        # JSON Schema counts 2023.0 as an integer and lets NaN and infinity pass
        # as numbers; neither is what a contributor meant.
        line, col = src.at(path)
        if not math.isfinite(value):
            out.append(Diagnostic(src.rel, line, col, "bad-number", field_path(path),
                                  field_label(root, schema, path), "数值必须是一个普通的数字。"))
        elif sub.get("type") == "integer" and value.is_integer():
            raw = chars.shorten(src.raw.get(path, str(value)))
            out.append(Diagnostic(src.rel, line, col, "not-integer", field_path(path), field_label(root, schema, path),
                                  f"应该是整数，不能带小数点：把「{raw}」写成 {int(value)}。"))
    elif isinstance(value, dict):
        for k, v in value.items():
            bad = None if k.isprintable() else chars.first_bad(k)
            if bad:
                line, col = src.at(path + (k,), key=True)
                out.append(Diagnostic(src.rel, line, col, "bad-char", field_path(path + (chars.visible(k),)), "",
                                      f"字段名里有不允许的字符 {chars.describe(bad[1])}：请删掉这个字段名后手动重新输入。"))
                continue
            child = resolve_ref(root, sub.get("properties", {}).get(k, {}))
            if type(v) is str and v.isprintable() and not _is_markdown(child):
                continue  # the common case, decided here without a call
            _characters(src, v, path + (k,), root, schema, out, child)
    elif isinstance(value, list):
        item = resolve_ref(root, sub.get("items", {}))
        plain_items = not _is_markdown(item)
        for i, v in enumerate(value):
            if plain_items and type(v) is str and v.isprintable():
                continue
            _characters(src, v, path + (i,), root, schema, out, item)


def _is_markdown(schema: dict) -> bool:
    return schema.get("contentMediaType") == "text/markdown"


def _markdown_rules(src: SourceFile, text: str, path: tuple, root: dict, schema: dict,
                    out: list[Diagnostic]) -> None:
    """A Markdown field renders in bounded time and links only where every reader can follow."""

    def diag(code: str, message: str) -> Diagnostic:  # the place, worked out for a problem only
        line, col = src.at(path)
        return Diagnostic(src.rel, line, col, code, field_path(path), field_label(root, schema, path), message)

    problem = md.structure_problem(text)
    if problem:
        out.append(diag("markdown-structure", problem))
        return
    for url in dict.fromkeys(md.link_targets(text)):
        if not md.link_allowed(url):
            out.append(diag("bad-link",
                            f"链接「{chars.visible(chars.shorten(url))}」不可用：链接只能指向 http:// 或 https:// "
                            "开头的网址，或 mailto: 邮箱地址；本机文件、相对路径、「#」页内锚点和「//」开头的地址"
                            "在网站和印刷版汇编中都无法打开。请写完整的网址，或去掉链接只保留文字。"))


def _placeholders(src: SourceFile, value: Any, path: tuple, root: dict, schema: dict,
                  out: list[Diagnostic]) -> None:
    """Values still holding a template placeholder like 【请填写品牌名称】."""
    if isinstance(value, str):
        m = PLACEHOLDER.search(value)
        if m:
            line, col = src.at(path)
            out.append(Diagnostic(src.rel, line, col, "placeholder", field_path(path),
                                  field_label(root, schema, path),
                                  f"还是模板里的占位内容「{m.group(0)}」：请改成真实内容。"))
    elif isinstance(value, dict):
        for k, v in value.items():
            _placeholders(src, v, path + (k,), root, schema, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _placeholders(src, v, path + (i,), root, schema, out)
