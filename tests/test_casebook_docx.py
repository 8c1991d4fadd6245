"""The Word edition of the casebook: read back with python-docx, converted by LibreOffice headless.

The sample library is exported through the real CLI once per module; LibreOffice
(Debian's libreoffice-writer-nogui) converts it to PDF, which poppler reads.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pdf_layout
import pytest
from libraries import casebook_cli
from PIL import Image

from dangjian import office

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "casebook"
ARTIFACTS = ROOT / "tests" / "artifacts" / "casebook"
PUBLISHED = [
    "红旗引领·项目先锋",
    "重点项目代办服务岗",
    "清源财政",
    "预算评审党员示范岗",
    "健康志愿服务岗",
]
DRAFTS = ["尚未定稿的草稿品牌", "草稿示范岗不应出现"]
CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = pytest.mark.slow


_cli = casebook_cli


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("casebook-docx")
    shutil.copytree(FIXTURE / "cases", root / "cases")
    return root


@pytest.fixture(scope="module")
def word(project: Path) -> Path:
    done = _cli(project, "--out", "out/汇编.docx")
    assert done.returncode == 0, done.stderr
    assert "已生成Word 版案例汇编" in done.stdout
    return project / "out" / "汇编.docx"


def _all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def test_every_published_title_as_a_heading_and_no_draft(word: Path) -> None:
    document = docx.Document(str(word))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == PUBLISHED  # registry order of units, one case each
    units = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert units == [
        "前言",
        "区发展和改革局",
        "区财政局",
        "区卫生健康委员会",
        "附录　各单位案例收录情况",
    ]
    text = _all_text(document)
    for draft in DRAFTS:
        assert draft not in text
    assert "（一）" in "".join(p.text for p in document.paragraphs if p.style.name == "Heading 4")


def test_east_asian_fonts_on_every_style_used_and_every_run(word: Path) -> None:
    document = docx.Document(str(word))
    used = {p.style.name for p in _paragraphs(document)}
    for name in used:
        style = document.styles[name]
        while style is not None and office.east_asian_font(style.element) is None:
            style = style.base_style
        assert style is not None, f"style {name} names no East Asian font"
    faces = set()
    for p in _paragraphs(document):
        for run in p.runs:
            if CJK.search(run.text):
                face = office.east_asian_font(run._r)
                assert face, f"run without an East Asian font: {run.text!r}"
                faces.add(face)
    assert faces == {"宋体", "黑体", "楷体"}
    assert office.east_asian_font(document.styles["Heading 4"].element) == "楷体"


def test_page_sections_footer_and_toc(word: Path) -> None:
    document = docx.Document(str(word))
    for section in document.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    # cover, front matter, one section per case, appendix
    assert len(document.sections) == 1 + 1 + len(PUBLISHED) + 1
    footer = document.sections[0].footer.paragraphs[0]
    assert footer.text == "— 1 —" and "PAGE" in footer._p.xml
    body = zipfile.ZipFile(word).read("word/document.xml").decode()
    assert 'TOC \\o "1-2"' in body
    assert '<w:pgNumType w:fmt="lowerRoman" w:start="1"/>' in body
    assert '<w:pgNumType w:fmt="decimal" w:start="1"/>' in body


def test_metrics_as_a_real_table_and_numbers_in_official_style(word: Path) -> None:
    document = docx.Document(str(word))
    metrics = [t for t in document.tables if t.rows[0].cells[0].text == "联系重点项目"]
    assert len(metrics) == 1
    values = [c.text for c in metrics[0].rows[1].cells]
    assert values == ["42个", "126件", "37.5%", "18,600万元"]
    text = _all_text(document)
    assert not re.search(r"[0-9] +[\u4e00-\u9fff]", text)
    appendix = document.tables[-1]
    rows = {r.cells[1].text: r.cells[5].text for r in appendix.rows[1:]}
    assert rows["区统计局"] == "未收录" and rows["区财政局"] == "已收录"


def test_photos_and_logos_downscaled_and_captioned(word: Path) -> None:
    document = docx.Document(str(word))
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert "党员联络员在重点项目现场了解施工进度" in captions
    with zipfile.ZipFile(word) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(media) == 5  # 3 photos, 2 logos
        for name in media:
            with z.open(name) as f, Image.open(f) as im:
                assert max(im.size) <= 1600, (name, im.size)


def test_filtered_word_edition_has_its_own_title(project: Path) -> None:
    done = _cli(project, "--unit", "czj", "--format", "docx", "--out", "out/czj.docx")
    assert done.returncode == 0, done.stderr
    document = docx.Document(str(project / "out" / "czj.docx"))
    assert document.core_properties.title == "区财政局案例选编"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["清源财政", "预算评审党员示范岗"]


def _fontconfig(tmp: Path) -> Path:
    """The system's fonts plus the aliases a Chinese Windows has: 宋体/黑体/楷体 -> installed faces."""
    aliases = {"宋体": "Noto Serif CJK SC", "黑体": "Noto Sans CJK SC", "楷体": "AR PL UKai CN"}
    rules = "".join(
        f'<match target="pattern"><test name="family"><string>{name}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{face}</string></edit></match>'
        for name, face in aliases.items()
    )
    conf = tmp / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf'
        f"</include>{rules}</fontconfig>",
        encoding="utf-8",
    )
    return conf


@pytest.fixture(scope="module")
def converted(word: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice missing: run bash scripts/setup.sh --test"
    tmp = tmp_path_factory.mktemp("lo")
    env = {"HOME": str(tmp), "PATH": "/usr/bin:/bin", "FONTCONFIG_FILE": str(_fontconfig(tmp))}
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
         "--convert-to", "pdf", "--outdir", str(tmp), str(word)],
        check=True, capture_output=True, timeout=600, env=env,
    )  # fmt: skip
    return tmp / (word.stem + ".pdf")


def test_libreoffice_shows_every_title_in_cjk_fonts(converted: Path) -> None:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(converted), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    flat = re.sub(r"\s+", "", text)
    for title in PUBLISHED:
        assert title in flat
    assert "党员联络员在重点项目现场了解施工进度" in flat
    assert "\ufffd" not in text  # no glyph without a character behind it
    fonts = subprocess.run(
        ["pdffonts", str(converted)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    names = {re.sub(r"^[A-Z]{6}\+", "", row.split()[0]) for row in fonts}
    assert any("NotoSerifCJK" in n.replace("-", "") for n in names), names
    assert any("NotoSansCJK" in n.replace("-", "") for n in names), names
    assert all(row.split()[-5] == "yes" for row in fonts)  # every font embedded
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", "3", "-l", "3", str(converted),
         str(ARTIFACTS / "word-case")], check=True,
    )  # fmt: skip


def test_two_exports_are_byte_identical_zh_cn_and_dated_by_the_print_date(
    word: Path, project: Path
) -> None:
    again = _cli(project, "--out", "out/汇编-再次.docx")
    assert again.returncode == 0, again.stderr
    assert (project / "out" / "汇编-再次.docx").read_bytes() == word.read_bytes()
    document = docx.Document(str(word))
    props = document.core_properties
    assert props.created.date().isoformat() == props.modified.date().isoformat() == "2025-11-01"
    styles = zipfile.ZipFile(word).read("word/styles.xml").decode()
    assert 'w:eastAsia="zh-CN"' in styles and 'w:eastAsia="en-US"' not in styles
    appendix = document.tables[-1]
    assert [round(c.width.mm) for c in appendix.columns] == [12, 56, 20, 20, 26, 20]
    assert not appendix.autofit


def test_libreoffice_lays_out_the_appendix_with_its_column_widths(converted: Path) -> None:
    header = ["序号", "单位", "党组织", "党建品牌", "党员示范岗", "本册收录"]
    xs = pdf_layout.header_columns(converted, header)
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    wanted = [w * 72 / 25.4 for w in (12, 56, 20, 20, 26)]  # mm -> pt
    for gap, width in zip(gaps, wanted, strict=True):
        assert abs(gap - width) < 4, (gaps, wanted)  # equal columns: 74 pt each


def test_libreoffice_uses_chinese_faces_only(converted: Path) -> None:
    pdf_layout.assert_chinese_faces_only(converted)


def test_libreoffice_numbers_the_pages_on_across_the_cases(converted: Path) -> None:
    pages = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(converted), "-"], capture_output=True, text=True,
        check=True,
    ).stdout.split("\f")  # fmt: skip
    numbers = [re.findall(r"—\s*(\d+)\s*—", page) for page in pages]
    decimal = [int(n[-1]) for n in numbers if n]
    # One case per section, each on a new page: the numbering restarts only once.
    assert decimal == list(range(1, len(decimal) + 1)), decimal
    assert len(decimal) > len(PUBLISHED)
