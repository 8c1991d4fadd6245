"""The shared Word helpers, checked by reading the saved .docx back with python-docx."""

from __future__ import annotations

import os
import zipfile

import docx
from docx.oxml.ns import qn
from PIL import Image

from dangjian import office


def _used_styles(document) -> set[str]:
    names = {p.style.name for p in document.paragraphs}
    for t in document.tables:
        names.add(t.style.name)
        for row in t.rows:
            for cell in row.cells:
                names.update(p.style.name for p in cell.paragraphs)
    return names


def _write_sample(path, fonts=office.DEFAULT_FONTS):
    doc = office.new_document(fonts)
    office.page_number_footer(doc, fonts)
    office.heading(doc, "第一章 党建品牌", 1, fonts)
    office.heading(doc, "一、品牌内涵", 2, fonts)
    office.paragraph(doc, "以支部建设为抓手，推动业务工作提质增效。", fonts)
    office.table(doc, ["指标", "数值"], [["服务企业", "1,200家"], ["办结率", "99.5%"]], fonts)
    photo = path.parent / "photo.jpg"
    Image.new("RGB", (4000, 3000), (200, 30, 30)).save(photo)
    office.picture(doc, photo, 120, "支部主题党日活动", fonts)
    office.save(doc, path)


def test_east_asian_fonts_on_every_style_used_and_every_run(tmp_path):
    target = tmp_path / "sample.docx"
    _write_sample(target)
    document = docx.Document(str(target))
    for name in _used_styles(document):
        style = document.styles[name]
        # The style itself or the style it is based on names the face.
        while style is not None and office.east_asian_font(style.element) is None:
            style = style.base_style
        assert style is not None, f"style {name} names no East Asian font"
    for p in document.paragraphs:
        for run in p.runs:
            if run.text.strip():
                assert office.east_asian_font(run._r) in {"宋体", "黑体", "楷体"}, run.text
    assert office.east_asian_font(document.styles["Heading 1"].element) == "黑体"
    assert office.east_asian_font(document.styles["Heading 2"].element) == "楷体"
    assert office.east_asian_font(document.styles["Normal"].element) == "宋体"
    fonts = document.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:asciiTheme")) is None  # a theme font would win over ours


def test_page_table_picture_and_footer(tmp_path):
    target = tmp_path / "sample.docx"
    _write_sample(target)
    document = docx.Document(str(target))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings == [("Heading 1", "第一章 党建品牌"), ("Heading 2", "一、品牌内涵")]
    [t] = document.tables
    assert [c.text for c in t.rows[1].cells] == ["服务企业", "1,200家"]
    assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    odd = section.footer.paragraphs[0]
    even = section.even_page_footer.paragraphs[0]
    assert odd.text.startswith("— ") and odd.text.endswith(" —")
    assert (odd.alignment, even.alignment) == (2, 0)  # right on odd pages, left on even
    assert "PAGE" in odd._p.xml
    assert document.settings.odd_and_even_pages_header_footer
    with zipfile.ZipFile(target) as z:
        [media] = [n for n in z.namelist() if n.startswith("word/media/")]
        with z.open(media) as f, Image.open(f) as im:
            assert max(im.size) == 1600  # downscaled from 4000 pixels
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions == ["支部主题党日活动"]


def test_save_is_atomic_and_honours_umask(tmp_path):
    target = tmp_path / "sample.docx"
    old = os.umask(0o002)
    try:
        _write_sample(target)
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o664
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
