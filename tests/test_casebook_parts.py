"""A long casebook is rendered in parts and merged: the reader must not be able to tell.

The same library is exported as one WeasyPrint document and in parts of one or
two units (casebook_chunks), and the two PDFs are compared as a reader and a
PDF viewer see them: the text and layout of every page (page numbers at the
outer edge included), the bookmarks, the PDF page labels, where each link of
the contents leads, the metadata. The parts of the synthetic library start on
left- and right-hand pages both, so the side of the sheet is checked too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dangjian import pipeline
from dangjian.casebook import export_casebook
from dangjian.casebook_chunks import chunks
from dangjian.casebook_html import UnitGroup
from dangjian.model import Library, Unit

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "casebook"
ARTIFACTS = ROOT / "tests" / "artifacts" / "casebook-parts"


def _pages(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return text.split("\f")[:-1]


def _bookmarks(path: Path) -> list[tuple[str, str]]:
    import re

    xml = subprocess.run(
        ["pdftohtml", "-xml", "-i", "-stdout", "-q", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return re.findall(r'<item page="(\d+)">([^<]+)</item>', xml)


def _viewer(path: Path) -> dict:
    """What a PDF viewer reads besides the text: labels, link targets, metadata, language."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    links = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            dest = annotation.get("/Dest")
            if isinstance(dest, str):
                dest = reader.named_destinations[dest]
                target, top = reader.get_page_number(dest.page), dest.top
            else:
                target, top = reader.get_page_number(dest[0].get_object()), dest[3]
            x1, y1, x2, y2 = (round(float(v)) for v in annotation["/Rect"])
            rect = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
            links.append((number, rect, target, round(float(top))))
    info = {k: str(v) for k, v in (reader.metadata or {}).items()}
    return {
        "labels": list(reader.page_labels),
        "links": sorted(links),
        "info": info,
        "lang": str(reader.trailer["/Root"].get("/Lang")),
    }


def _export(library: Library, out: Path, chunk_cases: int) -> Path:
    return export_casebook(library, out, [], [], [], chunk_cases=chunk_cases)


def _assert_same_book(whole: Path, parts: Path) -> None:
    one, many = _pages(whole), _pages(parts)
    assert len(many) == len(one)
    for number, (a, b) in enumerate(zip(one, many, strict=True)):
        assert b == a, f"physical page {number + 1} differs"
    assert _bookmarks(parts) == _bookmarks(whole)
    assert _viewer(parts) == _viewer(whole)
    # and every page looks the same, pixel for pixel at 40 dpi
    from PIL import Image, ImageChops

    differ = []
    for number, (a, b) in enumerate(zip(_png(whole), _png(parts), strict=True)):
        with Image.open(a) as left, Image.open(b) as right:
            if ImageChops.difference(left.convert("RGB"), right.convert("RGB")).getbbox():
                differ.append(number + 1)
    assert differ == [], f"physical pages {differ} look different"


def _png(pdf: Path) -> list[Path]:
    """Every page of `pdf` as a PNG, kept in tests/artifacts/casebook-parts/ for review."""
    folder = ARTIFACTS / f"{pdf.parent.name}-{pdf.stem}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Library:
    root = tmp_path_factory.mktemp("parts-demo")
    shutil.copytree(FIXTURE / "cases", root / "cases")
    return pipeline.open_library(root).library


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """18 cases in 7 units, with logos and photos, from the casebook benchmark's generator."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from casebook_bench import build_library
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return build_library(tmp_path_factory.mktemp("parts-synthetic") / "cases", 18, 7, True)


@pytest.mark.slow
def test_demo_book_in_parts_reads_as_the_book_in_one(demo: Library, tmp_path: Path) -> None:
    whole = _export(demo, tmp_path / "whole.pdf", chunk_cases=1000)
    parts = _export(demo, tmp_path / "parts.pdf", chunk_cases=1)  # one unit a part
    _assert_same_book(whole, parts)
    # the contents link to each case and unit, as in the book made in one piece
    assert len(_viewer(parts)["links"]) >= 8
    # its later parts begin on right-hand (odd) pages
    starts = _part_starts(demo, whole, 1)
    assert len(starts) == 2 and all(n % 2 for n in starts)


@pytest.mark.slow
def test_parts_beginning_on_left_hand_pages(synthetic: Library, tmp_path: Path) -> None:
    whole = _export(synthetic, tmp_path / "whole.pdf", chunk_cases=1000)
    parts = _export(synthetic, tmp_path / "parts.pdf", chunk_cases=5)
    _assert_same_book(whole, parts)
    # the footers, running heads and margins of an even page, where a part begins
    starts = _part_starts(synthetic, whole, 5)
    assert len(starts) >= 3 and not any(n % 2 for n in starts)


def _part_starts(library: Library, whole: Path, size: int) -> list[int]:
    """The printed page numbers on which the second and later parts begin."""
    pages, labels = _pages(whole), _viewer(whole)["labels"]
    openers = [labels[i] for i, p in enumerate(pages) if "本单位收录" in p and labels[i].isdigit()]
    runs = chunks(_groups(library), size)
    assert len(openers) == sum(len(run) for run in runs)
    firsts = [sum(len(run) for run in runs[:k]) for k in range(1, len(runs))]
    return [int(openers[i]) for i in firsts]


@pytest.mark.slow
def test_book_in_parts_is_reproducible_across_folders(tmp_path: Path) -> None:
    copies = []
    for name in ("a", "b-other-folder"):
        root = tmp_path / name
        shutil.copytree(FIXTURE / "cases", root / "cases")
        library = pipeline.open_library(root).library
        copies.append(_export(library, root / "book.pdf", chunk_cases=1).read_bytes())
    assert copies[0] == copies[1]


def _groups(library: Library) -> list[UnitGroup]:
    by_unit: dict[str, list] = {}
    for case in library.cases:
        by_unit.setdefault(case.unit.id, []).append(case)
    return [UnitGroup(u, tuple(by_unit[u.id]), 0, 0) for u in library.units if u.id in by_unit]


def _unit(n: int) -> Unit:
    return Unit(id=f"u{n}", name=f"单位{n}", org="", org_type="党支部", branches=())


def test_parts_hold_whole_units_in_order() -> None:
    sizes = [3, 1, 4, 1, 5, 2, 6]
    groups = [UnitGroup(_unit(n), (None,) * size, 0, 0) for n, size in enumerate(sizes)]
    runs = chunks(groups, 5)
    assert [g for run in runs for g in run] == groups  # every unit once, in order
    assert [[len(g.cases) for g in run] for run in runs] == [[3, 1], [4, 1], [5], [2], [6]]
    # a unit larger than a part goes alone; a book that fits is one part
    assert chunks(groups, 100) == [groups]
