"""Which characters a text field may hold: one rule for every field of every input file.

A field's text ends up in HTML, YAML front matter, JSON, PDF and terminals.
Characters that are invisible there, or that change how the text around them
is read (control characters, line and paragraph separators, bidirectional
overrides, noncharacters, lone surrogates), are refused by `check` with their
code point and name. Block text (the Markdown fields) may also hold line
breaks and tabs; single-line fields may not.
"""

from __future__ import annotations

import re
import unicodedata

# Single-line fields: every C0 control including \t and \n.
_LINE = "\x00-\x1f"
# Block text: C0 except \t and \n.
_BLOCK = "\x00-\x08\x0b-\x1f"
# Refused everywhere: DEL and C1, line/paragraph separators, bidi embeddings,
# overrides and isolates, interlinear annotations, noncharacters, surrogates,
# tag characters (invisible ASCII look-alikes).
_ALWAYS = (
    "\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufff9-\ufffb\ufdd0-\ufdef\ufffe\uffff"
    "\ud800-\udfff\U000e0000-\U000e007f"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(1, 17))
)
_BAD_LINE = re.compile(f"[{_LINE}{_ALWAYS}]")
_BAD_BLOCK = re.compile(f"[{_BLOCK}{_ALWAYS}]")
# What a terminal or a CI log would act on: every control character and the
# bidi controls, shown as escapes in diagnostics.
_UNSAFE_OUTPUT = re.compile(f"[\x00-\x1f{_ALWAYS}]")

_KINDS = [
    (lambda c: c in "\n\r\x0b\x0c\x85\u2028\u2029", "换行符"),
    (lambda c: c == "\t", "制表符（Tab）"),
    (lambda c: "\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069", "双向文字控制字符"),
    (lambda c: "\ud800" <= c <= "\udfff", "孤立的代理码位"),
    (lambda c: "\U000e0000" <= c <= "\U000e007f", "标签字符"),
    (lambda c: "\ufff9" <= c <= "\ufffb", "注音控制字符"),
    (lambda c: "\ufdd0" <= c <= "\ufdef" or (ord(c) & 0xFFFE) == 0xFFFE, "非字符"),
]


def describe(ch: str) -> str:
    """ "U+0080 控制字符", "U+202E 双向文字控制字符（RIGHT-TO-LEFT OVERRIDE）"."""
    kind = next((word for test, word in _KINDS if test(ch)), "控制字符")
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {kind}" + (f"（{name}）" if name else "")


def first_bad(text: str, block: bool = False) -> tuple[int, str] | None:
    """(index, character) of the first character the field may not hold, or None.

    Every character refused here is one `str.isprintable` refuses too (control,
    format, surrogate, unassigned, separator; tests/test_hardening.py checks
    every code point), so a printable text, nearly every text, is passed in one
    scan in C; only the others are searched for the character and its place.
    """
    probe = text.replace("\n", " ").replace("\t", " ") if block else text
    if probe.isprintable():
        return None
    m = (_BAD_BLOCK if block else _BAD_LINE).search(text)
    return (m.start(), m.group()) if m else None


def visible(text: str) -> str:
    """Text safe to print to a terminal or log: control characters become escapes."""
    return _UNSAFE_OUTPUT.sub(_escape, text) if _UNSAFE_OUTPUT.search(text) else text


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): show the byte
        code -= 0xDC00
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def shorten(text: str, limit: int = 40) -> str:
    """A value echoed in a message: at most `limit` characters, with the full length."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 10]}…{text[-5:]}（共 {len(text)} 个字符）"
