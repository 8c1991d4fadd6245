"""Chinese search: the jieba user dictionary of the library, and a compact search index.

Material's search plugin segments Han text with jieba and joins the words with
U+200B, which the browser side splits on. The browser cannot segment a query,
so a unit name or case title typed whole only matches if jieba kept it whole
in the index: the user dictionary makes sure it does.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from pathlib import Path

from .markdown import render_markdown
from .model import Brand, Case, Library

SEGMENT_CACHE = ".cache/search"  # under the project, git-ignored
SEGMENT_MARK = "\u200b"  # what Material puts between the words jieba found
# What the compacted index puts there instead, when the site's separator splits
# on it: U+034F COMBINING GRAPHEME JOINER is invisible (default-ignorable) like
# U+200B but takes two bytes in UTF-8 instead of three.
INDEX_MARK = "\u034f"
MARKS = (SEGMENT_MARK, INDEX_MARK)

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


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|td|th|tr|blockquote|pre)>|<br\s*/?>")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def quiet_jieba() -> None:
    """jieba logs its dictionary loading at DEBUG to stderr on first use: not news for a user."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)


class Segmenter:
    """Material's segmentation of Han runs (jieba words joined by U+200B), memoised by content.

    Segmenting is most of the search cost of a build; the memo lives in a file
    keyed by jieba's version and the user dictionary, so an unchanged case is
    never segmented twice and a changed dictionary starts afresh.
    """

    def __init__(self, cache_dir: Path, user_dict: Path) -> None:
        import jieba  # noqa: F401  (fail here, loudly, if Chinese search would silently degrade)

        words = user_dict.read_bytes() if user_dict.is_file() else b""
        key = hashlib.sha256(jieba.__version__.encode() + b"\0" + words).hexdigest()[:16]
        self.user_dict = user_dict
        self.path = cache_dir / f"segments-{key}.json"
        self.memo: dict[str, str] = {}
        if self.path.is_file():
            try:
                self.memo = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.memo = {}  # a damaged cache is only a slower build
        self.used: dict[str, str] = {}
        self.misses = 0
        self._tokenizer = None

    def start(self, texts: list[str]) -> object | None:
        """Segment the texts not in the memo in a forked worker; pass the result to finish().

        A build spends its time in MkDocs on one core; the second core can do
        the segmentation meanwhile. Returns None when there is little to do.
        """
        misses = sorted({t for t in texts if _key(t) not in self.memo})
        if len(misses) < 50:
            return None
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        return pool, misses, pool.submit(_segment_all, str(self.user_dict), misses)

    def finish(self, pending: object | None) -> None:
        """Take the worker's results into the memo (they count as misses of this build)."""
        if pending is None:
            return
        pool, misses, future = pending
        try:
            for text, words in zip(misses, future.result(), strict=True):
                self.memo[_key(text)] = words
                self.misses += 1
        finally:
            pool.shutdown(cancel_futures=True)

    @staticmethod
    def cancel(pending: object | None) -> None:
        """Stop a worker whose results are no longer wanted (the build failed)."""
        if pending is not None:
            pending[0].shutdown(wait=False, cancel_futures=True)

    def __call__(self, text: str) -> str:
        key = _key(text)
        found = self.memo.get(key)
        if found is None:
            found = _HAN.sub(self._words, text).strip(SEGMENT_MARK)
            self.misses += 1
        self.used[key] = found
        return found

    def _words(self, match: re.Match[str]) -> str:
        if self._tokenizer is None:
            # A tokenizer of our own: jieba's global one keeps every user
            # dictionary ever loaded into it (a live preview, a test session),
            # so its words would depend on the process's history.
            import jieba

            quiet_jieba()
            self._tokenizer = jieba.Tokenizer()
            if self.user_dict.is_file():
                self._tokenizer.load_userdict(str(self.user_dict))
        words = self._tokenizer.cut(match.group(0))
        return SEGMENT_MARK + SEGMENT_MARK.join(words) + SEGMENT_MARK

    def save(self) -> None:
        """Keep what this build used (so stale entries do not pile up)."""
        if not self.misses and len(self.used) == len(self.memo):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for old in self.path.parent.glob("segments-*.json"):
            if old != self.path:
                old.unlink(missing_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.used, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _segment_all(user_dict: str, texts: list[str]) -> list[str]:
    """In the worker: a segmenter of the same dictionary, without any memo."""
    segmenter = Segmenter.__new__(Segmenter)
    segmenter.user_dict, segmenter._tokenizer = Path(user_dict), None
    return [_HAN.sub(segmenter._words, t).strip(SEGMENT_MARK) for t in texts]


def plain_text(markdown_text: str) -> str:
    """The words of an (md) field as plain text (what the page shows, without markup)."""
    rendered = _BLOCK_END.sub(" ", render_markdown(markdown_text))
    return html.unescape(_TAG.sub("", rendered))


def case_text(case: Case) -> str:
    """What a case page says, in reading order, as one text escaped like Material's index."""
    parts = [case.summary]
    if isinstance(case, Brand):
        parts += [case.slogan, plain_text(case.concept)]
        for p in case.practices:
            parts += [p.title, plain_text(p.text)]
        parts.append(plain_text(case.results))
        parts += [f"{m.label} {m.value:g} {m.unit}" for m in case.metrics]
        parts += list(case.honors)
    else:
        parts += ["、".join(case.holders), plain_text(case.duties)]
        parts += list(case.commitments)
        parts += [plain_text(case.results), case.batch]
    parts += [case.unit.name, case.org_name]  # last: the result preview opens with the summary
    return html.escape(_SPACE.sub(" ", " ".join(p for p in parts if p)).strip(), quote=False)


def raw_entries(library: Library) -> list[dict[str, str]]:
    """One search entry per published case, escaped like Material's index, not yet segmented."""
    return [
        {"location": case.url, "title": html.escape(case.title, quote=False),
         "text": case_text(case)}
        for case in library.published
    ]


def index_texts(entries: list[dict[str, str]]) -> list[str]:
    """Every text segment_entries() will segment (to segment them ahead, in parallel)."""
    return [t for entry in entries for t in (entry["title"], entry["text"])]


def segment_entries(entries: list[dict[str, str]], segment: Segmenter) -> list[dict]:
    """Entries in Material's index format: Han runs segmented, text wrapped like Material's."""
    return [
        {
            "location": entry["location"],
            "title": segment(entry["title"]),
            # wrapped like Material's own entries, so result styling applies alike
            "text": "<p>" + segment(entry["text"]) + "</p>",
        }
        for entry in entries
    ]


def case_entries(library: Library, segment: Segmenter) -> list[dict]:
    """One search entry per published case, in Material's index format."""
    return segment_entries(raw_entries(library), segment)


def complete_index(path: Path, entries: list[dict[str, str]], segment: Segmenter) -> tuple[int, int]:
    """Add entries (see raw_entries) to Material's search_index.json and write it compactly.

    The case pages carry `search: exclude` so that Material's plugin does not
    parse and segment them: their entries come from the model here, through the
    segmentation memo. Returns (bytes before, bytes after).
    """
    raw = path.read_bytes()
    data = json.loads(raw)
    data["docs"] += segment_entries(entries, segment)
    segment.save()
    out = _compact(data)
    path.write_bytes(out)
    return len(raw), len(out)


def compact_index(path: Path) -> tuple[int, int]:
    """Rewrite a search_index.json compactly (see _compact). Returns (bytes before, after)."""
    raw = path.read_bytes()
    out = _compact(json.loads(raw))
    path.write_bytes(out)
    return len(raw), len(out)


def _compact(data: dict) -> bytes:
    """Material's index, smaller, with the same words for the browser.

    Material writes json.dumps' ASCII escapes (six bytes per Han character
    instead of three) and puts U+200B around every Han run, also where a
    comma or space already separates the words. JSON.parse reads UTF-8 the
    same, and the browser splits on the configured separator, so both go.
    """
    separator = re.compile(data["config"]["separator"])
    # Only thin when the site's separator really covers the neighbours we rely on.
    if all(separator.fullmatch(ch) for ch in _SEPARATOR_CHARS + SEGMENT_MARK):
        mark = INDEX_MARK if separator.fullmatch(INDEX_MARK) else SEGMENT_MARK
        for doc in data["docs"]:
            doc["title"] = thin_marks(doc["title"]).replace(SEGMENT_MARK, mark)
            doc["text"] = thin_marks(doc["text"]).replace(SEGMENT_MARK, mark)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def is_segmented(index: dict) -> bool:
    """Whether jieba ran over the index: Han text carries word marks."""
    return any(m in doc.get("text", "") for doc in index.get("docs", []) for m in MARKS)
