"""The seam between the library and any site engine: the site's sources as data.

`site_source(project, library)` is the one place where everything the library
contributes to the site is gathered: Markdown pages with front matter, data
files, image files and the search entries of the case pages. Engines consume
it through thin adapters (`mkdocs_plugin.py` for MkDocs, `export_pages` below
for a folder any other engine can read); none of them renders anything itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import coverage as coverage_mod
from . import downloads, form, search, search_index, templating
from .files import write_atomic
from .model import Brand, Library
from .pages import WebImage, render_pages
from .publish import source_date_epoch

# <project>/theme_overrides/pages/<name>.md.j2 replaces a page template (templating.py)
TEMPLATE_OVERRIDES = f"{templating.OVERRIDES}/pages"
IMAGE_CACHE = ".cache/images"
# What export_pages writes besides the pages (a dot folder: engines skip it).
EXPORT_META = ".dangjian"


@dataclass(frozen=True)
class SiteSource:
    """Everything the library puts into a site, keyed by docs-relative POSIX path.

    pages:  text files, UTF-8: Markdown pages (front matter first) and data
            files such as data/cases.json.
    assets: binary files: the bytes themselves, or the file whose bytes are published.
    search: one entry per page people look for (cases, units, listings, coverage),
            not yet segmented: see search_index.raw_entries. The generated pages
            carry `search: exclude` or are replaced; an engine adds these instead.
    user_dictionary: jieba's user dictionary (one word a line) for segmenting.
    """

    pages: Mapping[str, str]
    assets: Mapping[str, Path | bytes]
    search: list[dict[str, str]]
    user_dictionary: str

    def paths(self) -> list[str]:
        return sorted({*self.pages, *self.assets})


def web_images(project: Path, library: Library) -> dict[str, WebImage]:
    """Web renditions of every image of a published case, keyed by Image.rel."""
    wanted = []
    for case in library.published:
        if isinstance(case, Brand) and case.logo is not None:
            wanted.append((case.logo, "logo"))
        wanted += [(p, "photo") for p in case.photos]
    if not wanted:
        return {}
    from .renditions import ImagePipeline, prepare_many  # Pillow work only when there are images

    # Cache misses are encoded on all cores; every broken image is reported at once.
    prepared = prepare_many(
        ImagePipeline(project / IMAGE_CACHE),
        [(image.path, role) for image, role in wanted],
        with_print=False,
    )
    return {image.rel: p.web for (image, _), p in zip(wanted, prepared, strict=True)}


def site_source(project: Path, library: Library) -> SiteSource:
    """The site's sources from the validated library. Register new pages and data files here."""
    # every figure is dated with the reproducible build date (截至…)
    cov = coverage_mod.compute(library, coverage_mod.as_of_date(source_date_epoch(project)))
    rendered = render_pages(
        library,
        cov,
        web_images(project, library),
        templating.override_folder(project, "pages"),
        downloads.site_links(project / "docs"),
    )
    return SiteSource(
        pages={**rendered.files, **form.form_files(library)},
        assets={**rendered.assets, **downloads.data_files(library, cov)},
        search=search_index.raw_entries(library),
        user_dictionary=search.user_dictionary(library),
    )


def user_dictionary_file(project: Path, source: SiteSource) -> Path:
    """The user dictionary as a file (jieba reads files), named by its content, under .cache/."""
    data = source.user_dictionary.encode("utf-8")
    path = project / search.SEGMENT_CACHE / f"userdict-{hashlib.sha256(data).hexdigest()[:16]}.txt"
    if not (path.is_file() and path.read_bytes() == data):
        if path.parent.is_dir():
            for old in path.parent.glob("userdict-*.txt"):
                old.unlink(missing_ok=True)
        write_atomic(path, data)
    return path


def write_source(source: SiteSource, folder: Path, meta: bool = True) -> None:
    """Write the pages, the assets and (under .dangjian/, unless not `meta`) the search data
    into an empty folder."""
    for rel, text in source.pages.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    for rel, data in source.assets.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data if isinstance(data, bytes) else data.read_bytes())
    if not meta:
        return
    extra = folder / EXPORT_META
    extra.mkdir(parents=True, exist_ok=True)
    (extra / "search-entries.json").write_text(
        json.dumps(source.search, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    (extra / "userdict.txt").write_text(source.user_dictionary, encoding="utf-8", newline="\n")


GUIDE = "guide/index.md"  # the hand-written 投稿指南; a project may leave it out


def nav_for(nav: list | None, docs: Path) -> list | None:
    """mkdocs.yml's nav for a project whose docs/ may lack the guide: its entries then go."""
    if not nav or (docs / GUIDE).is_file():
        return nav
    return [item for item in nav if not _mentions(item, GUIDE)]


def _mentions(item: object, page: str) -> bool:
    """Whether a nav entry is, or holds, `page`."""
    if isinstance(item, str):
        return item == page
    if isinstance(item, dict):
        return any(_mentions(v, page) for v in item.values())
    if isinstance(item, list):
        return any(_mentions(v, page) for v in item)
    return False
