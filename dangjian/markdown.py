"""Markdown fields of a case -> safe HTML, shared by the site pages and the casebook.

Case text comes from contributors, so whatever it says is data: raw HTML is
sanitized with nh3 against a small allowlist, links may only point to http(s),
mailto or inside the site, and no image can be pulled in from the text (an
intranet page must not request another host; pictures go through `photos`).
"""

from __future__ import annotations

import re
from functools import lru_cache

import markdown as _markdown
import nh3

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

_md = _markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")


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
    """Render one (md) field to sanitized HTML (empty string for empty text)."""
    if not text or not text.strip():
        return ""
    _md.reset()
    html = _HEADING.sub(_demote, _md.convert(join_cjk_lines(text)))
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def render_inline(text: str) -> str:
    """Render a short (md) text without the wrapping paragraph, for use inside a line."""
    html = render_markdown(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html
