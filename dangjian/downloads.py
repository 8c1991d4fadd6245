"""The office files published with the site, registered in one place.

`data_files` turns the model and its coverage into the bytes of every
download (台账, CSV, 通报); `SiteLinks` says which of the optional pages and
files exist, so the pages link only to what is there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .coverage import Coverage
from .model import Library

LEDGER = "data/ledger.xlsx"
UNITS_CSV = "data/units.csv"
REPORT = "data/coverage-report.docx"
# Not generated: the admin exports the casebook there before building (docs/guide/admin.md).
CASEBOOK_PDF = "downloads/casebook.pdf"
GUIDE_INDEX = "guide/index.md"


@dataclass(frozen=True)
class Download:
    path: str  # site-relative
    label: str
    note: str


@dataclass(frozen=True)
class SiteLinks:
    """What the pages may link to besides the generated pages."""

    casebook_pdf: bool = False  # docs/downloads/casebook.pdf is published with the site
    guide: bool = False  # the 投稿指南 (docs/guide/) is part of the site

    def downloads(self) -> tuple[Download, ...]:
        out = [
            Download(LEDGER, "台账（Excel）", "单位、案例、未覆盖三张表"),
            Download(REPORT, "覆盖率情况通报（Word）", "可直接打印或修改后报送"),
            Download(UNITS_CSV, "单位明细（CSV）", "供其他系统导入"),
        ]
        if self.casebook_pdf:
            out.append(Download(CASEBOOK_PDF, "案例汇编（PDF）", "全部已发布案例的印刷版"))
        return tuple(out)


def site_links(docs: Path) -> SiteLinks:
    """What the hand-written part of docs/ holds: the casebook PDF, the 投稿指南."""
    return SiteLinks(
        casebook_pdf=(docs / CASEBOOK_PDF).is_file(), guide=(docs / GUIDE_INDEX).is_file()
    )


def data_files(library: Library, coverage: Coverage) -> dict[str, bytes]:
    """Every download the build writes, by docs-relative path."""
    from . import ledger, report  # XlsxWriter and python-docx load only for a build

    return {
        LEDGER: ledger.ledger_xlsx(library, coverage),
        UNITS_CSV: ledger.units_csv(coverage),
        REPORT: report.report_docx(library, coverage),
    }
