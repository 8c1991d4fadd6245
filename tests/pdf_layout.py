"""Where poppler finds the words of a PDF, and which fonts it embeds: for office-file tests."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

CJK_FACE = re.compile(r"NotoSerifCJK|NotoSansCJK|UKai")
# Besides the CJK faces: the Latin face standing in for Times New Roman (digits,
# Latin letters) and LibreOffice's OpenSymbol for list bullets.
OTHER_FACES = {"DejaVuSerif", "LiberationSerif", "OpenSymbol"}
JAPANESE_ONLY = re.compile(r"IPA|Takao|VL-?Gothic|Sazanami|Noto\w*JP")


def words(pdf: Path) -> list[tuple[float, float, float, str]]:
    """(xMin, yMin, xMax, text) of every word `pdftotext -bbox` finds, in points."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]+)</word>', html
    )
    return [(float(x0), float(y0), float(x1), text) for x0, y0, x1, text in found]


def header_columns(pdf: Path, header: list[str]) -> list[float]:
    """x positions (pt) of the cells of the first line that reads exactly `header`."""
    lines: dict[float, list[tuple[float, str]]] = {}
    for x0, y0, _, text in words(pdf):
        lines.setdefault(y0, []).append((x0, text))
    for line in lines.values():
        if [text for _, text in sorted(line)] == header:
            return [x for x, _ in sorted(line)]
    raise AssertionError(f"表头 {header} 未在 PDF 中找到")


def font_names(pdf: Path) -> set[str]:
    """The embedded fonts `pdffonts` lists, without their subset prefix."""
    rows = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    return {re.sub(r"^[A-Z]{6}\+", "", row.split()[0]) for row in rows}


def assert_chinese_faces_only(pdf: Path) -> None:
    """Chinese text in the Noto CJK / AR PL faces, no Japanese-only face.

    The Noto CJK collection shares one CFF named "...CJKjp" between its JP, SC,
    TC and KR faces, so "CJKjp" in a name says the collection, not the region.
    """
    names = font_names(pdf)
    assert any(CJK_FACE.search(n) for n in names), names
    assert {n for n in names if not CJK_FACE.search(n)} <= OTHER_FACES, names
    assert not [n for n in names if JAPANESE_ONLY.search(n)], names
