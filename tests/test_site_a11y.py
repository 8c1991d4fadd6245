"""The 404 page under a sub-path, and axe-core on the main page types, in a real Chromium.

The server mounts the site under /dangjian/ and answers every missing address
below it with the site's 404.html (status 404), as an intranet web server
configured with `ErrorDocument 404 /dangjian/404.html` or nginx's `error_page`.
axe-core is the npm package installed by `scripts/setup.sh --test` into
tests/node/ and loaded into the page from disk.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import test_browser as browser_tests
from conftest import REPO, Built
from libraries import _SubPathHandler, serve_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PREFIX = browser_tests.PREFIX
browser = browser_tests.browser  # the module-scoped headless Chromium

ARTIFACTS = REPO / "tests" / "artifacts"
AXE = REPO / "tests" / "node" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class _ErrorDocumentHandler(_SubPathHandler):
    """Answers a missing address below the prefix with the site's 404.html, status 404."""

    def send_error(self, code, message=None, explain=None):
        if code != 404 or not self.path.startswith(PREFIX):
            return super().send_error(code, message, explain)
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="module")
def server(small_site: Built) -> Iterator[str]:
    with serve_site(small_site.site, PREFIX, _ErrorDocumentHandler) as base:
        yield base


def test_404_page_has_no_root_absolute_reference(small_site: Built):
    html = (small_site.site / "404.html").read_text(encoding="utf-8")
    assert 'href="/' not in html and 'src="/' not in html
    assert '"base": "."' in html


@pytest.mark.parametrize("missing", ["x", "posts/no-such-case/", "a/b/c/d.html"])
def test_404_page_is_styled_and_links_into_the_site_under_a_sub_path(browser, server, missing):
    origin = urlsplit(server).netloc
    page = browser.new_page(locale="zh-CN")
    failed: list[str] = []
    outside: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlsplit(r.url).netloc != origin or not urlsplit(r.url).path.startswith(PREFIX)
            else None
        ),
    )
    response = page.goto(server + missing)
    assert response.status == 404
    assert page.locator("h1").first.inner_text() == "页面不存在（404）"
    # Material's and the project's stylesheets applied: the red header, the project font stack
    header = page.locator(".md-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(168, 32, 26)"
    # Every stylesheet and script the page uses is the site's own, loaded from the site root.
    sheets = page.evaluate(
        "[...document.querySelectorAll('link[rel=stylesheet]')].map(l => [l.href, l.sheet ? l.sheet.cssRules.length : 0])"
    )
    assert len(sheets) >= 3
    for href, rules in sheets:
        assert href.startswith(server + "assets/") and rules > 0, (href, rules)
    scripts = page.evaluate("[...document.scripts].filter(s => s.src).map(s => s.src)")
    assert scripts and all(src.startswith(server + "assets/") for src in scripts), scripts
    # What failed is the missing address itself, the script's probes for 404.html and
    # Chromium's speculative preloads made before <base> was known, all below that address.
    folder = (server + missing).rsplit("/", 1)[0] + "/"
    assert failed[0] == server + missing
    assert all(url.startswith(folder) or url.endswith("/404.html") for url in failed), failed
    assert outside == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"404-{missing.strip('/').replace('/', '_')}.png"))

    page.locator("article a", has_text="返回首页").click()
    page.wait_for_url(server)
    assert page.locator(".dj-indicator__percent").first.is_visible()
    page.go_back()
    page.locator(".md-tabs__link", has_text="单位").click()
    page.wait_for_url(server + "units/")
    page.go_back()

    # search from the 404 page finds a case and opens it under the sub-path
    search = page.locator("input.md-search__input")
    search.click()
    search.fill("红色引擎")
    search.press("End")
    result = page.locator(".md-search-result__item a[href*='hongse-yinqing']").first
    result.wait_for(timeout=15000)
    result.click()
    page.wait_for_url("**/dangjian/brands/hongse-yinqing/**")
    page.close()


PAGES = {
    "home": "",
    "unit": "units/fgw/",
    "brand": "brands/hongse-yinqing/",
    "post": "posts/xiangmu-gang/",
    "coverage": "coverage/",
    "listing": "brands/",
    "guide": "guide/",
    "404": "no-such-page/",
}


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_AA,
    )
    return result["violations"]


@pytest.mark.skipif(not AXE.is_file(), reason="run scripts/setup.sh --test first")
@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_wcag_aa_violation(browser, server, kind):
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page.goto(server + PAGES[kind])
    page.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"a11y-{kind}.png"))
    violations = _axe(page)
    report = [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "nodes": len(v["nodes"]),
            "targets": [n["target"] for n in v["nodes"]],
            "summary": sorted({n.get("failureSummary", "")[:300] for n in v["nodes"]}),
        }
        for v in violations
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{kind}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    page.close()
    assert report == [], json.dumps(report, ensure_ascii=False, indent=1)
