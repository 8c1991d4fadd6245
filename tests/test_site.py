"""Real MkDocs builds of the small fixture library and of the demo: pages, data, search."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import SMALL, Built, build, make_project
from libraries import site_files

from dangjian import coverage as coverage_mod
from dangjian.errors import UserError
from dangjian.site import build_site

pytestmark = pytest.mark.slow

# What makes a browser fetch something: src=, href= of <link>, url(), @import, fetch targets.
FOREIGN = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//"""
)


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text("utf-8")


def index_of(built: Built) -> dict:
    return json.loads(read(built.site, "search/search_index.json"))


def own_warnings(built: Built) -> list[str]:
    # docs/guide/ is hand-written by others and may be mid-edit; the pages we generate must be clean
    return [w for w in built.warnings if "'guide/" not in w]


def test_build_is_clean(small_site: Built):
    assert own_warnings(small_site) == []


def test_site_paths_follow_the_contract(small_site: Built):
    site = small_site.site
    for rel in ("index.html", "units/fgw/index.html", "units/tyj/index.html",
                "brands/hongse-yinqing/index.html", "posts/falv-yuanzhu/index.html",
                "coverage/index.html", "data/coverage.json", "data/cases.json",
                "search/search_index.json", "themes/weimin/index.html", "years/2024/index.html"):
        assert (site / rel).is_file(), rel
    assert not (site / ".userdict.txt").exists()
    assert not (site / ".generated.json").exists()


def test_drafts_are_nowhere_in_the_site(small_site: Built):
    assert not (small_site.site / "brands" / "caogao-pinpai").exists()
    for rel, data in site_files(small_site.site).items():
        assert "未发布草稿品牌".encode() not in data, rel
        assert b"caogao" not in data, rel


def test_home_page_shows_brand_coverage(small_site: Built):
    home = read(small_site.site, "index.html")
    assert "品牌覆盖率" in home
    assert (
        '<span class="dj-indicator__percent">75.0%</span>'
        '<span class="dj-indicator__fraction">（3/4）</span>'
    ) in home
    assert "<title>首页 - 测试区机关党建品牌案例库</title>" in home


def test_hostile_case_text_is_inert_in_html(small_site: Built):
    page = read(small_site.site, "brands/fazhi-xianfeng/index.html")
    title = "<title>法治先锋&lt;b&gt;护航&lt;/b&gt;{{ 7*7 }} - 测试区机关党建品牌案例库</title>"
    assert title in page
    assert 'content="摘要里有 &lt;script&gt;alert(&quot;summary&quot;)' in page
    assert "<b>护航</b>" not in page
    assert 'alert("concept")' not in page and "<iframe" not in page
    assert 'href="javascript' not in page
    assert "evil.example" not in page
    assert "{{ 7*7 }}" in page and "49" not in page.split("<article")[1].split("</article>")[0]
    assert "--8&lt;--" in page and "site_name:" not in page


def test_no_request_to_another_host(small_site: Built):
    for rel, data in site_files(small_site.site).items():
        if rel.endswith((".html", ".css")):
            text = data.decode("utf-8")
            text = re.sub(r'<a\s[^>]*href="https?://[^"]*"', "<a", text)  # links are not requests
            assert not FOREIGN.search(text), (rel, FOREIGN.search(text).group(0))
    home = read(small_site.site, "index.html")
    assert "fonts.googleapis" not in home and "fonts.gstatic" not in home


def test_nav_lists_sections_not_cases(small_site: Built):
    home = read(small_site.site, "index.html")
    nav = home.split('<nav class="md-tabs"')[1].split("</nav>")[0]
    assert re.findall(r'class="md-tabs__link"[^>]*>\s*([^<]+?)\s*<', nav) == [
        "首页", "单位", "品牌", "示范岗", "主题", "年份", "覆盖率"
    ] + (["投稿指南"] if (small_site.project / "docs/guide/index.md").exists() else [])
    assert "hongse-yinqing" not in home.split("<article")[0]


def test_links_are_relative(small_site: Built):
    page = read(small_site.site, "units/fgw/index.html")
    assert 'href="../../brands/hongse-yinqing/"' in page
    assert not re.search(r'(?:href|src)="/(?!/)', page)


def test_images_have_size_alt_and_load_for_printing(small_site: Built):
    page = read(small_site.site, "brands/hongse-yinqing/index.html")
    imgs = re.findall(r"<img [^>]+>", page.split("<article")[1])
    assert len(imgs) == 2
    logo, photo = imgs
    assert 'alt="红色引擎品牌标识"' in logo
    # not lazy: printing a case from the browser must not leave empty photo frames
    assert 'alt="项目调度会现场"' in photo and 'loading="lazy"' not in photo
    for img in imgs:
        src = re.search(r'src="([^"]+)"', img).group(1)
        assert src.startswith("../../assets/cases/")
        assert (small_site.site / "brands/hongse-yinqing" / src).resolve().is_file()
        assert re.search(r'width="\d+" height="\d+"', img)
    assert "<figcaption>项目调度会现场</figcaption>" in page


def test_data_files(small_site: Built):
    cov = json.loads(read(small_site.site, "data/coverage.json"))
    assert cov["brand"] == {"covered": 3, "total": 4, "ratio": 0.75}
    cases = json.loads(read(small_site.site, "data/cases.json"))
    assert {c["url"] for c in cases} == {
        "brands/hongse-yinqing/", "brands/yusuan-qingfeng/", "brands/fazhi-xianfeng/",
        "posts/xiangmu-gang/", "posts/falv-yuanzhu/",
    }
    for c in cases:
        assert (small_site.site / c["url"] / "index.html").is_file()


def _words(index: dict) -> set[str]:
    return {w for d in index["docs"] for w in d.get("w", "").split()}


def test_search_index_is_segmented_with_the_user_dictionary(small_site: Built):
    index = index_of(small_site)
    # one entry per case, made from the model by the build (Material skips case pages)
    entries = [d for d in index["docs"] if d["location"].startswith("brands/hongse-yinqing/")]
    assert [d["location"] for d in entries] == ["brands/hongse-yinqing/"]
    top = entries[0]
    # body words: jieba's whole words and their sub-words
    assert {"寓意", "动力源", "动力", "重点项目", "重点"} <= set(top["w"].split())
    # names are kept whole (matched by substring in the browser)
    assert top["n"] == ["红色引擎"]
    assert {"区发展和改革局", "综合科党支部", "发改局"} <= set(top["m"])


def test_search_index_is_compact_and_lists_what_people_look_for(small_site: Built):
    raw = read(small_site.site, "search/search_index.json")
    assert "红色引擎" in raw  # UTF-8, not ASCII escapes
    assert not re.search(r"\\u[0-9a-f]{4}", raw.split('"docs"')[1])
    docs = index_of(small_site)["docs"]
    locations = {d["location"].split("#")[0] for d in docs}
    assert "" not in locations  # the home page only repeats the cases
    assert {"coverage/", "themes/weimin/", "years/2024/", "units/fgw/",
            "posts/falv-yuanzhu/", "guide/"} <= locations
    assert not any("caogao" in loc for loc in locations)
    # no empty sections (Material indexed a unit page's empty 党建品牌 / 党员示范岗 headings)
    # (a guide page whose words are all in its sections keeps its title-only entry)
    empty = [d["location"] for d in docs if not re.sub(r"<[^>]+>", "", d["text"]).strip()]
    assert not [loc for loc in empty if "#" in loc or not loc.startswith("guide/")], empty
    assert not any("#" in d["location"] and d["location"].startswith("units/") for d in docs)


def test_rebuild_is_byte_identical(small_site: Built, tmp_path: Path):
    again = tmp_path / "site"
    build_site(small_site.project, small_site.library, again)
    assert site_files(again) == site_files(small_site.site)


def test_failed_build_keeps_the_previous_site(tmp_path: Path):
    project = make_project(tmp_path / "project", SMALL / "cases")
    built = build(project, project / "site")
    before = site_files(built.site)
    (project / "mkdocs.yml").write_text(
        (project / "mkdocs.yml").read_text("utf-8").replace("name: material", "name: nosuchtheme"),
        "utf-8",
    )
    with pytest.raises(UserError, match="站点构建失败"):
        build_site(project, built.library, built.site)
    assert site_files(built.site) == before
    assert [p.name for p in built.site.parent.iterdir() if p.name.startswith(".site")] == []


def test_a_hand_written_page_in_the_way_stops_the_build(tmp_path: Path):
    project = make_project(tmp_path / "project", SMALL / "cases")
    (project / "docs" / "coverage").mkdir()
    (project / "docs" / "coverage" / "index.md").write_text("# 手写的覆盖率说明\n", "utf-8")
    with pytest.raises(UserError, match="docs/coverage/index.md"):
        build(project, project / "site")
    assert (project / "docs" / "coverage" / "index.md").read_text("utf-8") == "# 手写的覆盖率说明\n"
    assert not (project / "site").exists()


def test_demo_builds_with_its_figures(demo_site: Built):
    assert own_warnings(demo_site) == []
    cov = coverage_mod.compute(demo_site.library)
    data = json.loads(read(demo_site.site, "data/coverage.json"))
    assert data["brand"]["covered"] == cov.brand.covered
    assert data["brand"]["total"] == len([u for u in demo_site.library.units if u.active])
    home = read(demo_site.site, "index.html")
    assert f'<span class="dj-indicator__percent">{cov.brand.percent}</span>' in home
    assert f"（{cov.brand.fraction}）" in home
    cases = json.loads(read(demo_site.site, "data/cases.json"))
    assert len([c for c in cases if c["kind"] == "brand"]) == len(demo_site.library.brands)
    assert len([c for c in cases if c["kind"] == "post"]) == len(demo_site.library.posts)
    for unit in demo_site.library.units:
        assert (demo_site.site / "units" / unit.id / "index.html").is_file()
    index = index_of(demo_site)
    assert {"区发展和改革局", "改革", "发展"} <= _words(index)
    size = (demo_site.site / "search/search_index.json").stat().st_size
    assert size / len(cases) <= 4096


@pytest.mark.parametrize("command", ["build_cases.py serve", "mkdocs serve"])
def test_serve_updates_a_page_when_its_case_file_changes(tmp_path: Path, command: str):
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from conftest import REPO

    project = make_project(tmp_path / "project", SMALL / "cases")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/brands/yusuan-qingfeng/"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    args = {
        "build_cases.py serve": [str(REPO / "build_cases.py"), "serve", "--dev-addr"],
        "mkdocs serve": ["-m", "mkdocs", "serve", "--dev-addr"],
    }[command]
    proc = subprocess.Popen(
        [sys.executable, *args, f"127.0.0.1:{port}"],
        cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )

    def wait_for(text: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if text in urllib.request.urlopen(url, timeout=5).read().decode("utf-8"):
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"{text!r} never appeared at {url}")

    try:
        wait_for("<title>预算清风 - ")
        case = project / "cases" / "czj" / "yusuan-qingfeng.yaml"
        text = case.read_text("utf-8").replace("title: 预算清风", "title: 预算清风改")
        case.write_text(text, "utf-8")
        wait_for("<title>预算清风改 - ")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_segmentation_memo_gives_the_same_index_and_segments_nothing_twice(small_site: Built, tmp_path: Path):
    from dangjian import search, search_index
    from dangjian.sitesource import site_source, user_dictionary_file

    project = small_site.project
    memo = project / search.SEGMENT_CACHE
    warm = tmp_path / "warm"
    build_site(project, small_site.library, warm)
    source = site_source(project, small_site.library)
    segment = search.Segmenter(memo, user_dictionary_file(project, source))
    entries = search_index.segment_entries(source.search, segment)
    assert segment.misses == 0 and len(entries) > len(small_site.library.published)
    cold_dir = tmp_path / "cold"
    import shutil

    shutil.rmtree(memo)
    build_site(project, small_site.library, cold_dir)
    assert (warm / "search/search_index.json").read_bytes() == (cold_dir / "search/search_index.json").read_bytes()
