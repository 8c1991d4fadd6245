"""The shared Word helpers, checked by reading the saved .docx back with python-docx."""

from __future__ import annotations

import functools
import io
import os
import zipfile
from datetime import date

import docx
from docx.oxml.ns import qn
from PIL import Image

from dangjian import office, office_save

BUILT = date(2026, 3, 5)


def _used_styles(document) -> set[str]:
    names = {p.style.name for p in document.paragraphs}
    for t in document.tables:
        names.add(t.style.name)
        for row in t.rows:
            for cell in row.cells:
                names.update(p.style.name for p in cell.paragraphs)
    return names


@functools.cache
def _camera_photo() -> bytes:
    """A photo larger than the Word helpers keep (encoded once for the module)."""
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def _sample(path, fonts=office.DEFAULT_FONTS):
    doc = office.new_document(fonts)
    office.page_number_footer(doc, fonts)
    office.heading(doc, "第一章 党建品牌", 1, fonts)
    office.heading(doc, "一、品牌内涵", 2, fonts)
    office.paragraph(doc, "以支部建设为抓手，推动业务工作提质增效。", fonts)
    office.table(doc, ["指标", "数值"], [["服务企业", "1,200家"], ["办结率", "99.5%"]], fonts)
    photo = path.parent / "photo.jpg"
    photo.write_bytes(_camera_photo())
    office.picture(doc, photo, 120, "支部主题党日活动", fonts)
    office.table(doc, ["情况", "单位数", "单位"], [["尚无党建品牌", "2", "市财政局、市卫健委"]],
                 fonts, widths_mm=(36, 16, 108))  # fmt: skip
    return doc


def _write_sample(path, fonts=office.DEFAULT_FONTS, when=BUILT):
    office.save(_sample(path, fonts), path, when)


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
    t = document.tables[0]
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
            assert max(im.size) == 1600  # downscaled from 2400 pixels
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


def _effective_lang(document, style, attr: str) -> str | None:
    """The w:lang attribute a style resolves to: its own, its bases', else the defaults'."""
    while style is not None:
        rpr = style.element.find(qn("w:rPr"))
        lang = rpr.find(qn("w:lang")) if rpr is not None else None
        if lang is not None and lang.get(qn(attr)):
            return lang.get(qn(attr))
        style = style.base_style
    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    return lang.get(qn(attr)) if lang is not None else None


def test_east_asian_text_is_marked_simplified_chinese(tmp_path):
    target = tmp_path / "sample.docx"
    _write_sample(target)
    document = docx.Document(str(target))
    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert (lang.get(qn("w:eastAsia")), lang.get(qn("w:val"))) == ("zh-CN", "en-US")
    for name in _used_styles(document) | {"Heading 1", "Heading 2", "Title", "Caption"}:
        assert _effective_lang(document, document.styles[name], "w:eastAsia") == "zh-CN", name
    with zipfile.ZipFile(target) as z:
        styles = z.read("word/styles.xml").decode()
    assert 'w:eastAsia="en-US"' not in styles and 'w:eastAsia="ja-JP"' not in styles
    # w:lang sits where the schema puts it, after w:sz: Word rejects misordered rPr.
    rpr = document.styles["Heading 1"].element.rPr
    tags = [child.tag for child in rpr]
    assert tags.index(qn("w:lang")) > tags.index(qn("w:sz"))


def test_table_grid_and_width_follow_the_intended_columns(tmp_path):
    target = tmp_path / "sample.docx"
    _write_sample(target)
    document = docx.Document(str(target))
    plain, sized = document.tables
    grid = [round(col.width.mm) for col in sized.columns]  # w:gridCol
    assert grid == [36, 16, 108]
    for row in sized.rows:
        assert [round(c.width.mm) for c in row.cells] == [36, 16, 108]  # w:tcW
    tbl_pr = sized._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    assert tbl_w.get(qn("w:type")) == "dxa"
    assert round(int(tbl_w.get(qn("w:w"))) / 1440 * 25.4) == 160
    assert tbl_pr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    assert not sized.autofit
    assert plain.autofit  # a table without widths still fits its content


def test_same_input_and_date_give_the_same_bytes(tmp_path):
    first, second, later = (tmp_path / n for n in ("a.docx", "b.docx", "c.docx"))
    _write_sample(first)
    os.utime(tmp_path / "photo.jpg", (0, 0))  # the photo's own time must not matter
    _write_sample(second)
    _write_sample(later, when=date(2026, 3, 6))
    assert first.read_bytes() == second.read_bytes()
    assert later.read_bytes() != first.read_bytes()
    document = docx.Document(str(first))
    props = document.core_properties
    assert props.created.date() == props.modified.date() == BUILT
    assert props.last_printed.date() == BUILT and props.revision == 1
    with zipfile.ZipFile(first) as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_build_date_from_setting_epoch_or_today():
    assert office_save.build_date("2026-03") == date(2026, 3, 1)
    assert office_save.build_date("2026-03-05", "0") == date(2026, 3, 5)
    assert office_save.build_date("2026-02-30") == date(2026, 2, 1)
    assert office_save.build_date("", "1767225600") == date(2026, 1, 1)  # SOURCE_DATE_EPOCH
    assert office_save.build_date("", "not-a-number") == office_save.build_date("")


def test_page_numbers_restart_only_where_asked(tmp_path):
    doc = office.new_document()
    front = office.new_section(doc)
    office.page_numbering(front, "lowerRoman", 1)
    first = office.new_section(doc)
    office.page_numbering(first, "decimal", 1)
    office.new_section(doc)
    office.new_section(doc)
    target = tmp_path / "sections.docx"
    office.save(doc, target, BUILT)
    starts = [
        s._sectPr.find(qn("w:pgNumType")).get(qn("w:start"))
        if s._sectPr.find(qn("w:pgNumType")) is not None
        else None
        for s in docx.Document(str(target)).sections
    ]
    assert starts == [None, "1", "1", None, None]
