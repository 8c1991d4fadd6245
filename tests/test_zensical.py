"""The same library published with Zensical (`build --engine zensical`): links and search."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SMALL, Built, make_project
from linkcheck import crawl, serve

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_every_internal_link_and_anchor_works_under_a_sub_path(
    engine: str, demo_site: Built, demo_zensical: Built
):
    built = demo_zensical if engine == "zensical" else demo_site
    with serve(built.site) as base:
        found = crawl(base)
    # every case page, unit page and listing is reached from the home page
    assert found.pages > len(built.library.published) + len(built.library.units)
    assert found.links > 1000
    assert found.broken == [], "\n".join(found.broken[:30])


def test_every_published_case_is_in_zensicals_search_index(demo_zensical: Built):
    index = json.loads((demo_zensical.site / "search.json").read_text(encoding="utf-8"))
    by_location = {item["location"]: item for item in index["items"]}
    for case in demo_zensical.library.published:
        assert case.url in by_location, case.url
        assert by_location[case.url]["title"] == case.title.replace("&", "&amp;")
        assert case.summary[:10].replace("&", "&amp;") in by_location[case.url]["text"]
    # drafts are nowhere in it
    drafts = {c.url for c in demo_zensical.library.cases if not c.published}
    assert drafts and not drafts & set(by_location)


def test_zensical_build_from_the_command_line_publishes_atomically(tmp_path: Path):
    project = make_project(tmp_path / "project", SMALL / "cases")
    site = project / "out"
    cli = [sys.executable, str(REPO / "build_cases.py"), "build", "--engine", "zensical",
           "--site-dir", "out"]  # fmt: skip
    first = subprocess.run(cli, cwd=project, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "站点已生成" in first.stdout
    assert (site / "index.html").is_file() and (site / "search.json").is_file()
    before = (site / "index.html").read_bytes()
    units = project / "cases" / "units.yaml"
    good = units.read_text(encoding="utf-8")
    units.write_text("units: [", encoding="utf-8")
    broken = subprocess.run(cli, cwd=project, capture_output=True, text=True, timeout=300)
    assert broken.returncode == 1
    assert "units.yaml" in broken.stderr and "Traceback" not in broken.stderr
    assert (site / "index.html").read_bytes() == before  # the old site stays
    units.write_text(good, encoding="utf-8")
    done = subprocess.run(cli, cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    # nothing of the staging project or of the swap is left behind
    assert list((project / ".cache").glob("zensical-*")) == []
    assert [p.name for p in project.iterdir() if p.name.startswith(".out")] == []


@pytest.mark.browser
def test_chromium_finds_a_case_by_its_title_in_zensicals_search(demo_zensical: Built):
    from libraries import chromium
    from test_browser import ARTIFACTS

    case = next(
        c for c in demo_zensical.library.published if re.fullmatch(r"[\u4e00-\u9fff]{3,}", c.title)
    )
    with serve(demo_zensical.site) as base, chromium() as browser:
        page = browser.new_page(locale="zh-CN")
        page.goto(base)
        page.locator(".md-search__button").first.click()
        page.keyboard.type(case.title)
        hit = page.locator(f"a[href*='{case.url}']").first  # the dialog's shadow DOM is pierced
        hit.wait_for(timeout=15000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "zensical-search.png"))
        hit.click()
        page.wait_for_url(f"**/dangjian/{case.url}**")
        assert page.locator("h1").first.inner_text() == case.title


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_markup_in_a_title_shows_as_text_once_escaped_in_either_engine(tmp_path: Path, engine: str):
    """Front matter holds HTML text (pages.front_matter_value): both engines' templates print
    page.meta.title unescaped in <title> and the header, so each shows it escaped exactly once."""
    project = make_project(tmp_path / "project", SMALL / "cases")
    case_file = project / "cases" / "fgw" / "hongse-yinqing.yaml"  # a published brand
    text = case_file.read_text(encoding="utf-8")
    title = re.search(r"^title: (.+)$", text, re.M)
    assert title
    case_file.write_text(text.replace(title[0], "title: 红色A&B <i>x</i>", 1), encoding="utf-8")
    cli = [sys.executable, str(REPO / "build_cases.py"), "build", "--engine", engine,
           "--site-dir", "out"]  # fmt: skip
    done = subprocess.run(cli, cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    page = (project / "out" / "brands" / case_file.stem / "index.html").read_text("utf-8")
    once = "红色A&amp;B &lt;i&gt;x&lt;/i&gt;"
    assert f"<title>{once} - " in page
    head = page.split('data-md-component="header-topic"', 1)[1][:300]
    assert once in head
    assert re.search(rf"<h1[^>]*>{re.escape(once)}", page)
    assert "<i>x</i>" not in page and "&amp;amp;" not in page and "&amp;lt;" not in page


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_a_page_template_override_under_theme_overrides_is_used_not_published(
    tmp_path: Path, engine: str
):
    """theme_overrides/pages/<name>.md.j2 replaces a page template (templating.py) under either
    engine; neither publishes the template sets' files as static files."""
    project = make_project(tmp_path / "project", SMALL / "cases")
    pages = project / "theme_overrides" / "pages"
    pages.mkdir()
    stock = (REPO / "dangjian" / "templates" / "site" / "brand.md.j2").read_text("utf-8")
    marker = '<p class="dj-kind">党建品牌</p>'
    assert marker in stock
    (pages / "brand.md.j2").write_text(stock.replace(marker, marker + "<p>本单位模板</p>"), "utf-8")
    (project / "theme_overrides" / "casebook").mkdir()
    (project / "theme_overrides" / "casebook" / "casebook.css").write_text("p {}", "utf-8")
    cli = [sys.executable, str(REPO / "build_cases.py"), "build", "--engine", engine,
           "--site-dir", "out"]  # fmt: skip
    done = subprocess.run(cli, cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    site = project / "out"
    page = (site / "brands" / "hongse-yinqing" / "index.html").read_text("utf-8")
    assert "<p>本单位模板</p>" in page
    assert not (site / "pages").exists() and not (site / "casebook").exists()
    assert list(site.rglob("*.j2")) == []
