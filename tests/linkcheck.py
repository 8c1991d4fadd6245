"""A crawler of the internal links and anchors of a built site served under a sub-path."""

from __future__ import annotations

import contextlib
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from libraries import serve_site

PREFIX = "/dangjian/"


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """The site at http://127.0.0.1:<free port>/dangjian/ while the block runs."""
    with serve_site(site, PREFIX) as base:
        yield base


class _Page(HTMLParser):
    """The links (href/src) and the anchors (id/name) of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("id", "name") if tag != "meta" else ():
            if values.get(name):
                self.anchors.add(values[name] or "")
        for name in ("href", "src"):
            value = values.get(name)
            if value and not (
                tag == "link" and values.get("rel") in ("preconnect", "dns-prefetch")
            ):
                self.links.append(value)
        for candidate in (values.get("srcset") or "").split(","):
            if candidate.split():
                self.links.append(candidate.split()[0])


@dataclass
class Crawl:
    pages: int  # HTML pages fetched
    links: int  # internal links followed (with their anchors)
    broken: list[str]  # "page -> link: why"


def crawl(base: str) -> Crawl:
    """Every HTML page reachable from `base` on its host; every internal link and anchor checked."""
    host = urlsplit(base).netloc
    fetched: dict[str, tuple[int, str | None]] = {}  # url -> (status, html or None)
    parsed: dict[str, _Page] = {}

    def get(url: str) -> tuple[int, str | None]:
        if url not in fetched:
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    body = r.read()
                    kind = r.headers.get("Content-Type", "")
                    fetched[url] = (r.status, body.decode("utf-8") if "html" in kind else None)
            except urllib.error.HTTPError as e:
                fetched[url] = (e.code, None)
        return fetched[url]

    def page(url: str) -> _Page:
        if url not in parsed:
            p = _Page()
            p.feed(get(url)[1] or "")
            parsed[url] = p
        return parsed[url]

    queue, seen, broken, links = [base], {base}, [], 0
    while queue:
        url = queue.pop()
        if get(url)[1] is None:
            continue
        for href in page(url).links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https") or parts.netloc != host:
                continue
            links += 1
            bare = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
            where = f"{urlsplit(url).path} -> {href}"
            if not parts.path.startswith(PREFIX):
                broken.append(f"{where}: outside {PREFIX}")
                continue
            status, html = get(bare)
            if status != 200:
                broken.append(f"{where}: HTTP {status}")
                continue
            if html is not None and bare not in seen:
                seen.add(bare)
                queue.append(bare)
            anchor = unquote(parts.fragment)
            if anchor and html is not None and anchor not in page(bare).anchors:
                broken.append(f"{where}: no anchor #{anchor}")
    pages = sum(1 for u in seen if fetched.get(u, (0, None))[1] is not None)
    return Crawl(pages, links, broken)
