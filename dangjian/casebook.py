"""The casebook (案例汇编): selection -> fonts and glyphs -> print HTML -> A4 PDF, or Word.

Works only on the validated Library (drafts never appear). The stages live in
their own modules: casebook_select (filters, title), casebook_fonts (faces,
glyph check), casebook_html (templates, figures, colophon), casebook_text
(official number style), casebook_pdf (WeasyPrint) and casebook_docx (Word).
"""

from __future__ import annotations

import os
from pathlib import Path

from .casebook_fonts import check_fonts, check_glyphs
from .casebook_html import TEMPLATES, environment, render_html
from .casebook_pdf import write_pdf
from .casebook_select import parse_years, select
from .errors import UserError
from .model import Library
from .renditions import ImagePipeline

__all__ = ["FORMATS", "environment", "export_casebook", "output_format", "parse_years",
           "render_html", "select", "write_pdf"]  # fmt: skip

EXIT_CONTENT, EXIT_USAGE = 1, 2
FORMATS = {".pdf": "pdf", ".docx": "docx"}


def output_format(out: Path, fmt: str | None = None) -> str:
    """ "pdf" or "docx": the suffix of `out` decides, `fmt` (--format) must agree with it."""
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise UserError(
            f"不支持的输出文件类型“{Path(out).name}”：案例汇编可导出为 .pdf 或 .docx"
            "（例如 --out 案例汇编.pdf 或 --out 案例汇编.docx）。",
            EXIT_USAGE,
        )
    if fmt is not None and FORMATS[suffix] != fmt:
        raise UserError(
            f"--format {fmt} 与输出文件“{Path(out).name}”的扩展名 {suffix} 不一致："
            f"请把文件名改为 .{fmt} 结尾，或去掉 --format。",
            EXIT_USAGE,
        )
    return FORMATS[suffix]


def prepare_output(out: Path) -> Path:
    """The one place an output path is checked and its folder created (dangjian.paths plugs in here).

    Raises UserError(2) naming the path when it is a folder or cannot be created.
    """
    out = Path(out)
    if out.is_dir():
        raise UserError(f"输出路径 {out} 是一个文件夹，请用 --out 指定文件名。", EXIT_USAGE)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(
            f"无法创建输出文件夹 {out.parent}：{e.strerror or e}。请换一个可写的 --out 路径。",
            EXIT_USAGE,
        ) from None
    if not out.parent.is_dir() or not _writable(out.parent):
        raise UserError(
            f"无法写入输出路径 {out}：文件夹 {out.parent} 不可写。请换一个可写的 --out 路径。",
            EXIT_USAGE,
        )
    return out


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def export_casebook(
    library: Library,
    out: Path,
    units: list[str],
    themes: list[str],
    years: list[int],
    fmt: str | None = None,
) -> Path:
    """Write the casebook of the published cases selected by the filters to `out` (PDF or Word).

    Raises UserError: exit 2 for an unknown --unit/--theme, a bad output path or
    a missing font (wrong usage or environment), exit 1 when the filters select
    no published case or the content cannot be printed faithfully.
    """
    kind = output_format(out, fmt)
    selection = select(library, units, themes, years)
    out = prepare_output(out)
    images = ImagePipeline(library.root.parent / ".cache" / "images")
    if kind == "docx":
        from .casebook_docx import write_docx

        write_docx(library, selection, images, out)
        return out
    fonts = check_fonts(library.settings.casebook.fonts)
    check_glyphs(library, selection.cases, fonts)
    book_html = render_html(library, selection, images, fonts)
    write_pdf(
        book_html, out, allowed=[TEMPLATES, images.cache_dir, library.root], images=images.cache_dir
    )
    return out
