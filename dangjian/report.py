"""The coverage report (覆盖率情况通报): a one- or two-page A4 Word document.

`report_docx` is a pure function of the model and its coverage: the same
input gives the same bytes (office_save: fixed zip times, document dates set
to the as-of date). `to_pdf` lets LibreOffice lay the same document out as PDF.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

from . import office, office_save
from .coverage import Coverage, Ratio, units_needed
from .errors import UserError
from .files import write_atomic
from .model import Library

TITLE = "关于党建品牌和党员示范岗覆盖情况的通报"
# Tighter than GB/T 9704 so that the uncovered units still fit on the second page.
MARGINS_MM = (30, 28, 26, 24)


def _against(ratio: Ratio, target: float, needed: int) -> str:
    goal = f"{target * 100:g}%"
    return f"达到{goal}的目标" if ratio.ratio >= target else f"低于{goal}的目标，尚差{needed}个单位"


def summary_text(library: Library, coverage: Coverage) -> str:
    b, p, t = coverage.brand, coverage.post, coverage.target
    when = f"截至{coverage.as_of_text}，" if coverage.as_of else ""
    return (
        f"{when}{b.total}个在册单位中，{b.covered}个单位的直属党组织已有党建品牌，"
        f"品牌覆盖率{b.percent}，{_against(b, t, units_needed(b, t))}；"
        f"{p.covered}个单位已有党员示范岗，示范岗覆盖率{p.percent}，"
        f"{_against(p, t, units_needed(p, t))}。"
        f"案例库共发布党建品牌{len(library.brands)}个、党员示范岗{len(library.posts)}个。"
    )


def latest_year_text(library: Library, coverage: Coverage) -> tuple[str, str] | None:
    """(heading, sentence) on the newest year's new brands and posts; None without cases."""
    if not coverage.by_year:
        return None
    last = coverage.by_year[-1]
    brands = [c for c in library.brands if c.year == last.year]
    posts = [c for c in library.posts if c.year == last.year]
    parts = [f"{last.year}年新增党建品牌{last.new_brands}个、党员示范岗{last.new_posts}个"]
    named = [f"{c.unit.name}“{c.title}”" for c in brands + posts]
    text = parts[0] + ("：" + "，".join(named) + "。" if named else "。")
    text += (
        f"年末品牌覆盖率{last.brand.percent}、示范岗覆盖率{last.post.percent}"
        "（按案例所填年份推算）。"
    )
    return f"{last.year}年新增情况", text


def uncovered_groups(coverage: Coverage) -> list[tuple[str, list[str]]]:
    """(what is missing, unit names) for the three groups of units not fully covered."""
    groups = (
        ("品牌和示范岗均无", lambda u: not u.has_brand and not u.has_post),
        ("尚无党建品牌", lambda u: not u.has_brand and u.has_post),
        ("尚无党员示范岗", lambda u: u.has_brand and not u.has_post),
    )
    return [(label, [u.unit.name for u in coverage.units if test(u)]) for label, test in groups]


def build_document(library: Library, coverage: Coverage):
    """The python-docx Document of the report."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    fonts = office.DEFAULT_FONTS
    doc = office.new_document(fonts, body_pt=office.SIZES["小四"])
    office.set_page(doc.sections[0], MARGINS_MM)
    office.page_number_footer(doc, fonts, size_pt=office.SIZES["五号"] + 1.5)
    normal = doc.styles["Normal"].paragraph_format
    normal.line_spacing = 1.35

    title = doc.add_paragraph(style="Title")
    office.set_font(title.add_run(TITLE)._r, fonts.heading, fonts.latin)
    if coverage.as_of:
        p = office.paragraph(doc, f"（截至{coverage.as_of_text}）", fonts)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)

    def section(text: str) -> None:
        h = office.heading(doc, text, 1, fonts)
        h.alignment = WD_ALIGN_PARAGRAPH.LEFT
        h.paragraph_format.space_before = Pt(8)
        h.paragraph_format.space_after = Pt(4)

    section("一、总体情况")
    office.paragraph(doc, summary_text(library, coverage), fonts)

    section("二、按直属党组织类型")
    rows = [
        [t, str(b.total), f"{b.percent}（{b.fraction}）", f"{p.percent}（{p.fraction}）"]
        for t, b, p in coverage.by_org_type
    ]
    rows.append(
        [
            "合计",
            str(coverage.brand.total),
            f"{coverage.brand.percent}（{coverage.brand.fraction}）",
            f"{coverage.post.percent}（{coverage.post.fraction}）",
        ]
    )
    widths = (40, 22, 49, 49)
    office.table(
        doc, ["直属党组织类型", "单位数", "品牌覆盖率", "示范岗覆盖率"], rows, fonts, widths
    )

    number = 3
    latest = latest_year_text(library, coverage)
    if latest:
        section(f"三、{latest[0]}")
        office.paragraph(doc, latest[1], fonts)
        number = 4
    section(f"{'一二三四五'[number - 1]}、尚未覆盖的单位")
    groups = [(label, names) for label, names in uncovered_groups(coverage) if names]
    if groups:
        widths = (36, 16, 108)
        office.table(
            doc,
            ["情况", "单位数", "单位"],
            [[label, str(len(names)), "、".join(names)] for label, names in groups],
            fonts,
            widths_mm=widths,
            size_pt=office.SIZES["五号"],
        )
        note = office.paragraph(doc, "请以上单位对照投稿指南整理案例，经本单位审核后提交。", fonts)
        note.paragraph_format.space_before = Pt(6)
    else:
        office.paragraph(doc, "所有在册单位均已有党建品牌和党员示范岗。", fonts)

    closing = [library.settings.organization, coverage.as_of_text]
    for i, line in enumerate(filter(None, closing)):
        p = office.paragraph(doc, line, fonts)
        p.paragraph_format.space_before = Pt(18 if i == 0 else 0)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.first_line_indent = Pt(0)
    return doc


def report_docx(library: Library, coverage: Coverage) -> bytes:
    """`data/coverage-report.docx`: the same bytes for the same library and date."""
    doc = build_document(library, coverage)
    author = library.settings.organization or library.settings.site_name
    office_save.date_properties(doc, coverage.as_of or date(2000, 1, 1), TITLE, author)
    return office_save.docx_bytes(doc, coverage.as_of or date(2000, 1, 1))


# The faces a Chinese office document names (宋体, 黑体, 楷体, 仿宋 and their Windows
# names) mapped onto the free CJK fonts scripts/setup.sh installs; without this,
# fontconfig answers DejaVu for them and LibreOffice falls back glyph by glyph.
FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
{aliases}
</fontconfig>
"""
FACES = {
    ("宋体", "SimSun", "仿宋", "FangSong", "仿宋_GB2312"): ("Noto Serif CJK SC",),
    ("黑体", "SimHei"): ("Noto Sans CJK SC",),
    ("楷体", "KaiTi", "楷体_GB2312"): ("AR PL UKai CN", "Noto Serif CJK SC"),
}


def fontconfig_file() -> str:
    aliases = []
    for names, prefer in FACES.items():
        wanted = "".join(f"<family>{f}</family>" for f in prefer)
        for name in names:
            aliases.append(
                f'  <alias binding="strong"><family>{name}</family><prefer>{wanted}</prefer></alias>'
            )
    return FONTCONFIG.format(aliases="\n".join(aliases))


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(data: bytes, suffix: str, timeout: float = 180) -> bytes:
    """An office file (".docx", ".xlsx") laid out as PDF by LibreOffice in headless mode."""
    program = soffice()
    if program is None:
        raise UserError(
            "导出 PDF 需要 LibreOffice：请安装（Debian：apt-get install libreoffice-writer-nogui "
            "libreoffice-calc-nogui），或导出 .docx 后用 Word/WPS 另存为 PDF。",
            2,
        )
    with tempfile.TemporaryDirectory(prefix="dangjian-lo-") as tmp:
        folder = Path(tmp)
        source = folder / f"document{suffix}"
        source.write_bytes(data)
        profile = (folder / "profile").as_uri()  # a profile of its own: no clash with a running one
        fonts = folder / "fonts.conf"
        fonts.write_text(fontconfig_file(), encoding="utf-8")
        env = {**os.environ, "FONTCONFIG_FILE": str(fonts)}
        try:
            done = subprocess.run(
                [
                    program,
                    f"-env:UserInstallation={profile}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(folder),
                    str(source),
                ],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
            )
        except subprocess.TimeoutExpired as e:
            raise UserError(f"LibreOffice 转换 PDF 超时（{timeout:g} 秒）。", 2) from e
        pdf = folder / "document.pdf"
        if done.returncode != 0 or not pdf.is_file():
            detail = (done.stderr or done.stdout).strip()[-300:]
            raise UserError(f"LibreOffice 未能把文件转换为 PDF：{detail or '没有输出'}", 2)
        return pdf.read_bytes()


def write_report(library: Library, coverage: Coverage, out: Path) -> Path:
    """`report --out FILE`: .docx, or .pdf when the name says so; written atomically."""
    suffix = out.suffix.lower()
    if suffix not in (".docx", ".pdf"):
        raise UserError(f"输出文件须以 .docx 或 .pdf 结尾：{out}", 2)
    if not out.parent.is_dir():
        raise UserError(f"输出文件夹不存在：{out.parent}", 2)
    data = report_docx(library, coverage)
    if suffix == ".pdf":
        data = to_pdf(data, ".docx")
    write_atomic(out, data)
    return out
