"""Casebook stage 5 (Word edition): the same selection as an editable .docx.

Leaders revise it with tracked changes, print shops re-set it, cases are
excerpted into 简报: so headings are Word's own heading styles (navigation
pane, TOC field), every style and run names its East Asian face, metrics are a
real table and each case is its own section. The text is what the PDF prints,
numbers in official style.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Pt, RGBColor

from . import office, office_save
from .casebook_html import (
    appendix_note,
    chinese_year,
    colophon,
    figure_paragraphs,
    figures,
    print_date,
)
from .casebook_select import Selection
from .casebook_text import official_numbers
from .markdown import render_markdown
from .model import Brand, Case, Library, Post
from .numbers import number
from .renditions import ImagePipeline

RED = RGBColor(0xA6, 0x1B, 0x1B)
GREY = RGBColor(0x59, 0x59, 0x59)
_CN = "〇一二三四五六七八九"


def word_fonts(library: Library) -> office.Fonts:
    named = library.settings.casebook.word_fonts
    default = office.DEFAULT_FONTS
    return office.Fonts(
        text=named.get("text", default.text),
        heading=named.get("heading", default.heading),
        heading2=named.get("heading2", default.heading2),
    )


def write_docx(library: Library, selection: Selection, images: ImagePipeline, out: Path) -> None:
    """Write the Word edition of `selection` to `out` atomically."""
    when = office_save.build_date(
        library.settings.casebook.print_date, os.environ.get("SOURCE_DATE_EPOCH")
    )
    office.save(build_document(library, selection, images), out, when)


def build_document(library: Library, selection: Selection, images: ImagePipeline):
    fonts = word_fonts(library)
    book = library.settings.casebook
    doc = office.new_document(fonts)
    # Levels: 1 unit, 2 case title, 3 "一、", 4 "（一）" (楷体, as in the PDF).
    office.style_heading(doc, "Heading 2", fonts.heading, fonts.latin, office.SIZES["小三"])
    office.style_heading(doc, "Heading 3", fonts.heading, fonts.latin, office.SIZES["四号"])
    office.style_heading(doc, "Heading 4", fonts.heading2, fonts.latin, office.SIZES["小四"])
    office.page_number_footer(doc, fonts)
    title = (
        selection.title(book.title).replace("\n", "")
        if selection.filtered
        else "".join(line.strip() for line in book.title.splitlines())
    )
    issued = colophon(library, title)
    counted = figures(selection, print_date(book.print_date))
    ctx = _Writer(doc, fonts)

    cover = doc.sections[0]
    cover.different_first_page_header_footer = True  # the cover carries no page number
    ctx.para(issued.mark, align="left", size=12, face=fonts.heading)
    for _ in range(6):
        ctx.para("")
    ctx.para(title, align="center", size=26, face=fonts.heading, color=RED, bold=True)
    if book.subtitle and not selection.filtered:
        ctx.para(book.subtitle, align="center", size=16)
    for _ in range(8):
        ctx.para("")
    ctx.para(issued.issuer, align="center", size=14)
    ctx.para(chinese_year(book.year or int(counted.as_of[:4])), align="center", size=14)

    front = office.new_section(doc)
    office.page_numbering(front, "lowerRoman", 1)
    ctx.heading("前言", 1)
    if book.preface.strip() and not selection.filtered:
        ctx.markdown(book.preface)
    for text in figure_paragraphs(selection, counted):
        ctx.para(text)
    ctx.para(issued.issuer, align="right")
    ctx.para(counted.as_of, align="right")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    ctx.para("目录", align="center", size=16, face=fonts.heading, bold=True)
    entries = []
    for unit in selection.units:
        cases = [c for c in selection.cases if c.unit.id == unit.id]
        if cases:
            entries.append((1, unit.name))
            entries.extend((2, official_numbers(c.title)) for c in cases)
    entries.append((1, "附录　各单位案例收录情况"))
    office.toc(doc, "1-2", entries=entries, fonts=fonts)

    first = True
    for unit in selection.units:
        cases = [c for c in selection.cases if c.unit.id == unit.id]
        if not cases:
            continue
        for i, case in enumerate(cases):
            section = office.new_section(doc)  # one case per section
            if first:
                office.page_numbering(section, "decimal", 1)
                first = False
            if i == 0:
                ctx.heading(unit.name, 1)
                ctx.para(f"{unit.org_type}　{unit.org}", align="center", size=10.5, color=GREY)
            _case(ctx, case, images)

    office.new_section(doc)
    ctx.heading("附录　各单位案例收录情况", 1)
    ctx.para(appendix_note(selection, counted))
    rows = [
        [str(i), r.unit.name, r.unit.org_type, str(r.brands or "—"), str(r.posts or "—"),
         "已收录" if r.brands or r.posts else "未收录"]
        for i, r in enumerate(counted.rows, 1)
    ]  # fmt: skip
    office.table(doc, ["序号", "单位", "党组织", "党建品牌", "党员示范岗", "本册收录"], rows,
                 fonts, widths_mm=(12, 56, 20, 20, 26, 20))  # fmt: skip

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for label, value in (
        ("书名", issued.title),
        ("编印单位", issued.issuer),
        ("印刷日期", issued.print_date),
        ("印数", issued.print_run),
        ("准印证号", issued.permit),
    ):
        if value:
            ctx.para(f"{label}：{value}", align="left")
    ctx.para(issued.mark, align="center", face=fonts.heading)
    doc.core_properties.title = title
    doc.core_properties.author = issued.issuer
    return doc


def _case(ctx: _Writer, case: Case, images: ImagePipeline) -> None:
    label = "党建品牌" if isinstance(case, Brand) else "党员示范岗"
    ctx.para(label, align="left", size=10.5, color=RED, face=ctx.fonts.heading)
    ctx.heading(case.title, 2)
    if isinstance(case, Brand) and case.logo is not None:
        ctx.picture(images.print(case.logo.path, "logo").path, 30, case.logo.caption or "品牌标识")
    if isinstance(case, Brand) and case.slogan:
        ctx.para(f"“{case.slogan}”", align="left", color=RED)
    year_label = "创建年份" if isinstance(case, Brand) else "命名年份"
    ctx.para(
        f"所属党组织：{case.org_name}　{year_label}：{case.year}年　主题：{'、'.join(case.themes)}",
        align="left", size=10.5, color=GREY,
    )  # fmt: skip
    if case.summary:
        ctx.para(case.summary)
    for n, (heading, body) in enumerate(_sections(case), 1):
        ctx.heading(f"{_cn(n)}、{heading}", 3)
        body(ctx)
    for photo in case.photos:
        ctx.picture(images.print(photo.path, "photo").path, 120, photo.caption)


def _sections(case: Case) -> Iterator[tuple[str, object]]:
    if isinstance(case, Brand):
        yield "品牌内涵", lambda c: c.markdown(case.concept)

        def practices(c: _Writer) -> None:
            for i, p in enumerate(case.practices, 1):
                c.heading(f"（{_cn(i)}）{p.title}", 4)
                c.markdown(p.text)

        yield "主要做法", practices

        def results(c: _Writer) -> None:
            c.markdown(case.results)
            if case.metrics:
                office.table(
                    c.doc,
                    [m.label for m in case.metrics],
                    [[official_numbers(f"{number(m.value)}{m.unit}") for m in case.metrics]],
                    c.fonts,
                )

        yield "工作成效", results
        if case.honors:
            yield "所获荣誉", lambda c: [c.para(h, style="List Bullet") for h in case.honors]
    elif isinstance(case, Post):
        batch = f"（{case.batch}）" if case.batch else ""
        yield "在岗党员", lambda c: c.para("、".join(case.holders) + batch)
        yield "岗位职责", lambda c: c.markdown(case.duties)
        yield (
            "承诺事项",
            lambda c: [c.para(f"{i}. {text}") for i, text in enumerate(case.commitments, 1)],
        )
        if case.results.strip():
            yield "工作成效", lambda c: c.markdown(case.results)


def _cn(i: int) -> str:
    if i < 10:
        return _CN[i]
    return ("" if i < 20 else _CN[i // 10]) + "十" + (_CN[i % 10] if i % 10 else "")


class _Writer:
    """Adds paragraphs in official style; every run names its faces."""

    def __init__(self, doc, fonts: office.Fonts) -> None:
        self.doc = doc
        self.fonts = fonts

    def heading(self, text: str, level: int):
        face = self.fonts.heading2 if level == 4 else self.fonts.heading
        p = self.doc.add_heading(level=level)
        run = p.add_run(official_numbers(text))
        office.set_font(run._r, face, self.fonts.latin)
        return p

    def para(self, text: str, align: str | None = None, size: float | None = None,
             face: str | None = None, color: RGBColor | None = None, bold: bool = False,
             style: str | None = None, runs: list[tuple[str, bool, bool]] | None = None):  # fmt: skip
        p = self.doc.add_paragraph(style=style)
        if align is not None:
            p.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                           "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]  # fmt: skip
            p.paragraph_format.first_line_indent = Pt(0)
        for text_part, b, italic in runs or [(text, bold, False)]:
            if not text_part:
                continue
            r = p.add_run(official_numbers(text_part))
            office.set_font(r._r, face or self.fonts.text, self.fonts.latin)
            r.font.bold = b or None
            r.font.italic = italic or None
            if size:
                r.font.size = Pt(size)
            if color is not None:
                r.font.color.rgb = color
        return p

    def markdown(self, text: str) -> None:
        blocks = _Blocks()
        blocks.feed(render_markdown(text))
        blocks.close()
        for kind, runs in blocks.blocks:
            if kind == "table":
                header, *rows = runs
                width = len(header)
                rows = [(r + [""] * width)[:width] for r in rows]
                office.table(self.doc, [official_numbers(c) for c in header],
                             [[official_numbers(c) for c in r] for r in rows], self.fonts)  # fmt: skip
            elif kind == "li":
                self.para("", style="List Bullet", runs=runs)
            elif kind == "h":
                self.heading("".join(t for t, _, _ in runs), 4)
            else:
                self.para("", runs=runs)

    def picture(self, path: Path, width_mm: float, caption: str) -> None:
        office.picture(self.doc, Path(path), width_mm, official_numbers(caption), self.fonts)


class _Blocks(HTMLParser):
    """Rendered Markdown -> blocks: ("p"|"li"|"h", [(text, bold, italic)]) or ("table", rows)."""

    _BLOCK = {"p": "p", "li": "li", "h4": "h", "h5": "h", "h6": "h", "blockquote": "p"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, list[tuple[str, bool, bool]]]] = []
        self.kind: str | None = None
        self.runs: list[tuple[str, bool, bool]] = []
        self.bold = self.italic = 0
        self.table: list[list[str]] | None = None  # rows of cell texts while inside <table>

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._flush()
            self.table = []
        elif self.table is not None:
            if tag == "tr":
                self.table.append([])
            elif tag in ("td", "th") and self.table:
                self.table[-1].append("")
        elif tag in self._BLOCK and not (tag == "p" and self.kind == "li"):
            self._flush()
            self.kind = self._BLOCK[tag]
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "br":
            self.runs.append(("\n", False, False))

    def handle_endtag(self, tag):
        if tag == "table" and self.table is not None:
            if self.table and self.table[0]:
                self.blocks.append(("table", self.table))
            self.table = None
        elif tag in ("strong", "b"):
            self.bold -= 1
        elif tag in ("em", "i"):
            self.italic -= 1
        elif tag in self._BLOCK and not (tag == "p" and self.kind == "li"):
            self._flush()

    def handle_data(self, data):
        if self.table is not None:
            if self.table and self.table[-1]:
                self.table[-1][-1] += data.strip()
        elif data.strip() or self.runs:
            self.runs.append((data.replace("\n", ""), self.bold > 0, self.italic > 0))

    def _flush(self):
        if any(t.strip() for t, _, _ in self.runs):
            self.blocks.append((self.kind or "p", self.runs))
        self.kind, self.runs = None, []

    def close(self):
        super().close()
        self._flush()
