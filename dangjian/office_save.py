"""Saving Word documents reproducibly: the same input and build date give the same bytes.

python-docx stamps the current time into docProps/core.xml and into every zip
entry; the site build is reproducible, so its documents must be too. Core
properties are dated from the build date passed in and every zip member gets
one fixed timestamp and mode. Files are written atomically: a failed save
never leaves half a file and never replaces a good document.
"""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

from docx.document import Document as DocxDocument

from .files import current_umask as current_umask  # re-exported for office
from .files import write_atomic

# The earliest time a zip entry can carry; used for every member.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def build_date(setting: str = "", epoch: str | None = None) -> date:
    """The date a document is dated by: "2026-03"/"2026-03-05" if set, else the build's day.

    The build's day is SOURCE_DATE_EPOCH's (reproducible builds) when `epoch`
    holds one, else today's in UTC: two exports on one day give the same bytes.
    """
    if setting:
        year, month, day = ([int(p) for p in setting.split("-")] + [1, 1])[:3]
        try:
            return date(year, month, day)
        except ValueError:  # "2026-02-30": the month is what the colophon prints
            return date(year, month, 1)
    day = time.gmtime(int(epoch) if epoch and epoch.isdigit() else None)
    return date(day.tm_year, day.tm_mon, day.tm_mday)


def date_properties(doc: DocxDocument, when: date, title: str = "", author: str = "") -> None:
    """Core properties (创建/修改/打印时间, revision) dated `when` at 00:00, title and author."""
    stamp = datetime(when.year, when.month, when.day)
    props = doc.core_properties
    if title:
        props.title = title
    if author:
        props.author = author
        props.last_modified_by = author
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1


def docx_bytes(doc: DocxDocument, when: date) -> bytes:
    """The document as .docx bytes, dated `when`, identical for identical content."""
    date_properties(doc, when)
    buf = io.BytesIO()
    doc.save(buf)
    return stable_zip(buf.getvalue())


def stable_zip(data: bytes) -> bytes:
    """The same zip, members in the same order, each dated 1980-01-01 with mode 0644."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            member.create_system = 3  # Unix: the same bytes whichever OS builds
            dst.writestr(member, src.read(info))
    return out.getvalue()


def save(doc: DocxDocument, target: Path, when: date) -> None:
    """Write `doc` to `target` reproducibly (see `docx_bytes`) and atomically."""
    write_atomic(Path(target), docx_bytes(doc, when))
