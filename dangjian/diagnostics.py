"""Diagnostics: one problem found in the content, with its place, and its formats.

Formats: `text` for people, `json` for tools, `github` for workflow
annotations, `gitlab` for a Code Quality report.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

from .chars import visible


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str  # posix path relative to the project root, e.g. "cases/fgw/x.yaml"
    line: int  # 1-based; 0 when the problem is the file as a whole
    column: int  # 1-based; 0 when unknown
    code: str  # stable rule id, e.g. "unknown-field", "yaml-tab"
    field: str  # key path, e.g. "practices[1].title"; "" for the whole file
    label: str  # Chinese label of the field, e.g. "主要做法(practices) 第2项 标题(title)"
    message: str  # Chinese, says what is wrong and what to do

    @property
    def place(self) -> str:
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file

    def text(self) -> str:
        where = f"{self.label}：" if self.label else ""
        return f"{self.place}: {where}{self.message}"


def printable(d: Diagnostic) -> Diagnostic:
    """The diagnostic with control characters, line breaks and bidi controls as escapes.

    Values and file names come from contributors; no format may pass them raw
    to a terminal, a CI log or a JSON reader.
    """
    return replace(d, file=visible(d.file), field=visible(d.field), label=visible(d.label),
                   message=visible(d.message))


def _guard(line: str) -> str:
    # A line of ours never starts a workflow command ("::" or the older "##[").
    return " " + line if line.startswith(("::", "##[")) else line


def sort(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(diagnostics))


def summary(diagnostics: list[Diagnostic]) -> str:
    if not diagnostics:
        return "检查通过：没有发现问题。"
    files = len({d.file for d in diagnostics})
    return f"发现 {len(diagnostics)} 个问题，涉及 {files} 个文件。请按提示逐条修改后重新检查。"


def format_text(diagnostics: list[Diagnostic]) -> str:
    lines = [_guard(printable(d).text()) for d in diagnostics]
    lines.append(summary(diagnostics))
    return "\n".join(lines) + "\n"


def format_json(diagnostics: list[Diagnostic]) -> str:
    payload = {
        "ok": not diagnostics,
        "count": len(diagnostics),
        "diagnostics": [asdict(printable(d)) for d in diagnostics],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _escape_github_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_github_property(value: str) -> str:
    return _escape_github_data(value).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: list[Diagnostic]) -> str:
    """Workflow commands, then the full list: the PR view shows only ten annotations."""
    out = []
    for d in map(printable, diagnostics):
        props = [f"file={_escape_github_property(d.file)}"]
        if d.line:
            props.append(f"line={d.line}")
        if d.column:
            props.append(f"col={d.column}")
        props.append(f"title={_escape_github_property(d.label or d.code)}")
        out.append(f"::error {','.join(props)}::{_escape_github_data(d.message)}")
    return "".join(line + "\n" for line in out) + format_text(diagnostics)


def fingerprint(d: Diagnostic, occurrence: int) -> str:
    # Line numbers are left out so that an unrelated edit above does not turn
    # a known problem into a "new" one in GitLab's merge-request widget.
    key = "\0".join([d.file, d.code, d.field, d.message, str(occurrence)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def format_gitlab(diagnostics: list[Diagnostic]) -> str:
    """A GitLab Code Quality report (a JSON array), one entry per diagnostic."""
    seen: dict[tuple, int] = {}
    report = []
    for d in map(printable, diagnostics):
        key = (d.file, d.code, d.field, d.message)
        seen[key] = seen.get(key, 0) + 1
        report.append(
            {
                "description": d.text(),
                "check_name": d.code,
                "fingerprint": fingerprint(d, seen[key]),
                "severity": "major",
                "location": {"path": d.file, "lines": {"begin": max(d.line, 1)}},
            }
        )
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


FORMATS = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "gitlab": format_gitlab,
}
