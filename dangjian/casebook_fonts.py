"""Casebook stage 2: the faces the book is set in, checked to exist, and every character checked.

Faces are named in settings (casebook.fonts), never left to fontconfig's taste:
a 宋体-style serif for text, 黑体 for headings, 楷体 for second-level headings
when one is installed. A character no face can draw stops the export, naming
the file and field, instead of printing as an empty box.
"""

from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .errors import EXIT_CONTENT, EXIT_USAGE, UserError
from .markdown import render_markdown, text_of
from .model import Brand, Case, Library, Post

TEXT_FAMILY = "Noto Serif CJK SC"
HEADING_FAMILY = "Noto Sans CJK SC"
KAI_FAMILY = "AR PL UKai CN"  # Debian fonts-arphic-ukai
FONT_PACKAGES = {TEXT_FAMILY: "fonts-noto-cjk", HEADING_FAMILY: "fonts-noto-cjk",
                 KAI_FAMILY: "fonts-arphic-ukai"}  # fmt: skip

# Characters that are never drawn as glyphs (format and control characters,
# line breaks): Pango renders them as empty, they cannot show as empty boxes.
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}


@dataclass(frozen=True)
class FontFace:
    family: str
    file: str
    index: int  # face index inside a .ttc collection


@dataclass(frozen=True)
class BookFonts:
    text: FontFace
    heading: FontFace
    heading2: FontFace  # the heading face itself when no 楷体 is installed or named

    @property
    def families(self) -> dict[str, str]:
        return {"text": self.text.family, "heading": self.heading.family,
                "heading2": self.heading2.family}  # fmt: skip


def check_fonts(named: dict[str, str] | None = None) -> BookFonts:
    """Find the families of settings' casebook.fonts through fontconfig, or raise UserError(2).

    A family named in settings must exist; the default 楷体 is optional.
    """
    named = named or {}
    text = _face(named.get("text", TEXT_FAMILY), "text")
    heading = _face(named.get("heading", HEADING_FAMILY), "heading")
    if "heading2" in named:
        heading2 = _face(named["heading2"], "heading2")
    else:
        heading2 = _face(KAI_FAMILY, "heading2", required=False) or heading
    return BookFonts(text, heading, heading2)


def _face(family: str, role: str, required: bool = True) -> FontFace | None:
    try:
        listed = subprocess.run(
            ["fc-list", "--format", "%{family}\t%{file}\t%{index}\t%{style}\n", family],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except FileNotFoundError:
        raise UserError(
            "找不到 fc-list：请安装 Debian 软件包 fontconfig 和 fonts-noto-cjk"
            "（运行 bash scripts/setup.sh）。",
            EXIT_USAGE,
        ) from None
    rows = [line.split("\t") for line in listed.splitlines() if line.count("\t") == 3]
    # fc-list matches a family by any of its names; keep exact matches only.
    rows = [r for r in rows if family in r[0].split(",")]
    if not rows:
        if not required:
            return None
        package = FONT_PACKAGES.get(family)
        hint = (
            f"请安装 Debian 软件包 {package}（sudo apt-get install {package}，或运行 bash scripts/setup.sh）"
            if package
            else f"请安装该字体，或在 cases/settings.yaml 的 casebook.fonts.{role} 中改用已安装的字体（fc-list 可查）"
        )
        raise UserError(f"缺少字体“{family}”，无法排印案例汇编：{hint}。", EXIT_USAGE)
    # Prefer the Regular face: its character set is the one the body text uses.
    rows.sort(key=lambda r: r[3].split(",")[0] not in ("Regular", "Book", "Medium"))
    _, file, index, _ = rows[0]
    return FontFace(family, file, int(index or 0))


@lru_cache(maxsize=8)
def _charset(face: FontFace) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    # lazy=True reads only the cmap table: ~0.2 s for a CJK collection.
    with TTFont(face.file, fontNumber=face.index, lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_characters(text: str, charset: frozenset[int]) -> list[str]:
    """Characters of `text` the font cannot draw, in order of first appearance."""
    seen: dict[str, None] = {}
    for ch in text:
        if ord(ch) not in charset and not ch.isspace():
            if unicodedata.category(ch) not in _INVISIBLE:
                seen.setdefault(ch)
    return list(seen)


def check_glyphs(library: Library, cases: Sequence[Case], fonts: BookFonts) -> None:
    """Raise UserError(1) naming file, field and character for every character no face has.

    WeasyPrint would draw such a character as an empty box (.notdef) or in some
    other installed font; checking the text beforehand names the case and the
    field, which the renderer's log cannot. The 楷体 face falls back to the
    heading face in the stylesheet, so it is not required to cover everything.
    """
    charset = _charset(fonts.text) & _charset(fonts.heading)
    problems = []
    for where, field, text in _printed_texts(library, cases):
        for ch in missing_characters(text, charset):
            problems.append(
                f"{where} {field}：字符“{ch}”(U+{ord(ch):04X}) 不在汇编字体 {fonts.text.family} 中，"
                "印出来会是空框；请删去或换成常用字符。"
            )
    if problems:
        raise UserError("案例汇编中有无法排印的字符：\n" + "\n".join(problems), EXIT_CONTENT)


def _printed_texts(library: Library, cases: Sequence[Case]) -> Iterator[tuple[str, str, str]]:
    """(place, field, text) of everything the book prints, Markdown as the reader sees it."""
    book = library.settings.casebook
    settings = "cases/settings.yaml"
    yield settings, "汇编标题(casebook.title)", book.title
    yield settings, "汇编副标题(casebook.subtitle)", book.subtitle
    yield settings, "编印单位(casebook.issuer)", book.issuer or library.settings.organization
    yield settings, "前言(casebook.preface)", text_of(render_markdown(book.preface))
    yield settings, "密级标识(casebook.mark)", book.mark
    yield settings, "准印证号(casebook.permit)", book.permit
    for unit in library.units:  # the appendix lists every unit
        where = f"cases/units.yaml 单位 {unit.id}"
        yield where, "名称(name)", unit.name
        yield where, "直属党组织(org)", unit.org
    for case in cases:
        yield from ((case.source, field, text) for field, text in _case_texts(case))


def _case_texts(case: Case) -> Iterator[tuple[str, str]]:
    yield "标题(title)", case.title
    yield "摘要(summary)", case.summary
    yield "所属党组织(branch)", case.org_name
    for i, theme in enumerate(case.themes, 1):
        yield f"主题(themes) 第{i}项", theme
    for i, photo in enumerate(case.photos, 1):
        yield f"图片(photos) 第{i}项 说明(caption)", photo.caption
    if isinstance(case, Brand):
        yield "品牌口号(slogan)", case.slogan
        yield "品牌内涵(concept)", text_of(render_markdown(case.concept))
        for i, p in enumerate(case.practices, 1):
            yield f"主要做法(practices) 第{i}项 标题(title)", p.title
            yield f"主要做法(practices) 第{i}项 内容(text)", text_of(render_markdown(p.text))
        yield "工作成效(results)", text_of(render_markdown(case.results))
        for i, m in enumerate(case.metrics, 1):
            yield f"数据(metrics) 第{i}项", f"{m.label}{m.unit}"
        for i, honor in enumerate(case.honors, 1):
            yield f"荣誉(honors) 第{i}项", honor
    elif isinstance(case, Post):
        for i, holder in enumerate(case.holders, 1):
            yield f"在岗党员(holders) 第{i}项", holder
        yield "岗位职责(duties)", text_of(render_markdown(case.duties))
        for i, c in enumerate(case.commitments, 1):
            yield f"承诺事项(commitments) 第{i}项", c
        yield "工作成效(results)", text_of(render_markdown(case.results))
        yield "批次(batch)", case.batch
