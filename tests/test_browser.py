"""The built site in a real headless Chromium, served under a sub-path like an intranet."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import REPO, Built

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PREFIX = "/dangjian/"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site only below PREFIX, as an intranet web server mounting it there."""

    def translate_path(self, path: str) -> str:
        if not path.startswith(PREFIX):
            return str(Path(self.directory) / "__outside_the_prefix__")
        return super().translate_path("/" + path[len(PREFIX):])

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


def _serve(site: Path) -> Iterator[str]:
    handler = functools.partial(_SubPathHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{PREFIX}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def server(small_site: Built) -> Iterator[str]:
    yield from _serve(small_site.site)


@pytest.fixture(scope="module")
def plain_server(fresh_copy: Path) -> Iterator[str]:
    """The site plain `mkdocs build` made of a fresh copy of the project."""
    yield from _serve(fresh_copy / "site")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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


def test_search_of_the_plain_mkdocs_site_finds_a_case_by_its_title(
    browser, plain_server: str, fresh_copy: Path
):
    from conftest import open_valid

    library = open_valid(fresh_copy)
    # a title of Han characters only, typed whole as a user would
    case = next(c for c in library.published if re.fullmatch(r"[\u4e00-\u9fff]{3,}", c.title))
    page = browser.new_page()
    page.goto(plain_server)
    search = page.locator("input.md-search__input")
    search.click()
    search.fill(case.title)
    search.press("End")  # Material searches on keyup
    first = page.locator(".md-search-result__item a").first
    first.wait_for(timeout=15000)
    assert case.url in first.get_attribute("href")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plain-mkdocs-search.png"))
    page.close()
