"""Casebook stage 4 for long books: the body in parts of whole units, merged into one PDF.

WeasyPrint keeps every laid-out page of a document until it writes it (about
0.7 MB a page), so a 2,000-page book in one document needs more memory than an
office PC can spare. Here the body is rendered a part at a time (whole units,
about CHUNK_CASES cases), each part written to its own PDF and its layout
dropped before the next; the arabic numbering continues across parts (each
part's CSS counter starts where the previous one stopped, on the same side of
the sheet). The cover and the front matter are rendered last, their contents
printed with the numbers the parts produced. pypdf then joins the files and
writes what spans them: the bookmarks, the PDF page labels (封面, roman front
matter, arabic body), the contents' links to each unit and case, and the
metadata of the front part. Books of at most CHUNK_CASES cases stay one document.
"""

from __future__ import annotations

import gc
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .casebook_html import PreparedBook, UnitGroup, render_part
from .casebook_pdf import page_labels, reported

CHUNK_CASES = 60  # about 120 pages of the synthetic book: ~100 MB of layout at a time
PT_PER_PX = 0.75  # WeasyPrint lays out in CSS px; PDF user space is in points


@dataclass(frozen=True)
class Anchor:
    part: int  # index of the PDF file (0 = the front part)
    page: int  # page index inside that file
    x: float  # PDF points from the bottom left
    y: float


@dataclass(frozen=True)
class Link:
    page: int  # page index in the front part
    target: str
    rect: tuple[float, float, float, float]  # PDF points


def chunks(groups: Sequence[UnitGroup], size: int) -> list[list[UnitGroup]]:
    """Whole units, in order, in runs of at most `size` cases (a larger unit goes alone)."""
    runs: list[list[UnitGroup]] = [[]]
    count = 0
    for group in groups:
        if runs[-1] and count + len(group.cases) > size:
            runs.append([])
            count = 0
        runs[-1].append(group)
        count += len(group.cases)
    return runs


def write_book(
    book: PreparedBook,
    target: Path,
    allowed: Sequence[Path],
    images: Path | None,
    size: int = CHUNK_CASES,
) -> None:
    """Write the whole book to `target` (not atomically: the caller renames it into place)."""
    runs = chunks(book.groups, size)
    if len(runs) == 1:
        with reported(allowed, images) as html:
            html(render_part(book)).write_pdf(target, finisher=page_labels)
        return
    with tempfile.TemporaryDirectory(prefix=".casebook-", dir=target.parent) as work:
        files, anchors, numbers = [], {}, {}
        start = 1
        for index, run in enumerate(runs, start=1):
            part = render_part(
                book, "body", run, first=index == 1, last=index == len(runs), body_start=start
            )
            path = Path(work) / f"body-{index:03d}.pdf"
            with reported(allowed, images) as html:
                document = html(part).render()
                for number, page in enumerate(document.pages):
                    for name, (x, y, _, _) in page.anchors.items():
                        anchors.setdefault(name, _anchor(index, number, x, y, page.height))
                        numbers.setdefault(name, start + number)
                document.write_pdf(path)
            start += len(document.pages)
            # The layout of this part goes before the next is made: its boxes hold
            # reference cycles, which only a full collection frees at once.
            del document, part
            gc.collect()
            files.append(path)
        front = Path(work) / "front.pdf"
        with reported(allowed, images) as html:
            document = html(render_part(book, "front", toc_pages=numbers)).render()
            links = _take_internal_links(document, anchors)
            document.write_pdf(front)
        merge(front, files, anchors, links, target)


def _anchor(part: int, page: int, x: float, y: float, height: float) -> Anchor:
    return Anchor(part, page, x * PT_PER_PX, (height - y) * PT_PER_PX)


def _take_internal_links(document, anchors: dict[str, Anchor]) -> list[Link]:
    """Remove the front part's internal links from the layout and return them.

    Their targets are in other parts (WeasyPrint would report them missing) or
    in this one; merge() writes them all with explicit destinations. The front
    part's own anchors are added to `anchors`.
    """
    links = []
    for number, page in enumerate(document.pages):
        for name, (x, y, _, _) in page.anchors.items():
            anchors.setdefault(name, _anchor(0, number, x, y, page.height))
        kept = []
        for link in page.links:
            kind, target, rect, _ = link
            if kind != "internal":
                kept.append(link)
                continue
            x1, y1, x2, y2 = (v * PT_PER_PX for v in rect)
            top = page.height * PT_PER_PX
            links.append(Link(number, target, (x1, top - y2, x2, top - y1)))
        page.links[:] = kept
    return links


def merge(
    front: Path, parts: Sequence[Path], anchors: dict[str, Anchor], links: list[Link], target: Path
) -> None:
    """Join the front part and the body parts into `target`, with what spans them."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Link as LinkAnnotation
    from pypdf.generic import Fit, NameObject, TextStringObject

    writer = PdfWriter()
    reader = PdfReader(front)
    writer.append(reader, import_outline=True)
    first_page = writer.pages[0]
    offsets = [0]
    roman_from = anchors["front"].page
    if len(writer.pages) % 2:
        # The body starts on a right-hand page: a blank verso, as WeasyPrint leaves.
        box = first_page.mediabox
        writer.add_blank_page(float(box.width), float(box.height))
    for path in parts:
        offsets.append(len(writer.pages))
        writer.append(path, import_outline=True)
    body_from = offsets[anchors["body"].part] + anchors["body"].page
    writer.set_page_label(0, roman_from - 1, prefix="封面")
    writer.set_page_label(roman_from, body_from - 1, style="/r", start=1)
    writer.set_page_label(body_from, len(writer.pages) - 1, style="/D", start=1)
    for link in links:
        if link.target not in anchors:
            continue
        to = anchors[link.target]
        annotation = LinkAnnotation(
            rect=link.rect,
            border=[0, 0, 0],
            target_page_index=offsets[to.part] + to.page,
            fit=Fit.xyz(left=to.x, top=to.y, zoom=0),
        )
        writer.add_annotation(link.page, annotation)
    info = reader.metadata or {}
    writer.add_metadata({key: TextStringObject(str(value)) for key, value in info.items()})
    if "/Lang" in reader.trailer["/Root"]:
        writer.root_object[NameObject("/Lang")] = reader.trailer["/Root"]["/Lang"]
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    with open(target, "wb") as out:
        writer.write(out)
