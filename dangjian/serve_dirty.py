"""Incremental rebuilds for `serve`: a change renders again only the pages it touches.

`build_cases.py serve` (and `mkdocs serve --dirty`) run MkDocs' dirty build:
MkDocs keeps the site folder and renders a page only when its file says
`is_modified()`. For hand-written files of docs/ that is MkDocs' own mtime
check; for the generated files it is decided here, before any page is read
(the `dangjian` plugin calls `Incremental` from its hooks):

- a generated file is modified when its bytes differ from those of the
  previous build, or its output is missing;
- everything is built again (the site folder emptied first, as a clean build
  does) when something every page shows may have changed: mkdocs.yml, the
  site name, the nav, the build date, the theme (theme_overrides/ but for our
  page and casebook templates, which change pages' sources), the list of files
  (a case added, removed or renamed: links and listings change), or the title
  or front matter of a changed page that the nav shows;
- MkDocs leaves the pages it skips unread, so the nav of the pages it renders
  would lose their titles and front matter: they are restored from the
  previous build (they are unchanged, by the rules above);
- Material's search plugin merges its index of a dirty build as if one page
  had changed. Its memory of the previous build is cleared at every build, and
  its entries (those of the hand-written pages) are merged here, page by page,
  in the order of a full build.

The result is byte-identical to a full build (tests/test_serve_dirty.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs import utils
from mkdocs.structure.files import File, Files
from mkdocs.utils import meta as front_matter

from . import templating

log = logging.getLogger("mkdocs.plugins.dangjian")

# Why a rebuild was complete, as the serve log says it (the keys of _signature).
REASONS = {
    "first": "首次构建",
    "failed": "上次构建未完成",
    "config": "mkdocs.yml 或站点设置有变化",
    "files": "有页面或文件增删",
    "theme": "主题覆盖目录有变化",
    "date": "构建日期有变化",
}


class GeneratedFile(File):
    """A generated file whose `is_modified()` the incremental build decides (True by default)."""

    modified = True
    data: str | bytes | Path

    @classmethod
    def of(cls, config, src_uri: str, data: str | bytes | Path) -> GeneratedFile:
        """The file at `src_uri` with `data`: text, bytes, or the file whose bytes are published."""
        if isinstance(data, Path):
            file = cls.generated(config, src_uri, abs_src_path=str(data))
        else:
            file = cls.generated(config, src_uri, content=data)
        file.data = data
        return file

    def is_modified(self) -> bool:
        return self.modified

    def digest(self) -> str:
        if isinstance(self.data, Path):  # an image of the cache: a new rendition is a new file
            stat = self.data.stat()
            return f"{self.data}\0{stat.st_size}\0{stat.st_mtime_ns}"
        data = self.data.encode("utf-8") if isinstance(self.data, str) else self.data
        return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class BuildReport:
    """What one build rendered: all pages (`full`, with the reason) or only the touched ones."""

    full: bool
    reason: str
    rendered: tuple[str, ...]  # src_uri of every page rendered, in build order
    pages: int  # documentation pages of the site


@dataclass
class _State:
    """What a build leaves for the next one."""

    signature: dict[str, str]
    digests: dict[str, str]  # generated src_uri -> digest of its bytes
    pages: dict[str, tuple[object, dict]] = field(default_factory=dict)  # src_uri -> (title, meta)
    search: dict[str, list[dict]] = field(default_factory=dict)  # page URL -> Material's entries


class Incremental:
    """The state of incremental rebuilds, kept on the plugin instance across the builds of serve."""

    def __init__(self) -> None:
        self.enabled = False
        self.report: BuildReport | None = None
        self._prev: _State | None = None
        self._next: _State | None = None
        self._full = True
        self._reason = ""
        self._rendered: list[str] = []
        self._failed = False

    def start(self, *, command: str, dirty: bool) -> None:
        """on_startup: only the dirty builds of serve are incremental."""
        self.enabled = command == "serve" and dirty
        self._prev = self._next = None
        self.report = None
        self._failed = False

    def stop(self) -> None:
        """on_shutdown: forget the served site (the plugin instance outlives the server)."""
        self.start(command="", dirty=False)

    def plan(self, files: Files, config, generated: dict[str, GeneratedFile], date: str) -> None:
        """on_files: mark the generated files modified or not; empty the site for a full build."""
        self._rendered = []
        if not self.enabled:
            return
        prev = self._prev
        signature = _signature(files, config, date)
        digests = {rel: file.digest() for rel, file in generated.items()}
        if prev is None:
            reason: str | None = REASONS["failed" if self._failed else "first"]
        else:
            changed = [key for key in signature if signature[key] != prev.signature.get(key)]
            reason = REASONS[changed[0]] if changed else None
        self._failed = False
        if prev is not None and reason is None:
            for rel, file in generated.items():
                file.modified = digests[rel] != prev.digests.get(rel) or not os.path.isfile(
                    file.abs_dest_path
                )
            reason = _nav_change(files, config.nav, prev.pages)
        self._full, self._reason = reason is not None, reason or ""
        if self._full:
            utils.clean_directory(config.site_dir)  # the serve folder: every page is written again
            for file in generated.values():
                file.modified = True
        search = {} if self._full or prev is None else dict(prev.search)
        self._next = _State(signature, digests, search=search)

    @property
    def partial(self) -> bool:
        """Whether this build renders only the touched pages (known from on_files on)."""
        return self._next is not None and not self._full

    def restore_pages(self, files: Files) -> None:
        """on_env: titles and front matter of the pages MkDocs skipped, as the last build had them."""
        if self._next is None:
            return
        known = {} if self._full or self._prev is None else self._prev.pages
        for file in files:
            page = file.page
            if page is None or not file.is_documentation_page():
                continue
            if page.markdown is None and file.src_uri in known:
                title, page.meta = known[file.src_uri]
                if "title" not in vars(page):  # not given by the nav
                    page.title = title
            self._next.pages[file.src_uri] = (page.title, page.meta)

    def rendered(self, src_uri: str) -> None:
        """on_page_context: MkDocs renders this page in this build."""
        self._rendered.append(src_uri)

    def merge_search(self, index: Path, files: Files) -> None:
        """on_post_build, before the case entries are added: Material's entries of every page.

        Material wrote the entries of the pages rendered now; the others are kept
        from earlier builds. Entries are grouped by page, in the order of a full build.
        """
        if self._next is None:
            return
        data = json.loads(index.read_bytes())
        fresh: dict[str, list[dict]] = {}
        for entry in data.get("docs") or []:
            fresh.setdefault(str(entry.get("location", "")).split("#")[0], []).append(entry)
        by_page = self._next.search
        for src_uri in self._rendered:
            page = files.get_file_from_path(src_uri).page
            by_page[page.url] = fresh.pop(page.url, [])
        by_page.update(fresh)  # none expected: every entry belongs to a rendered page
        order = [f.page.url for f in files if f.is_documentation_page() and f.page is not None]
        for url in set(by_page) - set(order):
            del by_page[url]
        data["docs"] = [entry for url in order for entry in by_page.get(url, [])]
        index.write_text(json.dumps(data, separators=(",", ":"), default=str), encoding="utf-8")

    def finish(self, files: Files) -> None:
        """on_post_build, after everything was written: this build is the next one's base."""
        if self._next is None:
            return
        self._prev, self._next = self._next, None
        pages = sum(1 for f in files if f.is_documentation_page())
        self.report = BuildReport(self._full, self._reason, tuple(self._rendered), pages)
        if self._reason == REASONS["first"]:
            log.info("已生成 %d 个页面。", len(self._rendered))
        elif self._full:
            log.info("全部页面重新生成（%s）：%d 个。", self._reason, len(self._rendered))
        else:
            log.info("只重新生成了受影响的 %d 个页面（共 %d 个）。", len(self._rendered), pages)

    def fail(self) -> None:
        """on_build_error: the site folder is in an unknown state, so the next build is full."""
        self._prev = self._next = None
        self.report = None
        self._failed = self.enabled


def _hash(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _signature(files: Files, config, date: str) -> dict[str, str]:
    """What every page depends on, part by part (REASONS names them)."""
    config_file = config.config_file_path
    raw = Path(config_file).read_bytes() if config_file else b""
    settings = (
        str(config.site_name),
        config.nav,
        config.site_url,
        config.site_dir,
        config.docs_dir,
        config.use_directory_urls,
    )
    theme = []
    custom = config.theme.custom_dir
    if custom and os.path.isdir(custom):
        for folder, dirs, names in os.walk(custom):
            if folder == custom:  # our page templates change only the pages made with them
                dirs[:] = [d for d in dirs if d not in templating.TEMPLATE_SETS]
            dirs.sort()
            for name in sorted(names):
                stat = os.stat(os.path.join(folder, name))
                theme.append((os.path.join(folder, name), stat.st_size, stat.st_mtime_ns))
    return {
        "config": _hash(raw, settings),
        "files": _hash(sorted(f.src_uri for f in files)),
        "theme": _hash(custom, theme),
        "date": _hash(date),
    }


def nav_titles(nav: object) -> dict[str, str | None] | None:
    """The pages the nav of mkdocs.yml lists, with the title it gives (None: the page's own).

    None when there is no nav: MkDocs then lists every page, each with its own title.
    """
    if nav is None:
        return None
    titles: dict[str, str | None] = {}

    def walk(item: object, title: str | None = None) -> None:
        if isinstance(item, str):
            titles.setdefault(posixpath.normpath(item), title)
        elif isinstance(item, dict):
            for key, value in item.items():
                walk(value, str(key) if isinstance(value, str) else None)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(nav)
    return titles


def _nav_change(files: Files, nav: object, known: dict[str, tuple[object, dict]]) -> str | None:
    """Why every page must be rendered again: a changed page whose nav entry may look different.

    The nav of every page shows the title and front matter (icon, status) of the
    pages it lists. A changed page keeps them when its front matter is the same
    and its title is the nav's or its front matter's; otherwise (a title from its
    first heading) the nav of all pages may change.
    """
    titles = nav_titles(nav)
    for file in files:
        if not file.is_documentation_page() or (titles is not None and file.src_uri not in titles):
            continue
        if not file.is_modified():
            continue
        _, meta = front_matter.get_data(file.content_string)
        title = titles.get(file.src_uri) if titles is not None else None
        if title is None:
            title = meta.get("title")
        if title is None or (title, meta) != known.get(file.src_uri):
            return f"导航中的页面 {file.src_uri} 的标题或属性可能改变"
    return None


class DirtyWarningFilter(logging.Filter):
    """Drops MkDocs' warning about dirty builds under `build_cases.py serve`, whose
    rebuilds are exact (the plugin logs what it rebuilt instead)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("A 'dirty' build is being performed")
