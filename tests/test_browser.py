"""The built site in a real headless Chromium, served under a sub-path like an intranet."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from conftest import REPO, Built
from libraries import chromium, serve_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PREFIX = "/dangjian/"
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture(scope="module")
def server(small_site: Built) -> Iterator[str]:
    with serve_site(small_site.site, PREFIX) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def test_search_coverage_and_unit_page_without_leaving_the_host(browser, server: str):
    base = urlsplit(server)
    requests: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    # anything off the host is recorded above and refused here, so a leak fails fast
    context.route(
        "**/*",
        lambda route: route.continue_()
        if urlsplit(route.request.url).netloc == base.netloc
        else route.abort(),
    )
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)

    page.goto(server)
    assert page.locator(".dj-indicator__percent").first.inner_text() == "75.0%"
    assert page.locator(".dj-indicator__fraction").first.inner_text() == "（3/4）"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

    # Chinese search: a brand name typed whole finds the brand
    search = page.locator("input.md-search__input")

    def query(text: str) -> None:
        # fill() inserts text without key events; Material searches on keyup
        search.fill(text)
        search.press("End")

    search.click()
    query("红色引擎")
    result = page.locator(".md-search-result__item a").first
    result.wait_for(timeout=15000)
    assert "brands/hongse-yinqing/" in result.get_attribute("href")
    # a word jieba cut out of running text (not a dictionary name) is found too
    query("动力源")
    page.locator(".md-search-result__item a[href*='hongse-yinqing']").first.wait_for(timeout=15000)
    query("红色引擎")
    page.screenshot(path=str(ARTIFACTS / "search.png"))
    page.locator(".md-search-result__item a[href*='hongse-yinqing']").first.click()
    page.wait_for_url("**/dangjian/brands/hongse-yinqing/**")
    assert page.locator("h1").first.inner_text() == "红色引擎"

    # from the case to its unit
    page.locator(".dj-facts a", has_text="区发展和改革局").click()
    page.wait_for_url("**/dangjian/units/fgw/")
    assert page.locator("h1").first.inner_text() == "区发展和改革局"
    assert "党建品牌：已覆盖" in page.locator(".dj-status").inner_text()

    # the coverage page lists the uncovered unit and links to it
    page.goto(server + "coverage/")
    page.locator(".dj-units--missing a", has_text="区体育局").first.click()
    page.wait_for_url("**/dangjian/units/tyj/")
    assert "党建品牌：未覆盖" in page.locator(".dj-status").inner_text()
    context.close()

    assert requests, "no request recorded"
    foreign = [u for u in requests if urlsplit(u).netloc != base.netloc]
    assert foreign == []
    assert all(urlsplit(u).path.startswith(PREFIX) for u in requests)
    assert failed == []


def test_case_page_prints_cleanly(browser, server: str):
    page = browser.new_page()
    page.goto(server + "posts/xiangmu-gang/")
    page.emulate_media(media="print")
    assert not page.locator(".md-header").is_visible()
    assert not page.locator(".md-sidebar--primary").is_visible()
    assert page.locator(".dj-pledge").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "post-print.pdf").write_bytes(pdf)
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server)
    page.screenshot(path=str(ARTIFACTS / "home-mobile.png"), full_page=True)
    page.close()
