"""Casebook stage 3: the selection -> one print HTML document (Jinja templates, overridable).

Everything the book states about itself is computed here from the selection:
the coverage figures of the preface with their as-of date, the appendix of
units (covered or not) and the colophon. Numbers are set in official style
on the finished HTML (casebook_text), never in the case files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from . import templating
from .casebook_fonts import BookFonts
from .casebook_select import Selection
from .casebook_text import number, official_html
from .coverage import Ratio
from .markdown import render_markdown
from .model import Brand, Case, Image, Library, Post, Unit
from .renditions import ImagePipeline, Rendition
from .templating import override_folder

TEMPLATES = Path(__file__).parent / "templates" / "casebook"
# Images are named by this scheme plus their cache file name, not by file: URIs:
# WeasyPrint names each image in the PDF after the hash of its URL, so an
# absolute path would make the book differ from one checkout folder to another.
IMAGE_SCHEME = "casebook-image"
_CN_DIGITS = "〇一二三四五六七八九"


@dataclass(frozen=True)
class Figure:
    src: str  # IMAGE_SCHEME URL of the print rendition
    caption: str
    portrait: bool


@dataclass(frozen=True)
class UnitGroup:
    unit: Unit
    cases: tuple[Case, ...]
    brands: int
    posts: int


@dataclass(frozen=True)
class UnitRow:
    """One line of the appendix: a unit of the book's scope and what the book holds of it."""

    unit: Unit
    brands: int
    posts: int


@dataclass(frozen=True)
class Figures:
    """What the book shows, counted: the preface and the appendix print these."""

    as_of: str  # "2026年3月"
    rows: tuple[UnitRow, ...]
    brands: int
    posts: int
    brand: Ratio  # units with a brand in the book / units in scope
    post: Ratio

    @property
    def units_with_cases(self) -> int:
        return sum(bool(r.brands or r.posts) for r in self.rows)

    @property
    def absent(self) -> tuple[Unit, ...]:
        return tuple(r.unit for r in self.rows if not (r.brands or r.posts))


@dataclass(frozen=True)
class Colophon:
    title: str
    issuer: str
    mark: str
    print_date: str  # "2026年3月"
    print_run: str  # "500册" or ""
    permit: str


def print_date(setting: str) -> str:
    """ "2026-03" -> "2026年3月"; empty -> the month of the export (SOURCE_DATE_EPOCH if set)."""
    if setting:
        parts = [int(p) for p in setting.split("-")]
    else:
        now = time.gmtime(_epoch())
        parts = [now.tm_year, now.tm_mon]
    return "".join(f"{v}{u}" for v, u in zip(parts, "年月日", strict=False))


def _epoch() -> int | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return int(epoch) if epoch.isdigit() else None


def figures(selection: Selection, as_of: str) -> Figures:
    counts = {u.id: [0, 0] for u in selection.units}
    for case in selection.cases:
        if case.unit.id in counts:
            counts[case.unit.id][0 if isinstance(case, Brand) else 1] += 1
    rows = tuple(UnitRow(u, *counts[u.id]) for u in selection.units)
    return Figures(
        as_of=as_of,
        rows=rows,
        brands=selection.brands,
        posts=selection.posts,
        brand=Ratio(sum(r.brands > 0 for r in rows), len(rows)),
        post=Ratio(sum(r.posts > 0 for r in rows), len(rows)),
    )


def figure_paragraphs(selection: Selection, f: Figures) -> list[str]:
    """The counted facts of the preface: what this book holds, and the coverage of its scope."""
    held = "、".join(
        text
        for count, text in (
            (f.brands, f"党建品牌{f.brands}个"),
            (f.posts, f"党员示范岗{f.posts}个"),
        )
        if count
    )
    scope = f"{selection.scope()}的" if selection.filtered else ""
    first = f"本册收录{scope}{held}，来自{f.units_with_cases}个单位，按单位分组编排。"
    if selection.unit_filter and len(f.rows) == 1:
        name = f.rows[0].unit.name
        brand = "已有党建品牌收录本册" if f.brand.covered else "尚无党建品牌收录本册"
        post = "已有党员示范岗收录本册" if f.post.covered else "尚无党员示范岗收录本册"
        return [first, f"截至{f.as_of}，{name}{brand}，{post}。"]
    which = "所选" if selection.unit_filter else "在册"
    second = (
        f"截至{f.as_of}，{which}{f.brand.total}个单位中，{f.brand.covered}个单位有党建品牌"
        f"收录本册，覆盖率{f.brand.percent}；{f.post.covered}个单位有党员示范岗收录本册，"
        f"覆盖率{f.post.percent}。"
    )
    if f.absent:
        where = "在本册范围内" if selection.filtered else ""
        second += f"另有{len(f.absent)}个单位{where}暂无案例收录，均列于书末附录。"
    return [first, second]


def appendix_note(selection: Selection, f: Figures) -> str:
    which = "所选" if selection.unit_filter else "在册"
    only = "（仅计本册范围内的案例）" if selection.filtered else ""
    return (
        f"下表列出{which}全部{len(f.rows)}个单位，统计截至{f.as_of}；"
        f"数字为本册收录的案例个数{only}，“—”表示没有。"
    )


def colophon(library: Library, title: str) -> Colophon:
    book = library.settings.casebook
    return Colophon(
        title=title,
        issuer=book.issuer or library.settings.organization,
        mark=book.mark,
        print_date=print_date(book.print_date),
        print_run=f"{number(book.print_run)}册" if book.print_run else "",
        permit=book.permit,
    )


def environment(project_root: Path | None = None) -> Environment:
    """Jinja environment of the casebook; `theme_overrides/casebook/` of a project wins."""
    overrides = None if project_root is None else override_folder(project_root, "casebook")
    filters = {
        "md": lambda text: Markup(render_markdown(text)),
        "number": number,
        "cn_year": chinese_year,
        "css_string": css_string,
    }
    return templating.environment(
        TEMPLATES, overrides, filters, autoescape=select_autoescape(["html"])
    )


@dataclass(frozen=True)
class PreparedBook:
    """The book's template, its context and every case rendered: parts are rendered from it."""

    env: Environment
    context: dict
    groups: tuple[UnitGroup, ...]


def prepare_book(
    library: Library, selection: Selection, images: ImagePipeline, fonts: BookFonts
) -> PreparedBook:
    """Everything the book shows, computed once (figures, colophon, each case's HTML)."""
    env = environment(library.root.parent)
    book = library.settings.casebook
    cases = selection.cases
    groups = tuple(_groups(library, cases))
    if selection.filtered:
        title_lines = [selection.title(book.title)]
    else:
        title_lines = [line.strip() for line in book.title.splitlines() if line.strip()]
    title = "".join(title_lines)
    issued = colophon(library, title)
    counted = figures(selection, issued.print_date)
    context = dict(
        title=title,
        title_lines=title_lines,
        # Fit the longest cover line on one line: a lone character wrapped onto
        # a second line is what a reader notices first.
        title_size_mm=round(min(15.0, 160.0 / max(len(line) for line in title_lines)), 2),
        subtitle="" if selection.filtered else book.subtitle,
        issuer=issued.issuer,
        year=book.year or time.gmtime(_epoch()).tm_year,
        # A filtered book's preface is its own: the settings' speaks for the whole book.
        preface="" if selection.filtered else book.preface,
        selection=selection,
        figures=counted,
        figure_paragraphs=figure_paragraphs(selection, counted),
        appendix_note=appendix_note(selection, counted),
        colophon=issued,
        groups=groups,
        case_html={c.id: _render_case(env, c, images) for c in cases},
        fonts=fonts.families,
    )
    return PreparedBook(env, context, groups)


def render_part(
    book: PreparedBook,
    part: str = "all",
    groups: Sequence[UnitGroup] | None = None,
    first: bool = True,
    last: bool = True,
    body_start: int = 1,
    toc_pages: dict[str, int] | None = None,
) -> str:
    """One HTML document: the whole book ("all"), the cover and front matter ("front"),
    or the units `groups` of the body ("body"), numbered from `body_start`; `first`
    marks the part where the body starts, `last` the one with appendix and colophon.
    `toc_pages` gives the contents the printed numbers of targets in other parts.
    """
    pages = toc_pages or {}

    def page_of(anchor: str) -> Markup:
        return Markup(' data-page="{}"').format(pages[anchor]) if anchor in pages else Markup("")

    side = "auto"
    if part == "body" and not first:
        side = "right" if body_start % 2 else "left"
    fonts = book.context["fonts"]
    stylesheet = book.env.get_template("casebook.css").render(
        fonts=fonts, body_start=body_start, first_side=side
    )
    html = book.env.get_template("book.html").render(
        **book.context,
        part=part,
        body_groups=book.groups if groups is None else tuple(groups),
        first_part=first,
        last_part=last,
        page_of=page_of,
        stylesheet=Markup(stylesheet),
    )
    return official_html(html)


def render_html(
    library: Library, selection: Selection, images: ImagePipeline, fonts: BookFonts
) -> str:
    """The whole book as one HTML document (cover, preface, contents, units, appendix, colophon)."""
    return render_part(prepare_book(library, selection, images, fonts))


def _groups(library: Library, cases: Sequence[Case]) -> list[UnitGroup]:
    by_unit: dict[str, list[Case]] = {}
    for case in cases:
        by_unit.setdefault(case.unit.id, []).append(case)
    return [
        UnitGroup(
            unit=u,
            cases=tuple(by_unit[u.id]),
            brands=sum(isinstance(c, Brand) for c in by_unit[u.id]),
            posts=sum(isinstance(c, Post) for c in by_unit[u.id]),
        )
        for u in library.units
        if u.id in by_unit
    ]


def _render_case(env: Environment, case: Case, images: ImagePipeline) -> Markup:
    logo = None
    if isinstance(case, Brand) and case.logo is not None:
        logo = _figure(images, case.logo, "logo")
    photos = [_figure(images, p, "photo") for p in case.photos]
    template = env.get_template(f"{case.kind}.html")
    return Markup(template.render(case=case, logo=logo, photos=photos))


def _figure(images: ImagePipeline, image: Image, role: str) -> Figure:
    rendition: Rendition = images.print(image.path, role)
    return Figure(
        src=f"{IMAGE_SCHEME}:{Path(rendition.path).name}",
        caption=image.caption,
        portrait=rendition.height > rendition.width,
    )


def css_string(text: str) -> str:
    """A quoted CSS string (font family names come from settings)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def chinese_year(year: int) -> str:
    """2026 -> "二〇二六年", as dates are written on an official cover."""
    return "".join(_CN_DIGITS[int(d)] for d in str(year)) + "年"
