"""The rules for Markdown fields that `check` applies without rendering them.

`check` is the light entry point (no Markdown or sanitizer library): links are
found in the source text, nesting is measured on it. The renderer
(markdown.py) applies the same URL policy to what it produces, so a link the
text scan misses still loses its target.
"""

from __future__ import annotations

import html
import re

_SAFE_URL = re.compile(r"^(?:https?://[^/\\\s]|mailto:[^/\\\s])", re.I)
_HREF = re.compile(r"""<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_QUOTES = re.compile(r"^[ \t]*((?:>[ \t]*){9,})", re.M)
_INDENT = re.compile(r"^([ \t]{33,})\S", re.M)
MAX_QUOTE_DEPTH = 8
MAX_INDENT = 32  # spaces: lists nested about eight deep, or code inside them
MAX_BRACKETS = 200  # "[" or "]" in one field: Python-Markdown's link search is quadratic in them


def link_allowed(url: str) -> bool:
    """The one URL policy of site and casebook: http(s) and mailto, nothing else.

    Relative paths, fragments ("#concept"), "//host", file:, javascript:,
    data: and the like point at nothing a reader of both the site and the
    printed casebook can follow, or at something dangerous.
    """
    return bool(_SAFE_URL.match(url.strip()))


def structure_problem(text: str) -> str | None:
    """Why a Markdown field is too deeply nested or too bracket-heavy to render, or None."""
    if text.count("[") > MAX_BRACKETS or text.count("]") > MAX_BRACKETS:
        return (
            f"方括号「[」「]」太多（上限各 {MAX_BRACKETS} 个）：Markdown 会把它们当成链接反复查找。"
            "请删掉多余的方括号，中文里请用【】。"
        )
    m = _QUOTES.search(text) if ">" in text else None
    if m:
        return f"引用（行首的「>」）嵌套太深：最多 {MAX_QUOTE_DEPTH} 层。"
    m = _INDENT.search(text) if "\t" in text or " " * (MAX_INDENT + 1) in text else None
    if m:
        return f"缩进太深（超过 {MAX_INDENT} 个空格）：列表最多嵌套几层，请减少行首的空格。"
    return None


# Where a Markdown field can name a link target: inline links and images
# "[x](url)", reference definitions "[id]: url", autolinks "<scheme:...>" and raw <a href>.
_TARGETS = [
    re.compile(r"\]\(\s*<([^>\n]*)>"),
    re.compile(r"\]\(\s*([^\s)<][^\s)]*)"),
    re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.M),
    re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*)>"),
    _HREF,
]


def link_targets(text: str) -> list[str]:
    """Every link target a Markdown field names, entities decoded, in order of appearance."""
    if "[" not in text and "<" not in text:
        return []
    found = []
    for pattern in _TARGETS:
        for m in pattern.finditer(text):
            value = next(g for g in m.groups() if g is not None)
            found.append((m.start(), html.unescape(value)))
    return [url for _, url in sorted(found)]
