"""Casebook text in official style, applied when the book is rendered (case files stay as written).

- No space between a numeral and Chinese: "2019 年" -> "2019年", "共 136 个" -> "共136个".
- One thousands-separator rule: numbers of five or more digits are grouped by
  threes ("12,500万元"), four-digit numbers never are ("3860万元", years). A
  bare digit run is grouped only when a unit of measure follows, so codes such
  as the 12345 hotline stay as written.
- The last characters of a paragraph are joined (U+2060), so that no paragraph
  ends with a single character alone on its last line.
"""

from __future__ import annotations

import re

from .numbers import group

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACES = r"[ \u00a0\u2002-\u200a\u202f]+"
_DIGIT_THEN_CJK = re.compile(rf"(?<=[0-9%‰])({_SPACES})(?=[{_CJK}])")
_CJK_THEN_DIGIT = re.compile(rf"(?<=[{_CJK}])({_SPACES})(?=[0-9])")
# A number already grouped by the writer: "3,860", "1,234,567.5".
_GROUPED = re.compile(r"(?<![0-9.,])([0-9]{1,3}(?:,[0-9]{3})+)(?=(?:\.[0-9]+)?(?![0-9,]|\.[0-9]))")
# Units of measure after which a bare number is a quantity, not a code.
_MEASURES = "万亿元个人名次件户家项台套辆吨米亩平册份本篇条场"
_BARE = re.compile(rf"(?<![0-9.,A-Za-z\-/])([0-9]{{5,}})(?=(?:\.[0-9]+)?[{_MEASURES}])")


def official_numbers(text: str) -> str:
    """Running text with numerals set as official documents set them."""
    text = _DIGIT_THEN_CJK.sub("", text)
    text = _CJK_THEN_DIGIT.sub("", text)
    text = _GROUPED.sub(lambda m: group(m.group(1).replace(",", "")), text)
    return _BARE.sub(lambda m: group(m.group(1)), text)


# Text between tags, outside <style>: the HTML the reader sees.
_STYLE = re.compile(r"(<style\b.*?</style>)", re.S)
_TEXT = re.compile(r">([^<>]+)<")
# The last three characters (whole entities) of a paragraph-like block.
_TAIL = re.compile(r"((?:&[#\w]+;|[^<>&\s]){3})(</(?:p|li|dd|figcaption|td)>)")
_UNIT = re.compile(r"&[#\w]+;|.")
WORD_JOINER = "\u2060"  # no line break here; draws nothing, extracts as nothing


def _join(match: re.Match) -> str:
    return WORD_JOINER.join(_UNIT.findall(match.group(1))) + match.group(2)


def official_html(html: str) -> str:
    """official_numbers() on every text node; the last characters of a paragraph joined.

    Word joiners rather than a nowrap span: a span per paragraph costs the
    layout of a 1,000-case book a sixth of its time and memory.
    """
    parts = _STYLE.split(html)
    for i in range(0, len(parts), 2):  # odd indexes are the <style> blocks
        body = _TEXT.sub(lambda m: f">{official_numbers(m.group(1))}<", parts[i])
        parts[i] = _TAIL.sub(_join, body)
    return "".join(parts)
