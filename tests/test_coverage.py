"""Coverage figures, the 台账 and the 通报, read back as a user's office program would."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import date

import docx
import openpyxl
import pytest
from conftest import REPO, open_valid

from dangjian import coverage as coverage_mod
from dangjian import ledger, office, report
from dangjian.coverage import UnitCoverage
from dangjian.pages import coverage_json

AS_OF = date(2026, 3, 5)


@pytest.fixture(scope="module")
def demo():
    library = open_valid(REPO)
    return library, coverage_mod.compute(library, AS_OF)


@pytest.fixture(scope="module")
def figures(demo):
    return json.loads(coverage_json(demo[1]))


def test_as_of_is_the_beijing_day_of_the_build_date():
    # 2026-03-04 16:30 UTC is already 3月5日 in Beijing
    assert coverage_mod.as_of_date("1772641800") == date(2026, 3, 5)
    assert coverage_mod.as_of_date(1772582400) == date(2026, 3, 4)


def test_coverage_json_has_as_of_and_the_trend_by_year(demo, figures):
    library, _ = demo
    assert figures["as_of"] == "2026-03-05"
    assert figures["brand"] == {"covered": 49, "total": 61, "ratio": 0.8033}
    years = [y["year"] for y in figures["by_year"]]
    published = [c.year for c in library.published]
    assert years == list(range(min(published), max(published) + 1))
    last = figures["by_year"][-1]
    assert last["brand"] == figures["brand"] and last["post"] == figures["post"]
    # at the end of each year: units with a published brand of that year or before
    for entry in figures["by_year"]:
        units = {c.unit.id for c in library.brands if c.year <= entry["year"] and c.unit.active}
        assert entry["brand"]["covered"] == len(units)
        assert entry["new_brands"] == sum(1 for c in library.brands if c.year == entry["year"])
    covered = [y["brand"]["covered"] for y in figures["by_year"]]
    assert covered == sorted(covered)


def test_ledger_sheets_hold_every_unit_case_and_gap(demo, figures):
    library, cov = demo
    book = openpyxl.load_workbook(io.BytesIO(ledger.ledger_xlsx(library, cov)))
    assert book.sheetnames == ["单位", "案例", "未覆盖"]
    for sheet in book.worksheets:
        assert "截至2026年3月5日" in sheet["A1"].value
        assert sheet.freeze_panes == "A3"
        assert sheet.auto_filter.ref.startswith("A2:")
    units = book["单位"]
    assert "80.3%（49/61）" in units["A1"].value
    assert [c.value for c in units[2]] == list(ledger.UNIT_COLUMNS)
    rows = [[c.value for c in r] for r in units.iter_rows(min_row=3)]
    assert len(rows) == 61 == figures["brand"]["total"]
    by_id = {u["id"]: u for u in figures["units"]}
    for uid, _name, _org, _type, brands, posts, has_brand, has_post, _rev in rows:
        assert (brands, posts) == (by_id[uid]["brands"], by_id[uid]["posts"])
        assert has_brand == ("是" if brands else "否") and has_post == ("是" if posts else "否")
    assert sum(1 for r in rows if r[6] == "是") == 49
    assert sum(1 for r in rows if r[7] == "是") == figures["post"]["covered"]
    fgw = next(r for r in rows if r[0] == "fgw")
    assert fgw[8] == "@fgw-dangban @yunxi-jgdw"

    cases = [[c.value for c in r] for r in book["案例"].iter_rows(min_row=3)]
    assert len(cases) == 75 == len(library.published)
    assert {r[0] for r in cases} == {c.id for c in library.published}
    first = library.published[0]
    assert cases[0] == [first.id, first.kind_label, first.unit.id, first.unit.name,
                        first.org_name, first.title, first.year, "、".join(first.themes),
                        first.url]

    missing = [[c.value for c in r] for r in book["未覆盖"].iter_rows(min_row=3)]
    no_brand = {u["id"] for u in figures["units"] if not u["brands"]}
    no_post = {u["id"] for u in figures["units"] if not u["posts"]}
    assert {r[0] for r in missing} == no_brand | no_post
    assert {r[0] for r in missing if "党建品牌" in r[4]} == no_brand
    # column widths fit Chinese text: the widest unit name is not cut
    widest = max(ledger.display_width(r[1]) for r in rows)
    assert units.column_dimensions["B"].width >= widest


def test_ledger_and_csv_never_turn_a_name_into_a_formula(demo):
    library, cov = demo
    evil = ("=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2", "@SUM(A1)")
    units = tuple(
        UnitCoverage(dataclasses.replace(u.unit, name=name), u.brands, u.posts)
        for u, name in zip(cov.units, evil, strict=False)
    ) + cov.units[len(evil):]
    hostile = dataclasses.replace(cov, units=units)
    sheet = openpyxl.load_workbook(io.BytesIO(ledger.ledger_xlsx(library, hostile)))["单位"]
    for row, name in enumerate(evil, start=3):
        cell = sheet.cell(row, 2)
        assert cell.data_type == "s" and cell.value == "'" + name
    text = ledger.units_csv(hostile).decode("utf-8-sig")
    names = [r[1] for r in csv.reader(io.StringIO(text))][1:5]
    assert names == ["'" + n for n in evil]
    fgw = next(r for r in csv.reader(io.StringIO(text)) if r[0] == "fgw")
    assert fgw[8] == "'@fgw-dangban @yunxi-jgdw"  # CSV has no text type: prefixed too


def test_units_csv_opens_in_excel_as_utf8(demo, figures):
    data = ledger.units_csv(demo[1])
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == [*ledger.UNIT_COLUMNS, "统计截至"]
    assert len(rows) == 62
    assert all(r[-1] == "2026-03-05" for r in rows[1:])
    assert [r[0] for r in rows[1:]] == [u["id"] for u in figures["units"]]


def test_office_files_are_the_same_bytes_for_the_same_input(demo):
    library, cov = demo
    assert ledger.ledger_xlsx(library, cov) == ledger.ledger_xlsx(library, cov)
    assert report.report_docx(library, cov) == report.report_docx(library, cov)
    later = dataclasses.replace(cov, as_of=date(2026, 3, 6))
    assert report.report_docx(library, later) != report.report_docx(library, cov)


def _docx_text(data: bytes) -> tuple[docx.document.Document, str]:
    doc = docx.Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return doc, "\n".join(parts)


def test_report_states_every_figure_of_coverage_json(demo, figures):
    library, cov = demo
    doc, text = _docx_text(report.report_docx(library, cov))
    assert doc.paragraphs[0].text == report.TITLE
    assert "（截至2026年3月5日）" in text
    assert "61个在册单位中，49个单位" in text and "品牌覆盖率80.3%，达到80%的目标" in text
    assert "示范岗覆盖率34.4%，低于80%的目标，尚差28个单位" in text
    assert f"党建品牌{len(library.brands)}个、党员示范岗{len(library.posts)}个" in text
    for _type, b, p in cov.by_org_type:
        assert f"{b.percent}（{b.fraction}）" in text and f"{p.percent}（{p.fraction}）" in text
    last = figures["by_year"][-1]
    assert f"{last['year']}年新增党建品牌{last['new_brands']}个" in text
    uncovered = [u["name"] for u in figures["units"] if not (u["brands"] and u["posts"])]
    listed = doc.tables[1]
    names = "、".join(row.cells[2].text for row in listed.rows[1:]).split("、")
    assert sorted(names) == sorted(uncovered)
    counts = [int(row.cells[1].text) for row in listed.rows[1:]]
    assert sum(counts) == len(uncovered)


def test_report_names_the_east_asian_font_on_styles_and_runs(demo):
    doc, _ = _docx_text(report.report_docx(*demo))
    assert office.east_asian_font(doc.styles["Normal"].element) == "宋体"
    assert office.east_asian_font(doc.styles["Title"].element) == "黑体"
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells
             for p in c.paragraphs for r in p.runs]
    assert runs and all(office.east_asian_font(r._r) for r in runs)
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    lang = doc.styles.element.xpath("//w:docDefaults//w:lang")[0]
    assert lang.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "zh-CN"


def test_write_report_refuses_other_suffixes_and_missing_folders(demo, tmp_path):
    from dangjian.errors import UserError

    with pytest.raises(UserError, match=r"\.docx 或 \.pdf"):
        report.write_report(*demo, tmp_path / "r.txt")
    with pytest.raises(UserError, match="输出文件夹不存在"):
        report.write_report(*demo, tmp_path / "nope" / "r.docx")
    out = report.write_report(*demo, tmp_path / "r.docx")
    assert out.read_bytes() == report.report_docx(*demo)
    assert [p.name for p in tmp_path.iterdir()] == ["r.docx"]  # no temporary left behind


def test_pages_link_the_downloads_the_casebook_when_published_and_the_guide(tmp_path):
    from conftest import SMALL, make_project

    from dangjian.sitesource import site_source

    project = make_project(tmp_path / "project", SMALL / "cases")
    library = open_valid(project)
    files = site_source(project, library).pages
    for page, prefix in (("index.md", ""), ("coverage/index.md", "../")):
        assert f'href="{prefix}data/ledger.xlsx"' in files[page]
        assert f'href="{prefix}data/coverage-report.docx"' in files[page]
        assert "casebook.pdf" not in files[page]
    cov = coverage_mod.compute(library)
    gap = next(u for u in cov.units if not (u.has_brand and u.has_post))
    unit_page = files[f"units/{gap.unit.id}.md"]
    assert f"<code>{gap.unit.id}</code>" in unit_page
    assert all(f"<code>{b.id}</code>" in unit_page for b in gap.unit.branches)
    assert 'href="../../guide/"' in unit_page  # 如何提交案例
    full = next((u for u in cov.units if u.has_brand and u.has_post), None)
    if full is not None:
        assert "如何提交案例" not in files[f"units/{full.unit.id}.md"]

    (project / "docs" / "downloads").mkdir()
    (project / "docs" / "downloads" / "casebook.pdf").write_bytes(b"%PDF-1.7\n")
    files = site_source(project, library).pages
    assert 'href="downloads/casebook.pdf"' in files["index.md"]
    assert 'href="../downloads/casebook.pdf"' in files["coverage/index.md"]
