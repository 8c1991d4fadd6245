"""Chinese search terms: folding to simplified characters, jieba's search segmentation, its memo.

The browser cannot segment Chinese, so the build does: every text of an entry
becomes the words jieba finds in it, whole dictionary words and their sub-words
alike (`cut_for_search`), after traditional characters were folded to
simplified with OpenCC. The browser side (theme_overrides/assets/javascripts/
dj-search-worker.js) folds the query with a table generated from the same
OpenCC data and matches its pieces against these words; names and titles it
matches by substring, so any fragment of them is found.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

from .errors import UserError
from .files import write_atomic
from .model import Library

SEGMENT_CACHE = ".cache/search"  # under the project, git-ignored
JIEBA_CACHE = ".cache/jieba"  # jieba's own dictionary cache (marshal): never a shared /tmp
MEMO_VERSION = "terms-2"  # part of the memo's key: a new way of segmenting starts afresh

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# What a search term may be made of: letters, digits and Han characters, nothing
# that could be markup. A memo entry holding anything else is not ours.
_TERM = re.compile(
    r"[0-9a-z\u00c0-\u024f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+"
)
_WORDS = re.compile(
    r"[0-9A-Za-z\u00c0-\u024f]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+"
)


def dictionary_words(library: Library) -> list[str]:
    """Unit and branch names, aliases and published case titles, as jieba words.

    Only runs of Han characters are words to jieba, so a title such as
    "e路同行" contributes its Han run "路同行"; single characters are no words.
    """
    names: list[str] = []
    for unit in library.units:
        names += [unit.name, *unit.aliases]
        names += [b.name for b in unit.branches]
    for case in library.published:
        names.append(case.title)
    return sorted({run for name in names for run in _HAN_RUN.findall(fold(name))})


def user_dictionary(library: Library) -> str:
    """The text of jieba's user dictionary: one word a line.

    No frequency is given, so jieba computes the smallest one that keeps the
    word whole (`suggest_freq`) instead of a large number that would swallow
    neighbouring characters.
    """
    return "".join(f"{word}\n" for word in dictionary_words(library))


# ---------------------------------------------------------------------------
# Traditional -> simplified


@cache
def _converter() -> tuple[object, frozenset[str]]:
    """OpenCC's t2s converter and the characters without which it changes nothing.

    Those are the traditional characters it converts (TSCharacters) and the
    first characters of the few phrases made of none of them (沈默 -> 沉默):
    a text holding none of these comes out of OpenCC as it went in, so it is
    not converted at all (OpenCC in pure Python is most of a build's search
    cost otherwise). tests/test_search.py checks this against OpenCC itself.
    """
    try:
        from opencc import OpenCC
    except ImportError as e:  # pragma: no cover - a broken installation
        raise UserError(
            "缺少繁简转换组件 opencc-python-reimplemented：繁体字将无法搜到。"
            "请运行 bash scripts/setup.sh 重新安装依赖。"
        ) from e
    converter = OpenCC("t2s")
    folder = Path(__import__("opencc").__file__).parent / "dictionary"

    def sources(name: str) -> list[str]:
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        return [line.split("\t")[0] for line in lines if line]

    characters = set(sources("TSCharacters.txt"))
    phrases = [p for p in sources("TSPhrases.txt") if characters.isdisjoint(p)]
    return converter, frozenset(characters | {p[0] for p in phrases})


def fold(text: str) -> str:
    """The text in simplified characters, lower case: what the index and the query compare.

    Most texts hold no traditional character at all; they are returned as they are.
    """
    converter, starts = _converter()
    if not starts.isdisjoint(text):
        text = converter.convert(text)
    return text.lower()


# ---------------------------------------------------------------------------
# jieba


def quiet_jieba(project: Path | None = None) -> None:
    """jieba logs its dictionary loading at DEBUG: not news. Its cache goes under `.cache/`.

    jieba documents `tmp_dir` as the place of its dictionary cache (a marshal
    file, loaded on start); the default is the shared temporary folder, where
    anyone could plant one. Material's search plugin uses the default tokenizer.
    """
    import logging

    try:
        jieba = _jieba()
    except UserError:
        return  # Segmenter() says so, where the build can stop cleanly
    # Its only louder message is a traceback when the cache cannot be written
    # (full disk, ulimit): jieba goes on without it, and our own writes report the fault.
    jieba.setLogLevel(logging.CRITICAL)
    if project is not None:
        cache_dir = project / JIEBA_CACHE
        cache_dir.mkdir(parents=True, exist_ok=True)
        jieba.dt.tmp_dir = str(cache_dir)


def _jieba():
    try:
        import jieba
    except ImportError as e:
        raise UserError(
            "缺少中文分词组件 jieba：没有它，站内搜索找不到中文的单位名称和案例标题，"
            "因此停止构建。请运行 bash scripts/setup.sh 重新安装依赖。"
        ) from e
    return jieba


@cache
def _main_dictionary(cache_dir: str | None) -> tuple[dict[str, int], int]:
    """jieba's main dictionary as its prefix table and total, loaded once a process.

    Loading it takes most of a second (from jieba's cache, more without); a
    rebuild under `serve` and every tokenizer after the first copy it instead,
    in a hundredth of that. Nobody changes the loaded table: each tokenizer
    gets its own copy before its user dictionary is added.
    """
    import logging

    jieba = _jieba()
    jieba.setLogLevel(logging.CRITICAL)  # also in a forked worker, before anyone else set it
    loader = jieba.Tokenizer()
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        loader.tmp_dir = cache_dir
    loader.initialize()
    return loader.FREQ, loader.total


def _tokenizer(user_dict: Path, cache_dir: Path | None):
    """A tokenizer of our own: jieba's global one keeps every user dictionary ever loaded."""
    freq, total = _main_dictionary(None if cache_dir is None else str(cache_dir))
    tokenizer = _jieba().Tokenizer()
    tokenizer.FREQ, tokenizer.total = dict(freq), total
    tokenizer.initialized = True  # jieba's own flag: the dictionary is in place
    if user_dict.is_file():
        tokenizer.load_userdict(str(user_dict))
    return tokenizer


def search_terms(tokenizer, text: str) -> str:
    """The distinct search words of a text, space-separated, in order of first appearance.

    Han runs give jieba's whole words and their sub-words; single Han characters
    are left out (names are matched by substring in the browser instead).
    """
    seen: dict[str, None] = {}
    for run in _WORDS.findall(fold(text)):
        if not _HAN.match(run):
            seen.setdefault(run, None)
            continue
        for word in tokenizer.cut_for_search(run, HMM=True):
            if len(word) > 1 and _TERM.fullmatch(word):
                seen.setdefault(word, None)
    return " ".join(seen)


class Segmenter:
    """Search terms of texts (see search_terms), memoised by content in `.cache/search/`.

    Segmenting is most of the search cost of a build; the memo lives in a file
    keyed by jieba's version and the user dictionary, so an unchanged case is
    never segmented twice and a changed dictionary starts afresh. The memo is
    data from disk: an entry is used only if it is a list of plain words that
    all occur in the text it is the words of (a planted or damaged memo can
    slow a build down, never put markup or foreign words into the index).
    """

    def __init__(self, cache_dir: Path, user_dict: Path, jieba_cache: Path | None = None) -> None:
        jieba = _jieba()  # fail here, loudly, if Chinese search would silently degrade
        words = user_dict.read_bytes() if user_dict.is_file() else b""
        key = hashlib.sha256(f"{MEMO_VERSION}\0{jieba.__version__}\0".encode() + words).hexdigest()[
            :16
        ]
        self.user_dict = user_dict
        # <project>/.cache/search -> <project>/.cache/jieba
        self.jieba_cache = jieba_cache or cache_dir.parent / Path(JIEBA_CACHE).name
        self.path = cache_dir / f"segments-{key}.json"
        self.memo: dict[str, str] = {}
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}  # a damaged cache is only a slower build
            if isinstance(data, dict):
                self.memo = {
                    k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)
                }
        self.used: dict[str, str] = {}
        self.misses = 0
        self._tokenizer = None

    def start(self, texts: list[str]) -> object | None:
        """Segment the texts not in the memo in a forked worker; pass the result to finish().

        A build spends its time in MkDocs on one core; the second core can do
        the segmentation meanwhile. Returns None when there is little to do.
        """
        misses = sorted({t for t in texts if self._recall(t) is None})
        if len(misses) < 50:
            return None
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        args = (str(self.user_dict), str(self.jieba_cache), misses)
        return pool, misses, pool.submit(_segment_all, *args)

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

    def _recall(self, text: str) -> str | None:
        """The memo's words for the text, if they are words of this text at all."""
        found = self.memo.get(_key(text))
        if found is None:
            return None
        folded = fold(text)
        if all(_TERM.fullmatch(w) and w in folded for w in found.split(" ") if w):
            return found
        return None

    def __call__(self, text: str) -> str:
        found = self._recall(text)
        if found is None:
            if self._tokenizer is None:
                self._tokenizer = _tokenizer(self.user_dict, self.jieba_cache)
            found = search_terms(self._tokenizer, text)
            self.misses += 1
        self.used[_key(text)] = found
        return found

    def save(self) -> None:
        """Keep what this build used (so stale entries do not pile up)."""
        if not self.misses and len(self.used) == len(self.memo):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for old in self.path.parent.glob("segments-*.json"):
            if old != self.path:
                old.unlink(missing_ok=True)
        write_atomic(self.path, json.dumps(self.used, ensure_ascii=False, sort_keys=True))


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _segment_all(user_dict: str, jieba_cache: str, texts: list[str]) -> list[str]:
    """In the worker: a tokenizer of the same dictionary, without any memo."""
    tokenizer = _tokenizer(Path(user_dict), Path(jieba_cache))
    return [search_terms(tokenizer, t) for t in texts]
