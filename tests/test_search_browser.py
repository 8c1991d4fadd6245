"""Search as a staffer uses it, in headless Chromium on the small fixture site under /dangjian/.

Each kind of query people type finds its page first: a unit's full name, the
name without 区, an alias, a brand's or post's title, a fragment of a title, a
holder's name; traditional and simplified characters find the same pages. The
box searches on paste, input-method commits and dictation, which raise no key-up.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import Built
from libraries import chromium, serve_site
from test_browser import ARTIFACTS, PREFIX

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLACEHOLDER = "键入以开始搜索"


@pytest.fixture(scope="module")
def server(small_site: Built) -> Iterator[str]:
    with serve_site(small_site.site, PREFIX) as base:
        yield base


@pytest.fixture(scope="module")
def page(server: str):
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.goto(server)
        page.locator("input.md-search__input").click()
        yield page


def _meta(page) -> str:
    return page.locator(".md-search-result__meta").inner_text()


def results(page, query: str) -> list[str]:
    """Put the query into the box the way a paste does (an input event, no key), read the hits."""
    box = page.locator("input.md-search__input")
    box.fill("")
    page.wait_for_function(
        f"document.querySelector('.md-search-result__meta').innerText.includes('{PLACEHOLDER}')"
    )
    box.fill(query)
    page.wait_for_function(
        f"!document.querySelector('.md-search-result__meta').innerText.includes('{PLACEHOLDER}')",
        timeout=15000,
    )
    hrefs = page.locator(".md-search-result__item > a").evaluate_all(
        "els => els.map(a => new URL(a.href).pathname)"
    )
    return [h.removeprefix(PREFIX) for h in hrefs]


@pytest.mark.parametrize(
    ("query", "page_url"),
    [
        ("区发展和改革局", "units/fgw/"),  # a unit's full name
        ("发展和改革局", "units/fgw/"),  # without 区
        ("发改局", "units/fgw/"),  # an alias
        ("发改委", "units/fgw/"),
        ("区司法局", "units/sfj/"),
        ("红色引擎", "brands/hongse-yinqing/"),  # a brand's title
        ("项目服务党员示范岗", "posts/xiangmu-gang/"),  # a post's title
        ("法律援助党员示范岗", "posts/falv-yuanzhu/"),
        ("引擎", "brands/hongse-yinqing/"),  # the last two characters of a title
        ("清风", "brands/yusuan-qingfeng/"),
        ("算清", "brands/yusuan-qingfeng/"),  # a fragment that is no word
        ("张建国", "posts/xiangmu-gang/"),  # a holder
        ("陈静", "posts/falv-yuanzhu/"),
        ("动力源", "brands/hongse-yinqing/"),  # a word of the body text
        ("覆盖率", "coverage/"),
        ("作风建设", "themes/zuofeng/"),
        ("2021", "years/2021/"),
    ],
)
def test_each_kind_of_query_finds_its_page_first(page, query: str, page_url: str):
    got = results(page, query)
    assert got and got[0] == page_url, (query, got[:5])


def test_a_case_is_found_by_its_unit_after_the_unit(page):
    got = results(page, "发改局")
    assert got[0] == "units/fgw/"
    assert {"brands/hongse-yinqing/", "posts/xiangmu-gang/"} <= set(got[1:4])


def test_traditional_queries_find_simplified_pages(page):
    assert results(page, "區發展和改革局")[0] == "units/fgw/"
    assert results(page, "預算清風")[0] == "brands/yusuan-qingfeng/"
    assert results(page, "張建國")[0] == "posts/xiangmu-gang/"


def test_simplified_queries_find_traditional_text(page):
    # the case says 《廉潔機關建設簡報》: simplified and traditional queries both find it
    assert results(page, "廉洁机关建设简报")[0] == "brands/yusuan-qingfeng/"
    assert results(page, "廉潔機關建設簡報")[0] == "brands/yusuan-qingfeng/"


def test_the_matching_part_of_a_title_is_marked(page):
    results(page, "引擎")
    first = page.locator(".md-search-result__item").first
    assert first.locator("mark").first.inner_text() == "引擎"
    listed = page.locator(".md-search-result__list").inner_text()
    assert "缺少" not in listed and "<p>" not in listed
    # in the text under a title too: the unit page lists its case 红色引擎
    unit = page.locator(".md-search-result__item", has=page.locator("a[href*='units/fgw/']"))
    assert unit.locator("article p mark").first.inner_text() == "引擎"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-fragment.png"))


def test_a_hostile_title_is_shown_as_typed(page):
    results(page, "法治先锋")
    title = page.locator(".md-search-result__item h1").first
    assert title.inner_text() == "法治先锋<b>护航</b>{{ 7*7 }}"
    assert title.locator("b").count() == 0


def test_text_entered_without_any_key_event_is_searched(page):
    box = page.locator("input.md-search__input")
    box.fill("")
    page.wait_for_function(
        f"document.querySelector('.md-search-result__meta').innerText.includes('{PLACEHOLDER}')"
    )
    # what an input method commit or dictation does: text inserted, no key pressed
    page.keyboard.insert_text("预算清风")
    page.locator(".md-search-result__item a[href*='yusuan-qingfeng']").first.wait_for(timeout=15000)


def test_input_method_composition_searches_when_it_ends(page):
    box = page.locator("input.md-search__input")
    box.fill("")
    page.wait_for_function(
        f"document.querySelector('.md-search-result__meta').innerText.includes('{PLACEHOLDER}')"
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.imeSetComposition", {"text": "hongse", "selectionStart": 6, "selectionEnd": 6})
    page.wait_for_timeout(300)  # nothing must happen while composing (no result to wait for)
    assert PLACEHOLDER in _meta(page)
    cdp.send("Input.insertText", {"text": "红色引擎"})  # the candidate is chosen
    page.locator(".md-search-result__item a[href*='hongse-yinqing']").first.wait_for(timeout=15000)
    assert box.input_value() == "红色引擎"
    cdp.detach()


def test_a_pasted_sentence_finds_the_case_it_comes_from(page):
    got = results(page, "品牌坚持党建引领，把组织优势转化为项目推进优势。")
    assert got[0] == "brands/hongse-yinqing/", got[:5]
