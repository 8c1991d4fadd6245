"""The printed casebook (案例汇编): model -> print HTML (Jinja) -> A4 PDF (WeasyPrint).

Works only on the validated Library (drafts never appear). Every problem a
reader would find on paper (a missing font, a character the fonts cannot
draw, an image that cannot be loaded) stops the export with a UserError
instead of producing a broken book.
"""

from __future__ import annotations

import difflib
import gc
import html
import logging
import os
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .epoch import current_year
from .errors import UserError
from .markdown import render_markdown
from .model import Brand, Case, Image, Library, Post, Unit
from .renditions import ImagePipeline, Rendition

TEMPLATES = Path(__file__).parent / "templates" / "casebook"
# The faces are named, never left to fontconfig's taste: a serif CJK face for
# text (the 宋体 of official print) and a sans face for headings (黑体).
TEXT_FAMILY = "Noto Serif CJK SC"
HEADING_FAMILY = "Noto Sans CJK SC"
FONT_PACKAGE = "fonts-noto-cjk"

EXIT_CONTENT, EXIT_USAGE = 1, 2
# Images are named by this scheme plus their cache file name, not by file: URIs:
# WeasyPrint names each image in the PDF after the hash of its URL, so an
# absolute path would make the book differ from one checkout folder to another.
IMAGE_SCHEME = "casebook-image"

# Characters that are never drawn as glyphs (format and control characters,
# line breaks): Pango renders them as empty, they cannot show as empty boxes.
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}


# ── public entry point ───────────────────────────────────────────────────────


def export_casebook(
    library: Library, out: Path, units: list[str], themes: list[str], years: list[int]
) -> Path:
    """Write the casebook of the published cases selected by the filters to `out` (A4 PDF).

    Raises UserError: exit 2 for an unknown --unit/--theme or a missing font
    (wrong usage or environment), exit 1 when the filters select no published
    case or the content cannot be printed faithfully (content problem).
    """
    cases = select_cases(library, units, themes, years)
    faces = check_fonts()
    check_glyphs(library, cases, faces)
    out = Path(out)
    if out.is_dir():
        raise UserError(f"输出路径 {out} 是一个文件夹，请用 --out 指定 PDF 文件名。", EXIT_USAGE)
    images = ImagePipeline(library.root.parent / ".cache" / "images")
    book_html = render_html(library, cases, images, scope=_scope(library, units, themes, years))
    out.parent.mkdir(parents=True, exist_ok=True)
    write_pdf(
        book_html, out, allowed=[TEMPLATES, images.cache_dir, library.root], images=images.cache_dir
    )
    return out


# ── selection ────────────────────────────────────────────────────────────────


def select_cases(
    library: Library, units: Sequence[str], themes: Sequence[str], years: Sequence[int]
) -> tuple[Case, ...]:
    """The published cases the filters keep, in book order (registry order of units)."""
    known_units = [u.id for u in library.units]
    for unit_id in units:
        if library.unit(unit_id) is None:
            raise UserError(
                f"未知的单位编号“{unit_id}”{_did_you_mean(unit_id, known_units)}"
                "（--unit 取 cases/units.yaml 中的单位 id）。",
                EXIT_USAGE,
            )
    for theme in themes:
        if theme not in library.themes:
            raise UserError(
                f"未知的主题“{theme}”{_did_you_mean(theme, library.themes)}"
                f"（可用主题：{'、'.join(library.themes)}）。",
                EXIT_USAGE,
            )
    cases = library.select(units, themes, years)
    if not cases:
        if not (units or themes or years):
            raise UserError("案例库中还没有已发布的案例，无法生成案例汇编。", EXIT_CONTENT)
        raise UserError(
            f"按所给条件（{_describe_filters(library, units, themes, years)}）"
            "没有已发布的案例，未生成案例汇编。",
            EXIT_CONTENT,
        )
    order = {u.id: i for i, u in enumerate(library.units)}
    # Library.cases is already in registry order; sort anyway so the book never
    # depends on how the list was built (stable: keeps kind/id order inside a unit).
    return tuple(sorted(cases, key=lambda c: order[c.unit.id]))


def _did_you_mean(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1)
    return f"，是否想写“{close[0]}”" if close else ""


def _describe_filters(
    library: Library, units: Sequence[str], themes: Sequence[str], years: Sequence[int]
) -> str:
    parts = []
    if units:
        names = [u.name for uid in units if (u := library.unit(uid))]
        parts.append("单位：" + "、".join(names))
    if themes:
        parts.append("主题：" + "、".join(themes))
    if years:
        parts.append("年份：" + "、".join(str(y) for y in sorted(set(years))))
    return "；".join(parts)


def _scope(
    library: Library, units: Sequence[str], themes: Sequence[str], years: Sequence[int]
) -> str:
    """What a filtered book contains, printed under the table of contents."""
    return _describe_filters(library, units, themes, years)


# ── fonts and glyphs ─────────────────────────────────────────────────────────


@dataclass(frozen=True)
class FontFace:
    family: str
    file: Path
    index: int  # face index inside a .ttc collection


def check_fonts() -> dict[str, FontFace]:
    """Find the named families through fontconfig (what WeasyPrint uses), or raise UserError(2)."""
    faces = {}
    for family in (TEXT_FAMILY, HEADING_FAMILY):
        try:
            listed = subprocess.run(
                ["fc-list", "--format", "%{file}\t%{index}\t%{style}\n", family],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        except FileNotFoundError:
            raise UserError(
                "找不到 fc-list：请安装 Debian 软件包 fontconfig 和 "
                f"{FONT_PACKAGE}（运行 bash scripts/setup.sh）。",
                EXIT_USAGE,
            ) from None
        rows = [line.split("\t") for line in listed.splitlines() if line.count("\t") == 2]
        if not rows:
            raise UserError(
                f"缺少字体“{family}”，无法排印案例汇编：请安装 Debian 软件包 {FONT_PACKAGE}"
                f"（sudo apt-get install {FONT_PACKAGE}，或运行 bash scripts/setup.sh）。",
                EXIT_USAGE,
            )
        # Prefer the Regular face: its character set is the one the body text uses.
        rows.sort(key=lambda r: r[2].split(",")[0] != "Regular")
        file, index, _ = rows[0]
        faces[family] = FontFace(family, Path(file), int(index or 0))
    return faces


@lru_cache(maxsize=8)
def _charset(face: FontFace) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    # lazy=True reads only the cmap table: ~0.2 s for a CJK collection.
    with TTFont(str(face.file), fontNumber=face.index, lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_characters(text: str, charset: frozenset[int]) -> list[str]:
    """Characters of `text` the font cannot draw, in order of first appearance."""
    seen: dict[str, None] = {}
    for ch in text:
        if ord(ch) not in charset and not ch.isspace():
            if unicodedata.category(ch) not in _INVISIBLE:
                seen.setdefault(ch)
    return list(seen)


def check_glyphs(library: Library, cases: Sequence[Case], faces: dict[str, FontFace]) -> None:
    """Raise UserError(1) naming file, field and character for every character no font face has.

    WeasyPrint would draw such a character as an empty box (.notdef) or in some
    other installed font; checking the text beforehand names the case and the
    field, which the renderer's log cannot.
    """
    charset = frozenset.intersection(*(_charset(f) for f in faces.values()))
    problems = []
    for where, field, text in _printed_texts(library, cases):
        for ch in missing_characters(text, charset):
            problems.append(
                f"{where} {field}：字符“{ch}”(U+{ord(ch):04X}) 不在汇编字体 {TEXT_FAMILY} 中，"
                "印出来会是空框；请删去或换成常用字符。"
            )
    if problems:
        raise UserError("案例汇编中有无法排印的字符：\n" + "\n".join(problems), EXIT_CONTENT)


def _printed_texts(library: Library, cases: Sequence[Case]) -> Iterator[tuple[str, str, str]]:
    """(place, field, text) of everything the book prints, Markdown as the reader sees it."""
    book = library.settings.casebook
    settings = "cases/settings.yaml"
    yield settings, "汇编标题(casebook.title)", book.title
    yield settings, "汇编副标题(casebook.subtitle)", book.subtitle
    yield settings, "编印单位(casebook.issuer)", book.issuer or library.settings.organization
    yield settings, "前言(casebook.preface)", _text_of(render_markdown(book.preface))
    for unit in {c.unit.id: c.unit for c in cases}.values():
        where = f"cases/units.yaml 单位 {unit.id}"
        yield where, "名称(name)", unit.name
        yield where, "直属党组织(org)", unit.org
    for case in cases:
        yield from ((case.source, field, text) for field, text in _case_texts(case))


def _case_texts(case: Case) -> Iterator[tuple[str, str]]:
    yield "标题(title)", case.title
    yield "摘要(summary)", case.summary
    yield "所属党组织(branch)", case.org_name
    for i, theme in enumerate(case.themes, 1):
        yield f"主题(themes) 第{i}项", theme
    for i, photo in enumerate(case.photos, 1):
        yield f"图片(photos) 第{i}项 说明(caption)", photo.caption
    if isinstance(case, Brand):
        yield "品牌口号(slogan)", case.slogan
        yield "品牌内涵(concept)", _text_of(render_markdown(case.concept))
        for i, p in enumerate(case.practices, 1):
            yield f"主要做法(practices) 第{i}项 标题(title)", p.title
            yield f"主要做法(practices) 第{i}项 内容(text)", _text_of(render_markdown(p.text))
        yield "工作成效(results)", _text_of(render_markdown(case.results))
        for i, m in enumerate(case.metrics, 1):
            yield f"数据(metrics) 第{i}项", f"{m.label}{m.unit}"
        for i, honor in enumerate(case.honors, 1):
            yield f"荣誉(honors) 第{i}项", honor
    elif isinstance(case, Post):
        for i, holder in enumerate(case.holders, 1):
            yield f"在岗党员(holders) 第{i}项", holder
        yield "岗位职责(duties)", _text_of(render_markdown(case.duties))
        for i, c in enumerate(case.commitments, 1):
            yield f"承诺事项(commitments) 第{i}项", c
        yield "工作成效(results)", _text_of(render_markdown(case.results))
        yield "批次(batch)", case.batch


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities become the characters printed
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text_of(fragment: str) -> str:
    parser = _TextOf()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


# ── HTML ─────────────────────────────────────────────────────────────────────


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


def environment(project_root: Path | None = None) -> Environment:
    """Jinja environment of the casebook; `theme_overrides/casebook/` of a project wins."""
    folders = [TEMPLATES]
    if project_root is not None and (project_root / "theme_overrides" / "casebook").is_dir():
        folders.insert(0, project_root / "theme_overrides" / "casebook")
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(f)) for f in folders]),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = lambda text: Markup(render_markdown(text))
    env.filters["number"] = _number
    env.filters["cn_year"] = chinese_year
    env.globals.update(TEXT_FAMILY=TEXT_FAMILY, HEADING_FAMILY=HEADING_FAMILY)
    return env


def render_html(
    library: Library, cases: Sequence[Case], images: ImagePipeline, scope: str = ""
) -> str:
    """The whole book as one HTML document (cover, preface, contents, units, cases)."""
    env = environment(library.root.parent)
    settings = library.settings
    book = settings.casebook
    groups = _groups(library, cases)
    case_html = {c.id: _render_case(env, c, images) for c in cases}
    title_lines = [line.strip() for line in book.title.splitlines() if line.strip()]
    return env.get_template("book.html").render(
        title=" ".join(title_lines),
        title_lines=title_lines,
        # Fit the longest cover line on one line: a lone character wrapped onto
        # a second line is what a reader notices first.
        title_size_mm=round(min(15.0, 160.0 / max(len(line) for line in title_lines)), 2),
        subtitle=book.subtitle,
        issuer=book.issuer or settings.organization,
        year=book.year or current_year(),  # SOURCE_DATE_EPOCH when set: reproducible
        preface=book.preface,
        scope=scope,
        groups=groups,
        case_html=case_html,
        stylesheet=Markup(env.get_template("casebook.css").render()),
    )


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


def _number(value: float) -> str:
    """1200 -> "1,200", 3.50 -> "3.5": figures as an office report prints them."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


_CN_DIGITS = "〇一二三四五六七八九"


def chinese_year(year: int) -> str:
    """2026 -> "二〇二六年", as dates are written on an official cover."""
    return "".join(_CN_DIGITS[int(d)] for d in str(year)) + "年"


# ── PDF ──────────────────────────────────────────────────────────────────────


class _RenderLog(logging.Handler):
    """Collects what WeasyPrint reports that would leave a hole in the printed page."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.missing: dict[str, None] = {}
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith(".notdef glyph rendered") and record.args:
            self.missing.setdefault(str(record.args[0]))
        elif record.levelno >= logging.ERROR:
            # Errors are resources that could not be loaded (images, stylesheets).
            self.errors.append(message)


def _fetcher(allowed: Sequence[Path], images: Path | None = None):
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    roots = [p.resolve() for p in allowed]

    class LocalFiles(URLFetcher):
        """Only files of the library, the image cache and the templates: nothing remote."""

        def fetch(self, url, headers=None):
            if images is not None and url.startswith(f"{IMAGE_SCHEME}:"):
                url = (images / url.split(":", 1)[1]).resolve().as_uri()
            parsed = urlparse(url)
            path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
            if path is None or not any(path.is_relative_to(r) for r in roots):
                raise FatalURLFetchingError(url)
            return super().fetch(url, headers)

    return LocalFiles(allowed_protocols={"file"}), FatalURLFetchingError


def write_pdf(
    book_html: str, target: Path, allowed: Sequence[Path], images: Path | None = None
) -> None:
    """Render the book HTML to `target` atomically; raise UserError for any hole in the result.

    `allowed` are the folders the book may read files from; `images` is the
    folder that IMAGE_SCHEME URLs name files of. The PDF is written next to
    `target` and renamed: a failed export never leaves a half-written file and
    never replaces a good book with a broken one.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _render_pdf(book_html, tmp, allowed, images)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _render_pdf(book_html: str, target: Path, allowed: Sequence[Path], images: Path | None) -> None:
    import weasyprint

    fetcher, fatal = _fetcher(allowed, images)
    log = _RenderLog()
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.addHandler(log)
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        with _few_collections():
            weasyprint.HTML(
                string=book_html, base_url=TEMPLATES.as_uri() + "/", url_fetcher=fetcher
            ).write_pdf(target)
    except fatal as e:
        raise UserError(
            f"案例汇编引用了不能使用的资源：{e.args[0] if e.args else e}"
            "（汇编只使用案例文件夹中的图片，不从网络获取任何内容）。",
            EXIT_CONTENT,
        ) from None
    finally:
        logger.removeHandler(log)
        logger.setLevel(level)
    if log.missing:
        chars = "、".join(f"“{c}”(U+{ord(c):04X})" for c in log.missing)
        raise UserError(
            f"案例汇编中有字体无法显示的字符 {chars}，印出来会是空框；请删去或换成常用字符。",
            EXIT_CONTENT,
        )
    if log.errors:
        raise UserError(
            "排印案例汇编时有资源无法加载：\n" + "\n".join(html.unescape(e) for e in log.errors),
            EXIT_CONTENT,
        )


@contextmanager
def _few_collections() -> Iterator[None]:
    # Layout allocates millions of short-lived objects; with the default
    # thresholds the cyclic GC rescans them so often that it costs a fifth of
    # a 1,000-case render. Collect less often (memory grows by ~2%) and put
    # what exists before the render out of its reach. Restored afterwards.
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
