"""Read the files of a case library: find them, read them (bounded), decode them; YAML is yamlfile's.

Hidden, unreadable, symlinked, special, oversized and non-UTF-8 files become
a Diagnostic naming the file, never a silent gap; nothing here raises on bad
input.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import chars
from .diagnostics import Diagnostic
from .yamlfile import SourceFile, line_col, parse_text

__all__ = ["LibraryFiles", "SourceFile", "decode", "parse_file", "parse_text", "read_library"]

MAX_FILE_BYTES = 256 * 1024
YAML_SUFFIXES = (".yaml", ".yml")
REGISTRY_FILES = {"units": "units", "themes": "themes", "settings": "settings"}
_RAW_BREAK = re.compile("[\x85\u2028\u2029]")  # line breaks to YAML, invisible in editors


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
            line, col = line_col(text, m.start())
            src.problem("bad-char", f"有不允许的字符 {chars.describe(m.group())}：YAML 会把它当成换行，"
                        "编辑器里却看不出来。请删除它（常见于从网页、Word 或聊天软件复制的文字）。", line, col)
        return None
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        src.problem("empty", "文件是空的（或只有注释）：请按模板填写内容，或删除这个文件。", 1, 1)
        return None
    return text
