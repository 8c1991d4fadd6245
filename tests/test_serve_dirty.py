"""`serve` rebuilds only what a change touches, and the result is the full build's.

Each test drives MkDocs as `build_cases.py serve` does (tests/serving.py),
the changes made between two builds. After a change:

- the dirty rebuild gives the same bytes, file for file, as a full build of
  the changed library (the full rebuild plain `serve` did before);
- only the pages that show the change were written again, and they are the
  pages the plugin says it rendered;
- a case added or removed, or a nav title that may change, rebuilds
  everything, and a removed case's page is gone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXED_EPOCH, REPO, SMALL, make_project
from libraries import site_files
from mkdocs.exceptions import Abort
from serving import Serve

pytestmark = pytest.mark.slow

CASE = "cases/fgw/hongse-yinqing.yaml"


@pytest.fixture(autouse=True)
def _build_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)


def start(tmp_path: Path, features: tuple[str, ...] = (), pages: dict[str, str] | None = None):
    """The small library served, its first build done.

    `features`: Material features added to mkdocs.yml; `pages`: hand-written pages added to docs/.
    """
    project = make_project(tmp_path / "project", SMALL / "cases")
    for rel, text in (pages or {}).items():
        (project / "docs" / rel).write_text(text, encoding="utf-8")
    for feature in features:
        edit(project / "mkdocs.yml", "  features:\n", f"  features:\n    - {feature}\n")
    serve = Serve(project, tmp_path / "served")
    first = serve.build()
    assert first.full and len(first.rendered) == first.pages
    return project, serve


@pytest.fixture
def served(tmp_path: Path):
    project, serve = start(tmp_path)
    yield project, serve
    serve.close()


@pytest.fixture
def served_with_footer(tmp_path: Path):
    """navigation.footer: every page links to the previous and next page by their titles."""
    project, serve = start(tmp_path, ("navigation.footer",))
    yield project, serve
    serve.close()


def edit(path: Path, old: str, new: str, count: int = -1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def assert_same_site(site: dict[str, bytes], full: dict[str, bytes]) -> None:
    assert sorted(site) == sorted(full), "different files"
    differ = [rel for rel in full if site[rel] != full[rel]]
    assert not differ, f"{len(differ)} files differ from the full build: {differ[:10]}"


def same_as_full_rebuild(serve: Serve) -> None:
    """The site as the dirty rebuild left it == the site of a full rebuild right after it."""
    dirty = site_files(serve.site_dir)
    serve.build(dirty=False)
    assert_same_site(dirty, site_files(serve.site_dir))


def html_state(site: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.relative_to(site).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in site.rglob("*.html")
    }


def dest(src_uri: str) -> str:
    """The HTML file MkDocs writes for a page (use_directory_urls, as mkdocs.yml says)."""
    from mkdocs.structure.files import File

    return File(src_uri, src_dir=None, dest_dir="", use_directory_urls=True).dest_uri


def test_a_summary_edit_renders_only_the_pages_that_show_it(served, tmp_path: Path):
    project, serve = served
    before = html_state(serve.site_dir)
    edit(project / CASE, "以重点项目为载体", "以重大工程为载体")

    report = serve.build()

    after = html_state(serve.site_dir)
    rewritten = {rel for rel in after if after[rel] != before.get(rel)}
    rewritten -= {"404.html"}  # MkDocs writes its error page at every build
    assert not report.full
    assert rewritten == {dest(src) for src in report.rendered}
    assert {
        "brands/hongse-yinqing/index.html",  # the case's own page
        "units/fgw/index.html",  # its unit's page lists it with its summary
        "brands/index.html",  # so does the list of brands
    } <= rewritten
    assert "以重大工程为载体" in (serve.site_dir / "brands/hongse-yinqing/index.html").read_text(
        "utf-8"
    )
    untouched = {"units/czj/index.html", "guide/index.html", "posts/xiangmu-gang/index.html"}
    assert not untouched & rewritten
    assert len(rewritten) < 10 and report.pages > 30
    # search: the case entry has the new summary
    index = json.loads((serve.site_dir / "search/search_index.json").read_bytes())
    (entry,) = [d for d in index["docs"] if d["location"] == "brands/hongse-yinqing/"]
    assert "以重大工程为载体" in entry["text"]

    # a clean full build of the edited library, by a serve session of its own
    dirty = site_files(serve.site_dir)
    serve.close()
    clean = Serve(project, tmp_path / "clean", dirty=False)
    try:
        assert clean.build() is None
        assert_same_site(dirty, site_files(tmp_path / "clean"))
    finally:
        clean.close()


def test_adding_and_removing_a_case_rebuild_everything(tmp_path: Path):
    # a hand-written page outside the nav, found by Material's search as the guide is
    notice = {"tongzhi.md": "# 征集通知\n\n本年度案例征集截止日期延后。\n"}
    project, serve = start(tmp_path, pages=notice)
    try:
        added_and_removed(project, serve)
    finally:
        serve.close()


def added_and_removed(project: Path, serve: Serve) -> None:
    added = project / "cases/fgw/xin-pinpai.yaml"
    text = (project / CASE).read_text(encoding="utf-8")
    added.write_text(text.replace("title: 红色引擎", "title: 新建品牌"), encoding="utf-8")
    report = serve.build()
    assert report.full and report.reason == "有页面或文件增删"
    assert "新建品牌" in (serve.site_dir / "brands/xin-pinpai/index.html").read_text("utf-8")
    same_as_full_rebuild(serve)

    added.unlink()
    report = serve.build()
    assert report.full
    assert not (serve.site_dir / "brands/xin-pinpai").exists()
    index = (serve.site_dir / "search/search_index.json").read_text("utf-8")
    assert "新建品牌" not in index
    same_as_full_rebuild(serve)

    # a library with an error stops the rebuild; once fixed, everything is built again
    good = (project / CASE).read_text(encoding="utf-8")
    (project / CASE).write_text(good.replace("kind: brand", "kind: pinpai"), encoding="utf-8")
    with pytest.raises(Abort):  # MkDocs reports the plugin's error (案例库有错误……) so
        serve.build()
    (project / CASE).write_text(good, encoding="utf-8")
    report = serve.build()
    assert report.full and report.reason == "上次构建未完成"
    same_as_full_rebuild(serve)


def test_units_guide_and_template_edits_match_a_full_build(served_with_footer):
    project, serve = served_with_footer
    edit(project / "cases/units.yaml", "name: 投资科党支部", "name: 投资审批科党支部")
    report = serve.build()
    assert not report.full and "units/fgw.md" in report.rendered
    assert "units/czj.md" not in report.rendered
    same_as_full_rebuild(serve)

    # a hand-written page with its title in the nav: only it is rendered (its footer
    # shows guide/index.md's title, from a page MkDocs did not read this time)
    edit(project / "docs/guide/fields.md", "# 字段说明\n", "# 字段说明\n\n字段说明已更新。\n")
    report = serve.build()
    assert report == type(report)(False, "", ("guide/fields.md",), report.pages)
    page = (serve.site_dir / "guide/fields/index.html").read_text("utf-8")
    assert (
        "字段说明已更新" in page and '<div class="md-ellipsis">\n                投稿指南' in page
    )
    index = (serve.site_dir / "search/search_index.json").read_text("utf-8")
    assert "字段说明已更新" in index
    same_as_full_rebuild(serve)

    # a page template of theme_overrides/pages/: only the pages made with it
    own = project / "theme_overrides/pages/brand.md.j2"
    own.parent.mkdir(parents=True)
    template = (REPO / "dangjian/templates/site/brand.md.j2").read_text(encoding="utf-8")
    own.write_text(template + "\n本页模板由本单位调整。\n", encoding="utf-8")
    report = serve.build()
    assert not report.full and {"brands/hongse-yinqing.md", "brands/fazhi-xianfeng.md"} <= set(
        report.rendered
    )
    assert "posts/xiangmu-gang.md" not in report.rendered
    page = (serve.site_dir / "brands/fazhi-xianfeng/index.html").read_text("utf-8")
    assert "本页模板由本单位调整" in page
    same_as_full_rebuild(serve)

    # guide/index.md takes its title from its heading, which every page's nav shows
    edit(project / "docs/guide/index.md", "# 投稿指南", "# 投稿须知")
    report = serve.build()
    assert report.full and "guide/index.md" in report.reason
    same_as_full_rebuild(serve)


def test_rebuilds_in_a_row_keep_the_search_index_whole(served):
    project, serve = served
    full = json.loads((serve.site_dir / "search/search_index.json").read_bytes())
    for old, new in [
        ("以重点项目为载体", "以重大工程为载体"),
        ("以重大工程为载体", "以重点项目为载体"),
    ]:
        edit(project / CASE, old, new)
        report = serve.build()
        assert not report.full
    edit(project / "docs/guide/fields.md", "# 字段说明", "# 字段说明\n\n新加的一句话。")
    serve.build()
    edit(project / "docs/guide/fields.md", "# 字段说明\n\n新加的一句话。", "# 字段说明")
    report = serve.build()
    assert report.rendered == ("guide/fields.md",)
    again = json.loads((serve.site_dir / "search/search_index.json").read_bytes())
    assert again == full  # back to the first text: the very same index, every page once
