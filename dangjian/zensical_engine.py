"""The Zensical adapter of the seam: `build_cases.py build --engine zensical`.

Zensical (the successor of Material for MkDocs) reads mkdocs.yml but runs no
MkDocs plugin, so the `dangjian` plugin's work is done around it here:

- the pages of `site_source()` and the project's own docs/ are written into a
  staging project under .cache/ (Zensical wants docs and site inside its root);
- its config is the project's mkdocs.yml with the plugin's settings applied
  (docs and site folders, theme overrides by absolute path, the site name of
  settings.yaml, no guide in the nav when there is none);
- after `zensical build`, the case entries go into its search index
  (search.json: Zensical segments Chinese in the browser with Intl.Segmenter,
  so the entries stay as the model gives them);
- the built folder is then handed to publish.staged like MkDocs' build.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from . import templating
from .errors import UserError
from .model import Library
from .publish import source_date_epoch
from .sitesource import SiteSource, nav_for, write_source

SEARCH_INDEX = "search.json"
WORK = ".cache"  # the staging project lives here, inside the project


def config_for(project: Path, library: Library) -> dict:
    """The Zensical config of the staging project, derived from the project's mkdocs.yml."""
    path = project / "mkdocs.yml"
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise UserError(f"无法读取 {path.name}：{e}", 2) from e
    if not isinstance(config, dict):
        raise UserError(f"{path.name} 的内容不是设置项（键: 值）", 2)
    config["site_name"] = library.settings.site_name
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    theme = config.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir"):
        theme["custom_dir"] = str((project / str(theme["custom_dir"])).resolve())
    extra = config.get("extra")
    config["extra"] = {**(extra if isinstance(extra, dict) else {}), "dangjian_engine": "zensical"}
    plugins = config.get("plugins") or []
    config["plugins"] = [p for p in plugins if p != "dangjian"]
    if config.get("nav"):
        config["nav"] = nav_for(config["nav"], project / "docs")
    return config


def stage_theme(config: dict, staged: Path) -> dict:
    """The config with its custom_dir copied to `staged`, without our template sets.

    Zensical publishes every file of custom_dir that is no template of its own;
    theme_overrides/pages/ and theme_overrides/casebook/ are ours (templating.py).
    """
    theme = config.get("theme")
    if not (isinstance(theme, dict) and theme.get("custom_dir")):
        return config
    custom = Path(str(theme["custom_dir"]))
    if custom.is_dir():
        ours = set(templating.TEMPLATE_SETS)
        shutil.copytree(
            custom,
            staged,
            ignore=lambda folder, names: ours & set(names) if folder == str(custom) else set(),
        )
        theme["custom_dir"] = str(staged)
    return config


def stage_docs(project: Path, source: SiteSource, docs: Path) -> None:
    """The project's own docs/ plus the generated pages; a hand-written page of the same name
    stops the build (as with MkDocs)."""
    own = project / "docs"
    clashes = [rel for rel in source.paths() if (own / rel).exists()]
    if clashes:
        listed = "\n".join(f"  docs/{rel}" for rel in clashes[:20])
        raise UserError(
            "以下文件是手工编写的，但与自动生成的页面同名，为避免覆盖已停止生成：\n"
            f"{listed}\n请改名或移出 docs/ 后重试（自动生成的页面不要手工修改）。"
        )
    if own.is_dir():
        shutil.copytree(own, docs, ignore=shutil.ignore_patterns(".*"))
    write_source(source, docs, meta=False)


def search_items(source: SiteSource) -> list[dict]:
    """The library's entries in Zensical's index format: HTML text like its own entries, the
    page's whole text followed by the names it belongs to (unit, branch, themes, year)."""
    items = []
    for e in source.search:
        words = " ".join(filter(None, [e.get("body", ""), *e.get("m", [])]))
        text = f"<p>{html.escape(words, quote=False)}</p>" if words else e["text"]
        items.append(
            {
                "location": e["location"],
                "level": 1,
                "title": e["title"],
                "text": text,
                "path": [e["title"]],
                "tags": [],
            }
        )
    return items


def complete_index(site: Path, source: SiteSource) -> int:
    """Add the case entries to Zensical's search.json; returns how many items it holds."""
    index = site / SEARCH_INDEX
    if not index.is_file():
        raise UserError(
            f"Zensical 没有生成检索索引 {SEARCH_INDEX}（请检查 mkdocs.yml 的 search 设置）"
        )
    data = json.loads(index.read_bytes())
    known = {item["location"] for item in data["items"]}
    data["items"] += [item for item in search_items(source) if item["location"] not in known]
    index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return len(data["items"])


def zensical_build(project: Path, site_dir: Path, library: Library, source: SiteSource) -> None:
    """Build the site with Zensical into `site_dir` (an empty staging folder of publish.staged)."""
    work = project / WORK
    work.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="zensical-", dir=work))
    try:
        stage_docs(project, source, root / "docs")
        settings = stage_theme(config_for(project, library), root / "theme")
        config = root / "mkdocs.yml"
        config.write_text(
            yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(source_date_epoch(project))}
        try:
            done = subprocess.run(
                [sys.executable, "-m", "zensical", "build", "--clean", "-f", str(config)],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
        except OSError as e:
            raise UserError(f"无法运行 Zensical：{e}", 2) from e
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            if any("No module named zensical" in line for line in said):
                raise UserError(
                    '未安装 Zensical：请先运行 pip install -c constraints.txt -e ".[zensical]"', 2
                )
            tail = "\n".join(said[-15:])
            raise UserError(f"Zensical 构建失败（退出码 {done.returncode}）：\n{tail}")
        complete_index(root / "site", source)
        _move_into(root / "site", site_dir)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _move_into(built: Path, target: Path) -> None:
    """Put the contents of `built` into the empty folder `target`."""
    try:
        target.rmdir()
        os.replace(built, target)
    except OSError:
        target.mkdir(exist_ok=True)
        shutil.copytree(built, target, dirs_exist_ok=True)
