"""Validation: the JSON Schema plus the cross-file rules, over the whole library.

Every problem becomes a Diagnostic with file, line, column, field and a Chinese
message that says what to do. Nothing stops at the first error.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import os
import posixpath
import re
import time
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from .aliases import check_aliases
from .diagnostics import Diagnostic
from .load import LibraryFiles, SourceFile, YamlDate
from .model import DEFAULT_THEMES, KIND_LABELS

SCHEMA_DIR = Path(__file__).parent / "schema"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
PLACEHOLDER = re.compile(r"【请填写[^】]*】")
SLUG_RULE = "只能用小写字母、数字和连字符「-」，以字母或数字开头，最长 63 个字符"


@cache
def load_schema(name: str) -> dict:
    """One of the JSON Schema files: "case", "units", "themes" or "settings"."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def current_year() -> int:
    """This year, or the year of SOURCE_DATE_EPOCH so that builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return time.gmtime(int(epoch) if epoch.isdigit() else None).tm_year


class _Schemas:
    """Validators compiled once per run, with "this year" filled in."""

    def __init__(self, year: int) -> None:
        case = copy.deepcopy(load_schema("case"))
        for kind in KIND_LABELS:
            case["definitions"][kind]["properties"]["year"]["maximum"] = year
        self.case_root = case
        self.kinds = {
            kind: jsonschema.Draft7Validator({"$ref": f"#/definitions/{kind}", "definitions": case["definitions"]})
            for kind in KIND_LABELS
        }
        # The same schema compiled to Python: a fast yes/no for the common valid
        # file; jsonschema then words the errors of the few that fail.
        self.fast = {
            kind: fastjsonschema.compile({"$ref": f"#/definitions/{kind}", "definitions": case["definitions"]})
            for kind in KIND_LABELS
        }
        settings = copy.deepcopy(load_schema("settings"))
        settings["properties"]["casebook"]["properties"]["year"]["maximum"] = year + 1
        self.files = {
            "units": (load_schema("units"), jsonschema.Draft7Validator(load_schema("units"))),
            "themes": (load_schema("themes"), jsonschema.Draft7Validator(load_schema("themes"))),
            "settings": (settings, jsonschema.Draft7Validator(settings)),
        }
        self.year = year

    def accepts(self, kind: str, data: Any) -> bool:
        try:
            self.fast[kind](data)
        except fastjsonschema.JsonSchemaException:
            return False
        return True


@lru_cache(maxsize=4)
def _schemas(year: int) -> _Schemas:
    return _Schemas(year)


# -- labels -----------------------------------------------------------------


def resolve_ref(root: dict, schema: dict) -> dict:
    """Follow `$ref`s (local JSON pointers) from `schema` inside the schema document `root`."""
    while "$ref" in schema:
        ref = schema["$ref"]
        node: Any = root
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _walk(root: dict, schema: dict, path: tuple) -> tuple[dict, list[str]]:
    """Follow a data path through the schema: the sub-schema and the label parts."""
    parts = []
    for step in path:
        schema = resolve_ref(root, schema)
        if isinstance(step, int):
            parts.append(f"第{step + 1}项")
            schema = schema.get("items", {})
        else:
            schema = schema.get("properties", {}).get(step, {})
            title = resolve_ref(root, schema).get("title") or schema.get("title")
            parts.append(f"{title}({step})" if title else step)
    return resolve_ref(root, schema), parts


def field_label(root: dict, schema: dict, path: tuple) -> str:
    return " ".join(_walk(root, schema, path)[1])


def field_path(path: tuple) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _prop_label(root: dict, schema: dict, key: str) -> str:
    sub = resolve_ref(root, resolve_ref(root, schema).get("properties", {}).get(key, {}))
    return f"{sub['title']}({key})" if sub.get("title") else key


# -- schema errors in words ---------------------------------------------------

_TYPE_WORDS = {"string": "文字", "array": "列表", "object": "「字段: 内容」形式的一组字段",
               "integer": "整数", "number": "数字", "boolean": "true 或 false"}


def _yaml_reading(value: Any, raw: str | None) -> str:
    """How YAML 1.1 misread an unquoted value, in words."""
    if isinstance(value, bool):
        return f"「{raw}」没有加引号，会被 YAML 当成布尔值（是/否）"
    if isinstance(value, YamlDate):
        return f"「{raw}」没有加引号，会被 YAML 当成日期或时间"
    if isinstance(value, (int, float)) and raw is not None and raw != str(value):
        return f"「{raw}」没有加引号，会被 YAML 当成数字 {value}"
    if isinstance(value, (int, float)):
        return f"「{raw}」没有加引号，会被 YAML 当成数字"
    return ""


def _type_message(expected: Any, value: Any, raw: str | None, key: str) -> str:
    if value is None:
        return "不能为空：请填写内容（列表请至少写一项，每项一行，以「- 」开头）。"
    wants = expected if isinstance(expected, str) else expected[0]
    if wants == "string":
        reading = _yaml_reading(value, raw)
        if reading:
            return f"{reading}，而这里需要文字：请加上英文引号，写成 {key}: \"{raw}\"。"
        if isinstance(value, list):
            return "这里只能写一段文字，不能写成列表：去掉每行开头的「- 」。"
        return "这里应该是一段文字。"
    if wants == "array":
        return "这里应该是列表：每一项单独一行，以「- 」开头，比其上一行多缩进两格。"
    if wants == "object":
        return "这里应该是「字段名: 内容」形式的一组字段。"
    if wants == "integer":
        if isinstance(value, bool):
            return f"「{raw}」没有加引号，会被 YAML 当成布尔值（是/否）：这里只写年份，例如 {key}: 2024。"
        if isinstance(value, str) and value.strip().isdigit():
            return f"应该是整数，不要加引号：写成 {key}: {value.strip()}。"
        if isinstance(value, YamlDate):
            return f"「{raw}」会被 YAML 当成日期：这里只写年份，例如 {key}: 2024。"
        return "应该是整数（年份如 2024，不加引号）。"
    if wants == "number":
        return "应该是数字（如 300，不加引号；单位写在 unit 字段里）。"
    if wants == "boolean":
        return "只能写 true 或 false。"
    return f"应该是{_TYPE_WORDS.get(wants, wants)}。"


def _enum_message(key: str, allowed: list) -> str:
    if key == "kind":
        return "案例类型只能是 brand（党建品牌）或 post（党员示范岗）。"
    if key == "status":
        return "只能是 published（发布）或 draft（草稿）。"
    return "只能是以下之一：" + "、".join(map(str, allowed)) + "。"


def schema_diagnostics(
    src: SourceFile, root: dict, schema: dict, validator: jsonschema.Draft7Validator
) -> Iterator[Diagnostic]:
    for error in validator.iter_errors(src.data):
        path = tuple(error.absolute_path)
        kw = error.validator
        sub, parts = _walk(root, schema, path)
        label = " ".join(parts)
        key = next((p for p in reversed(path) if isinstance(p, str)), "")
        line, col = src.at(path)
        value = error.instance
        raw = src.raw.get(path)

        def diag(code: str, message: str, at: tuple[int, int] = (line, col), p: tuple = path,
                 lab: str = label) -> Diagnostic:
            return Diagnostic(src.rel, at[0], at[1], code, field_path(p), lab, message)

        if kw == "required":
            for name in error.validator_value:
                if isinstance(value, dict) and name not in value:
                    yield diag("missing-field", f"缺少必填字段「{_prop_label(root, sub, name)}」：请补上。",
                               p=path + (name,))
        elif kw == "additionalProperties":
            known = list(sub.get("properties", {}))
            for extra in (k for k in value if k not in known):
                yield _unknown_field(src, root, sub, path, extra, known, label)
        elif kw == "type":
            yield diag("type", _type_message(error.validator_value, value, raw, key))
        elif kw == "minLength":
            if value == "" or (isinstance(value, str) and not value.strip()):
                yield diag("empty", "不能为空：请填写内容。")
            else:
                yield diag("too-short", f"太短了：至少 {error.validator_value} 个字，现在只有 {len(value)} 个字。")
        elif kw == "maxLength":
            yield diag("too-long", f"太长了：最多 {error.validator_value} 个字，现在有 {len(value)} 个字，请精简。")
        elif kw == "minItems":
            yield diag("too-few", f"至少要写 {error.validator_value} 项，每项单独一行，以「- 」开头。")
        elif kw in ("enum", "const"):
            allowed = error.validator_value if kw == "enum" else [error.validator_value]
            yield diag("not-allowed", f"「{raw if raw is not None else value}」不可用：" + _enum_message(key, allowed))
        elif kw == "pattern":
            yield diag("bad-id", f"「{value}」不符合编号规则：{SLUG_RULE}。"
                       if "a-z0-9" in error.validator_value else f"「{value}」格式不对：{sub.get('description', '')}。")
        elif kw in ("minimum", "maximum"):
            note = f"「{raw}」会被 YAML 读成 {value}，" if raw is not None and raw != str(value) else f" {value} "
            if key == "year":
                hi = resolve_ref(root, schema).get("properties", {}).get("year", {}).get("maximum", "今年")
                yield diag("year-range", f"年份{note}不在 1990 到 {hi} 之间：请写四位数的年份，例如 2023。")
            else:
                bound = "不能小于" if kw == "minimum" else "不能大于"
                yield diag("out-of-range", f"数值{note}{bound} {error.validator_value}。")
        elif kw == "uniqueItems":
            yield diag("duplicate-item", "有重复的项：请删除重复的那一行。")
        else:  # a keyword this module does not word yet: still an error, in its own words
            yield diag("schema", f"不符合要求：{error.message}")


def _unknown_field(src: SourceFile, root: dict, sub: dict, path: tuple, extra: str,
                   known: list[str], label: str) -> Diagnostic:
    line, col = src.at(path + (extra,), key=True)
    by_title = {resolve_ref(root, s).get("title"): k for k, s in sub.get("properties", {}).items()}
    guess = by_title.get(extra) or next(iter(difflib.get_close_matches(extra.lower(), known, 1, 0.6)), None)
    if guess:
        hint = f"是不是想写「{guess}」（{resolve_ref(root, sub['properties'][guess]).get('title', '')}）？"
    else:
        hint = "这里可以写的字段有：" + "、".join(known) + "。"
    return Diagnostic(src.rel, line, col, "unknown-field", field_path(path + (extra,)),
                      label, f"不认识的字段「{extra}」：{hint}")


# -- the library --------------------------------------------------------------


def validate(files: LibraryFiles, year: int | None = None) -> list[Diagnostic]:
    """Every diagnostic of the library: load problems, schema errors, cross-file rules."""
    schemas = _schemas(year or current_year())
    out: list[Diagnostic] = list(files.problems)
    registry = [f for f in (files.units, files.themes, files.settings) if f is not None]
    for src in registry + files.cases:
        out.extend(src.problems)
    for src in registry:
        if src.ok:
            root, validator = schemas.files[src.role]
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
                 schemas: _Schemas, out: list[Diagnostic]) -> None:
    by_id: dict[str, list[SourceFile]] = {}
    for src in files.cases:
        by_id.setdefault(src.stem, []).append(src)
        if not SLUG.match(src.stem):
            out.append(Diagnostic(src.rel, 0, 0, "bad-id", "", "文件名",
                                  f"文件名「{src.stem}」就是案例编号，不符合编号规则：{SLUG_RULE}。请重命名文件，例如 hongse-yinqing.yaml。"))
        unit = None
        if units is not None:
            unit = units.get(src.unit_dir)
            if unit is None:
                guess = difflib.get_close_matches(src.unit_dir, list(units), 1, 0.6)
                hint = f"是不是「{guess[0]}」？" if guess else "请先在 cases/units.yaml 中登记这个单位，或把文件移到本单位的文件夹。"
                out.append(Diagnostic(src.rel, 0, 0, "unknown-unit", "", "单位文件夹",
                                      f"文件夹「{src.unit_dir}」不是单位名册（cases/units.yaml）中的单位编号：{hint}"))
        if not src.ok or not isinstance(src.data, dict):
            continue
        kind = src.data.get("kind")
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
    for m, metric in enumerate(data.get("metrics") or []):
        value = metric.get("value") if isinstance(metric, dict) else None
        if isinstance(value, float) and not math.isfinite(value):
            add("bad-number", ("metrics", m, "value"), "数值必须是一个普通的数字。")
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


def resolve_image(unit_root: Path, value: str) -> Path:
    """The file an image path of a case names (after check_image_path passed)."""
    return unit_root / posixpath.normpath(value)


def check_image_path(unit_root: Path, value: str) -> str | None:
    """Why an image path cannot be used, or None. Paths stay inside the unit folder."""
    folder = f"cases/{unit_root.name}/"
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^//|^(data|javascript|file):", value, re.I):
        return "不能引用网址或其他来源的图片：请把图片文件放进本单位的 images 文件夹，这里写 images/文件名。"
    if value.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:", value):
        return "要写相对于本案例文件的路径，例如 images/photo1.jpg，不能写以「/」或盘符（如 C:）开头的绝对路径。"
    if "\\" in value:
        return "路径要用「/」分隔，不能用「\\」：例如 images/photo1.jpg。"
    if len(value) > 200 or "\0" in value:
        return "找不到图片文件：路径太长或含有不允许的字符，请使用简短的文件名，例如 images/photo1.jpg。"
    if re.search(r"%[0-9a-fA-F]{2}", value):
        return "路径中不能有「%」编码：请直接写文件名，例如 images/照片1.jpg。"
    norm = posixpath.normpath(value)
    if norm == ".." or norm.startswith("../") or norm == ".":
        return f"图片必须放在本单位文件夹（{folder}）里，不能用「../」跳到外面。"
    try:
        return _check_image_file(unit_root, folder, norm)
    except OSError as e:  # a name the file system refuses (too long, bad bytes)
        return f"找不到图片文件 {folder}{norm}：{e.strerror or '无法访问'}。"


def _check_image_file(unit_root: Path, folder: str, norm: str) -> str | None:
    current = unit_root
    for part in norm.split("/"):
        current = current / part
        if current.is_symlink():
            return f"「{folder}{norm}」中的「{part}」是符号链接：请提交真实的图片文件。"
    if not current.exists():
        hint = ""
        parent = current.parent
        if parent.is_dir():
            same = [n for n in os.listdir(parent) if n.lower() == current.name.lower()]
            if same:
                hint = f"文件夹里有「{same[0]}」，文件名的大小写必须完全一致。"
        return f"找不到图片文件 {folder}{norm}：{hint or '请检查文件名和扩展名，并确认图片已一起提交。'}"
    if not current.is_file():
        return f"{folder}{norm} 是文件夹，不是图片文件。"
    twins = [n for n in os.listdir(current.parent) if n.lower() == current.name.lower() and n != current.name]
    if twins:
        return f"文件夹中还有只差大小写的「{twins[0]}」：在 Windows 上两者会冲突，请删除或改名其中一个。"
    from . import images  # content checks are the image pipeline's job

    problem = images.inspect_image(current)
    return f"图片 {folder}{norm} {problem.rstrip('。')}。" if problem else None


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
