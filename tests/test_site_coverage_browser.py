"""The demo's coverage page in a real headless Chromium: sort, filter, print, phone."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest
from conftest import REPO, Built
from libraries import chromium, serve_site

from dangjian.model import ORG_TYPES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = REPO / "tests" / "artifacts"

# Smallest rendered font size of any visible text in the page content, in CSS px;
# SVG text counts at its drawn size (font size times the SVG's scale).
SMALLEST_TEXT = """() => {
  let smallest = [Infinity, ""];
  for (const el of document.querySelectorAll(".md-content *")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    let size = parseFloat(style.fontSize);
    if (el instanceof SVGElement) size *= el.getScreenCTM().a;
    if (size < smallest[0]) smallest = [size, el.textContent.trim().slice(0, 30)];
  }
  return smallest;
}"""


@pytest.fixture(scope="module")
def server(demo_site: Built) -> Iterator[str]:
    with serve_site(demo_site.site, "/dangjian/") as url:  # under a sub-path, as on the intranet
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def _visible_rows(page) -> list[dict]:
    return page.eval_on_selector_all(
        "table.dj-unit-table tbody tr",
        """rows => rows.filter(r => !r.hidden).map(r => ({
            unit: r.cells[0].querySelector('a').textContent, type: r.dataset.type,
            brand: Number(r.dataset.brand), post: Number(r.dataset.post),
            none: r.classList.contains('dj-row--none')}))""",
    )


def test_unit_table_sorts_and_filters(browser, server: str, demo_site: Built):
    from dangjian import coverage as coverage_mod

    cov = coverage_mod.compute(demo_site.library)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(server + "coverage/")
    rows = _visible_rows(page)
    assert len(rows) == 61
    assert [r["unit"] for r in rows] == [u.unit.name for u in cov.units]
    assert sum(r["none"] for r in rows) == len(cov.uncovered_both) == 10
    assert page.locator("tr.dj-row--none .dj-flag").count() == 10
    assert page.locator("td.dj-reviewers", has_text="@fgw-dangban").count() == 1

    brand = page.get_by_role("button", name="党建品牌")
    brand.click()
    assert page.locator("th", has=brand).get_attribute("aria-sort") == "ascending"
    counts = [r["brand"] for r in _visible_rows(page)]
    assert counts == sorted(counts) and counts[0] == 0
    post = page.get_by_role("button", name="党员示范岗")
    post.click()
    post.click()
    assert page.locator("th", has=post).get_attribute("aria-sort") == "descending"
    assert page.locator("th", has=brand).get_attribute("aria-sort") is None
    counts = [r["post"] for r in _visible_rows(page)]
    assert counts == sorted(counts, reverse=True) and counts[0] == max(counts) > 1
    page.get_by_role("button", name="类型").click()
    types = [r["type"] for r in _visible_rows(page)]
    assert types == sorted(types, key=ORG_TYPES.index)  # 机关党委, 党总支, 党支部
    page.get_by_role("button", name="单位").click()
    names = [r["unit"] for r in _visible_rows(page)]
    assert names == page.evaluate("n => n.slice().sort(new Intl.Collator('zh-CN').compare)", names)
    assert names != [u.unit.name for u in cov.units]

    form = page.locator(".dj-filters")
    form.get_by_label("只看未覆盖品牌").check()
    rows = _visible_rows(page)
    assert sorted(r["unit"] for r in rows) == sorted(u.name for u in cov.uncovered_brand)
    assert form.locator("output").inner_text() == f"显示 {len(rows)} / 61 个单位"
    form.get_by_label("只看未覆盖示范岗").check()
    assert {r["unit"] for r in _visible_rows(page)} == {u.name for u in cov.uncovered_both}
    form.get_by_label("只看未覆盖品牌").uncheck()
    form.get_by_label("组织类型").select_option("党支部")
    rows = _visible_rows(page)
    expected = [u for u in cov.uncovered_post if u.org_type == "党支部"]
    assert len(rows) == len(expected) > 0
    assert all(r["type"] == "党支部" and r["post"] == 0 for r in rows)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "coverage-filtered.png"), full_page=True)
    page.close()


def test_unit_table_is_complete_without_javascript(browser, server: str):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "coverage/")
    assert page.locator("table.dj-unit-table tbody tr:visible").count() == 61
    assert page.locator(".dj-filters").count() == 0  # the script makes the filters
    assert page.locator("table.dj-unit-table button").count() == 0
    assert page.locator("svg.dj-chart--trend").is_visible()
    context.close()


def test_printed_coverage_page_is_at_most_two_a4_pages(browser, server: str, tmp_path):
    page = browser.new_page()
    page.goto(server + "coverage/")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    page.close()
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "coverage-print.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    assert 1 <= pages <= 2
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"],
                                             capture_output=True, text=True).stdout)
    assert "数据截至" in text and "80.3%" in text and "尚无党建品牌的单位（12个）" in text
    assert "区人力资源和社会保障局" in text  # an uncovered unit, listed in columns
    assert "coverage.json" not in text and "只看未覆盖品牌" not in text
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(ARTIFACTS / "coverage-print")],
                   check=True)


@pytest.mark.parametrize("path", ["coverage/", "", "units/rsj/"])
def test_phone_layout_is_readable_and_nothing_is_clipped(browser, server: str, path: str):
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                            is_mobile=True, has_touch=True)
    page.goto(server + path)
    size, where = page.evaluate(SMALLEST_TEXT)
    assert size >= 11, f"{size:.1f}px text: {where}"
    # the page itself never scrolls sideways; wide tables scroll in their box and say so
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for box in page.locator(".dj-scroll").all():
        wide = box.evaluate("b => b.scrollWidth > b.clientWidth + 1")
        if wide:
            assert "dj-scroll--overflow" in box.get_attribute("class")
            hint = box.evaluate("b => getComputedStyle(b, '::before').content")
            assert "左右滑动" in hint
    name = "phone-" + (path.strip("/").replace("/", "-") or "home") + ".png"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    page.close()
