"""The intranet site: build it with MkDocs and publish it, serve it, export its pages.

The pages reach MkDocs through the `dangjian` plugin (mkdocs_plugin.py); this
module only drives MkDocs as `build_cases.py` needs it: a checked library is
handed to the plugin, the build goes to a staging folder that replaces the
site only when everything succeeded (publish.py).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from . import paths, publish, search
from .errors import UserError
from .model import Library
from .sitesource import EXPORT_META, SiteSource, site_source, write_source

PLUGIN = "dangjian"

log = logging.getLogger(__name__)


def _load_config(project: Path, **overrides: object):
    from mkdocs.config import load_config

    config = load_config(str(project / "mkdocs.yml"), **overrides)
    if PLUGIN not in config.plugins:
        raise UserError(
            "mkdocs.yml 的 plugins 中缺少 dangjian 插件：没有它，站点里没有案例页面。"
            "请在 plugins 下加上“- dangjian”（见仓库中的 mkdocs.yml）。",
            2,
        )
    return config


def mkdocs_build(project: Path, site_dir: Path, library: Library, source: SiteSource) -> None:
    """Run the MkDocs build of `project/mkdocs.yml` into `site_dir` with the given sources."""
    from mkdocs import exceptions
    from mkdocs.commands.build import build

    search.quiet_jieba()
    try:
        config = _load_config(project, site_dir=str(site_dir))
        config.plugins[PLUGIN].use(library, source)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except exceptions.MkDocsException as e:  # Abort, ConfigurationError, PluginError
        raise UserError(f"站点构建失败：{e}") from e


ENGINES = ("mkdocs", "zensical")


def build_site(project: Path, library: Library, site_dir: Path, engine: str = "mkdocs") -> None:
    """Build the static site of a checked library into `site_dir`, atomically, with `engine`.

    The build goes to a new folder beside `site_dir` and replaces it only when
    everything succeeded; an interrupted build leaves the previous site as it was.
    """
    project = project.resolve()
    site_dir = paths.site_dir(project, site_dir)
    paths.clean_stale_staging(site_dir)
    started = time.perf_counter()
    source = site_source(project, library)  # broken images are reported before MkDocs starts
    with publish.staged(site_dir) as staging:
        if engine == "zensical":
            from .zensical_engine import zensical_build

            zensical_build(project, staging, library, source)
        else:
            mkdocs_build(project, staging, library, source)
    log.info("站点已生成：%s（%.1f 秒）", site_dir, time.perf_counter() - started)


def export_pages(project: Path, library: Library, folder: Path) -> SiteSource:
    """Write the site's sources (pages, data files, images, search entries) into `folder`.

    For engines other than MkDocs: the folder is a docs/ folder to build with
    the project's mkdocs.yml. An existing folder is replaced only when an
    earlier export made it (it holds .dangjian/), never a folder of other files.
    """
    project = project.resolve()
    # paths.py refuses the project's own folders; an earlier export is recognised below
    folder = paths.site_dir(project, folder, "export-pages", lambda f: True)
    if folder.exists() and any(folder.iterdir()) and not (folder / EXPORT_META).is_dir():
        raise UserError(f"导出目录已存在且不是 export-pages 生成的，为避免覆盖已停止：{folder}")
    source = site_source(project, library)
    with publish.staged(folder) as staging:
        write_source(source, staging)
    return source


def serve_site(project: Path, dev_addr: str) -> None:
    """Live preview: MkDocs serves the site; the plugin re-reads cases/ on every change.

    The rebuilds are MkDocs' dirty builds: only the pages a change touches are
    rendered again, and the result is the same as a full build (serve_dirty.py).
    """
    from mkdocs.commands.serve import serve

    from .serve_dirty import DirtyWarningFilter

    project = project.resolve()
    search.quiet_jieba()
    _load_config(project)  # the plugin must be there: say so before the server starts
    # MkDocs warns that dirty builds may be inexact; these are not. The plugin says
    # instead what each rebuild rendered.
    builds = logging.getLogger("mkdocs.commands.build")
    plugin = logging.getLogger("mkdocs.plugins.dangjian")
    quiet, level = DirtyWarningFilter(), plugin.level
    builds.addFilter(quiet)
    plugin.setLevel(logging.INFO)
    try:
        serve(str(project / "mkdocs.yml"), dev_addr=dev_addr, build_type="dirty")
    finally:
        builds.removeFilter(quiet)
        plugin.setLevel(level)
