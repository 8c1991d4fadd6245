"""Low-level formatting of the Word documents: faces, language, sizes, page.

python-docx leaves the East Asian font to Word's theme and marks East Asian text
as en-US; these helpers name the faces explicitly and mark it zh-CN, so that
Word, WPS and LibreOffice show simplified-Chinese glyphs in the intended faces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

# GB/T 9704 (党政机关公文格式): top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
MARGINS_MM = (37, 35, 28, 26)  # top, bottom, left, right
# Points of the Chinese size names used in office documents.
SIZES = {"二号": 22, "三号": 16, "小三": 15, "四号": 14, "小四": 12, "五号": 10.5}
# w:lang as Word's simplified-Chinese template has it. python-docx's template says
# eastAsia="en-US", and LibreOffice, WPS and Word then take the Japanese glyph
# variants of the CJK fonts (and Japanese line breaking) for Chinese text.
LANG = {"w:val": "en-US", "w:eastAsia": "zh-CN", "w:bidi": "ar-SA"}
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath", "w:rPrChange")


@dataclass(frozen=True)
class Fonts:
    """Face names written into the document, as the reader's Word/WPS knows them."""

    text: str = "宋体"  # body: a 宋体-style serif (or 仿宋)
    heading: str = "黑体"  # first-level headings
    heading2: str = "楷体"  # second-level headings
    latin: str = "Times New Roman"  # digits and Latin letters


DEFAULT_FONTS = Fonts()


def set_font(element, east_asian: str, latin: str | None = None) -> None:
    """Name the faces on a style or a run (`style.element`, `run._r`, or their `rPr`).

    Sets w:eastAsia and ascii/hAnsi on w:rFonts and drops the theme attributes
    (asciiTheme, eastAsiaTheme...), which Word would otherwise prefer.
    """
    rpr = element if element.tag == qn("w:rPr") else element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    latin = latin or east_asian
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), latin)


def set_lang(rpr) -> None:
    """Give a w:rPr the simplified-Chinese w:lang (kept in schema order)."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        later = [rpr.find(qn(tag)) for tag in _AFTER_LANG]
        later = [e for e in later if e is not None]
        if later:
            later[0].addprevious(lang)
        else:
            rpr.append(lang)
    for name, value in LANG.items():
        lang.set(qn(name), value)


def chinese(doc: DocxDocument) -> None:
    """Mark East Asian text as zh-CN in the document defaults and every paragraph and
    character style (a style's own w:lang would otherwise win over the defaults)."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default.find(qn("w:rPr")) is None:
        rpr_default.append(OxmlElement("w:rPr"))
    set_lang(rpr_default.find(qn("w:rPr")))
    for style in doc.styles.element.findall(qn("w:style")):
        if style.get(qn("w:type")) in ("paragraph", "character", "table"):
            set_lang(style.get_or_add_rPr())


def east_asian_font(element) -> str | None:
    """The w:eastAsia face named on a style or run element, None when none is."""
    rpr = element if element.tag == qn("w:rPr") else element.find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def set_page(section, margins_mm: Sequence[float] = MARGINS_MM) -> None:
    """A4 portrait with the given (top, bottom, left, right) margins in millimetres."""
    section.page_width, section.page_height = Mm(210), Mm(297)
    top, bottom, left, right = margins_mm
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.footer_distance = Mm(max(bottom - 14, 10))
