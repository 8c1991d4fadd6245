"""Pillow work for `check`: is an uploaded photo or logo an image we can publish?

Contributors upload phone photos as they come off the camera (12 MP, rotated by
an EXIF tag, carrying GPS positions) and logos exported from whatever tool was
at hand. This module reads them with bounds (size, pixels, decompression
bombs), names what is wrong in Chinese, and opens them for renditions.py,
which re-encodes every published image metadata-free.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image

from .errors import UserError

MAX_FILE_BYTES: int = 15 * 1024 * 1024
MAX_PIXELS: int = 40_000_000
# `check` decodes files up to this size; decoding a 4 MB 12 MP JPEG even at 1/8 scale
# takes ~35 ms, which adds up over a library's photos.
_DECODE_IN_CHECK_BYTES = 2 * 1024 * 1024

_ACCEPTED = ("JPEG", "PNG", "WEBP")

_NOT_ACCEPTED = "不是 JPEG/PNG/WebP 图片"
_RESAVE = "请另存为 JPEG 或 PNG 后再上传"


class ImageProblem(Exception):
    """What is wrong with one image, as a Chinese sentence without the file name."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ImageError(UserError):
    """An image the pipeline cannot publish; the message names the file."""

    def __init__(self, source: Path, problem: str) -> None:
        super().__init__(f"图片 {source}：{problem}")
        self.source = source
        self.problem = problem


# --- checking -----------------------------------------------------------------


def inspect_image(path: Path) -> str | None:
    """Check one image file; return what is wrong and what to do, or None if usable.

    Never raises, whatever the bytes. Format, size limits, animation and
    truncation are checked from the structure of every file (PNG chunk CRCs,
    JPEG end marker, WebP RIFF size); files up to 2 MiB are also decoded (JPEGs
    at 1/8 scale), which costs milliseconds. Larger photos are decoded at build
    time, where damage inside the image data is reported with the file name.
    """
    try:
        data = read_limited(Path(path))
        with open_image(data) as im:
            if len(data) <= _DECODE_IN_CHECK_BYTES:
                load_pixels(im, None)
    except ImageProblem as problem:
        return problem.message
    except Exception as error:  # noqa: BLE001 - every failure of one file is that file's problem
        return explain(error)
    return None


def read_limited(path: Path) -> bytes:
    size = path.stat().st_size
    if size == 0:
        raise ImageProblem("文件是空的（0 字节），请重新导出图片后再上传")
    if size > MAX_FILE_BYTES:
        raise ImageProblem(
            f"文件太大（{_mb(size)}，上限 {_mb(MAX_FILE_BYTES)}），请压缩或缩小尺寸后再上传"
        )
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:  # grew since stat(): still refuse
        raise ImageProblem(
            f"文件太大（{_mb(len(data))}，上限 {_mb(MAX_FILE_BYTES)}），请压缩或缩小尺寸后再上传"
        )
    if not data:
        raise ImageProblem("文件是空的（0 字节），请重新导出图片后再上传")
    return data


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def _sniff(data: bytes) -> str:
    """The format the bytes really are, by their magic numbers (never the file name)."""
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"):
            return "HEIC"
        if brand in (b"avif", b"avis"):
            return "AVIF"
        return "视频文件"
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    text = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml", b"<!doctype svg")) and b"<svg" in text:
        return "SVG"
    if text.startswith((b"<!doctype html", b"<html")):
        return "网页（HTML）"
    return ""


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"%PDF", "PDF"),
    (b"8BPS", "PSD（Photoshop 文件）"),
    (b"\x00\x00\x01\x00", "ICO 图标"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
    (b"\xff\x4f\xff\x51", "JPEG 2000"),
    (b"%!PS", "PostScript/EPS"),
    (b"\xc5\xd0\xd3\xc6", "EPS"),
    (b"PK\x03\x04", "ZIP 压缩包或 Word/Excel/PPT 文档"),
    (b"\xd0\xcf\x11\xe0", "旧版 Word/Excel/PPT 文档"),
    (b"\x1f\x8b", "GZIP 压缩文件"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
)


def _refuse_format(kind: str) -> ImageProblem:
    if kind == "SVG":
        return ImageProblem(f"{_NOT_ACCEPTED}（实际是 SVG 矢量图），请导出为 PNG 后再上传")
    if kind == "HEIC":
        return ImageProblem(
            f"{_NOT_ACCEPTED}（实际是 HEIC，苹果手机的默认照片格式），"
            "请在手机上选择“兼容性最佳”或另存为 JPEG 后再上传"
        )
    if kind:
        return ImageProblem(f"{_NOT_ACCEPTED}（实际是 {kind}），{_RESAVE}")
    return ImageProblem(f"{_NOT_ACCEPTED}（无法识别文件内容），{_RESAVE}")


_TRUNCATED = "文件不完整（可能上传或复制时中断），请重新导出或重新上传"
_CORRUPT = "文件已损坏，无法读取图像内容，请用看图软件确认能打开后重新导出再上传"


@contextmanager
def open_image(data: bytes) -> Iterator[Image.Image]:
    """Open accepted formats only, with the size limits enforced before any decoding."""
    kind = _sniff(data)
    if kind not in _ACCEPTED:
        raise _refuse_format(kind)
    if kind == "WEBP" and struct.unpack("<I", data[4:8])[0] + 8 > len(data):
        # libwebp only says "could not create decoder object"; the RIFF size says why.
        raise ImageProblem(_TRUNCATED)
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice that; a warning here is an
        # error, and MAX_PIXELS below holds even if someone lifted Pillow's limit.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        if kind == "PNG":
            # Decoding does not check chunk CRCs; verify() does, so damage is refused
            # instead of published as garbled pixels.
            with Image.open(io.BytesIO(data), formats=[kind]) as probe:
                probe.verify()
        with Image.open(io.BytesIO(data), formats=[kind]) as im:
            width, height = im.size
            if width < 1 or height < 1:
                raise ImageProblem(_CORRUPT)
            if width * height > MAX_PIXELS:
                raise ImageProblem(_too_many_pixels(width * height, (width, height)))
            # A JPEG's extra pictures (MPF: HDR gain maps, depth maps) are not frames
            # of an animation: only the main picture is published.
            frames = 1 if kind == "JPEG" else getattr(im, "n_frames", 1)
            if frames > 1:
                raise ImageProblem(f"是动图（共 {frames} 帧），请上传静态图片")
            if kind == "JPEG" and _jpeg_complete(data) is False:
                raise ImageProblem(_TRUNCATED)
            yield im


def _jpeg_complete(data: bytes) -> bool | None:
    """Whether the image data after the first scan header reaches an end-of-image marker.

    Lets `check` notice a truncated photo without decoding 12 MP. Segments before the
    scan are skipped by their lengths, so the EXIF thumbnail's own end marker does not
    count; data after the end marker (motion photos append a video) does not matter.
    None: the structure is unusual, leave it to the decoder.
    """
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
        elif marker == 0xDA:  # start of scan: entropy-coded data until the end marker
            return data.rfind(b"\xff\xd9", at) != -1
        elif 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            at += 2
        else:
            at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return False


def _too_many_pixels(pixels: int | None, size: tuple[int, int] | None) -> str:
    stated = f"{size[0]}×{size[1]}，" if size else ""
    counted = f"约 {_wan(pixels)}像素，" if pixels else ""
    return f"像素太多（{stated}{counted}上限 {_wan(MAX_PIXELS)}像素），请缩小尺寸后再上传"


def _wan(pixels: int) -> str:
    if pixels >= 100_000_000:
        return f"{pixels / 100_000_000:.1f} 亿".replace(".0 亿", " 亿")
    return f"{round(pixels / 10_000)} 万"


_BOMB_SIZE = re.compile(r"Image size \((\d+) pixels\)")


def explain(error: BaseException) -> str:
    """Turn whatever Pillow (or zlib, struct, the OS) raised into a user's sentence."""
    if isinstance(error, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        # Pillow refused before we saw the size; its message carries the pixel count.
        found = _BOMB_SIZE.search(str(error))
        return _too_many_pixels(int(found.group(1)) if found else None, None)
    if isinstance(error, MemoryError):
        return f"图片解码时内存不足，请缩小到 {_wan(MAX_PIXELS)}像素以内后再上传"
    if isinstance(error, (OSError, EOFError)) and "truncated" in str(error).lower():
        return _TRUNCATED
    if isinstance(error, IsADirectoryError):
        return "这是一个文件夹，不是图片文件"
    if isinstance(error, FileNotFoundError):
        return "文件不存在"
    if isinstance(error, PermissionError):
        return "文件无法读取（没有权限）"
    return _CORRUPT


def load_pixels(im: Image.Image, size: tuple[int, int] | None) -> None:
    """Decode the pixels; JPEGs are decoded straight at a smaller scale when allowed."""
    if im.format in ("JPEG", "MPO"):  # MPO: a JPEG with extra pictures (see _open)
        # DCT scaling decodes 12 MP at 1/2..1/8 size several times faster, and still
        # reads the whole entropy-coded stream, so truncation is still noticed.
        want = size or (max(1, im.width // 8), max(1, im.height // 8))
        im.draft(im.mode, want)
    im.load()


# --- renditions ---------------------------------------------------------------
