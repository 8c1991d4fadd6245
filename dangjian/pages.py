"""Library -> the site's source pages: plain Markdown with front matter, plus data files.

Engine-agnostic on purpose: the output is Markdown and JSON that any
MkDocs-compatible engine builds from mkdocs.yml alone. Case text is data:
every value from YAML goes through an escaping filter and every (md) field
through `render_markdown`, so nothing a contributor writes reaches the engine
as syntax (no HTML, no Markdown links in titles, no template tags, no snippets).
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import jinja2
from markupsafe import Markup

from . import templating
from .charts import coverage_chart, trend_chart
from .coverage import Coverage, units_needed
from .downloads import SiteLinks
from .markdown import render_markdown
from .model import ORG_TYPES, Brand, Case, Library, Unit

TEMPLATE_DIR = Path(__file__).parent / "templates" / "site"

# Stable ASCII slugs for the default themes; other themes get "theme-<n>".
THEME_SLUGS = {
    "政治建设": "zhengzhi",
    "理论武装": "lilun",
    "组织建设": "zuzhi",
    "作风建设": "zuofeng",
    "清廉机关": "qinglian",
    "为民服务": "weimin",
    "业务融合": "ronghe",
    "志愿服务": "zhiyuan",
}

# Characters Python-Markdown treats as syntax in running text and lets a
# backslash escape (its ESCAPED_CHARS plus "|" of the tables extension);
# "{" also keeps attr_list's "{: ...}" inert.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


class Rendition(Protocol):
    path: Path
    width: int
    height: int
    mime: str


class WebImage(Protocol):
    page: Rendition
    thumb: Rendition


@dataclass(frozen=True)
class Picture:
    """An image as a page shows it: both renditions' site paths, sizes and the alt text."""

    src: str  # site-relative, e.g. "assets/cases/ab12cd.jpg"
    width: int
    height: int
    thumb: str
    thumb_width: int
    alt: str
    caption: str


@dataclass
class Rendered:
    """Everything the writer puts under docs/: page texts and image files to copy."""

    files: dict[str, str]  # docs-relative path -> text (Markdown, JSON, dictionary)
    assets: dict[str, Path]  # docs-relative path -> source file to copy


def alt_text(role: str, caption: str, title: str) -> str:
    """Alt text: a photo's caption (else the case title); a logo is named after its brand."""
    if role == "logo":
        return f"{title}品牌标识" if title else "品牌标识"
    return caption.strip() or title


def theme_slug(library: Library, theme: str) -> str:
    if theme in THEME_SLUGS:
        return THEME_SLUGS[theme]
    return f"theme-{library.themes.index(theme) + 1}"


# What a YAML reader takes as a line break, or refuses outright (outside the
# printable set): escaped in front matter so that no value can end or break it.
_YAML_UNSAFE = re.compile("[^\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
# Line breaks as str.splitlines() knows them, and the other controls.
_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]")


def md_text(value: object) -> Markup:
    """Escape a plain value for one line of running Markdown text: Markdown syntax, then HTML.

    Line breaks of any kind become a space (a heading stays one line) and
    other control characters are dropped: `check` refuses both, this keeps
    the page inert whatever reaches it.
    """
    text = _CONTROLS.sub("", _BREAKS.sub(" ", str(value)))
    # Markdown first: the "#" of an entity made by html.escape must stay unescaped.
    return Markup(html.escape(_MD_SPECIAL.sub(r"\\\1", text), quote=False))


def _yaml_escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    if 0xD800 <= code <= 0xDFFF:  # no YAML reader accepts a lone surrogate, even escaped
        return "\ufffd"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def front_matter_value(value: object) -> Markup:
    """A YAML double-quoted scalar holding HTML-escaped text, on one line.

    Material writes page.meta values into <title> and <meta> without escaping,
    so the value is already escaped HTML; JSON strings are valid YAML scalars.
    Zensical's templates do the same, and both print the title again, unescaped,
    in their header partials (which differ between the two), so overriding the
    `htmltitle` block alone would not do: the front matter holds HTML text, one
    contract for every engine (tests/test_zensical.py checks both).
    Characters YAML reads as a line break or refuses are written as escapes,
    so the front matter always loads, and loads as this exact value.
    """
    quoted = json.dumps(html.escape(str(value), quote=True), ensure_ascii=False)
    return Markup(_YAML_UNSAFE.sub(_yaml_escape, quoted))


def relative_url(from_url: str, to_url: str) -> str:
    """Relative URL between two site URLs, for links no engine rewrites (data read by scripts);
    links in pages go through source_link."""
    start = from_url.rstrip("/") or "."
    if not from_url.endswith("/") and from_url:
        start = posixpath.dirname(from_url) or "."
    is_dir = to_url == "" or to_url.endswith("/")
    rel = posixpath.relpath(to_url.rstrip("/") or ".", start)
    if is_dir:
        return "./" if rel == "." else rel + "/"
    return rel


def source_path(url: str) -> str:
    """The docs-relative source file of a site URL: "" -> index.md, "units/" -> units/index.md,
    "units/fgw/" -> units/fgw.md; a file URL ("data/cases.json") is its own source."""
    if url and not url.endswith("/"):
        return url
    parts = url.strip("/").split("/") if url.strip("/") else []
    return "/".join([*parts, "index.md"]) if len(parts) <= 1 else "/".join(parts) + ".md"


def source_link(from_path: str, to_url: str) -> str:
    """A link from the page file `from_path` to the URL `to_url`, as a relative path between
    source files ("../brands/x.md#y"): every engine turns it into the URL of its output."""
    target, _, anchor = to_url.partition("#")
    rel = posixpath.relpath(source_path(target), posixpath.dirname(from_path) or ".")
    return rel + ("#" + anchor if anchor else "")


def number(value: int | float) -> str:
    """12.0 -> "12", 12.5 -> "12.5", 30000 -> "30000" (the field writes figures plainly)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def make_environment(overrides: Path | None = None) -> jinja2.Environment:
    """Jinja environment of the page templates; a project folder may override any of them."""
    filters = dict(
        md_text=md_text,
        fm=front_matter_value,
        markdown=lambda text: Markup(render_markdown(text)),
        number=number,
    )
    # every value is escaped unless a filter says otherwise
    return templating.environment(TEMPLATE_DIR, overrides, filters, keep_trailing_newline=True)


@dataclass(frozen=True)
class Checklist:
    """The 五有 standard for a brand: which of the five the case shows."""

    items: tuple[tuple[str, str, bool], ...]  # (label, what counts, present)

    @property
    def count(self) -> int:
        return sum(1 for *_, ok in self.items if ok)


def five_haves(brand: Brand) -> Checklist:
    return Checklist(
        (
            ("有名称", "品牌名称", bool(brand.title.strip())),
            ("有标识", "品牌标识（图）", brand.logo is not None),
            ("有内涵", "品牌内涵", bool(brand.concept.strip())),
            ("有载体", "主要做法", bool(brand.practices)),
            (
                "有成效",
                "工作成效、数据或荣誉",
                bool(brand.results.strip() or brand.metrics or brand.honors),
            ),
        )
    )


def _latest(library: Library, count: int) -> list[Case]:
    # Cases carry a year, not a date: newest year first, then registry order.
    order = {c.id: i for i, c in enumerate(library.published)}
    return sorted(library.published, key=lambda c: (-c.year, order[c.id]))[:count]


def _pictures(
    library: Library, images: Mapping[str, WebImage]
) -> tuple[dict[str, Picture], dict[str, Path]]:
    """Site paths and sizes of every published image, and the rendition files to copy."""
    pictures: dict[str, Picture] = {}
    assets: dict[str, Path] = {}
    for case in library.published:
        owned = [(p, "photo") for p in case.photos]
        if isinstance(case, Brand) and case.logo is not None:
            owned.append((case.logo, "logo"))
        for image, role in owned:
            web = images.get(image.rel)
            if web is None or image.rel in pictures:
                continue
            page = f"assets/cases/{Path(web.page.path).name}"
            thumb = f"assets/cases/{Path(web.thumb.path).name}"
            assets[page] = Path(web.page.path)
            assets[thumb] = Path(web.thumb.path)
            pictures[image.rel] = Picture(
                src=page,
                width=web.page.width,
                height=web.page.height,
                thumb=thumb,
                thumb_width=web.thumb.width,
                alt=alt_text(role, image.caption, case.title),
                caption=image.caption,
            )
    return pictures, assets


def cases_json(library: Library) -> str:
    """`data/cases.json`: published cases only (case-format.md, section 6)."""
    rows = [
        {
            "id": c.id,
            "kind": c.kind,
            "unit": c.unit.id,
            "title": c.title,
            "year": c.year,
            "themes": list(c.themes),
            "url": c.url,
        }
        for c in library.published
    ]
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def coverage_json(coverage: Coverage) -> str:
    return json.dumps(coverage.as_json(), ensure_ascii=False, indent=1) + "\n"


def render_pages(
    library: Library,
    coverage: Coverage,
    images: Mapping[str, WebImage] | None = None,
    overrides: Path | None = None,
    links: SiteLinks | None = None,
) -> Rendered:
    """Render every generated page and data file; no file is touched here."""
    env = make_environment(overrides)
    pictures, assets = _pictures(library, images or {})
    published = library.published
    by_unit: dict[str, list[Case]] = {u.id: [] for u in library.units}
    for c in published:
        by_unit[c.unit.id].append(c)
    themes = [
        (t, theme_slug(library, t), [c for c in published if t in c.themes])
        for t in library.themes
    ]
    years = sorted({c.year for c in published}, reverse=True)

    common = {
        "library": library,
        "settings": library.settings,
        "coverage": coverage,
        "org_types": ORG_TYPES,
        "pictures": pictures,
        "by_unit": by_unit,
        "five_haves": five_haves,
        "theme_slug": lambda t: theme_slug(library, t),
        "needed": units_needed,
        "downloads": (links or SiteLinks()).downloads(),
        "guide": (links or SiteLinks()).guide,
    }
    files: dict[str, str] = {}

    def page(path: str, template: str, url: str, **context: object) -> None:
        if source_path(url) != path:  # links find pages by this rule (source_path)
            raise ValueError(f"page {path} must have the URL of its source file, not {url}")

        def link(target: str) -> str:
            return source_link(path, target)

        files[path] = env.get_template(template).render(common, url=url, link=link, **context)

    page(
        "index.md",
        "home.md.j2",
        "",
        latest=_latest(library, library.settings.latest_count),
        counts={"units": len(coverage.units), "brands": len(library.brands),
                "posts": len(library.posts)},
    )
    page("coverage/index.md", "coverage.md.j2", "coverage/", chart=coverage_chart(coverage),
         trend=trend_chart(coverage))
    page("units/index.md", "units.md.j2", "units/")
    for unit in library.units:
        page(f"units/{unit.id}.md", "unit.md.j2", f"units/{unit.id}/", unit=unit,
             cases=by_unit[unit.id], status=coverage.of(unit.id))
    def groups(cases: Iterable[Case]) -> list[tuple[Unit, list[Case]]]:
        wanted = {c.id for c in cases}
        return [
            (u, mine)
            for u in library.units
            if (mine := [c for c in by_unit[u.id] if c.id in wanted])
        ]

    def listing(path: str, url: str, title: str, cases: list[Case], grouped: bool) -> None:
        page(path, "listing.md.j2", url, title=title, count=len(cases), cases=cases,
             groups=groups(cases) if grouped else [])

    listing("brands/index.md", "brands/", "党建品牌", list(library.brands), True)
    listing("posts/index.md", "posts/", "党员示范岗", list(library.posts), True)
    for case in published:
        template = "brand.md.j2" if isinstance(case, Brand) else "post.md.j2"
        page(f"{case.kind}s/{case.id}.md", template, case.url, case=case)
    page("themes/index.md", "themes.md.j2", "themes/", themes=themes)
    for theme, slug, cases in themes:
        listing(f"themes/{slug}.md", f"themes/{slug}/", f"主题：{theme}", cases, False)
    by_year = [(y, [c for c in published if c.year == y]) for y in years]
    page("years/index.md", "years.md.j2", "years/", years=by_year)
    for year, cases in by_year:
        listing(f"years/{year}.md", f"years/{year}/", f"{year} 年", cases, True)
    files["data/cases.json"] = cases_json(library)
    files["data/coverage.json"] = coverage_json(coverage)
    return Rendered(files, assets)
