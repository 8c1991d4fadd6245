"""The 台账 the upper-level committee asks for: `data/ledger.xlsx` and `data/units.csv`.

Pure functions from the model and its coverage to bytes. Same input, same
bytes: XlsxWriter dates its zip members 1980-01-01 and we set the document's
creation time to the as-of date. Every text cell goes through `cell_text`, so
a name such as "=1+1" or "@SUM(...)" never becomes a formula (OWASP's advice
on CSV injection), in Excel, WPS or LibreOffice. The one exception is the
审核人 column of the xlsx: handles like "@fgw-dangban" are checked by the units
schema and written as typed text cells, which no spreadsheet evaluates; the
CSV, which has no cell types, prefixes them like everything else.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from datetime import datetime, time

from .coverage import Coverage, UnitCoverage
from .model import Library

UNIT_COLUMNS = (
    "单位编号",
    "单位名称",
    "直属党组织",
    "组织类型",
    "党建品牌数",
    "党员示范岗数",
    "品牌已覆盖",
    "示范岗已覆盖",
    "审核人",
)
CASE_COLUMNS = (
    "案例编号",
    "类型",
    "单位编号",
    "单位名称",
    "所属党组织",
    "标题",
    "年份",
    "主题",
    "页面地址",
)
MISSING_COLUMNS = ("单位编号", "单位名称", "直属党组织", "组织类型", "尚缺", "审核人")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: object) -> str:
    """Text that no spreadsheet reads as a formula: a leading = + - @ gets a quote (OWASP)."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _missing(u: UnitCoverage) -> str:
    return "、".join(
        label for label, has in (("党建品牌", u.has_brand), ("党员示范岗", u.has_post)) if not has
    )


def unit_rows(coverage: Coverage) -> list[list[object]]:
    return [
        [
            u.unit.id,
            u.unit.name,
            u.unit.org,
            u.unit.org_type,
            u.brands,
            u.posts,
            _yes(u.has_brand),
            _yes(u.has_post),
            " ".join(u.unit.reviewers),
        ]
        for u in coverage.units
    ]


def case_rows(library: Library) -> list[list[object]]:
    return [
        [
            c.id,
            c.kind_label,
            c.unit.id,
            c.unit.name,
            c.org_name,
            c.title,
            c.year,
            "、".join(c.themes),
            c.url,
        ]
        for c in library.published
    ]


def missing_rows(coverage: Coverage) -> list[list[object]]:
    return [
        [
            u.unit.id,
            u.unit.name,
            u.unit.org,
            u.unit.org_type,
            _missing(u),
            " ".join(u.unit.reviewers),
        ]
        for u in coverage.units
        if not (u.has_brand and u.has_post)
    ]


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def units_csv(coverage: Coverage) -> bytes:
    """`data/units.csv`: UTF-8 with BOM and CRLF, as Excel and WPS open it without asking."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([*UNIT_COLUMNS, "统计截至"])
    as_of = coverage.as_of.isoformat() if coverage.as_of else ""
    for row in unit_rows(coverage):
        writer.writerow([cell_text(v) if isinstance(v, str) else v for v in row] + [as_of])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def ledger_xlsx(library: Library, coverage: Coverage) -> bytes:
    """`data/ledger.xlsx`: sheets 单位, 案例 and 未覆盖, each under a dated title row."""
    import xlsxwriter  # only when a ledger is written

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    created = datetime.combine(coverage.as_of, time(0)) if coverage.as_of else datetime(2000, 1, 1)
    site = library.settings.site_name
    book.set_properties(
        {
            "title": f"{site} 台账",
            "author": library.settings.organization,
            "created": created,
            "comments": "由案例库自动生成",
        }
    )
    formats = {
        "title": book.add_format({"bold": True, "font_size": 14, "font_name": "宋体"}),
        "head": book.add_format(
            {
                "bold": True,
                "bg_color": "#F7EBEA",
                "border": 1,
                "font_name": "宋体",
                "text_wrap": True,
                "valign": "vcenter",
            }
        ),
        "cell": book.add_format({"border": 1, "font_name": "宋体", "valign": "top"}),
        "alert": book.add_format(
            {
                "border": 1,
                "font_name": "宋体",
                "valign": "top",
                "font_color": "#A8201A",
                "bold": True,
            }
        ),
    }
    when = f"（截至{coverage.as_of_text}）" if coverage.as_of else ""
    b, p = coverage.brand, coverage.post
    summary = (
        f"品牌覆盖率 {b.percent}（{b.fraction}），示范岗覆盖率 {p.percent}（{p.fraction}），"
        f"目标 {coverage.target * 100:g}%"
    )
    _sheet(
        book,
        formats,
        "单位",
        f"{site} 单位台账{when}　{summary}",
        UNIT_COLUMNS,
        unit_rows(coverage),
        alert_column=None,
    )
    _sheet(
        book,
        formats,
        "案例",
        f"{site} 已发布案例{when}　共 {len(library.published)} 个",
        CASE_COLUMNS,
        case_rows(library),
        alert_column=None,
    )
    _sheet(
        book,
        formats,
        "未覆盖",
        f"尚未覆盖的单位{when}　无品牌 {len(coverage.uncovered_brand)} 个，"
        f"无示范岗 {len(coverage.uncovered_post)} 个",
        MISSING_COLUMNS,
        missing_rows(coverage),
        alert_column=4,
    )
    book.close()
    return buf.getvalue()


RAW_COLUMNS = {"审核人"}  # schema-checked handles, kept as they are in the xlsx


def _sheet(
    book,
    formats: dict,
    name: str,
    title: str,
    columns: Sequence[str],
    rows: list[list[object]],
    alert_column: int | None,
) -> None:
    sheet = book.add_worksheet(name)
    sheet.write_string(0, 0, cell_text(title), formats["title"])
    sheet.set_row(0, 24)
    for col, head in enumerate(columns):
        sheet.write_string(1, col, head, formats["head"])
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row):
            fmt = formats["cell"]
            if col == alert_column and "、" in str(value):  # missing both
                fmt = formats["alert"]
            if isinstance(value, int):
                sheet.write_number(r, col, value, fmt)
            else:
                text = str(value) if columns[col] in RAW_COLUMNS else cell_text(value)
                sheet.write_string(r, col, text, fmt)
    for col, head in enumerate(columns):
        widest = max([display_width(head)] + [display_width(str(row[col])) for row in rows])
        sheet.set_column(col, col, min(max(widest + 2, 6), 60))
    sheet.freeze_panes(2, 0)
    sheet.autofilter(1, 0, 1 + len(rows), len(columns) - 1)
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(1)
