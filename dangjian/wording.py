"""JSON Schema errors in words: one wording per keyword, placed by the error's own path.

python-jsonschema yields every error with its keyword (`error.validator`) and
its place in the data (`error.absolute_path`, `error.json_path`); a table maps
each keyword our schemas use to the Chinese message a contributor can act on.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema

from . import chars
from .diagnostics import Diagnostic
from .schemas import resolve_ref
from .yamlfile import SourceFile, YamlDate, YamlNumber

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
SLUG_RULE = "只能用小写字母、数字和连字符「-」，以字母或数字开头，最长 63 个字符"


# -- labels -----------------------------------------------------------------


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


# -- messages -----------------------------------------------------------------

_TYPE_WORDS = {
    "string": "文字",
    "array": "列表",
    "object": "「字段: 内容」形式的一组字段",
    "integer": "整数",
    "number": "数字",
    "boolean": "true 或 false",
}


def _yaml_reading(value: Any, raw: str | None) -> str:
    """How YAML 1.1 misread an unquoted value, in words."""
    if isinstance(value, bool):
        return f"「{raw}」没有加引号，会被 YAML 当成布尔值（是/否）"
    if isinstance(value, YamlNumber):
        return f"「{chars.shorten(value.raw)}」没有加引号，会被 YAML 当成一个太长的数字"
    if isinstance(value, YamlDate):
        return f"「{raw}」没有加引号，会被 YAML 当成日期或时间"
    if isinstance(value, (int, float)) and raw is not None and raw != chars.shorten(str(value)):
        return f"「{raw}」没有加引号，会被 YAML 当成数字 {chars.shorten(str(value))}"
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
            return f'{reading}，而这里需要文字：请加上英文引号，写成 {key}: "{raw}"。'
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
        if isinstance(value, YamlNumber):
            return f"「{chars.shorten(value.raw)}」这个数太长了（{len(value.raw)} 位）：这里只写年份，例如 {key}: 2024。"
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


# -- one wording per keyword ---------------------------------------------------


@dataclass
class _Error:
    """One jsonschema error with what its wording needs."""

    src: SourceFile
    root: dict
    schema: dict  # the file's (or kind's) schema
    error: jsonschema.ValidationError
    path: tuple
    sub: dict  # the schema of the failing value
    label: str
    key: str  # the nearest field name on the path
    raw: str | None  # the value as written, for scalars YAML converted

    @property
    def value(self) -> Any:
        return self.error.instance

    @property
    def bound(self) -> Any:
        return self.error.validator_value

    def diag(self, code: str, message: str, path: tuple | None = None) -> Diagnostic:
        line, col = self.src.at(self.path)
        if path is None:  # the error's own path, as jsonschema writes it: "$.practices[1].title"
            where = self.error.json_path[2:] if self.path else ""
        else:
            where = field_path(path)
        return Diagnostic(self.src.rel, line, col, code, where, self.label, message)


def _required(e: _Error) -> Iterator[Diagnostic]:
    for name in e.bound:
        if isinstance(e.value, dict) and name not in e.value:
            yield e.diag(
                "missing-field",
                f"缺少必填字段「{_prop_label(e.root, e.sub, name)}」：请补上。",
                e.path + (name,),
            )


def _additional(e: _Error) -> Iterator[Diagnostic]:
    known = list(e.sub.get("properties", {}))
    for extra in (k for k in e.value if k not in known):
        yield _unknown_field(e.src, e.root, e.sub, e.path, extra, known, e.label)


def _type(e: _Error) -> Iterator[Diagnostic]:
    yield e.diag("type", _type_message(e.bound, e.value, e.raw, e.key))


def _min_length(e: _Error) -> Iterator[Diagnostic]:
    if e.value == "" or (isinstance(e.value, str) and not e.value.strip()):
        yield e.diag("empty", "不能为空：请填写内容。")
    else:
        yield e.diag("too-short", f"太短了：至少 {e.bound} 个字，现在只有 {len(e.value)} 个字。")


def _max_length(e: _Error) -> Iterator[Diagnostic]:
    yield e.diag("too-long", f"太长了：最多 {e.bound} 个字，现在有 {len(e.value)} 个字，请精简。")


def _min_items(e: _Error) -> Iterator[Diagnostic]:
    yield e.diag("too-few", f"至少要写 {e.bound} 项，每项单独一行，以「- 」开头。")


def _one_of(e: _Error) -> Iterator[Diagnostic]:
    allowed = e.bound if e.error.validator == "enum" else [e.bound]
    shown = e.raw if e.raw is not None else chars.shorten(str(e.value))
    yield e.diag("not-allowed", f"「{shown}」不可用：" + _enum_message(e.key, allowed))


def _pattern(e: _Error) -> Iterator[Diagnostic]:
    shown = chars.shorten(e.value)
    if "a-z0-9" in e.bound:
        yield e.diag("bad-id", f"「{shown}」不符合编号规则：{SLUG_RULE}。")
    else:
        yield e.diag("bad-id", f"「{shown}」格式不对：{e.sub.get('description', '')}。")


def _range(e: _Error) -> Iterator[Diagnostic]:
    shown = chars.shorten(str(e.value))
    note = (
        f"「{e.raw}」会被 YAML 读成 {shown}，"
        if e.raw is not None and e.raw != shown
        else f" {shown} "
    )
    if e.key == "year":
        hi = (
            resolve_ref(e.root, e.schema)
            .get("properties", {})
            .get("year", {})
            .get("maximum", "今年")
        )
        yield e.diag(
            "year-range", f"年份{note}不在 1990 到 {hi} 之间：请写四位数的年份，例如 2023。"
        )
    else:
        bound = "不能小于" if e.error.validator == "minimum" else "不能大于"
        yield e.diag("out-of-range", f"数值{note}{bound} {e.bound}。")


def _unique(e: _Error) -> Iterator[Diagnostic]:
    yield e.diag("duplicate-item", "有重复的项：请删除重复的那一行。")


def _unworded(e: _Error) -> Iterator[Diagnostic]:
    # a keyword this table does not word yet: still an error, in jsonschema's words
    yield e.diag("schema", f"不符合要求：{e.error.message}")


KEYWORDS: dict[str, Callable[[_Error], Iterable[Diagnostic]]] = {
    "required": _required,
    "additionalProperties": _additional,
    "type": _type,
    "minLength": _min_length,
    "maxLength": _max_length,
    "minItems": _min_items,
    "enum": _one_of,
    "const": _one_of,
    "pattern": _pattern,
    "minimum": _range,
    "maximum": _range,
    "uniqueItems": _unique,
}


def schema_diagnostics(
    src: SourceFile, root: dict, schema: dict, validator: jsonschema.Draft7Validator
) -> Iterator[Diagnostic]:
    """Every schema error of `src`, worded by its keyword."""
    for error in validator.iter_errors(src.data):
        if isinstance(error.instance, float) and not math.isfinite(error.instance):
            continue  # NaN and infinity: one "bad-number" diagnostic says it all
        path = tuple(error.absolute_path)
        sub, parts = _walk(root, schema, path)
        key = next((p for p in reversed(path) if isinstance(p, str)), "")
        raw = src.raw.get(path)
        e = _Error(
            src,
            root,
            schema,
            error,
            path,
            sub,
            " ".join(parts),
            key,
            chars.shorten(raw) if raw is not None else None,
        )
        yield from KEYWORDS.get(error.validator, _unworded)(e)


def _unknown_field(
    src: SourceFile, root: dict, sub: dict, path: tuple, extra: str, known: list[str], label: str
) -> Diagnostic:
    line, col = src.at(path + (extra,), key=True)
    by_title = {resolve_ref(root, s).get("title"): k for k, s in sub.get("properties", {}).items()}
    guess = by_title.get(extra) or next(
        iter(difflib.get_close_matches(extra.lower(), known, 1, 0.6)), None
    )
    if guess:
        hint = f"是不是想写「{guess}」（{resolve_ref(root, sub['properties'][guess]).get('title', '')}）？"
    else:
        hint = "这里可以写的字段有：" + "、".join(known) + "。"
    return Diagnostic(
        src.rel,
        line,
        col,
        "unknown-field",
        field_path(path + (extra,)),
        label,
        f"不认识的字段「{chars.shorten(extra)}」：{hint}",
    )
