"""Casebook stage 4: print HTML -> A4 PDF (WeasyPrint), atomically, with PDF page labels.

Every hole a reader would find on paper (an empty glyph box, an image that did
not load, a remote resource) stops the export with a UserError; the old book
is then left as it was.
"""

from __future__ import annotations

import html as html_module
import logging
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from .casebook_html import IMAGE_SCHEME, TEMPLATES
from .errors import EXIT_CONTENT, UserError
from .files import atomic_path


class _RenderLog(logging.Handler):
    """Collects what WeasyPrint reports that would leave a hole in the printed page."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.missing: dict[str, None] = {}
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith(".notdef glyph rendered") and record.args:
            self.missing.setdefault(str(record.args[0]))
        elif record.levelno >= logging.ERROR:
            # Errors are resources that could not be loaded (images, stylesheets).
            self.errors.append(message)


def _fetcher(allowed: Sequence[Path], images: Path | None = None):
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    roots = [p.resolve() for p in allowed]

    class LocalFiles(URLFetcher):
        """Only files of the library, the image cache and the templates: nothing remote."""

        def fetch(self, url, headers=None):
            if images is not None and url.startswith(f"{IMAGE_SCHEME}:"):
                url = (images / url.split(":", 1)[1]).resolve().as_uri()
            parsed = urlparse(url)
            path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
            if path is None or not any(path.is_relative_to(r) for r in roots):
                raise FatalURLFetchingError(url)
            return super().fetch(url, headers)

    return LocalFiles(allowed_protocols={"file"}), FatalURLFetchingError


def write_pdf(
    book_html: str, target: Path, allowed: Sequence[Path], images: Path | None = None
) -> None:
    """Render the book HTML to `target` atomically; raise UserError for any hole in the result.

    `allowed` are the folders the book may read files from; `images` is the
    folder that IMAGE_SCHEME URLs name files of. The PDF is written next to
    `target` and renamed: a failed export never leaves a half-written file and
    never replaces a good book with a broken one. The file gets the mode the
    umask gives any new file (mkstemp alone would make it 0600).
    """
    atomic(target, lambda tmp: _render_pdf(book_html, tmp, allowed, images))


def atomic(target: Path, write: Callable[[Path], None]) -> None:
    """`write(tmp)` a file next to `target` and rename it into place (the umask's mode)."""
    with atomic_path(target) as tmp:
        write(tmp)


def _render_pdf(book_html: str, target: Path, allowed: Sequence[Path], images: Path | None) -> None:
    with reported(allowed, images) as html:
        html(book_html).write_pdf(target, finisher=page_labels)


@contextmanager
def reported(allowed: Sequence[Path], images: Path | None):
    """Render and write inside this block: yields a function of the HTML text to a
    weasyprint.HTML reading only `allowed` files; every hole WeasyPrint reports on
    the way (a missing glyph, a resource that did not load or was refused) raises
    UserError when the block ends."""
    import weasyprint

    fetcher, fatal = _fetcher(allowed, images)
    log = _RenderLog()
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.addHandler(log)
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)

    def html(text: str):
        return weasyprint.HTML(string=text, base_url=TEMPLATES.as_uri() + "/", url_fetcher=fetcher)

    try:
        yield html
    except fatal as e:
        raise UserError(
            f"案例汇编引用了不能使用的资源：{e.args[0] if e.args else e}"
            "（汇编只使用案例文件夹中的图片，不从网络获取任何内容）。",
            EXIT_CONTENT,
        ) from None
    finally:
        logger.removeHandler(log)
        logger.setLevel(level)
    if log.missing:
        chars = "、".join(f"“{c}”(U+{ord(c):04X})" for c in log.missing)
        raise UserError(
            f"案例汇编中有字体无法显示的字符 {chars}，印出来会是空框；请删去或换成常用字符。",
            EXIT_CONTENT,
        )
    if log.errors:
        raise UserError(
            "排印案例汇编时有资源无法加载：\n"
            + "\n".join(html_module.unescape(e) for e in log.errors),
            EXIT_CONTENT,
        )


def label_ranges(anchors_per_page: Sequence[Sequence[str]]) -> list[tuple[int, dict]]:
    """(first page index, label spec) ranges: "封面" pages, roman front matter, arabic body.

    The front matter starts on the page holding the anchor "front", the body
    on the page holding "body" (ids set by book.html); numbering restarts at 1
    there, as the stylesheet's counters do.
    """
    ranges: list[tuple[int, dict]] = [(0, {"P": "封面"})]
    for index, anchors in enumerate(anchors_per_page):
        if "front" in anchors:
            ranges.append((index, {"S": "r", "St": 1}))
        if "body" in anchors:
            ranges.append((index, {"S": "D", "St": 1}))
    return ranges


def page_labels(document, pdf) -> None:
    """WeasyPrint finisher: write the PDF's /PageLabels, so a viewer's page 34 is printed 34."""
    import pydyf

    ranges = label_ranges([list(page.anchors) for page in document.pages])
    nums = pydyf.Array()
    for index, spec in ranges:
        label = pydyf.Dictionary()
        if "S" in spec:
            label["S"] = "/" + spec["S"]
            label["St"] = spec["St"]
        if "P" in spec:
            label["P"] = pydyf.String(spec["P"])
        nums.extend([index, label])
    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": nums})
