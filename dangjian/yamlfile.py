"""One YAML file of the library: text -> YAML nodes -> plain data with the place of every node.

Every trap a contributor can fall into (tabs, full-width colons, YAML 1.1
surprises, anchors, duplicate keys, nesting that would crash a recursive
parser) becomes a problem of the SourceFile on the right line; nothing here
raises on bad input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic
from .schemas import field_names
from .yamlcompose import Refused, compose

_T = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_T + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_INVISIBLE = re.compile("[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\u00ad]")
_SAFE = yaml.constructor.SafeConstructor()


class YamlDate:
    """A plain scalar YAML 1.1 reads as a date or time: never what a case field wants."""

    def __init__(self, raw: str) -> None:
        self.raw = raw

    def __repr__(self) -> str:
        return f"YamlDate({self.raw!r})"


class YamlNumber(YamlDate):
    """A plain scalar YAML reads as a number too long to convert (thousands of digits)."""


@dataclass
class SourceFile:
    """One YAML file of the library, parsed (or not) with the place of every node."""

    path: Path  # absolute
    rel: str  # relative to the project, posix: "cases/fgw/x.yaml"
    role: str  # "units", "themes", "settings" or "case"
    unit_dir: str = ""  # for cases: the folder name (= unit id)
    data: Any = None  # plain dicts/lists/scalars; None if unreadable
    ok: bool = False  # parsed without any problem
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)  # value nodes
    key_positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)  # mapping keys
    raw: dict[tuple, str] = field(default_factory=dict)  # source text of non-string scalars
    problems: list[Diagnostic] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return self.path.stem

    def at(self, path: tuple, key: bool = False) -> tuple[int, int]:
        """(line, column) of a node, falling back to its nearest ancestor, then the file start."""
        table = self.key_positions if key else self.positions
        if path in table:
            return table[path]
        while path:
            path = path[:-1]
            if path in self.positions:
                return self.positions[path]
        return (1, 1)

    def problem(
        self,
        code: str,
        message: str,
        line: int = 0,
        column: int = 0,
        field: str = "",
        label: str = "",
    ) -> None:
        self.problems.append(Diagnostic(self.rel, line, column, code, field, label, message))


# Field names come from the schema files (the one place they are defined), so
# that a full-width colon or a missing space after a key is recognised only
# where a key was clearly meant.
_KEY = r"^(?P<indent>[ ]*(?:-[ ]+)?)(?P<key>[A-Za-z_]+)[ ]*"
# (a character that must occur, the pattern, rule id, message). Patterns with a
# `key` group count only where the key is a known field name.
TRAPS = [
    (
        "：",
        re.compile(_KEY + "：", re.M),
        "fullwidth-colon",
        "字段「{key}」后面用了全角冒号「：」：请改成半角冒号「:」，并在冒号后加一个空格。",
    ),
    (
        ":",
        re.compile(_KEY + r":(?=[^\s:/])", re.M),
        "colon-space",
        "字段「{key}」的冒号后面缺少空格：请写成「{key}: 内容」。",
    ),
    (
        "\t",
        re.compile(r"^[ ]*\t", re.M),
        "yaml-tab",
        "这一行用 Tab 键缩进了：YAML 只能用空格缩进，请把 Tab 换成空格（每层两个空格）。",
    ),
    (
        "\u3000",
        re.compile(r"^[ \t]*\u3000", re.M),
        "fullwidth-space",
        "这一行用全角空格缩进了：请切换到半角（英文）输入，用普通空格缩进。",
    ),
]


def line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def scan_traps(text: str, src: SourceFile) -> bool:
    """Line-level mistakes YAML reports badly or not at all. True if any was found."""
    found = False
    for needle, pattern, code, message in TRAPS:
        if needle not in text:
            continue
        for m in pattern.finditer(text):
            key = m.groupdict().get("key") or ""
            if "key" in pattern.groupindex and key not in field_names():
                continue
            line, col = line_col(text, m.end() - 1)
            src.problem(code, message.format(key=key), line, col, key)
            found = True
    return found


_YAML_PROBLEMS = [
    ("found character '\\t'", "这里有 Tab 字符：YAML 只能用空格缩进，请把 Tab 换成空格。"),
    (
        "cannot start any token",
        "这里的字符不能出现在值的开头（例如 @ ` % 或 *）：请给整个值加上英文双引号。",
    ),
    (
        "mapping values are not allowed",
        "这一行多了一个冒号：如果文字里需要「: 」，请给整个值加上英文双引号；"
        "也可能是上一行缩进不对。",
    ),
    (
        "could not find expected ':'",
        "缺少冒号：每个字段要写成「字段名: 内容」（冒号是半角，后面有空格）。",
    ),
    (
        "did not find expected key",
        "缩进不一致：同一层的字段要左对齐，列表项「- 」下的字段要比「-」多缩进两格。",
    ),
    ("did not find expected '-' indicator", "列表缩进不一致：同一个列表的每一项「- 」要左对齐。"),
    ("expected <block end>", "缩进不一致：同一层的字段要左对齐。"),
    ("while scanning a quoted scalar", "引号没有闭合：检查这一处的引号是否成对（使用英文引号）。"),
    ("found unexpected end of stream", "文件意外结束：检查引号或括号是否成对。"),
    ("found undefined alias", "不支持别名（*名称）：请把内容直接写出来。"),
    ("found duplicate anchor", "不支持锚点（&名称）：请把内容直接写出来。"),
    (
        "expected a single document",
        "一个文件只能写一个案例：发现了多个用 --- 分隔的文档，请拆成多个文件。",
    ),
    ("while parsing a flow", "方括号或花括号没有配对：检查 [ ] 与 { } 是否成对。"),
    (
        "found unknown escape character",
        "双引号里的反斜杠「\\」被当成了转义符：请改用单引号，或写成「\\\\」。",
    ),
    ("unacceptable character", "文件中有不允许的控制字符：请删除这一处看不见的字符。"),
]


def _yaml_problem(e: yaml.YAMLError, src: SourceFile) -> None:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    if "quoted scalar" in str(getattr(e, "context", "")) and getattr(e, "context_mark", None):
        mark = e.context_mark  # where the unclosed quote opens, not the end of the file
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    text = f"{getattr(e, 'context', '') or ''} {getattr(e, 'problem', '') or ''} {e}"
    message = next((m for needle, m in _YAML_PROBLEMS if needle in text), None) or (
        f"YAML 格式错误（{getattr(e, 'problem', None) or e}）：请检查这一行的缩进、冒号和引号。"
    )
    src.problem("yaml-syntax", message, line, col)


def parse_text(text: str, src: SourceFile) -> None:
    if scan_traps(text, src):
        return
    try:
        node = compose(text, case=src.role == "case")
    except yaml.YAMLError as e:
        _yaml_problem(e, src)
        return
    except Refused as e:
        src.problem(e.code, e.message, e.line, e.column)
        return
    if node is None:
        src.problem("empty", "文件是空的（或只有注释）：请按模板填写内容，或删除这个文件。", 1, 1)
        return
    before = len(src.problems)
    if isinstance(node, yaml.SequenceNode):
        src.problem(
            "top-level",
            "文件最外层是一个列表（以「- 」开头）：最外层应该是「字段名: 内容」，"
            "例如第一行写 kind: brand。",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        )
        return
    if not isinstance(node, yaml.MappingNode):
        src.problem(
            "top-level",
            "文件内容不是「字段名: 内容」的形式：请按模板填写，冒号用半角并在后面加空格。",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        )
        return
    src.data = _convert(node, (), src)
    src.ok = len(src.problems) == before


def _convert(node: yaml.Node, path: tuple, src: SourceFile) -> Any:  # depth <= MAX_DEPTH
    mark = node.start_mark
    src.positions[path] = (mark.line + 1, mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _T + "map":
            return _bad_tag(node, src)
        out: dict[str, Any] = {}
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            km = key_node.start_mark
            if not isinstance(key_node, yaml.ScalarNode):
                src.problem("yaml-key", "字段名必须是普通文字。", km.line + 1, km.column + 1)
                continue
            key = key_node.value
            if key_node.tag == _T + "merge":
                src.problem(
                    "yaml-anchor",
                    "不支持「<<」合并：请把内容直接写出来。",
                    km.line + 1,
                    km.column + 1,
                )
                continue
            if not key.isascii() and (
                _INVISIBLE.search(key) or any(unicodedata.category(ch) == "Cf" for ch in key)
            ):
                clean = _INVISIBLE.sub("", key)
                src.problem(
                    "invisible-char",
                    f"字段名「{clean}」里有看不见的字符（零宽字符等），通常来自网页或聊天软件复制：请删掉这个字段名后手动重新输入。",
                    km.line + 1,
                    km.column + 1,
                    clean,
                )
                continue
            if key in first:
                src.problem(
                    "duplicate-key",
                    f"字段「{key}」重复出现（第一次在第 {first[key]} 行）：请删除或合并其中一个。",
                    km.line + 1,
                    km.column + 1,
                    ".".join(map(str, path + (key,))),
                )
                continue
            first[key] = km.line + 1
            src.key_positions[path + (key,)] = (km.line + 1, km.column + 1)
            out[key] = _convert(value_node, path + (key,), src)
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _T + "seq":
            return _bad_tag(node, src)
        return [_convert(item, path + (i,), src) for i, item in enumerate(node.value)]
    return _scalar(node, path, src)


def _bad_tag(node: yaml.Node, src: SourceFile) -> None:
    m = node.start_mark
    tag = node.tag.replace(_T, "!!")
    src.problem(
        "yaml-tag", f"不支持 YAML 标签「{tag}」：请去掉它，直接写文字。", m.line + 1, m.column + 1
    )
    return None


def _scalar(node: yaml.ScalarNode, path: tuple, src: SourceFile) -> Any:
    tag = node.tag
    if tag == _T + "str":
        return node.value
    if tag not in _SCALAR_TAGS:
        return _bad_tag(node, src)
    if node.style:  # quoted yet tagged: an explicit !!int "3" and the like
        return _bad_tag(node, src)
    src.raw[path] = node.value
    try:
        if tag == _T + "null":
            return None
        if tag == _T + "bool":
            return _SAFE.construct_yaml_bool(node)
        if tag == _T + "int":
            return _SAFE.construct_yaml_int(node)
        if tag == _T + "float":
            return _SAFE.construct_yaml_float(node)
    except (ValueError, OverflowError):  # e.g. more digits than Python converts
        return YamlNumber(node.value) if tag in (_T + "int", _T + "float") else YamlDate(node.value)
    return YamlDate(node.value)  # timestamps: kept unconstructed, never valid anywhere
