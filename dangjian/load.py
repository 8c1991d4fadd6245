"""Read the files of a case library: bytes -> text -> YAML nodes -> plain data with positions.

Every trap a contributor can fall into (encoding, tabs, full-width colons,
YAML 1.1 surprises, anchors, duplicate keys) becomes a Diagnostic on the right
line; nothing here raises on bad input.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import chars
from .diagnostics import Diagnostic

try:  # libyaml is ~10x faster; PyYAML wheels ship it, but never depend on it
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 12  # the deepest valid structure is 3 levels; anything far beyond is an attack
YAML_SUFFIXES = (".yaml", ".yml")
REGISTRY_FILES = {"units": "units", "themes": "themes", "settings": "settings"}

_T = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_T + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_INVISIBLE = re.compile("[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\u00ad]")
_RAW_BREAK = re.compile("[\x85\u2028\u2029]")  # line breaks to YAML, invisible in editors
_SAFE = yaml.constructor.SafeConstructor()
_PLAIN_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")


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

    def problem(self, code: str, message: str, line: int = 0, column: int = 0,
                field: str = "", label: str = "") -> None:
        self.problems.append(Diagnostic(self.rel, line, column, code, field, label, message))


@dataclass
class LibraryFiles:
    project: Path
    root: Path  # the cases folder
    units: SourceFile | None = None
    themes: SourceFile | None = None
    settings: SourceFile | None = None
    cases: list[SourceFile] = field(default_factory=list)
    unit_dirs: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)


def _rel(project: Path, path: Path) -> str:
    """The path as diagnostics show it: relative, and bytes that are not UTF-8 as "\\xff"."""
    try:
        rel = path.relative_to(project).as_posix()
    except ValueError:
        rel = path.as_posix()
    return os.fsencode(rel).decode("utf-8", "backslashreplace") if not rel.isascii() else rel


def read_library(project: Path, cases_dir: str = "cases") -> LibraryFiles:
    """Find and parse every file of the library. Problems are collected, never raised."""
    root = project / cases_dir
    lib = LibraryFiles(project, root)
    if not root.is_dir():
        lib.problems.append(
            Diagnostic(cases_dir, 0, 0, "no-library", "", "", "找不到案例文件夹，请在项目根目录运行。")
        )
        return lib
    try:
        with os.scandir(root) as entries:
            entries = sorted(entries, key=lambda e: e.name)
    except OSError as e:
        lib.problems.append(_unreadable(project, root, e))
        return lib
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith(".") and _hidden(lib, entry.name, path):
            continue
        stem, suffix = os.path.splitext(entry.name)
        if entry.is_symlink() and entry.is_dir():
            lib.problems.append(
                Diagnostic(_rel(project, path), 0, 0, "symlink", "", "",
                           "单位文件夹不能是符号链接（它可能指向仓库以外的任何位置）：请提交真实的文件夹。")
            )
            continue
        if entry.is_dir(follow_symlinks=False):
            lib.unit_dirs.append(entry.name)
            _read_unit_dir(lib, path)
        elif suffix.lower() in YAML_SUFFIXES:
            role = REGISTRY_FILES.get(stem)
            if role is None:
                lib.problems.append(
                    Diagnostic(_rel(project, path), 0, 0, "stray-file", "", "",
                               "cases/ 下只能放 units.yaml、themes.yaml、settings.yaml 和各单位的文件夹；"
                               "案例文件请放进本单位的文件夹。")
                )
                continue
            if getattr(lib, role) is not None:
                lib.problems.append(
                    Diagnostic(_rel(project, path), 0, 0, "duplicate-file", "", "",
                               f"同时存在 {getattr(lib, role).path.name} 和 {entry.name}，请只保留一个。")
                )
                continue
            setattr(lib, role, parse_file(path, _rel(project, path), role))
    if lib.units is None:
        lib.problems.append(
            Diagnostic(f"{cases_dir}/units.yaml", 0, 0, "no-units", "", "",
                       "缺少单位名册 units.yaml：请先登记单位，再提交案例。")
        )
    return lib


def _unreadable(project: Path, path: Path, e: OSError) -> Diagnostic:
    return Diagnostic(_rel(project, path), 0, 0, "unreadable", "", "",
                      f"无法读取这个文件夹（{e.strerror or e}）：其中的案例不会被检查，也不会出现在网站上。"
                      "请检查文件夹的权限。")


def _hidden(lib: LibraryFiles, name: str, path: Path) -> bool:
    """Hidden folders and YAML files are refused, never skipped; True if `name` is to be left out."""
    is_dir = path.is_dir() and not path.is_symlink()
    if is_dir or os.path.splitext(name)[1].lower() in YAML_SUFFIXES:
        what = "文件夹" if is_dir else "文件"
        lib.problems.append(
            Diagnostic(_rel(lib.project, path), 0, 0, "hidden-file", "", "",
                       f"隐藏{what}（名称以「.」开头）里的内容不会被检查，也不会出现在网站上："
                       f"请去掉名称开头的「.」，或删除这个{what}。")
        )
    return True  # other hidden files (.gitkeep, .DS_Store) hold no content


def _read_unit_dir(lib: LibraryFiles, folder: Path) -> None:
    def failed(e: OSError) -> None:
        lib.problems.append(_unreadable(lib.project, Path(e.filename or folder), e))

    for dirpath, dirnames, filenames in os.walk(folder, onerror=failed):
        dirnames[:] = sorted(d for d in dirnames if not (d.startswith(".") and _hidden(lib, d, Path(dirpath, d))))
        nested = dirpath != str(folder)
        for name in sorted(filenames):
            if name.startswith(".") and _hidden(lib, name, Path(dirpath, name)):
                continue
            if os.path.splitext(name)[1].lower() not in YAML_SUFFIXES:
                continue
            path = Path(dirpath, name)
            rel = _rel(lib.project, path)
            if nested:
                lib.problems.append(
                    Diagnostic(rel, 0, 0, "nested-case", "", "",
                               f"案例文件要直接放在单位文件夹 cases/{folder.name}/ 下，不能放在子文件夹里。")
                )
            elif path.is_symlink():
                lib.problems.append(
                    Diagnostic(rel, 0, 0, "symlink", "", "", "案例文件不能是符号链接，请提交真实文件。")
                )
            else:
                lib.cases.append(parse_file(path, rel, "case", folder.name))


def parse_file(path: Path, rel: str, role: str, unit_dir: str = "") -> SourceFile:
    src = SourceFile(path, rel, role, unit_dir)
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            src.problem("symlink", "这个文件是符号链接（它可能指向仓库以外的任何文件）：请提交真实文件。")
            return src
        if not stat.S_ISREG(st.st_mode):
            src.problem("not-a-file", "这不是一个普通文件：请提交 UTF-8 编码的文本文件。")
            return src
        with open(path, "rb") as f:  # bounded: the size may change between stat and read
            data = f.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            size = max(st.st_size, len(data))
            src.problem("too-large", f"文件太大（{size // 1024} KB），上限是 {MAX_FILE_BYTES // 1024} KB："
                        "一个案例写几千字即可，图片请单独放在 images 文件夹。")
            return src
    except OSError as e:
        src.problem("unreadable", f"无法读取文件（{e.strerror}）。")
        return src
    text = decode(data, src)
    if text is None:
        return src
    parse_text(text, src)
    return src


def decode(data: bytes, src: SourceFile) -> str | None:
    """Bytes to text: UTF-8 (a BOM is fine); anything else is named and refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 3 and (data[1:4:2] == b"\0\0" or data[0:3:2] == b"\0\0")):
        src.problem("encoding", "文件是 UTF-16 编码：请用记事本或编辑器“另存为”，编码选择 UTF-8 后重新提交。")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
            hint = "看起来是 GBK/GB18030 编码（Windows 记事本的“ANSI”）"
        except UnicodeDecodeError:
            hint = "含有不是 UTF-8 的字节"
        src.problem("encoding", f"文件不是 UTF-8 编码，{hint}：请“另存为”并选择 UTF-8 编码后重新提交。", line)
        return None
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        src.problem("nul", "文件中有空字符（NUL），可能是二进制文件或编码错误：请另存为 UTF-8 纯文本。", line)
        return None
    if "\r" in text:  # CRLF and CR-only (old Mac) files: lines as YAML counts them
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _RAW_BREAK.search(text):
        for m in list(_RAW_BREAK.finditer(text))[:20]:
            line, col = _line_col(text, m.start())
            src.problem("bad-char", f"有不允许的字符 {chars.describe(m.group())}：YAML 会把它当成换行，"
                        "编辑器里却看不出来。请删除它（常见于从网页、Word 或聊天软件复制的文字）。", line, col)
        return None
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        src.problem("empty", "文件是空的（或只有注释）：请按模板填写内容，或删除这个文件。", 1, 1)
        return None
    return text


# Known field names, so that a full-width colon or a missing space after a key
# is recognised only where a key was clearly meant.
KNOWN_KEYS = {
    "kind", "title", "branch", "slogan", "summary", "logo", "concept", "practices", "text",
    "results", "metrics", "label", "value", "unit", "honors", "themes", "year", "status",
    "photos", "file", "caption", "holders", "duties", "commitments", "batch", "units", "id",
    "name", "org", "org_type", "branches", "active", "reviewers", "site_name", "organization",
    "coverage_target", "latest_count", "casebook", "subtitle", "issuer", "preface",
}
_KEY = r"^(?P<indent>[ ]*(?:-[ ]+)?)(?P<key>[A-Za-z_]+)[ ]*"
# (a character that must occur, the pattern, rule id, message). Patterns with a
# `key` group count only where the key is a known field name.
_TRAPS = [
    ("：", re.compile(_KEY + "：", re.M), "fullwidth-colon",
     "字段「{key}」后面用了全角冒号「：」：请改成半角冒号「:」，并在冒号后加一个空格。"),
    (":", re.compile(_KEY + r":(?=[^\s:/])", re.M), "colon-space",
     "字段「{key}」的冒号后面缺少空格：请写成「{key}: 内容」。"),
    ("\t", re.compile(r"^[ ]*\t", re.M), "yaml-tab",
     "这一行用 Tab 键缩进了：YAML 只能用空格缩进，请把 Tab 换成空格（每层两个空格）。"),
    ("\u3000", re.compile(r"^[ \t]*\u3000", re.M), "fullwidth-space",
     "这一行用全角空格缩进了：请切换到半角（英文）输入，用普通空格缩进。"),
]


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def scan_traps(text: str, src: SourceFile) -> bool:
    """Line-level mistakes YAML reports badly or not at all. True if any was found."""
    found = False
    for needle, pattern, code, message in _TRAPS:
        if needle not in text:
            continue
        for m in pattern.finditer(text):
            key = m.groupdict().get("key") or ""
            if "key" in pattern.groupindex and key not in KNOWN_KEYS:
                continue
            line, col = _line_col(text, m.end() - 1)
            src.problem(code, message.format(key=key), line, col, key)
            found = True
    return found


_YAML_PROBLEMS = [
    ("found character '\\t'", "这里有 Tab 字符：YAML 只能用空格缩进，请把 Tab 换成空格。"),
    ("cannot start any token", "这里的字符不能出现在值的开头（例如 @ ` % 或 *）：请给整个值加上英文双引号。"),
    ("mapping values are not allowed", "这一行多了一个冒号：如果文字里需要「: 」，请给整个值加上英文双引号；"
     "也可能是上一行缩进不对。"),
    ("could not find expected ':'", "缺少冒号：每个字段要写成「字段名: 内容」（冒号是半角，后面有空格）。"),
    ("did not find expected key", "缩进不一致：同一层的字段要左对齐，列表项「- 」下的字段要比「-」多缩进两格。"),
    ("did not find expected '-' indicator", "列表缩进不一致：同一个列表的每一项「- 」要左对齐。"),
    ("expected <block end>", "缩进不一致：同一层的字段要左对齐。"),
    ("while scanning a quoted scalar", "引号没有闭合：检查这一处的引号是否成对（使用英文引号）。"),
    ("found unexpected end of stream", "文件意外结束：检查引号或括号是否成对。"),
    ("found undefined alias", "不支持别名（*名称）：请把内容直接写出来。"),
    ("found duplicate anchor", "不支持锚点（&名称）：请把内容直接写出来。"),
    ("expected a single document", "一个文件只能写一个案例：发现了多个用 --- 分隔的文档，请拆成多个文件。"),
    ("while parsing a flow", "方括号或花括号没有配对：检查 [ ] 与 { } 是否成对。"),
    ("found unknown escape character", "双引号里的反斜杠「\\」被当成了转义符：请改用单引号，或写成「\\\\」。"),
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


class _Refused(Exception):
    """Composing stopped at a construct no case file may use (already reported)."""


def compose(text: str, src: SourceFile) -> yaml.Node | None:
    """The YAML node tree of `text`, built from libyaml's events without recursion.

    libyaml's own composer recurses once per nesting level and dies with a
    segmentation fault on a few kilobytes of "[" or "{a: ", below the size cap;
    here depth is counted while the events arrive and the file is refused at
    MAX_DEPTH + 1, as are anchors and aliases (they hide content and enable
    alias bombs). Raises yaml.YAMLError for malformed YAML, _Refused once a
    problem was recorded.
    """
    loader = _Loader(text)
    try:
        loader.get_event()  # StreamStart
        if loader.check_event(yaml.StreamEndEvent):
            return None
        document = loader.get_event()
        root: yaml.Node | None = None
        stack: list[yaml.Node] = []
        keys: list[list] = []  # per open mapping: the pending key, if any
        while not loader.check_event(yaml.DocumentEndEvent):
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                node = stack.pop()
                node.end_mark = event.end_mark
                if isinstance(node, yaml.MappingNode):
                    keys.pop()
                continue
            m = event.start_mark
            if isinstance(event, yaml.AliasEvent) or event.anchor:
                sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
                src.problem("yaml-anchor",
                            f"不支持 YAML 锚点和别名（{sign}{event.anchor}）：请把内容直接写出来，不要引用其他位置。",
                            m.line + 1, m.column + 1)
                raise _Refused
            is_key = bool(stack) and isinstance(stack[-1], yaml.MappingNode) and not keys[-1]
            if len(stack) > MAX_DEPTH and not is_key:  # a value's depth, as _convert counts it
                limit = "案例文件最多只有三层结构" if src.role == "case" else "这个文件用不到这么多层结构"
                src.problem("too-deep", f"嵌套层级太深：{limit}。", m.line + 1, m.column + 1)
                raise _Refused
            node = _node(loader, event)
            if stack:
                parent = stack[-1]
                if isinstance(parent, yaml.SequenceNode):
                    parent.value.append(node)
                elif is_key:
                    keys[-1].append(node)
                else:
                    parent.value.append((keys[-1].pop(), node))
            else:
                root = node
            if not isinstance(node, yaml.ScalarNode):
                stack.append(node)
                if isinstance(node, yaml.MappingNode):
                    keys.append([])
        loader.get_event()  # DocumentEnd
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            raise yaml.composer.ComposerError("expected a single document in the stream", document.start_mark,
                                              "but found another document", event.start_mark)
        return root
    finally:
        loader.dispose()


def _node(loader: Any, event: yaml.Event) -> yaml.Node:
    tag = event.tag
    if isinstance(event, yaml.ScalarEvent):
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        return yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
    kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
    if tag is None or tag == "!":
        tag = loader.resolve(kind, None, event.implicit)
    return kind(tag, [], event.start_mark, None, flow_style=event.flow_style)


def parse_text(text: str, src: SourceFile) -> None:
    if scan_traps(text, src):
        return
    try:
        node = compose(text, src)
    except yaml.YAMLError as e:
        _yaml_problem(e, src)
        return
    except _Refused:
        return
    if node is None:
        src.problem("empty", "文件是空的（或只有注释）：请按模板填写内容，或删除这个文件。", 1, 1)
        return
    before = len(src.problems)
    if isinstance(node, yaml.SequenceNode):
        src.problem("top-level", "文件最外层是一个列表（以「- 」开头）：最外层应该是「字段名: 内容」，"
                    "例如第一行写 kind: brand。", node.start_mark.line + 1, node.start_mark.column + 1)
        return
    if not isinstance(node, yaml.MappingNode):
        src.problem("top-level", "文件内容不是「字段名: 内容」的形式：请按模板填写，冒号用半角并在后面加空格。",
                    node.start_mark.line + 1, node.start_mark.column + 1)
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
                src.problem("yaml-anchor", "不支持「<<」合并：请把内容直接写出来。", km.line + 1, km.column + 1)
                continue
            if not key.isascii() and (
                _INVISIBLE.search(key) or any(unicodedata.category(ch) == "Cf" for ch in key)
            ):
                clean = _INVISIBLE.sub("", key)
                src.problem("invisible-char",
                            f"字段名「{clean}」里有看不见的字符（零宽字符等），通常来自网页或聊天软件复制：请删掉这个字段名后手动重新输入。",
                            km.line + 1, km.column + 1, clean)
                continue
            if key in first:
                src.problem("duplicate-key",
                            f"字段「{key}」重复出现（第一次在第 {first[key]} 行）：请删除或合并其中一个。",
                            km.line + 1, km.column + 1, ".".join(map(str, path + (key,))))
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
    src.problem("yaml-tag", f"不支持 YAML 标签「{tag}」：请去掉它，直接写文字。", m.line + 1, m.column + 1)
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


def is_plain_int(raw: str) -> bool:
    return bool(_PLAIN_INT.match(raw))
