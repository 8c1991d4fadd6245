"""The printed casebook, checked the way a reader would check the PDF: with poppler.

The sample library (tests/fixtures/casebook/) is copied into a temporary
project and exported once per module through the real CLI; the filtered books
are exported once each. PNGs of the cover, the contents and a case page are
kept in tests/artifacts/casebook/ for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from libraries import casebook_cli

from dangjian import casebook, pipeline
from dangjian.casebook_fonts import check_fonts
from dangjian.errors import UserError
from dangjian.model import Library

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "casebook"
ARTIFACTS = ROOT / "tests" / "artifacts" / "casebook"

PUBLISHED = {
    "hongqi-yinling": "红旗引领·项目先锋",
    "xiangmu-daiban": "重点项目代办服务岗",
    "qingyuan-caizheng": "清源财政",
    "yusuan-pingshen": "预算评审党员示范岗",
    "jiankang-zhiyuan": "健康志愿服务岗",
}
DRAFTS = ["尚未定稿的草稿品牌", "草稿示范岗不应出现"]
FOOTER = re.compile(r"—\s*([0-9]+|[ivxlc]+)\s*—\s*$")
TOC_LINE = re.compile(
    r"^\s*(?:(?:品牌|示范岗)\s+)?(?P<title>\S.*?)\s{2,}(?P<page>[0-9]+|[ivxlc]+)\s*$"
)

pytestmark = pytest.mark.slow


@dataclass
class Book:
    path: Path
    pages: list[str]  # pdftotext -layout of each page, in order

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    def printed_number(self, index: int) -> str | None:
        """The page number printed in the footer of physical page `index` (0-based)."""
        lines = [line for line in self.pages[index].splitlines() if line.strip()]
        found = FOOTER.search(lines[-1]) if lines else None
        return found.group(1) if found else None

    def physical(self, printed: str) -> int:
        matches = [i for i in range(len(self.pages)) if self.printed_number(i) == printed]
        assert len(matches) == 1, f"printed page {printed!r} found on {matches}"
        return matches[0]

    def toc(self) -> dict[str, str]:
        """Title -> page number, as the table of contents prints them."""
        start = next(i for i, p in enumerate(self.pages) if re.search(r"^\s*目\s+录\s*$", p, re.M))
        entries = {}
        for index in range(start, len(self.pages)):
            if not (self.printed_number(index) or "").isalpha():
                break  # the contents are front matter: they end at the first unnumbered page
            for line in self.pages[index].splitlines():
                if m := TOC_LINE.match(line):
                    entries[m.group("title")] = m.group("page")
        return entries


def _flat(text: str) -> str:
    """Text with the line breaks and layout spaces of pdftotext -layout removed."""
    return re.sub(r"\s+", "", text)


def _run(*args: str | Path) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True)
    return done.stdout


def _read(path: Path) -> Book:
    text = _run("pdftotext", "-layout", "-enc", "UTF-8", path, "-")
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()  # pdftotext ends every page with a form feed
    return Book(path, pages)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("casebook-project")
    shutil.copytree(FIXTURE / "cases", root / "cases")
    return root


@pytest.fixture(scope="module")
def library(project: Path) -> Library:
    result = pipeline.open_library(project)
    assert result.diagnostics == []
    return result.library


@pytest.fixture(scope="module")
def book(project: Path) -> Book:
    """The whole casebook, exported the way a user does it."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "build_cases.py"), "casebook", "--out", "out/汇编.pdf"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "已生成案例汇编" in done.stdout
    return _read(project / "out" / "汇编.pdf")


def _export(library: Library, tmp: Path, name: str, **filters: list) -> Book:
    out = casebook.export_casebook(
        library,
        tmp / name,
        filters.get("units", []),
        filters.get("themes", []),
        filters.get("years", []),
    )
    return _read(out)


@pytest.fixture(scope="module")
def by_unit(library: Library, tmp_path_factory: pytest.TempPathFactory) -> Book:
    return _export(library, tmp_path_factory.mktemp("unit"), "czj.pdf", units=["czj"])


@pytest.fixture(scope="module")
def by_theme_and_year(library: Library, tmp_path_factory: pytest.TempPathFactory) -> Book:
    tmp = tmp_path_factory.mktemp("theme")
    return _export(library, tmp, "t.pdf", themes=["业务融合", "志愿服务"], years=[2021])


# ── the document ─────────────────────────────────────────────────────────────


def test_is_a4_with_one_text_page_per_physical_page(book: Book) -> None:
    info = _run("pdfinfo", book.path)
    assert re.search(r"^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info, re.M)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages == len(book.pages)
    # cover, blank, preface, blank, contents, blank, 7 body pages, appendix, colophon
    assert pages == 15
    assert re.search(r"^Title:\s+党建品牌与党员示范岗案例汇编$", info, re.M)


def test_fonts_are_the_named_cjk_faces_embedded_and_subset(book: Book) -> None:
    rows = _run("pdffonts", book.path).splitlines()[2:]
    assert rows
    families = set()
    for row in rows:
        name, rest = row.split(None, 1)
        assert "Type 3" not in rest, row
        emb, sub, uni = rest.split()[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        families.add(re.sub(r"^[A-Z]{6}\+", "", name).split("-CJK-SC")[0])
    # text in the serif face, headings in the sans face, second-level headings
    # in 楷体 (fonts-arphic-ukai), and no fallback font
    assert families == {"Noto-Serif", "Noto-Sans", "AR-PL-UKai-CN"}


def test_published_titles_present_drafts_absent(book: Book) -> None:
    for title in PUBLISHED.values():
        assert title in book.text
    for draft in DRAFTS:
        assert draft not in book.text
    # a unit without cases gets no opener, only its line in the appendix
    pages = [i for i, p in enumerate(book.pages) if "区统计局" in p]
    assert pages == [len(book.pages) - 2]
    assert re.search(r"区统计局\s+党支部\s+—\s+—\s+未收录", book.pages[-2])


def test_content_is_escaped_and_sanitized(book: Book) -> None:
    assert "（<审>字当头）" in book.text  # printed as written, not swallowed as a tag
    assert "alert" not in book.text  # a script in Markdown is dropped, not printed


def test_numbering_roman_front_matter_then_arabic_body_from_one(book: Book) -> None:
    numbers = [book.printed_number(i) for i in range(len(book.pages))]
    assert numbers[0] is None  # cover
    preface = next(i for i, p in enumerate(book.pages) if re.search(r"^\s*前\s+言\s*$", p, re.M))
    assert numbers[preface] == "i"
    first_unit = next(
        i for i, p in enumerate(book.pages) if "区发展和改革局" in p and i > preface + 2
    )
    assert numbers[first_unit] == "1"
    assert first_unit % 2 == 0  # physical page first_unit+1 is odd: a right-hand page
    body = numbers[first_unit:-1]  # the units, then the appendix
    assert body == [str(n) for n in range(1, len(body) + 1)]
    assert numbers[-1] is None  # the colophon carries no page number
    # blank pages before the preface, the contents and the body carry no number
    blanks = [i for i, p in enumerate(book.pages) if not p.strip()]
    assert blanks == [1, 3, 5]


def test_contents_page_numbers_are_where_each_case_starts(book: Book) -> None:
    toc = book.toc()
    assert set(PUBLISHED.values()) <= set(toc)
    assert toc["前言"] == "i"
    first_body = book.physical("1")
    for title in PUBLISHED.values():
        start = book.physical(toc[title])
        assert title in book.pages[start], f"{title} not on page {toc[title]}"
        earlier = [i for i in range(first_body, start) if title in book.pages[i]]
        assert earlier == [], f"{title} already on physical pages {earlier}"
    # units are listed at the page of their opener, in registry order
    units = ["区发展和改革局", "区财政局", "区卫生健康委员会"]
    assert [int(toc[u]) for u in units] == sorted(int(toc[u]) for u in units)
    for unit in units:
        assert unit in book.pages[book.physical(toc[unit])]


def test_running_header_names_the_unit_on_following_pages(book: Book) -> None:
    toc = book.toc()
    second = book.physical(str(int(toc["红旗引领·项目先锋"]) + 1))
    first_line = next(line for line in book.pages[second].splitlines() if line.strip())
    assert first_line.strip() == "区发展和改革局"
    # and not on the opener page, which already shows the unit name in large type
    opener = book.pages[book.physical(toc["区财政局"])]
    first_line = next(line for line in opener.splitlines() if line.strip())
    assert first_line.replace(" ", "") == "党支部"  # letter-spaced org type


def test_bookmarks_follow_units_and_cases(book: Book) -> None:
    xml = _run("pdftohtml", "-xml", "-i", "-stdout", "-q", book.path)
    items = re.findall(r'<item page="(\d+)">([^<]+)</item>', xml)
    labels = [label for _, label in items]
    assert labels == [
        "前言",
        "目录",
        "区发展和改革局",
        "红旗引领·项目先锋",
        "重点项目代办服务岗",
        "区财政局",
        "清源财政",
        "预算评审党员示范岗",
        "区卫生健康委员会",
        "健康志愿服务岗",
        "附录",
    ]
    toc = book.toc()
    pages = dict((label, int(page)) for page, label in items)
    for title in PUBLISHED.values():
        assert pages[title] == book.physical(toc[title]) + 1


def test_photos_and_logos_downscaled_with_captions(book: Book) -> None:
    rows = _run("pdfimages", "-list", book.path).splitlines()[2:]
    sizes = sorted((int(r.split()[3]), int(r.split()[4])) for r in rows if r.split()[2] == "image")
    # 3 photos and 2 logos; the 3000×2000 source came down to the print box
    assert len(sizes) == 5
    assert (1800, 1200) in sizes and all(w <= 1800 and h <= 2400 for w, h in sizes)
    assert "党员联络员在重点项目现场了解施工进度" in book.text
    assert "每月项目现场协调会" in book.text


def test_metrics_table_and_post_layout(book: Book) -> None:
    # figures read across: labels over values, with the office's number format
    assert re.search(r"联系重点项目\s+协调解决问题\s+平均审批时间缩短\s+带动完成投资", book.text)
    # no space between numeral and unit; five digits and more grouped by threes
    assert re.search(r"42个\s+126件\s+37\.5%\s+18,600万元", book.text)
    post = book.pages[book.physical(book.toc()["重点项目代办服务岗"])]
    assert "共产党员示范岗" in post and "第三批" in post
    assert re.search(r"在岗党员\s+周晓燕\s+陈立新\s+马骏", post)


def test_cover_and_preface_come_from_settings(book: Book) -> None:
    cover = book.pages[0].replace(" ", "")  # the cover is letter-spaced
    for text in (
        "党建品牌与党员示范岗案例汇编",
        "2025年度",
        "中共测试区委区直机关工作委员会",
        "二〇二五年",
    ):
        assert text in cover
    assert "草稿不收录" in book.text  # the preface's Markdown, rendered


def test_html_names_its_fonts_and_language(library: Library, project: Path) -> None:
    from dangjian.renditions import ImagePipeline

    selection = casebook.select(library, [], [], [])
    fonts = check_fonts()
    html = casebook.render_html(
        library, selection, ImagePipeline(project / ".cache" / "images"), fonts
    )
    assert '<html lang="zh-CN">' in html
    families = set(re.findall(r"font-family:\s*([^;]+);", html))
    assert families == {  # no generic fallback
        '"Noto Serif CJK SC"',
        '"Noto Sans CJK SC"',
        '"AR PL UKai CN", "Noto Sans CJK SC"',
    }


def test_png_renders_kept_for_review(book: Book) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    toc_page = book.physical("iii") + 1
    first_case = book.physical("1") + 1
    pages = (("cover", 1), ("contents", toc_page), ("case", first_case),
             ("appendix", len(book.pages) - 1), ("colophon", len(book.pages)))  # fmt: skip
    for name, page in pages:
        target = ARTIFACTS / name
        _run(
            "pdftoppm", "-r", "60", "-png", "-singlefile", "-f", page, "-l", page, book.path, target
        )
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 5_000


def test_contents_over_several_pages_still_point_at_each_case(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE / "cases", tmp_path / "cases")
    titles = []
    for n in range(48):
        unit = ("fgw", "czj", "wjw")[n % 3]
        title = f"第{n + 1}号测试示范岗"
        titles.append(title)
        (tmp_path / "cases" / unit / f"shifan-{n:02d}.yaml").write_text(
            f"kind: post\ntitle: {title}\nholders: [张明]\nduties: 负责窗口服务。\n"
            "commitments: [当日答复]\nthemes: [为民服务]\nyear: 2024\n",
            encoding="utf-8",
        )
    result = pipeline.open_library(tmp_path)
    assert result.diagnostics == []
    book = _export(result.library, tmp_path, "many.pdf", years=[2024])
    toc = book.toc()
    # the contents run over more than one page: the last entry is on the next one
    last = next(i for i, p in enumerate(book.pages) if "第48号测试示范岗" in p)
    first = next(i for i, p in enumerate(book.pages) if re.search(r"^\s*目\s+录\s*$", p, re.M))
    assert last > first and book.printed_number(last) == "iv"
    # 48 posts + the 2024 post of czj, 3 units, preface, appendix
    assert len(toc) == 48 + 3 + 2 + 1
    for title in titles:
        assert title in book.pages[book.physical(toc[title])], title


# ── filters ──────────────────────────────────────────────────────────────────


def test_unit_filter_narrows_the_book(book: Book, by_unit: Book) -> None:
    assert "清源财政" in by_unit.text and "预算评审党员示范岗" in by_unit.text
    for title in ("红旗引领·项目先锋", "重点项目代办服务岗", "健康志愿服务岗"):
        assert title not in by_unit.text
    # its own title on the cover and in the PDF, its own preface
    assert "区财政局案例选编" in by_unit.pages[0]
    assert re.search(r"^Title:\s+区财政局案例选编$", _run("pdfinfo", by_unit.path), re.M)
    assert "本册收录区财政局的党建品牌1个、党员示范岗1个" in _flat(by_unit.text)
    assert "本汇编用于检验" not in by_unit.text  # the whole book's preface is not its own
    assert len(by_unit.pages) < len(book.pages)
    toc = by_unit.toc()
    assert by_unit.physical(toc["清源财政"]) == by_unit.physical("1")


def test_theme_and_year_filters_combine(by_theme_and_year: Book) -> None:
    text = by_theme_and_year.text
    # 2021 cases with either theme: the brand (业务融合) and the volunteer post (志愿服务)
    assert "红旗引领·项目先锋" in text and "健康志愿服务岗" in text
    for title in ("重点项目代办服务岗", "清源财政", "预算评审党员示范岗"):
        assert title not in text
    assert "区财政局" not in "".join(by_theme_and_year.pages[:-2])  # only in the appendix
    assert "2021年度“业务融合”、“志愿服务”主题案例选编" in _flat(by_theme_and_year.pages[0])
    assert "本册收录2021年度创建或命名，主题为“业务融合”、“志愿服务”的" in _flat(text)


# ── refusals ─────────────────────────────────────────────────────────────────


def test_unknown_unit_is_a_usage_error(library: Library, tmp_path: Path) -> None:
    with pytest.raises(UserError) as e:
        casebook.export_casebook(library, tmp_path / "x.pdf", ["czjj"], [], [])
    assert e.value.exit_code == 2
    assert e.value.message == (
        "未知的单位“czjj”，是否想写“czj”（--unit 取 cases/units.yaml 中单位的 id 或名称）。"
    )
    assert not (tmp_path / "x.pdf").exists()


def test_unknown_theme_is_a_usage_error(library: Library, tmp_path: Path) -> None:
    with pytest.raises(UserError) as e:
        casebook.export_casebook(library, tmp_path / "x.pdf", [], ["为民服"], [])
    assert e.value.exit_code == 2
    assert e.value.message.startswith(
        "未知的主题“为民服”，是否想写“为民服务”（可用主题：政治建设、"
    )


def test_filters_selecting_nothing_refuse_and_keep_the_old_book(
    library: Library, tmp_path: Path
) -> None:
    out = tmp_path / "casebook.pdf"
    out.write_bytes(b"old book")
    with pytest.raises(UserError) as e:
        casebook.export_casebook(library, out, ["tjj"], [], [2020])
    assert e.value.exit_code == 1
    assert (
        e.value.message
        == "按所给条件（单位：区统计局；年份：2020）没有已发布的案例，未生成案例汇编。"
    )
    assert out.read_bytes() == b"old book"


def test_draft_only_selection_is_empty(library: Library, tmp_path: Path) -> None:
    # fgw has a 2024 draft brand and nothing published in 2024
    with pytest.raises(UserError) as e:
        casebook.export_casebook(library, tmp_path / "x.pdf", ["fgw"], [], [2024])
    assert e.value.exit_code == 1


def test_character_missing_from_fonts_names_file_field_and_character(
    tmp_path: Path,
) -> None:
    shutil.copytree(FIXTURE / "cases", tmp_path / "cases")
    case = tmp_path / "cases" / "czj" / "qingyuan-caizheng.yaml"
    text = case.read_text(encoding="utf-8")
    text = text.replace("把廉洁要求嵌入", "把廉洁要求😀嵌入").replace(
        "逐岗制定",
        "逐岗&#x1F3E6;制定",  # an entity in Markdown prints as the character
    )
    case.write_text(text, encoding="utf-8")
    result = pipeline.open_library(tmp_path)
    assert result.diagnostics == []
    out = tmp_path / "casebook.pdf"
    out.write_bytes(b"old book")
    with pytest.raises(UserError) as e:
        casebook.export_casebook(result.library, out, [], [], [])
    assert e.value.exit_code == 1
    assert e.value.message.splitlines() == [
        "案例汇编中有无法排印的字符：",
        "cases/czj/qingyuan-caizheng.yaml 品牌内涵(concept)：字符“😀”(U+1F600) 不在汇编字体 "
        "Noto Serif CJK SC 中，印出来会是空框；请删去或换成常用字符。",
        "cases/czj/qingyuan-caizheng.yaml 主要做法(practices) 第1项 内容(text)：字符“🏦”(U+1F3E6) "
        "不在汇编字体 Noto Serif CJK SC 中，印出来会是空框；请删去或换成常用字符。",
    ]
    assert out.read_bytes() == b"old book"


def test_notdef_glyph_in_the_render_is_an_error_and_keeps_the_old_book(tmp_path: Path) -> None:
    # Second line of defence: whatever reaches WeasyPrint without a glyph in any
    # installed font (here a private-use character) stops the export, and the
    # book already there stays as it was, with no temporary file left behind.
    html = (
        '<html lang="zh-CN"><body style="font-family: \'Noto Serif CJK SC\'">'
        "案例\U000f0001</body></html>"
    )
    target = tmp_path / "casebook.pdf"
    target.write_bytes(b"old book")
    with pytest.raises(UserError) as e:
        casebook.write_pdf(html, target, allowed=[tmp_path])
    assert e.value.exit_code == 1
    assert "U+F0001" in e.value.message
    assert target.read_bytes() == b"old book"
    assert [p.name for p in tmp_path.iterdir()] == ["casebook.pdf"]


def test_remote_resources_are_refused(tmp_path: Path) -> None:
    html = '<html><body><img src="http://example.invalid/x.png"></body></html>'
    with pytest.raises(UserError) as e:
        casebook.write_pdf(html, tmp_path / "x.pdf", allowed=[tmp_path])
    assert e.value.exit_code == 1
    assert "http://example.invalid/x.png" in e.value.message


def test_missing_font_family_is_an_environment_error(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real fontconfig that only knows DejaVu: the CJK families are not installed.
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>'
        f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    with pytest.raises(UserError) as e:
        casebook.export_casebook(library, tmp_path / "x.pdf", [], [], [])
    assert e.value.exit_code == 2
    assert e.value.message == (
        "缺少字体“Noto Serif CJK SC”，无法排印案例汇编：请安装 Debian 软件包 fonts-noto-cjk"
        "（sudo apt-get install fonts-noto-cjk，或运行 bash scripts/setup.sh）。"
    )
    assert not (tmp_path / "x.pdf").exists()


def test_cli_reports_unknown_unit_with_exit_2(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "build_cases.py"), "casebook", "--unit", "nope"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "错误：未知的单位“nope”" in done.stderr
    assert "检查通过" not in done.stdout  # no success line before the error
    assert "Traceback" not in done.stderr


# ── as an office prints it ───────────────────────────────────────────────────


def test_page_labels_roman_front_matter_arabic_body(book: Book) -> None:
    from libraries import inflate_pdf

    data = inflate_pdf(book.path.read_bytes())
    found = re.search(rb"/PageLabels <</Nums \[(.*?)\]>>", data, re.S)
    assert found, "no /PageLabels in the PDF"
    ranges = re.findall(rb"(\d+) <<([^>]*)>>", found.group(1))
    # "封面" (UTF-16) for cover and its verso, roman from the preface, arabic from the body
    cover = "封面".encode("utf-16-be").hex().encode()
    assert ranges == [(b"0", b"/P <feff" + cover), (b"2", b"/S /r/St 1"), (b"6", b"/S /D/St 1")]
    # ...and they agree with what is printed in the footers
    assert book.printed_number(2) == "i" and book.printed_number(6) == "1"


def test_labels_and_years_extract_unbroken(book: Book) -> None:
    plain = _run("pdftotext", "-enc", "UTF-8", book.path, "-")
    assert "党建品牌" in plain and "党员示范岗" in plain
    assert "2025年度" in plain  # the cover's subtitle, written "2025 年度" in settings
    assert "内部资料 注意保存" in plain


def test_no_numeral_space_chinese_in_the_book(book: Book) -> None:
    plain = _run("pdftotext", "-enc", "UTF-8", book.path, "-")
    offenders = re.findall(r".{0,6}[0-9][ \u00a0]+[\u4e00-\u9fff].{0,3}", plain)
    assert offenders == []


def test_preface_states_the_computed_figures_of_the_book(book: Book) -> None:
    preface = _flat(book.pages[2])
    # 5 published cases of 3 units; 4 active units, of which 3 have a brand? no:
    # fgw and czj have a brand (2 of 4 = 50.0%), fgw, czj and wjw a post (3 of 4 = 75.0%)
    assert "本册收录党建品牌2个、党员示范岗3个，来自3个单位" in preface
    assert "截至2025年11月，在册4个单位中，2个单位有党建品牌收录本册，覆盖率50.0%" in preface
    assert "3个单位有党员示范岗收录本册，覆盖率75.0%" in preface
    assert "另有1个单位暂无案例收录，均列于书末附录" in preface


def test_colophon_from_settings(book: Book) -> None:
    colophon = _flat(book.pages[-1])
    for text in (
        "书名党建品牌与党员示范岗案例汇编",
        "编印单位中共测试区委区直机关工作委员会",
        "印刷日期2025年11月",
        "印数300册",
        "准印证号测内资准字〔2025〕第007号",
        "内部资料注意保存",
    ):
        assert text in colophon


def test_page_numbers_at_the_outer_edge(book: Book) -> None:
    # odd (right-hand) pages: number at the right margin; even pages: at the left
    first = book.physical("1")
    for index in (first, first + 1):
        last = [line for line in book.pages[index].splitlines() if line.strip()][-1]
        indent = len(last) - len(last.lstrip())
        if index % 2 == 0:  # physical page index+1 is odd
            assert indent > 40, last
        else:
            assert indent < 5, last


def test_post_title_printed_once(book: Book) -> None:
    page = book.pages[book.physical(book.toc()["重点项目代办服务岗"])]
    assert page.count("重点项目代办服务岗") == 1


def test_pdf_honours_the_umask(library: Library, tmp_path: Path) -> None:
    import os

    old = os.umask(0o002)
    try:
        out = casebook.export_casebook(library, tmp_path / "u.pdf", ["czj"], [], [])
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o664


_cli = casebook_cli


@pytest.mark.parametrize("year", ["abc", "20240", "1800"])
def test_cli_bad_year_is_a_chinese_usage_error(project: Path, year: str) -> None:
    done = _cli(project, "--year", year)
    assert done.returncode == 2
    assert f"错误：--year 的值“{year}”不是有效的年份" in done.stderr
    assert "invalid" not in done.stderr and "检查通过" not in done.stdout


def test_cli_unit_by_name_and_unknown_suffix(project: Path) -> None:
    done = _cli(project, "--unit", "区财政局", "--out", "out/czj.pdf")
    assert done.returncode == 0, done.stderr
    assert "区财政局案例选编" in _run("pdftotext", project / "out" / "czj.pdf", "-")
    done = _cli(project, "--out", "out/x.txt")
    assert done.returncode == 2
    assert "错误：不支持的输出文件类型“x.txt”" in done.stderr
    done = _cli(project, "--format", "docx", "--out", "out/x.pdf")
    assert done.returncode == 2 and "--format docx 与输出文件“x.pdf”" in done.stderr
    assert not (project / "out" / "x.txt").exists() and not (project / "out" / "x.pdf").exists()


def test_cli_output_path_that_cannot_be_created(project: Path) -> None:
    (project / "blocker").write_text("a file, not a folder", encoding="utf-8")
    done = _cli(project, "--out", "blocker/sub/book.pdf")
    assert done.returncode == 2
    assert "错误：无法创建输出文件夹" in done.stderr and "blocker" in done.stderr
    assert "内部错误" not in done.stderr and "检查通过" not in done.stdout


# ── the demo book, read as a print editor would ──────────────────────────────


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    root = tmp_path_factory.mktemp("demo-casebook")
    shutil.copytree(ROOT / "cases", root / "cases")
    result = pipeline.open_library(root)
    assert result.diagnostics == []
    return _read(casebook.export_casebook(result.library, root / "demo.pdf", [], [], []))


def test_demo_book_has_no_near_empty_page(demo_book: Book) -> None:
    openers = {demo_book.physical(n) for t, n in demo_book.toc().items() if t.startswith("区")}
    sparse = []
    for index, page in enumerate(demo_book.pages):
        lines = [line for line in page.splitlines() if line.strip()]
        blank_verso = not lines
        if blank_verso or index == 0 or index in openers or index == len(demo_book.pages) - 1:
            continue  # blank versos, the cover, unit openers and the colophon are meant so
        if len(lines) < 5:
            sparse.append((demo_book.printed_number(index), [line.strip() for line in lines]))
    assert sparse == []


def test_demo_book_paragraphs_never_end_with_one_character_alone(demo_book: Book) -> None:
    # A runt: a line of the body holding a single character (the footer and
    # running header aside), e.g. the "。" or last character of a paragraph.
    runts = []
    for index, page in enumerate(demo_book.pages):
        for line in page.splitlines():
            text = line.strip()
            if len(text) == 1 and not text.isdigit():
                runts.append((demo_book.printed_number(index), line))
    assert runts == []


def test_demo_book_numbers_in_official_style(demo_book: Book) -> None:
    plain = _run("pdftotext", "-enc", "UTF-8", demo_book.path, "-")
    assert re.findall(r".{0,6}[0-9][ \u00a0]+[\u4e00-\u9fff].{0,3}", plain) == []
    # one thousands-separator rule: four-digit numbers never grouped
    assert re.findall(r"(?<![0-9,])[0-9],[0-9]{3}(?![0-9,])", plain) == []
    assert "覆盖率80.3%" in _flat(demo_book.text)  # 49 of 61 units, computed
