"""Chinese search: the jieba user dictionary of the library, and a compact search index.

Material's search plugin segments Han text with jieba and joins the words with
U+200B, which the browser side splits on. The browser cannot segment a query,
so a unit name or case title typed whole only matches if jieba kept it whole
in the index: the user dictionary makes sure it does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .model import Library

USER_DICT = ".userdict.txt"  # under docs/: MkDocs skips dot files, so it is never published
SEGMENT_MARK = "\u200b"  # what Material puts between the words jieba found

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")


def dictionary_words(library: Library) -> list[str]:
    """Unit and branch names and published case titles, as jieba words.

    Material only segments runs of Han characters, so a title such as
    "e路同行" contributes its Han run "路同行"; single characters are no words.
    """
    names: list[str] = []
    for unit in library.units:
        names.append(unit.name)
        names += [b.name for b in unit.branches]
    for case in library.published:
        names.append(case.title)
    return sorted({run for name in names for run in _HAN_RUN.findall(name)})


def user_dictionary(library: Library) -> str:
    """The text of jieba's user dictionary: one word a line.

    No frequency is given, so jieba computes the smallest one that keeps the
    word whole (`suggest_freq`) instead of a large number that would swallow
    neighbouring characters.
    """
    return "".join(f"{word}\n" for word in dictionary_words(library))


# A word mark next to one of these is redundant: the browser splits there anyway.
_SEPARATOR_CHARS = " \n\t\u3000-、。，．？！；"
_REDUNDANT_MARK = re.compile(
    f"^{SEGMENT_MARK}+|{SEGMENT_MARK}+$"
    f"|{SEGMENT_MARK}+(?=[{re.escape(_SEPARATOR_CHARS)}])"
    f"|(?<=[{re.escape(_SEPARATOR_CHARS)}]){SEGMENT_MARK}+"
)


def thin_marks(text: str) -> str:
    """Drop the U+200B marks that stand next to another separator (3 bytes each)."""
    return _REDUNDANT_MARK.sub("", text)


def compact_index(path: Path) -> tuple[int, int]:
    """Rewrite Material's search_index.json smaller, with the same words for the browser.

    Material writes json.dumps' ASCII escapes (six bytes per Han character
    instead of three) and puts U+200B around every Han run, also where a
    comma or space already separates the words. JSON.parse reads UTF-8 the
    same, and the browser splits on the configured separator, so both go.
    Returns (bytes before, bytes after).
    """
    raw = path.read_bytes()
    data = json.loads(raw)
    separator = re.compile(data["config"]["separator"])
    # Only thin when the site's separator really covers the neighbours we rely on.
    if all(separator.fullmatch(ch) for ch in _SEPARATOR_CHARS + SEGMENT_MARK):
        for doc in data["docs"]:
            doc["title"] = thin_marks(doc["title"])
            doc["text"] = thin_marks(doc["text"])
    out = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(out)
    return len(raw), len(out)


def is_segmented(index: dict) -> bool:
    """Whether jieba ran over the index: Han text carries U+200B word marks."""
    return any(SEGMENT_MARK in doc.get("text", "") for doc in index.get("docs", []))
