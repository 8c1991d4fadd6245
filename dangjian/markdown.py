"""Markdown fields of a case -> safe HTML, shared by the site pages and the casebook.

Case text comes from contributors, so whatever it says is data: raw HTML is
sanitized with nh3 against a small allowlist, links may only point to http(s),
mailto or inside the site, and no image can be pulled in from the text (an
intranet page must not request another host; pictures go through `photos`).
"""

from __future__ import annotations

import html
import re
import threading
from functools import lru_cache

import markdown as _markdown
import nh3

from .mdrules import link_allowed, structure_problem

# What a secretary can reasonably write in a text field: paragraphs, lists,
# emphasis, quotes, small headings, tables, links. No images, no forms, no style.
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "sub", "sup",
        "ul", "ol", "li", "blockquote", "code", "pre", "kbd",
        "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td", "caption",
        "a", "abbr",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_HEADING = re.compile(r"<(/?)h([1-6])>")
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_END = re.compile(f"[{_CJK}]$")
_CJK_START = re.compile(f"^[ \t]*[{_CJK}]")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_ATX = re.compile(r"^[ \t]{0,3}#")

def _filter(element: str, attribute: str, value: str) -> str | None:
    if element == "a" and attribute == "href" and not link_allowed(value):
        return None  # the link text stays, as text
    return value


_PER_THREAD = threading.local()


def _md_html(text: str) -> str:
    # One Markdown instance per thread, reset before each text: the serve
    # watcher and a build may render at once, and setting one up costs more
    # than many a field's conversion.
    md = getattr(_PER_THREAD, "md", None)
    if md is None:
        md = _PER_THREAD.md = _markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    md.reset()
    return _HEADING.sub(_demote, md.convert(join_cjk_lines(text)))


def _demote(match: re.Match[str]) -> str:
    # A heading in a text field sits inside a section of the case page (h2/h3),
    # so "# 小标题" in the YAML must not outrank the page's own headings.
    return f"<{match.group(1)}h{min(6, int(match.group(2)) + 3)}>"


def join_cjk_lines(text: str) -> str:
    """Join a line break between two Chinese characters within a paragraph.

    Secretaries wrap long sentences in their editor; HTML shows such a break
    as a space, which in Chinese reads as a stray gap mid-sentence.
    """
    out: list[str] = []
    fenced = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        elif (not fenced and out and _CJK_END.search(out[-1]) and _CJK_START.match(line)
              and not _ATX.match(out[-1])):
            out[-1] += line.lstrip(" \t")
            continue
        out.append(line)
    return "\n".join(out)


@lru_cache(maxsize=1 << 16)  # pages, search text and casebook render the same fields
def render_markdown(text: str) -> str:
    """Render one (md) field to sanitized HTML (empty string for empty text).

    Links outside the URL policy lose their target and stay as text. A field
    `check` would refuse as too deeply nested is shown as plain text.
    """
    if not text or not text.strip():
        return ""
    if structure_problem(text):
        return "<p>" + html.escape(text, quote=False) + "</p>"
    return nh3.clean(
        _md_html(text),
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        attribute_filter=_filter,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
