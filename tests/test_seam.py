"""The seam: the library's pages as data, built by plain `mkdocs build` as by `build_cases.py`.

- `site_source` gives pages, data files, images and search entries without
  touching docs/;
- on a fresh copy of the project, the real `mkdocs build` command gives the
  site `build_cases.py build` gives, with every case in its search index;
- a library with errors makes `mkdocs build` fail with `check`'s diagnostics
  and publish nothing; a missing search plugin is an error;
- `export-pages` writes the same pages to a folder and never overwrites one it
  did not make.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SMALL, Built, make_project, open_valid
from libraries import site_files

from dangjian.sitesource import EXPORT_META, site_source


def run(cmd: list[str], cwd: Path, code: Path = REPO, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(code), **env}
    return subprocess.run(cmd, cwd=cwd, env=environ, capture_output=True, text=True, timeout=300)


def mkdocs(project: Path, *args: str, code: Path = REPO) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "mkdocs", "build", *args], project, code)


def test_site_source_holds_every_page_and_entry_and_writes_nothing(tmp_path: Path):
    project = make_project(tmp_path / "project", SMALL / "cases")
    before = sorted(p.relative_to(project).as_posix() for p in (project / "docs").rglob("*"))
    library = open_valid(project)
    source = site_source(project, library)
    assert (
        sorted(p.relative_to(project).as_posix() for p in (project / "docs").rglob("*")) == before
    )
    for case in library.published:
        page = source.pages[f"{case.kind}s/{case.id}.md"]
        assert page.startswith("---\n") and "search:\n  exclude: true\n" in page
    assert {"index.md", "units/fgw.md", "data/cases.json", "data/coverage.json"} <= set(
        source.pages
    )
    locations = [e["location"] for e in source.search]  # the cases first, then the other pages
    assert locations[: len(library.published)] == [c.url for c in library.published]
    assert {"units/fgw/", "themes/zuofeng/", "years/2021/", "coverage/"} <= set(locations)
    images = {rel: p for rel, p in source.assets.items() if rel.startswith("assets/cases/")}
    assert images and all(p.is_file() for p in images.values())
    # the rest are the office files made in memory (downloads.data_files)
    assert {rel: type(p) for rel, p in source.assets.items() if rel not in images} == {
        "data/ledger.xlsx": bytes, "data/units.csv": bytes, "data/coverage-report.docx": bytes}
    assert "红色引擎" in source.user_dictionary.splitlines()


@pytest.mark.slow
def test_plain_mkdocs_build_finds_every_case_by_its_title(fresh_copy: Path):
    index = json.loads((fresh_copy / "site/search/search_index.json").read_text("utf-8"))
    by_location = {d["location"]: d for d in index["docs"]}
    library = open_valid(fresh_copy)
    assert len(library.published) > 20
    for case in library.published:
        entry = by_location[case.url]  # exactly one entry, at the case's own page
        assert entry["title"].replace("\u034f", "") == case.title
    assert not (fresh_copy / "docs" / "index.md").exists()  # nothing written into docs/


@pytest.mark.slow
def test_plain_mkdocs_build_gives_the_site_build_cases_gives(fresh_copy: Path, demo_site: Built):
    plain, ours = site_files(fresh_copy / "site"), site_files(demo_site.site)
    dated = {"sitemap.xml", "sitemap.xml.gz"}  # two checkouts, two build dates
    assert sorted(plain) == sorted(ours)
    assert [rel for rel in plain if rel not in dated and plain[rel] != ours[rel]] == []


@pytest.mark.slow
def test_plain_mkdocs_build_of_a_library_with_errors_fails_with_the_diagnostics(tmp_path: Path):
    project = make_project(tmp_path / "project", SMALL / "cases")
    case = project / "cases" / "czj" / "yusuan-qingfeng.yaml"
    case.write_text(case.read_text("utf-8").replace("title: 预算清风", "title:"), "utf-8")
    checked = run([sys.executable, str(REPO / "build_cases.py"), "check"], project)
    assert checked.returncode == 1 and "品牌名称(title)" in checked.stdout
    done = mkdocs(project)
    assert done.returncode == 1
    assert checked.stdout in done.stderr  # the same lines, byte for byte
    assert "案例库有错误，站点未生成" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (project / "site").exists()


@pytest.mark.slow
def test_a_missing_search_plugin_is_an_error(tmp_path: Path):
    project = make_project(tmp_path / "project", SMALL / "cases")
    config = project / "mkdocs.yml"
    text = config.read_text("utf-8")
    start = text.index("  - search:")
    end = text.index("  - dangjian")
    config.write_text(text[:start] + text[end:], "utf-8")
    done = mkdocs(project)
    assert done.returncode == 1
    assert "缺少 search 插件" in done.stderr
    assert not (project / "site" / "index.html").exists()


def test_export_pages_writes_the_site_source_and_never_overwrites_others(tmp_path: Path):
    project = make_project(tmp_path / "project", SMALL / "cases")
    cli = [sys.executable, str(REPO / "build_cases.py"), "export-pages"]
    done = run([*cli, "out"], project)
    assert done.returncode == 0, done.stderr
    source = site_source(project, open_valid(project))
    out = project / "out"
    for rel, text in source.pages.items():
        assert (out / rel).read_text("utf-8") == text
    for rel, data in source.assets.items():
        # image renditions are files of the image cache; the office files are bytes
        assert isinstance(data, Path if rel.startswith("assets/cases/") else bytes)
        assert (out / rel).read_bytes() == (data if isinstance(data, bytes) else data.read_bytes())
    entries = json.loads((out / EXPORT_META / "search-entries.json").read_text("utf-8"))
    assert entries == source.search
    # a second export replaces the first
    assert run([*cli, "out"], project).returncode == 0
    # a folder of other files is left alone
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.md").write_text("我的笔记", "utf-8")
    refused = run([*cli, str(tmp_path / "mine")], project)
    assert refused.returncode == 1
    assert "为避免覆盖已停止" in refused.stderr
    assert os.listdir(tmp_path / "mine") == ["notes.md"]
    # docs/ itself is refused
    assert run([*cli, "docs"], project).returncode == 2


@pytest.mark.slow
def test_every_page_and_asset_of_the_source_reaches_the_site(tmp_path: Path):
    """What a branch adds to SiteSource (a page, an in-memory binary file) is built and published."""
    from dataclasses import replace

    from dangjian.site import mkdocs_build

    project = make_project(tmp_path / "project", SMALL / "cases")
    library = open_valid(project)
    source = site_source(project, library)
    extra_page = "---\ntitle: 附加页面\n---\n\n# 附加页面\n\n接缝测试。\n"
    blob = bytes(range(256)) * 4
    source = replace(
        source,
        pages={**source.pages, "extra/index.md": extra_page},
        assets={**source.assets, "data/ledger.bin": blob},
    )
    mkdocs_build(project, tmp_path / "site", library, source)
    assert "接缝测试。" in (tmp_path / "site" / "extra" / "index.html").read_text("utf-8")
    assert (tmp_path / "site" / "data" / "ledger.bin").read_bytes() == blob
    assert not (project / "docs" / "extra").exists()
