"""Shared python-docx helpers for the Word documents (the casebook, the coverage report).

python-docx leaves the East Asian font to Word's theme, so Chinese text opens in
whatever the reader's Word picks; these helpers name the faces explicitly on
styles and runs, lay out an A4 page with the margins of official documents,
number pages "— 1 —" at the outer edge, mark East Asian text as simplified
Chinese and give tables a real grid. Saving (reproducible, atomic) is in
office_save.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from .office_save import current_umask as current_umask
from .office_save import save as save
from .office_style import DEFAULT_FONTS as DEFAULT_FONTS
from .office_style import LANG as LANG
from .office_style import MARGINS_MM as MARGINS_MM
from .office_style import SIZES as SIZES
from .office_style import Fonts as Fonts
from .office_style import chinese as chinese
from .office_style import east_asian_font as east_asian_font
from .office_style import set_font as set_font
from .office_style import set_lang as set_lang
from .office_style import set_page as set_page


def new_document(fonts: Fonts = DEFAULT_FONTS, body_pt: float = SIZES["小四"]) -> DocxDocument:
    """An empty A4 document with office margins and styles whose fonts are all named.

    "Heading 1"/"Heading 2" stay Word's built-in heading styles (with outline
    levels), so the navigation pane and a TOC field list them.
    """
    doc = Document()
    set_page(doc.sections[0])
    chinese(doc)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    if rpr_default is not None and rpr_default.find(qn("w:rPr")) is not None:
        set_font(rpr_default.find(qn("w:rPr")), fonts.text, fonts.latin)
    normal = doc.styles["Normal"]
    set_font(normal.element, fonts.text, fonts.latin)
    normal.font.size = Pt(body_pt)
    fmt = normal.paragraph_format
    fmt.line_spacing = 1.5
    fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(body_pt * 2)  # two characters, as Chinese prose is set
    fmt.widow_control = True
    for name, face, size in (
        ("Title", fonts.heading, SIZES["二号"]),
        ("Heading 1", fonts.heading, SIZES["三号"]),
        ("Heading 2", fonts.heading2, SIZES["四号"]),
        ("Heading 3", fonts.heading, SIZES["小四"]),
    ):
        style_heading(doc, name, face, fonts.latin, size)
    for name in ("Caption", "Footer", "Table Grid", "List Bullet"):
        if name in [s.name for s in doc.styles]:
            set_font(doc.styles[name].element, fonts.text, fonts.latin)
    caption = doc.styles["Caption"]
    caption.font.size = Pt(SIZES["五号"])
    caption.font.bold = False
    caption.font.italic = False
    caption.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.first_line_indent = Pt(0)
    return doc


def style_heading(doc: DocxDocument, name: str, face: str, latin: str, size_pt: float) -> None:
    """Black, unitalicised heading in the named face; keeps its outline level."""
    style = doc.styles[name]
    set_font(style.element, face, latin)
    style.font.size = Pt(size_pt)
    style.font.bold = name != "Heading 2"  # 楷体 is not set bold in office print
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    fmt = style.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.keep_with_next = True
    fmt.space_before = Pt(size_pt * 0.8)
    fmt.space_after = Pt(size_pt * 0.5)
    if name in ("Title", "Heading 1"):
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The default template draws a rule under Title; an office title has none.
    ppr = style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)


def _field(paragraph: Paragraph, instruction: str, placeholder: str = "1") -> None:
    """A complex field (PAGE, TOC...) Word and LibreOffice update when they lay out."""
    _field_start(paragraph, instruction)
    paragraph.add_run(placeholder)
    _field_end(paragraph)


def page_number_footer(
    doc: DocxDocument, fonts: Fonts = DEFAULT_FONTS, size_pt: float = 14
) -> None:
    """ "— 1 —" footers at the outer edge: right on odd pages, left on even pages.

    Every later section inherits them (python-docx links new footers to the
    previous section's).
    """
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.alignment = align
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.add_run("— ")
        _field(paragraph, "PAGE")
        paragraph.add_run(" —")
        for run in paragraph.runs:
            set_font(run._r, fonts.text, fonts.latin)
            run.font.size = Pt(size_pt)


def page_numbering(section, fmt: str = "decimal", start: int | None = None) -> None:
    """Number the section's pages as `fmt` ("decimal", "lowerRoman"), restarting at `start`."""
    sect = section._sectPr
    pg = sect.find(qn("w:pgNumType"))
    if pg is None:
        pg = OxmlElement("w:pgNumType")
        sect.append(pg)
    pg.set(qn("w:fmt"), fmt)
    if start is not None:
        pg.set(qn("w:start"), str(start))


def new_section(doc: DocxDocument, odd_page: bool = False):
    """Start a section on a new page (or the next odd page), same page layout."""
    section = doc.add_section(WD_SECTION.ODD_PAGE if odd_page else WD_SECTION.NEW_PAGE)
    # python-docx copies the previous sectPr: a cover's "different first page"
    # would otherwise take the page number off the first page of every section.
    section.different_first_page_header_footer = False
    # ...and a copied w:pgNumType w:start would restart the numbering at every section.
    numbering = section._sectPr.find(qn("w:pgNumType"))
    if numbering is not None:
        numbering.attrib.pop(qn("w:start"), None)
    return section


def heading(doc: DocxDocument, text: str, level: int, fonts: Fonts = DEFAULT_FONTS) -> Paragraph:
    """A paragraph in Word's "Heading N" style, its runs naming the style's faces too."""
    paragraph = doc.add_heading(level=level)
    face = fonts.heading2 if level == 2 else fonts.heading
    run = paragraph.add_run(text)
    set_font(run._r, face, fonts.latin)
    return paragraph


def paragraph(
    doc: DocxDocument,
    text: str,
    fonts: Fonts = DEFAULT_FONTS,
    style: str | None = None,
    **run_format,
) -> Paragraph:
    """A paragraph whose run names the East Asian face (WPS reads runs before styles)."""
    p = doc.add_paragraph(style=style)
    r = p.add_run(text)
    set_font(r._r, fonts.text, fonts.latin)
    for key, value in run_format.items():
        setattr(r.font, key, value)
    return p


def toc(
    doc: DocxDocument,
    levels: str = "1-2",
    placeholder: str = "（右键单击此处，选择“更新域”生成目录）",
    entries: Sequence[tuple[int, str]] = (),
    fonts: Fonts = DEFAULT_FONTS,
) -> None:
    """A TOC field over the heading styles; Word fills in page numbers when it updates fields.

    `entries` ((level, text) pairs) are written as the field's current result, so
    the contents read right before any update (LibreOffice converts without one).
    """
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(0)
    if not entries:
        _field(p, f'TOC \\o "{levels}" \\h \\z \\u', placeholder)
    else:
        _field_start(p, f'TOC \\o "{levels}" \\h \\z \\u')
        for i, (level, text) in enumerate(entries):
            q = p if i == 0 else doc.add_paragraph()
            q.paragraph_format.first_line_indent = Pt(0)
            q.paragraph_format.left_indent = Pt(21 * (level - 1))
            r = q.add_run(text)
            set_font(r._r, fonts.heading if level == 1 else fonts.text, fonts.latin)
            r.font.bold = level == 1
        _field_end(q)
    doc.settings.element.append(_update_fields())


def _field_start(paragraph: Paragraph, instruction: str) -> None:
    for kind, text in (("begin", None), (None, instruction), ("separate", None)):
        run = paragraph.add_run()
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            if kind == "begin":
                element.set(qn("w:dirty"), "true")
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        run._r.append(element)


def _field_end(paragraph: Paragraph) -> None:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(element)


def _update_fields():
    element = OxmlElement("w:updateFields")
    element.set(qn("w:val"), "true")
    return element


def table(
    doc: DocxDocument,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    fonts: Fonts = DEFAULT_FONTS,
    widths_mm: Sequence[float] | None = None,
    size_pt: float = SIZES["五号"],
) -> Table:
    """A real Word table with a repeated, bold header row and every cell's font named."""
    t = doc.add_table(rows=1, cols=len(header))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    trpr = t.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    for cell, text in zip(t.rows[0].cells, header, strict=True):
        _cell_text(cell, text, fonts, size_pt, bold=True)
    for row in rows:
        cells = t.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _cell_text(cell, text, fonts, size_pt)
    if widths_mm:
        set_widths(t, widths_mm)
    return t


def set_widths(t: Table, widths_mm: Sequence[float]) -> None:
    """Fixed column widths in all three places layout engines read them.

    Word reads the cells' w:tcW; LibreOffice and WPS lay out by the table grid
    (w:gridCol) and w:tblW, and without w:tblLayout="fixed" Word re-fits the
    columns to their content.
    """
    t.autofit = False  # w:tblLayout w:type="fixed"
    for column, width in zip(t.columns, widths_mm, strict=True):
        column.width = Mm(width)  # w:gridCol
    for row in t.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)  # w:tcW
    tbl_w = t._tbl.tblPr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        t._tbl.tblPr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(sum(round(Mm(w).twips) for w in widths_mm)))


def _cell_text(cell, text: str, fonts: Fonts, size_pt: float, bold: bool = False) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing = 1.15
    r = p.add_run(text)
    set_font(r._r, fonts.heading if bold else fonts.text, fonts.latin)
    r.font.size = Pt(size_pt)
    r.font.bold = bold


def picture(
    doc: DocxDocument,
    image: Path | bytes,
    width_mm: float,
    caption: str = "",
    fonts: Fonts = DEFAULT_FONTS,
    max_px: int = 1600,
) -> Paragraph:
    """A centred picture, downscaled to at most `max_px` on its long side, with a caption.

    A camera's 4000-pixel photo would make a case library's .docx hundreds of
    megabytes; 1600 pixels at 150 mm are ~270 dpi, more than print needs.
    """
    data = downscale(image, max_px)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.keep_with_next = bool(caption)
    p.add_run().add_picture(io.BytesIO(data), width=Mm(width_mm))
    if caption:
        c = doc.add_paragraph(style="Caption")
        r = c.add_run(caption)
        set_font(r._r, fonts.text, fonts.latin)
    return p


def downscale(image: Path | bytes, max_px: int) -> bytes:
    """JPEG (photos) or PNG (with transparency) bytes no larger than max_px on a side."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(image) if isinstance(image, bytes) else image) as im:
        im = ImageOps.exif_transpose(im)
        im.thumbnail((max_px, max_px))
        out = io.BytesIO()
        alpha = im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info)
        if alpha:
            im.save(out, "PNG", optimize=True)
        else:
            im.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
        return out.getvalue()
