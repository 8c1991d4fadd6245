"""The MkDocs adapter of the seam: `plugins: [search, dangjian]` in mkdocs.yml.

Registered as the `dangjian` entry point of the `mkdocs.plugins` group, so
plain `mkdocs build` and `mkdocs serve` run it as `build_cases.py` does:

- on_config: read and check the library (a library with errors stops the build
  with the diagnostics of `check`), take the site name from settings.yaml, point
  the search plugin at the library's jieba user dictionary (an absolute path:
  no working-directory change), date the build;
- on_files: add every page, data file and image of `site_source()` as a
  generated file (nothing is written into docs/);
- on_page_content: resolve the links of the generated pages' raw HTML
  (source-relative paths such as ../brands/x.md, see pages.source_link) to
  URLs as MkDocs does for Markdown links; Zensical does this by itself;
- on_post_build: add the case entries to the search index and compact it;
- on_serve: watch cases/ and theme_overrides/ so a change re-runs the plugin.

Under `build_cases.py serve` (a dirty build of `mkdocs serve`), a rebuild
renders only the pages whose sources changed: serve_dirty.py decides which.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import markupsafe
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File

from . import diagnostics, pipeline, search, search_index, templating
from .errors import UserError
from .model import Library
from .publish import source_date_epoch
from .serve_dirty import GeneratedFile, Incremental
from .sitesource import (
    TEMPLATE_OVERRIDES,
    SiteSource,
    nav_for,
    site_source,
    user_dictionary_file,
)

SEARCH_PLUGINS = ("material/search", "search")

log = logging.getLogger("mkdocs.plugins.dangjian")


class DangjianPlugin(BasePlugin):
    """Builds the case library's pages inside MkDocs (see the module docstring)."""

    def __init__(self) -> None:
        self._given: tuple[Library, SiteSource] | None = None
        self._driven = False
        self.incremental = Incremental()  # kept across the rebuilds of serve
        self._reset()

    def _reset(self) -> None:
        self.project: Path | None = None
        self.library: Library | None = None
        self.source: SiteSource | None = None
        self.build_date = ""
        self.segmenter: search.Segmenter | None = None
        self._pending: object | None = None
        self._files = None

    def use(self, library: Library, source: SiteSource) -> None:
        """Take an already checked library for the next build (`build_cases.py build`)."""
        self._given = (library, source)
        self._driven = True

    def _error(self, e: UserError) -> Exception:
        """Under `build_cases.py`, the UserError itself; under plain mkdocs, a PluginError."""
        return e if self._driven else PluginError(e.message)

    # -- MkDocs events -----------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defined so that MkDocs keeps one instance across the rebuilds of `serve`."""
        search.quiet_jieba()
        self.incremental.start(command=command, dirty=dirty)

    @event_priority(50)  # before the search plugin reads jieba_dict_user
    def on_config(self, config):
        self._reset()
        project = Path(config.config_file_path).resolve().parent
        self.project = project
        search.quiet_jieba(project)  # jieba's cache in .cache/jieba, before search loads it
        given, self._given = self._given, None
        if given is not None:
            self.library, self.source = given
        else:
            self._driven = False  # a rebuild of `serve`, or plain mkdocs
            self.library, self.source = _open(project)

        found = [config.plugins[name] for name in SEARCH_PLUGINS if name in config.plugins]
        if not found:
            raise PluginError(
                "mkdocs.yml 的 plugins 中缺少 search 插件：没有它，站点无法检索案例。"
                "请在 plugins 下加上“- search”（见仓库中的 mkdocs.yml）。"
            )
        user_dict = user_dictionary_file(project, self.source)
        try:
            self.segmenter = search.Segmenter(project / search.SEGMENT_CACHE, user_dict)
        except UserError as e:  # no jieba: cases could not be found, so no site
            raise self._error(e) from e
        # Material's search merges the index of a dirty build into the previous one
        # as if one page had changed; serve_dirty merges page by page instead.
        # Forgotten at every build, the previous index cannot leak into the next
        # build of the process either (the plugin instance is cached by MkDocs).
        if hasattr(found[0], "search_index_prev"):
            found[0].search_index_prev = None
        else:
            self.incremental.enabled = False
        search_config = found[0].config
        if "jieba_dict_user" in search_config:
            search_config["jieba_dict_user"] = str(user_dict)
            if not search_config.get("jieba_dict"):
                _fresh_jieba()

        # Material prints config.site_name unescaped (<title>, header); Markup is
        # escaped text that its few `| e` filters leave alone.
        config.site_name = markupsafe.escape(self.library.settings.site_name)
        config.nav = nav_for(config.nav, Path(config.docs_dir))
        epoch = source_date_epoch(project)
        self.build_date = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")
        return config

    def on_files(self, files, *, config):
        assert self.source is not None and self.segmenter is not None
        _drop_legacy(files, Path(config.docs_dir))
        _drop_template_sets(files, config)
        clashes = [rel for rel in self.source.paths() if files.get_file_from_path(rel)]
        if clashes:
            listed = "\n".join(f"  docs/{rel}" for rel in clashes[:20])
            more = f"\n  ……共 {len(clashes)} 个" if len(clashes) > 20 else ""
            raise self._error(
                UserError(
                    "以下文件是手工编写的，但与自动生成的页面同名，为避免覆盖已停止生成：\n"
                    f"{listed}{more}\n请改名或移出 docs/ 后重试（自动生成的页面不要手工修改）。"
                )
            )
        generated = {
            rel: GeneratedFile.of(config, rel, data)
            for rel, data in [*self.source.pages.items(), *self.source.assets.items()]
        }
        for file in generated.values():
            files.append(file)
        self.incremental.plan(files, config, generated, self.build_date)
        self._files = files
        # Segment the case entries on the other core while MkDocs renders; a
        # rebuild of serve renders a few pages and segments a few changed texts.
        if not self.incremental.partial:
            self._pending = self.segmenter.start(search_index.index_texts(self.source.search))
        return files

    def on_pre_page(self, page, *, config, files):
        page.update_date = self.build_date  # the sitemap and its gzip header carry it
        return page

    def on_env(self, env, *, config, files):
        for file in files.documentation_pages():
            if file.page is not None:  # the sitemap dates the pages a dirty build skips too
                file.page.update_date = self.build_date
        self.incremental.restore_pages(files)
        return env

    def on_page_context(self, context, *, page, config, nav):
        self.incremental.rendered(page.file.src_uri)
        return context

    def on_page_content(self, html, *, page, config, files):
        assert self.source is not None
        if page.file.src_uri not in self.source.pages:
            return html
        return _resolve_links(html, page.file, files)

    @event_priority(-50)  # after the search plugin wrote search_index.json
    def on_post_build(self, *, config) -> None:
        assert self.source is not None and self.segmenter is not None
        self.segmenter.finish(self._pending)
        self._pending = None
        index = Path(config.site_dir) / "search" / "search_index.json"
        if not index.is_file():
            raise PluginError(
                f"search 插件没有生成检索索引：{index.name}（请检查 mkdocs.yml 的 search 设置）"
            )
        self.incremental.merge_search(index, self._files)
        try:
            search_index.complete_index(index, self.source.search, self.segmenter)
        except UserError as e:  # Chinese text left unsegmented
            raise self._error(e) from e
        self.incremental.finish(self._files)

    def on_build_error(self, *, error: Exception) -> None:
        self.incremental.fail()
        search.Segmenter.cancel(self._pending)
        self._pending = None

    def on_shutdown(self) -> None:
        self.incremental.stop()
        search.Segmenter.cancel(self._pending)
        self._pending = None

    def on_serve(self, server, *, config, builder):
        assert self.project is not None
        folders = [self.project / "cases", self.project / TEMPLATE_OVERRIDES]
        if config.theme.custom_dir:  # theme_overrides/: its CSS and templates, live too
            folders.append(Path(config.theme.custom_dir).resolve())
        for folder in folders:
            inside = any(other != folder and folder.is_relative_to(other) for other in folders)
            if folder.is_dir() and not inside:
                server.watch(str(folder))
        return server


_LINK = re.compile(r'(?P<attr>\b(?:href|src|srcset))="(?P<value>[^"]*)"')
_URL_PART = re.compile(r"[^\s,]+(?=\s|,|$)")


def _resolve_links(html: str, page_file: File, files) -> str:
    """Raw-HTML href/src/srcset values that name source files, as relative URLs of the site."""

    def one(value: str) -> str:
        if not value or value.startswith(("#", "/")) or re.match(r"[a-zA-Z][\w+.-]*:", value):
            return value
        path, sep, anchor = value.partition("#")
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(page_file.src_uri), path))
        target = files.get_file_from_path(rel)
        if target is None:
            log.warning("页面 %s 的链接指向不存在的文件：%s", page_file.src_uri, value)
            return value
        return target.url_relative_to(page_file) + sep + anchor

    def attr(match: re.Match[str]) -> str:
        value = match["value"]
        if match["attr"] == "srcset":  # "a.jpg 480w, b.jpg 960w": only the URLs change
            value = _URL_PART.sub(
                lambda m: one(m.group(0)) if not _is_size(m.group(0)) else m.group(0), value
            )
        else:
            value = one(value)
        return f'{match["attr"]}="{value}"'

    return _LINK.sub(attr, html)


def _is_size(token: str) -> bool:
    return re.fullmatch(r"\d+(?:\.\d+)?[wx]", token) is not None


def _fresh_jieba() -> None:
    """Start Material's jieba (the global tokenizer) from its main dictionary again.

    The global tokenizer keeps every user dictionary ever loaded into it, so a
    second build in one process (a `serve` rebuild, a test session) would
    segment with the words of earlier libraries too. Reloading comes from
    jieba's cache; a first build in a process needs none.
    """
    import jieba

    if jieba.dt.initialized:
        jieba.set_dictionary(str(Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME)))


def _open(project: Path) -> tuple[Library, SiteSource]:
    """Check the library and gather the site's sources; a library with errors stops the build."""
    result = pipeline.open_library(project)
    if result.library is None:
        sys.stderr.write(diagnostics.format_text(result.diagnostics))
        raise PluginError(
            "案例库有错误，站点未生成：请先修正上面的问题（python build_cases.py check 可再次查看）。"
        )
    try:
        return result.library, site_source(project, result.library)
    except UserError as e:
        raise PluginError(e.message) from e


def _drop_template_sets(files, config) -> None:
    """Keep the page and casebook templates of theme_overrides/ (templating.py) out of the site.

    MkDocs publishes every file of the theme's folders that is not a theme template.
    """
    custom = config.theme.custom_dir
    if not custom:
        return
    for file in list(files):
        top = file.src_uri.split("/", 1)[0]
        if top in templating.TEMPLATE_SETS and file.src_dir == custom:
            files.remove(file)


LEGACY_MANIFEST = ".generated.json"


def _drop_legacy(files, docs: Path) -> None:
    """Leave out the pages earlier versions wrote into docs/ (listed in their manifest).

    They are the stale copies of what is now generated within the build; they
    stay on disk untouched (nothing is deleted) but are not built.
    """
    manifest = docs / LEGACY_MANIFEST
    if not manifest.is_file():
        return
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    dropped = 0
    for rel in listed if isinstance(listed, list) else []:
        file = files.get_file_from_path(str(rel))
        if file is not None:
            files.remove(file)
            dropped += 1
    if dropped:
        log.info(
            "docs/ 中有 %d 个旧版本生成的文件（见 docs/%s），已忽略，可以删除。",
            dropped,
            LEGACY_MANIFEST,
        )
