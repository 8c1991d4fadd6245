"""Search terms: folding, segmentation, the memo and its checks, and the index's entries."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SMALL, open_valid

from dangjian import search_index
from dangjian.search import Segmenter, fold


@pytest.fixture(scope="module")
def jieba_home(tmp_path_factory) -> Path:
    """One jieba cache for the tests of this module (building it takes seconds),
    loaded once: the tokenizers and forked workers of the tests copy it."""
    home = tmp_path_factory.mktemp("jieba")
    Segmenter(home / "warm", home / "no-user-dictionary.txt", home)("预热词典")
    return home


WORDS = "党建 品牌 示范岗 服务 群众 红色引擎 项目 窗口 审批 先锋 清廉 机关".split()


def _texts(n: int) -> list[str]:
    rng = random.Random(3)
    return ["".join(rng.choice(WORDS) for _ in range(12)) + "。" for _ in range(n)]


def test_worker_memo_and_inline_segment_alike(tmp_path: Path, jieba_home: Path):
    user_dict = tmp_path / "userdict.txt"
    user_dict.write_text("红色引擎\n", encoding="utf-8")
    texts = _texts(80)

    ahead = Segmenter(tmp_path / "a" / "search", user_dict, jieba_home)
    pending = ahead.start(texts)
    assert pending is not None  # enough misses to be worth a worker
    ahead.finish(pending)
    from_worker = [ahead(t) for t in texts]
    assert ahead.misses == len(set(texts))

    inline = Segmenter(tmp_path / "b" / "search", user_dict, jieba_home)
    assert [inline(t) for t in texts] == from_worker
    inline.save()

    again = Segmenter(tmp_path / "b" / "search", user_dict, jieba_home)
    assert [again(t) for t in texts] == from_worker and again.misses == 0
    words = {w for terms in from_worker for w in terms.split()}
    assert "红色引擎" in words  # the user word stays whole ...
    assert {"红色", "引擎"} <= words  # ... and its sub-words are words too
    assert not any(len(w) == 1 for w in words)  # single characters are no search words


def test_a_changed_dictionary_does_not_reuse_old_words(tmp_path: Path, jieba_home: Path):
    user_dict = tmp_path / "userdict.txt"
    user_dict.write_text("", encoding="utf-8")
    first = Segmenter(tmp_path / "m", user_dict, jieba_home)
    first("红色引擎项目")
    first.save()
    user_dict.write_text("红色引擎\n", encoding="utf-8")
    second = Segmenter(tmp_path / "m", user_dict, jieba_home)
    assert "红色引擎" in second("红色引擎项目").split()
    assert second.misses == 1


def test_a_planted_memo_cannot_put_markup_or_foreign_words_into_the_index(
    tmp_path: Path, jieba_home: Path
):
    user_dict = tmp_path / "userdict.txt"
    user_dict.write_text("", encoding="utf-8")
    honest = Segmenter(tmp_path / "search", user_dict, jieba_home)
    text = "支部建在项目一线"
    expected = honest(text)
    honest.save()
    memo_file = next((tmp_path / "search").glob("segments-*.json"))
    memo = json.loads(memo_file.read_text("utf-8"))
    (key,) = memo
    for planted in ("<img src=x onerror=alert(1)>", "赌博 网站", ["not", "a", "string"]):
        memo_file.write_text(json.dumps({key: planted}), "utf-8")
        reader = Segmenter(tmp_path / "search", user_dict, jieba_home)
        assert reader(text) == expected and reader.misses == 1, planted
    memo_file.write_text("{not json", "utf-8")
    assert Segmenter(tmp_path / "search", user_dict, jieba_home)(text) == expected


@pytest.mark.slow  # jieba builds its dictionary cache from scratch
def test_jieba_keeps_its_cache_inside_the_project(tmp_path: Path):
    user_dict = tmp_path / "docs" / "userdict.txt"
    user_dict.parent.mkdir()
    user_dict.write_text("红色引擎\n", encoding="utf-8")
    segment = Segmenter(tmp_path / ".cache" / "search", user_dict)
    segment("红色引擎推动项目落地")
    assert list((tmp_path / ".cache" / "jieba").glob("jieba*.cache"))


def test_traditional_and_simplified_fold_alike():
    assert fold("區發展和改革局") == "区发展和改革局"
    assert fold("黨建 機關") == "党建 机关"
    assert fold("E路同行") == "e路同行"
    text = "清清白白管钱" * 50
    assert fold(text) is not None and fold(text) == text


def test_fold_skips_opencc_only_where_opencc_would_change_nothing():
    """fold() converts only texts holding a character OpenCC acts on; the others must be
    ones OpenCC leaves alone: every demo case text, and random mixes of both scripts."""
    from dangjian.search import _converter

    converter, _ = _converter()
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "cases").rglob("*.yaml"))]
    rng = random.Random(5)
    pool = "沈默船区發展改革局黨建機關乾隆著作于於后後台臺里裡面麵干幹的了和在红色引擎"
    texts += ["".join(rng.choice(pool) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    for text in texts:
        assert fold(text) == converter.convert(text).lower(), text
    assert fold("沈默是金") == "沉默是金"  # a phrase of characters that are all simplified


def test_the_browser_fold_table_is_generated_from_the_same_opencc_data():
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import fold_table
    finally:
        sys.path.remove(str(REPO / "scripts"))
    committed = (REPO / "theme_overrides/assets/javascripts/dj-fold.js").read_text("utf-8")
    assert committed == fold_table.table_source(), "请运行 .venv/bin/python scripts/fold_table.py"
    pairs = committed.split('"')[1]
    table = dict(zip(pairs[0::2], pairs[1::2], strict=True))
    for trad, simp in zip("區發黨機處廣", "区发党机处广", strict=True):
        assert table[trad] == simp == fold(trad)


def test_a_build_without_jieba_stops_with_a_chinese_message(tmp_path: Path):
    code = (
        "import sys; sys.modules['jieba'] = None\n"
        "from pathlib import Path\n"
        "from dangjian.errors import UserError\n"
        "from dangjian.search import Segmenter\n"
        "try:\n"
        f"    Segmenter(Path({str(tmp_path)!r}), Path({str(tmp_path / 'd.txt')!r}))\n"
        "except UserError as e:\n"
        "    print(e.message)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "缺少中文分词组件 jieba" in done.stdout and "停止构建" in done.stdout
    assert "Traceback" not in done.stderr


def test_an_index_without_chinese_words_is_refused():
    from dangjian.errors import UserError

    unsegmented = {
        "config": {},
        "docs": [
            {"location": "a/", "title": "红色引擎", "text": "<p>支部建在项目一线</p>", "n": []}
        ],
    }
    with pytest.raises(UserError, match="没有分词"):
        search_index.check_segmented(unsegmented)


@pytest.fixture(scope="module")
def entries(tmp_path_factory, jieba_home: Path) -> dict[str, dict]:
    library = open_valid(SMALL)
    segment = Segmenter(
        tmp_path_factory.mktemp("memo"), Path("/nonexistent/userdict.txt"), jieba_home
    )
    return {e["location"]: e for e in search_index.entries(library, segment)}


def test_entries_cover_cases_units_listings_and_coverage(entries):
    assert {
        "units/fgw/",
        "brands/hongse-yinqing/",
        "posts/xiangmu-gang/",
        "themes/zuofeng/",
        "years/2021/",
        "coverage/",
        "brands/",
        "posts/",
        "units/",
        "themes/",
        "years/",
    } <= set(entries)
    assert not any("caogao" in loc for loc in entries)  # drafts are not searchable
    for loc, e in entries.items():
        assert e["title"] and e["text"].startswith("<p>") and len(e["text"]) > 7, loc


def test_a_unit_entry_has_its_aliases_and_branches(entries):
    fgw = entries["units/fgw/"]
    assert fgw["n"] == ["区发展和改革局", "发改局", "发改委"]
    assert "综合科党支部" in fgw["m"] and "发改局" in fgw["text"]


def test_a_case_is_searchable_with_its_unit_themes_and_holders(entries):
    brand = entries["brands/hongse-yinqing/"]
    assert brand["n"] == ["红色引擎"]
    assert {"区发展和改革局", "发改局", "综合科党支部", "业务融合", "作风建设", "2021年"} <= set(
        brand["m"]
    )
    assert "动力源" in brand["w"].split()
    post = entries["posts/xiangmu-gang/"]
    assert post["m"][:2] == ["张建国", "刘芳"]
    # traditional text of a case is indexed folded to simplified
    assert "廉洁" in entries["brands/yusuan-qingfeng/"]["w"].split()


def test_entries_hold_no_markup_from_the_cases(entries):
    hostile = entries["brands/fazhi-xianfeng/"]
    assert hostile["title"] == "法治先锋&lt;b&gt;护航&lt;/b&gt;{{ 7*7 }}"
    assert "<script" not in hostile["text"] and "<b>" not in hostile["title"]
    for e in entries.values():
        assert all(ch not in e.get("w", "") for ch in "<>&\"'")


def test_the_unit_page_shows_its_aliases():
    from dangjian import coverage as coverage_mod
    from dangjian.pages import render_pages

    library = open_valid(SMALL)
    assert library.unit("fgw").aliases == ("发改局", "发改委")
    pages = render_pages(library, coverage_mod.compute(library)).files
    assert "<dt>简称</dt><dd>发改局、发改委</dd>" in pages["units/fgw.md"]
    assert "简称" not in pages["units/czj.md"]  # no aliases, no empty line


@pytest.mark.slow  # a MkDocs build in a process of its own
def test_plain_mkdocs_build_without_jieba_stops_with_a_chinese_message(tmp_path: Path):
    from conftest import make_project

    project = make_project(tmp_path / "project", SMALL / "cases")
    code = (
        "import sys; sys.modules['jieba'] = None\n"  # as if jieba were not installed
        "from mkdocs.__main__ import cli\n"
        "cli(['build', '--site-dir', 'site'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=project, timeout=300
    )
    assert done.returncode != 0
    assert "缺少中文分词组件 jieba" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (project / "site" / "search").exists()  # no site whose cases cannot be found
