"""Search relevance, measured as a user meets it: queries typed into the built site in Chromium.

    .venv/bin/python bench/search_bench.py            # the demo library (cases/)
    .venv/bin/python bench/search_bench.py --synth 1000

The query set comes from the library's own data: unit names, the names
without 区 / 区委, aliases, brand and post titles, the last two characters of
brand titles, post holders, and unit names and brand titles in traditional
characters. Each query is typed into the search box of the site, served under
/dangjian/ on 127.0.0.1; for every category the share of queries whose page
comes first, in the first 3 and in the first 5 is printed, with those that
give no result at all. A traditional-character query also counts whether its
first result is the first result of the same query in simplified characters.
Also printed: search index bytes per case and the home page's first-search
latency (page opened, query typed at once, until the first result shows).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import shutil
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "bench" / "work"
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "tests"))

PREFIX = "/dangjian/"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PLACEHOLDER = "键入以开始搜索"


@dataclass
class Query:
    category: str
    text: str
    expect: frozenset[str]  # locations any of which is a right first result
    simplified: str = ""  # for a traditional query: the same in simplified characters


@dataclass
class Tally:
    total: int = 0
    first: int = 0
    top3: int = 0
    top5: int = 0
    empty: int = 0
    same: int = 0
    misses: list[str] = field(default_factory=list)


def queries(library) -> list[Query]:
    """The query set of a library, from its own units and published cases."""
    from opencc import OpenCC

    to_trad = OpenCC("s2t").convert
    out: list[Query] = []
    names: dict[str, set[str]] = {}
    for unit in library.units:
        names.setdefault(unit.name, set()).add(f"units/{unit.id}/")
    for unit in library.units:
        page = frozenset({f"units/{unit.id}/"})
        out.append(Query("单位全称", unit.name, page))
        for prefix in ("区委", "区"):
            if unit.name.startswith(prefix) and len(unit.name) - len(prefix) >= 2:
                short = unit.name[len(prefix) :]
                if short not in names:
                    out.append(Query("去掉「区/区委」的名称", short, page))
                break
        for alias in unit.aliases:
            out.append(Query("简称", alias, page))
        trad = to_trad(unit.name)
        if trad != unit.name:
            out.append(Query("单位全称（繁体）", trad, page, unit.name))
    published = library.published
    by_title: dict[str, set[str]] = {}
    for case in published:
        by_title.setdefault(case.title, set()).add(case.url)
    for case in library.brands:
        out.append(Query("品牌全称", case.title, frozenset(by_title[case.title])))
        tail = case.title[-2:]
        # right first results: every page whose own name holds the fragment
        pages = frozenset(c.url for c in published if tail in c.title) | frozenset(
            f"units/{u.id}/" for u in library.units if tail in u.name
        )
        out.append(Query("品牌名末两字", tail, pages))
        trad = to_trad(case.title)
        if trad != case.title:
            out.append(Query("品牌全称（繁体）", trad, frozenset(by_title[case.title]), case.title))
    holders: dict[str, set[str]] = {}
    for case in library.posts:
        out.append(Query("示范岗全称", case.title, frozenset(by_title[case.title])))
        for holder in case.holders:
            holders.setdefault(holder, set()).add(case.url)
    for holder, pages in holders.items():
        out.append(Query("示范岗党员姓名", holder, frozenset(pages)))
    # the same fragment or name asked twice is one query
    unique: dict[tuple[str, str], Query] = {}
    for q in out:
        unique.setdefault((q.category, q.text), q)
    return list(unique.values())


class _SubPath(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        if not path.startswith(PREFIX):
            return str(Path(self.directory) / "__outside__")
        return super().translate_path("/" + path[len(PREFIX) :])

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_SubPath, directory=str(site))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}{PREFIX}"


_READ = """() => [...document.querySelectorAll('.md-search-result__item > a')]
  .map(a => new URL(a.href).pathname)"""


def ask(page, base_path: str, text: str) -> list[str]:
    """Type a query (as a paste would: no key event) and read the result locations."""
    box = page.locator("input.md-search__input")
    box.fill("")
    page.wait_for_function(
        f"document.querySelector('.md-search-result__meta').innerText.includes('{PLACEHOLDER}')"
    )
    box.fill(text)
    page.wait_for_function(
        f"!document.querySelector('.md-search-result__meta').innerText.includes('{PLACEHOLDER}')"
    )
    return [p[len(base_path) :] if p.startswith(base_path) else p for p in page.evaluate(_READ)]


_OVERRIDE = re.compile(
    r"<script>\s*\(function \(\) \{\s*var el = document.getElementById\(\"__config\"\).*?</script>",
    re.S,
)


def _without_our_worker(route) -> None:
    """The home page as Material alone would have it: its own search worker."""
    response = route.fetch()
    html, n = _OVERRIDE.subn("", response.text())
    assert n == 1, "theme_overrides/main.html changed: update _OVERRIDE"
    route.fulfill(response=response, body=html)


def first_search_ms(browser, base: str, text: str, stock_worker: bool = False) -> float:
    """Home page opened, the query typed as soon as the box exists, until a result shows.

    With `stock_worker` the page runs Material's own search worker on the same
    index instead of ours: the baseline.
    """
    page = browser.new_page()
    if stock_worker:
        page.route(base, _without_our_worker)
    start = time.perf_counter()
    page.goto(base, wait_until="domcontentloaded")
    page.locator("input.md-search__input").fill(text)
    page.locator(".md-search-result__item").first.wait_for(timeout=60000)
    elapsed = (time.perf_counter() - start) * 1000
    page.close()
    return elapsed


def run(site: Path, library, label: str) -> None:
    from playwright.sync_api import sync_playwright

    qs = queries(library)
    httpd, base = serve(site)
    base_path = PREFIX
    tallies: dict[str, Tally] = {}
    first_of: dict[str, str] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            probe = next((q.text for q in qs if q.category == "品牌全称"), qs[0].text)
            latencies, baseline = [], []
            for _ in range(5):  # alternating, so both see the same machine load
                latencies.append(first_search_ms(browser, base, probe))
                baseline.append(first_search_ms(browser, base, probe, stock_worker=True))
            page = browser.new_page()
            page.goto(base)
            page.locator("input.md-search__input").click()
            started = time.perf_counter()
            for q in sorted(qs, key=lambda q: bool(q.simplified)):  # simplified first
                got = ask(page, base_path, q.text)
                first_of[q.text] = got[0] if got else ""
                t = tallies.setdefault(q.category, Tally())
                t.total += 1
                t.first += bool(got) and got[0] in q.expect
                t.top3 += any(g in q.expect for g in got[:3])
                t.top5 += any(g in q.expect for g in got[:5])
                t.empty += not got
                if q.simplified:
                    if q.simplified not in first_of:
                        first_of[q.simplified] = (ask(page, base_path, q.simplified) or [""])[0]
                    t.same += bool(got) and got[0] == first_of[q.simplified]
                if not (got and got[0] in q.expect):
                    t.misses.append(f"{q.text} -> {got[:3]}")
            per_query = (time.perf_counter() - started) * 1000 / max(1, len(qs))
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()

    index = site / "search" / "search_index.json"
    cases = len(library.published)
    _table(label, tallies, qs, library)
    size = index.stat().st_size
    print(f"\n搜索索引：{size} 字节，每个案例 {size / max(1, cases):.0f} 字节")
    print(
        f"首页首次搜索（打开首页即输入，到第一条结果出现）：中位数 {statistics.median(latencies):.0f} ms"
        f"（{', '.join(f'{x:.0f}' for x in latencies)}）；之后每条查询平均 {per_query:.0f} ms（含清空输入框）"
    )
    ratio = statistics.median(latencies) / statistics.median(baseline)
    print(
        f"同一索引换用 Material 自带的搜索程序：中位数 {statistics.median(baseline):.0f} ms；"
        f"本项目 / Material = {ratio:.2f}"
    )
    for category, t in tallies.items():
        if t.misses:
            print(f"\n{category} 首条不对的（前 8 条）：")
            for m in t.misses[:8]:
                print(f"  {m}")


_PAGEFIND_ASK = """async (q) => {
  const pf = window.__pf || (window.__pf = await import(document.baseURI + "pagefind/pagefind.js"));
  const found = await pf.search(q);
  const top = await Promise.all(found.results.slice(0, 5).map(r => r.data()));
  return top.map(d => new URL(d.url, document.baseURI).pathname);
}"""


def run_pagefind(site: Path, library, label: str, binary: Path) -> None:
    """The same queries against Pagefind's index of the same pages (for comparison only).

    Pagefind indexes the built HTML (Material's article element of each page);
    the queries go to its JavaScript API, as its own search box would send them.
    """
    import subprocess

    from playwright.sync_api import sync_playwright

    subprocess.run(
        [str(binary), "--site", str(site), "--root-selector", "article.md-content__inner"],
        check=True,
        capture_output=True,
    )
    qs = queries(library)
    httpd, base = serve(site)
    tallies: dict[str, Tally] = {}
    first_of: dict[str, str] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(base)
            for q in sorted(qs, key=lambda q: bool(q.simplified)):
                got = [g.removeprefix(PREFIX) for g in page.evaluate(_PAGEFIND_ASK, q.text)]
                first_of[q.text] = got[0] if got else ""
                t = tallies.setdefault(q.category, Tally())
                t.total += 1
                t.first += bool(got) and got[0] in q.expect
                t.top3 += any(g in q.expect for g in got[:3])
                t.top5 += any(g in q.expect for g in got[:5])
                t.empty += not got
                if q.simplified:
                    t.same += bool(got) and got[0] == first_of.get(q.simplified)
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    size = sum(f.stat().st_size for f in (site / "pagefind").rglob("*") if f.is_file())
    _table(f"{label}，Pagefind", tallies, qs, library)
    print(
        f"\nPagefind 索引（全部文件）：{size} 字节，每个案例 {size / max(1, len(library.published)):.0f} 字节"
    )


def _table(label: str, tallies: dict[str, Tally], qs: list[Query], library) -> None:
    print(
        f"\n## {label}: {len(library.published)} 个已发布案例，{len(library.units)} 个单位，{len(qs)} 条查询\n"
    )
    print("| 查询类别 | 条数 | 第一条就是 | 前 3 条内 | 前 5 条内 | 无结果 | 繁体与简体首条相同 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for category, t in tallies.items():

        def pct(k: int, t: Tally = t) -> str:
            return f"{k}/{t.total}（{100 * k / t.total:.0f}%）"

        same = pct(t.same) if any(q.simplified for q in qs if q.category == category) else "—"
        print(
            f"| {category} | {t.total} | {pct(t.first)} | {pct(t.top3)} | {pct(t.top5)} "
            f"| {t.empty} | {same} |"
        )


def build(project: Path):
    from conftest import build as build_project

    return build_project(project, project / "site")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synth", type=int, default=0, help="a synthetic library of N cases")
    parser.add_argument(
        "--pagefind", type=Path, help="also measure Pagefind: path of its pagefind_extended binary"
    )
    parser.add_argument(
        "--site", type=Path, help="an already built project folder (skips the build)"
    )
    args = parser.parse_args()
    from conftest import make_project, open_valid

    if args.site:
        project = args.site
        library = open_valid(project)
        label = project.name
    elif args.synth:
        import synth

        project = WORK / f"search{args.synth}"
        shutil.rmtree(project, ignore_errors=True)
        project.mkdir(parents=True)
        shutil.copy(REPO / "mkdocs.yml", project)
        shutil.copytree(REPO / "theme_overrides", project / "theme_overrides")
        (project / "docs").mkdir()
        synth.write_library(project, args.synth)
        library = build(project).library
        label = f"合成案例库（{args.synth} 个案例）"
    else:
        project = (
            make_project(WORK / "search-demo", REPO / "cases")
            if not (WORK / "search-demo").exists()
            else None
        )
        if project is None:
            shutil.rmtree(WORK / "search-demo")
            project = make_project(WORK / "search-demo", REPO / "cases")
        library = build(project).library
        label = "演示案例库（cases/）"
    run(project / "site", library, label)
    if args.pagefind:
        run_pagefind(project / "site", library, label, args.pagefind)


if __name__ == "__main__":
    main()
