"""The 台账 and the 通报 as the demo build publishes them, opened by a real LibreOffice."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date

import pdf_layout
import pytest
from conftest import REPO, Built
from docx.oxml.ns import qn
from docx.shared import Pt

from dangjian import coverage as coverage_mod
from dangjian import ledger, office, report
from dangjian.publish import source_date_epoch

pytestmark = pytest.mark.slow
ARTIFACTS = REPO / "tests" / "artifacts" / "office"

needs_libreoffice = pytest.mark.skipif(
    report.soffice() is None, reason="LibreOffice 未安装（bash scripts/setup.sh --test）"
)


def _figures(demo_site: Built) -> dict:
    return json.loads((demo_site.site / "data" / "coverage.json").read_text("utf-8"))


def _pdf_facts(pdf: bytes, tmp_path, name: str) -> tuple[str, str, int]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return text, fonts, pages


def _assert_cjk_fonts_embedded(fonts: str) -> None:
    rows = fonts.splitlines()[2:]
    assert any("CJK" in r for r in rows), fonts
    for row in rows:
        assert " yes " in row, f"font not embedded: {row}"  # emb column


def test_build_publishes_the_office_files_dated_like_the_site(demo_site: Built):
    figures = _figures(demo_site)
    epoch = source_date_epoch(demo_site.project)
    assert figures["as_of"] == coverage_mod.as_of_date(epoch).isoformat()
    data = demo_site.site / "data"
    cov = coverage_mod.compute(demo_site.library, date.fromisoformat(figures["as_of"]))
    assert (data / "ledger.xlsx").read_bytes() == ledger.ledger_xlsx(demo_site.library, cov)
    assert (data / "units.csv").read_bytes() == ledger.units_csv(cov)
    assert (data / "coverage-report.docx").read_bytes() == report.report_docx(
        demo_site.library, cov)
    d = date.fromisoformat(figures["as_of"])
    stamp = f"{d.year}年{d.month}月{d.day}日"
    for page in ("index.html", "coverage/index.html", "units/fgw/index.html"):
        html = (demo_site.site / page).read_text("utf-8")
        assert f'<time datetime="{figures["as_of"]}">{stamp}</time>' in html, page
    home = (demo_site.site / "index.html").read_text("utf-8")
    for target in ("data/ledger.xlsx", "data/coverage-report.docx", "data/units.csv"):
        assert f'href="{target}"' in home
    assert "casebook.pdf" not in home  # not published with this site


@needs_libreoffice
def test_libreoffice_lays_out_the_report_on_two_pages_with_cjk_fonts(demo_site: Built, tmp_path):
    figures = _figures(demo_site)
    docx = (demo_site.site / "data" / "coverage-report.docx").read_bytes()
    text, fonts, pages = _pdf_facts(report.to_pdf(docx, ".docx"), tmp_path, "report")
    assert pages <= 2
    flat = re.sub(r"\s+", "", text)
    # a table row may run over the page break: drop the page number and the repeated header
    flat = re.sub(r"—\d+—", "", flat).replace("情况单位数单位", "")
    d = date.fromisoformat(figures["as_of"])
    assert f"截至{d.year}年{d.month}月{d.day}日" in flat
    assert "品牌覆盖率80.3%" in flat and "49个单位" in flat and "61个在册单位" in flat
    for unit in figures["units"]:
        if not (unit["brands"] and unit["posts"]):
            assert unit["name"] in flat, unit["name"]
    _assert_cjk_fonts_embedded(fonts)
    assert "\ufffd" not in text  # no missing glyph


@needs_libreoffice
def test_libreoffice_lays_out_the_report_tables_with_their_widths(demo_site: Built, tmp_path):
    docx = (demo_site.site / "data" / "coverage-report.docx").read_bytes()
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report.to_pdf(docx, ".docx"))
    pt = 72 / 25.4
    xs = pdf_layout.header_columns(pdf, ["直属党组织类型", "单位数", "品牌覆盖率", "示范岗覆盖率"])
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    for gap, width in zip(gaps, (40, 22, 49), strict=True):
        assert abs(gap - width * pt) < 4, gaps  # four equal columns would be 40 mm each
    first, count, names = pdf_layout.header_columns(pdf, ["情况", "单位数", "单位"])
    assert abs(count - first - 36 * pt) < 4 and abs(names - count - 16 * pt) < 4
    # The unit names fill a 108 mm column: lines run nearly its full width.
    widest = max(x1 - x0 for x0, _, x1, _ in pdf_layout.words(pdf) if abs(x0 - names) < 1)
    assert widest > 95 * pt, widest / pt
    pdf_layout.assert_chinese_faces_only(pdf)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", "1", "-l", "1", str(pdf),
                    str(ARTIFACTS / "report-page1")], check=True)  # fmt: skip


def _probe(tmp_path, name: str, east_asian_lang: str | None) -> tuple[set[str], bytes]:
    """A one-line document in the report's styles, converted by LibreOffice with the
    system's fonts only (no 宋体 alias, as on a plain Linux desktop): (fonts, page PNG)."""
    doc = office.new_document()
    if east_asian_lang:
        for lang in doc.styles.element.iter(qn("w:lang")):
            lang.set(qn("w:eastAsia"), east_asian_lang)
    office.paragraph(doc, "户门关对骨直角").runs[0].font.size = Pt(36)
    source = tmp_path / f"{name}.docx"
    office.save(doc, source, date(2026, 1, 1))
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [report.soffice(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path),
         str(source)], check=True, capture_output=True, timeout=300, env=env,
    )  # fmt: skip
    pdf = tmp_path / f"{name}.pdf"
    png = tmp_path / name
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(pdf), str(png)], check=True)
    return pdf_layout.font_names(pdf), png.with_suffix(".png").read_bytes()


@needs_libreoffice
def test_chinese_text_gets_simplified_glyphs_without_font_aliases(tmp_path):
    fonts, ours = _probe(tmp_path, "zh", None)
    template_fonts, template = _probe(tmp_path, "en", "en-US")  # python-docx's language
    _, japanese = _probe(tmp_path, "ja", "ja-JP")
    assert any(pdf_layout.CJK_FACE.search(n) and "UKai" not in n for n in fonts), fonts
    assert not [n for n in fonts if "UKai" in n], fonts  # 宋体 text is not set in a 楷体
    assert [n for n in template_fonts if "UKai" in n], template_fonts  # what en-US gave
    assert ours != japanese  # same faces, the Japanese glyph variants differ
    assert ours != template


@needs_libreoffice
def test_libreoffice_opens_the_ledger_with_every_unit(demo_site: Built, tmp_path):
    figures = _figures(demo_site)
    xlsx = (demo_site.site / "data" / "ledger.xlsx").read_bytes()
    text, fonts, pages = _pdf_facts(report.to_pdf(xlsx, ".xlsx"), tmp_path, "ledger")
    flat = re.sub(r"\s+", "", text)
    assert "单位台账" in flat and "80.3%（49/61）" in flat
    for unit in figures["units"]:
        assert unit["name"] in flat, unit["name"]
    assert "党员示范岗数" in flat and "已发布案例" in flat and "尚未覆盖的单位" in flat
    _assert_cjk_fonts_embedded(fonts)


def _cli(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build_cases.py"), *args], cwd=project,
                          capture_output=True, text=True, timeout=300)


def test_report_command_writes_the_docx_the_build_publishes(demo_site: Built, tmp_path):
    out = tmp_path / "通报.docx"
    done = _cli(demo_site.project, "report", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "已生成覆盖率情况通报" in done.stdout and str(out) in done.stdout
    assert out.read_bytes() == (demo_site.site / "data" / "coverage-report.docx").read_bytes()
    bad = _cli(demo_site.project, "report", "--out", str(tmp_path / "r.doc"))
    assert bad.returncode == 2 and "须以 .docx 或 .pdf 结尾" in bad.stderr
    assert "Traceback" not in bad.stderr


@needs_libreoffice
def test_report_command_writes_a_pdf_when_asked(demo_site: Built, tmp_path):
    out = tmp_path / "report.pdf"
    done = _cli(demo_site.project, "report", "--out", str(out))
    assert done.returncode == 0, done.stderr
    text, fonts, pages = _pdf_facts(out.read_bytes(), tmp_path, "cli")
    assert pages <= 2 and "覆盖情况的通报" in text.replace(" ", "")
    _assert_cjk_fonts_embedded(fonts)
