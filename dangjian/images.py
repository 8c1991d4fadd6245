"""Pillow work: check uploaded photos and logos, re-encode them metadata-free for web and print.

Contributors upload phone photos as they come off the camera (12 MP, rotated by an
EXIF tag, carrying GPS positions) and logos exported from whatever tool was at
hand. Nothing from an upload is published as is: every rendition is decoded,
turned upright, converted to sRGB, resized and encoded again from a fresh image,
so no EXIF/XMP/ICC metadata can survive. Renditions are cached by the hash of
the source bytes, so an unchanged image is never encoded twice.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import struct
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import PIL
from PIL import Image, ImageCms, ImageOps

from .errors import UserError
from .rendition_check import metadata_free

MAX_FILE_BYTES: int = 15 * 1024 * 1024
MAX_PIXELS: int = 40_000_000
# `check` decodes files up to this size; decoding a 4 MB 12 MP JPEG even at 1/8 scale
# takes ~35 ms, which adds up over a library's photos.
_DECODE_IN_CHECK_BYTES = 2 * 1024 * 1024

# Bump when anything below changes the encoded bytes: old cache entries then
# simply stop matching. Pillow's version is part of the key for the same reason.
PIPELINE_VERSION = "1"

ROLES: tuple[str, ...] = ("logo", "photo")

# Boxes (width, height) an image is fitted into; never enlarged. The page box
# fills the content column of Material at 2x; the thumbnail serves listings and
# narrow screens; the print box is a casebook column at ~200 dpi.
PAGE_BOX = (1200, 1600)
THUMB_BOX = (480, 640)
PRINT_BOX = (1800, 2400)

# Fixed encoder settings: same input, same Pillow, same bytes.
_JPEG_WEB = {"quality": 82, "optimize": True, "progressive": True, "subsampling": "4:2:0"}
_JPEG_PRINT = {"quality": 88, "optimize": True, "progressive": False, "subsampling": "4:2:0"}
_PNG = {"optimize": True}

_ACCEPTED = ("JPEG", "PNG", "WEBP")
_MIME = {"JPEG": "image/jpeg", "PNG": "image/png"}
_SUFFIX = {"JPEG": ".jpg", "PNG": ".png"}

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
        data = _read_limited(Path(path))
        with _open(data) as im:
            if len(data) <= _DECODE_IN_CHECK_BYTES:
                _load(im, None)
    except ImageProblem as problem:
        return problem.message
    except Exception as error:  # noqa: BLE001 - every failure of one file is that file's problem
        return _explain(error)
    return None


def _read_limited(path: Path) -> bytes:
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
def _open(data: bytes) -> Iterator[Image.Image]:
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


def _explain(error: BaseException) -> str:
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


def _load(im: Image.Image, size: tuple[int, int] | None) -> None:
    """Decode the pixels; JPEGs are decoded straight at a smaller scale when allowed."""
    if im.format in ("JPEG", "MPO"):  # MPO: a JPEG with extra pictures (see _open)
        # DCT scaling decodes 12 MP at 1/2..1/8 size several times faster, and still
        # reads the whole entropy-coded stream, so truncation is still noticed.
        want = size or (max(1, im.width // 8), max(1, im.height // 8))
        im.draft(im.mode, want)
    im.load()


# --- renditions ---------------------------------------------------------------


@dataclass(frozen=True)
class Rendition:
    path: Path  # the encoded file inside the cache dir, named by content hash
    width: int
    height: int
    mime: str  # image/jpeg or image/png (image/webp reserved)


@dataclass(frozen=True)
class WebImage:
    page: Rendition
    thumb: Rendition

    def srcset(self, page_url: str, thumb_url: str) -> str:
        """The `srcset` value: both renditions with their widths."""
        if self.page.width == self.thumb.width:
            return f"{page_url} {self.page.width}w"
        return f"{thumb_url} {self.thumb.width}w, {page_url} {self.page.width}w"

    def img_tag(
        self,
        page_url: str,
        thumb_url: str,
        alt: str,
        sizes: str = "(max-width: 600px) 100vw, 800px",
        loading: str = "lazy",
    ) -> str:
        """An escaped <img> with width/height so the page does not jump while loading."""
        attrs = {
            "src": page_url,
            "srcset": self.srcset(page_url, thumb_url),
            "sizes": sizes,
            "width": str(self.page.width),
            "height": str(self.page.height),
            "alt": alt,
            "loading": loading,
            "decoding": "async",
        }
        return "<img " + " ".join(f'{k}="{html.escape(v)}"' for k, v in attrs.items()) + ">"


def alt_text(role: str, caption: str, title: str) -> str:
    """Alt text: a photo's caption (else the case title); a logo is named after its brand."""
    if role == "logo":
        return f"{title}品牌标识" if title else "品牌标识"
    return caption.strip() or title


class ImagePipeline:
    """Renditions of source images, encoded once and kept in `cache_dir` by content hash."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = Path(cache_dir)
        self.encoded = 0  # renditions actually encoded in this process (cache misses)
        self.reused = 0  # renditions served from the cache

    def web(self, source: Path, role: str) -> WebImage:
        """Page-size and thumbnail renditions for the site."""
        page, thumb = self._make(Path(source), role, ("page", "thumb"))
        return WebImage(page=page, thumb=thumb)

    def print(self, source: Path, role: str) -> Rendition:
        """A large rendition for the printed casebook, still without any metadata."""
        (rendition,) = self._make(Path(source), role, ("print",))
        return rendition

    def renditions(self, source: Path, role: str) -> tuple[WebImage, Rendition]:
        """Web and print renditions together, decoding the source at most once."""
        page, thumb, printed = self._make(Path(source), role, ("page", "thumb", "print"))
        return WebImage(page=page, thumb=thumb), printed

    def _make(self, source: Path, role: str, variants: Sequence[str]) -> list[Rendition]:
        made = self._renditions(source, role, variants)
        assert made is not None  # only None when asked for cache hits only
        return made

    # The cache key covers everything that decides the output bytes.
    def _key(self, digest: str, role: str, variant: str) -> str:
        recipe = f"{PIPELINE_VERSION}|{PIL.__version__}|{role}|{variant}|{digest}"
        return hashlib.sha256(recipe.encode()).hexdigest()[:32]

    def _renditions(
        self, source: Path, role: str, variants: Sequence[str], cache_only: bool = False
    ) -> list[Rendition] | None:
        if role not in ROLES:
            raise ValueError(f"unknown image role {role!r}; expected one of {ROLES}")
        try:
            data = _read_limited(source)
        except ImageProblem as problem:
            raise ImageError(source, problem.message) from None
        except OSError as error:
            raise ImageError(source, _explain(error)) from None
        digest = hashlib.sha256(data).hexdigest()
        fmt = "PNG" if role == "logo" else "JPEG"
        paths = {v: self.cache_dir / (self._key(digest, role, v) + _SUFFIX[fmt]) for v in variants}
        cached = {v: _cached(p, fmt) for v, p in paths.items()}
        if all(cached.values()):
            self.reused += len(variants)
            return [cached[v] for v in variants]  # type: ignore[misc]
        if cache_only:
            return None
        try:
            images = _render(data, role, variants)
        except ImageProblem as problem:
            raise ImageError(source, problem.message) from None
        except Exception as error:  # noqa: BLE001 - see inspect_image
            raise ImageError(source, _explain(error)) from None
        out = []
        for variant in variants:
            hit = cached[variant]
            if hit is not None:
                self.reused += 1
                out.append(hit)
                continue
            im = images[variant]
            _write_atomic(paths[variant], _encode(im, fmt, variant))
            self.encoded += 1
            out.append(Rendition(paths[variant], im.width, im.height, _MIME[fmt]))
        return out


def _cached(path: Path, fmt: str) -> Rendition | None:
    """A cache entry, if it is a plain file holding pixels only (see rendition_check)."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        data = path.read_bytes()
        if not metadata_free(data, fmt):
            return None  # planted or damaged: encoded again from the source, over it
        with Image.open(io.BytesIO(data), formats=[fmt]) as im:
            return Rendition(path, im.width, im.height, _MIME[fmt])
    except Exception:  # noqa: BLE001 - an unreadable cache entry is simply encoded again
        return None


def _fit(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, box[0] / width, box[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


_SWAPS_AXES = {5, 6, 7, 8}  # EXIF orientations that turn the picture a quarter
_ORIENTATION_KEYS = ("exif", "Raw profile type exif", "XML:com.adobe.xmp", "xmp")


def _render(data: bytes, role: str, variants: Sequence[str]) -> dict[str, Image.Image]:
    """Decode once and derive the variants along one chain, print -> page -> thumb, so a
    variant's pixels never depend on which other variants were asked for or cached."""
    with _open(data) as im:
        orientation = _orientation(im)
        upright = (im.height, im.width) if orientation in _SWAPS_AXES else im.size
        target = _fit(upright, PRINT_BOX)
        raw_target = (target[1], target[0]) if orientation in _SWAPS_AXES else target
        _load(im, raw_target)
        icc = im.info.get("icc_profile")
        # Resize first (it is the expensive step; the rest then works on few pixels),
        # except for palette/16-bit/transparent images, which cannot be resampled as is.
        plain = im.mode in ("RGB", "L", "CMYK", "RGBA") and "transparency" not in im.info
        large = _resize(im if plain else _normalize(im, role), raw_target)
        # exif_transpose reads the orientation from these (EXIF, or XMP tiff:Orientation).
        large.info = {k: im.info[k] for k in _ORIENTATION_KEYS if k in im.info}
        large = ImageOps.exif_transpose(large)
        large = _normalize(_to_srgb(large, icc), role)
    chain = {"print": large}
    if "page" in variants or "thumb" in variants:
        chain["page"] = _resize(large, _fit(large.size, PAGE_BOX))
    if "thumb" in variants:
        chain["thumb"] = _resize(chain["page"], _fit(chain["page"].size, THUMB_BOX))
    return {variant: _fresh(chain[variant]) for variant in variants}


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 - broken EXIF: publish as stored rather than refuse
        return 1
    return value if isinstance(value, int) else 1


def _resize(im: Image.Image, size: tuple[int, int]) -> Image.Image:
    if im.size == size:
        return im.copy()
    return im.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _normalize(im: Image.Image, role: str) -> Image.Image:
    """RGB for photos (transparency flattened on white), RGB or RGBA for logos."""
    if im.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit greyscale: convert() would clip everything above 255 to white.
        im = im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    has_alpha = im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in im.info
    if has_alpha:
        im = im.convert("RGBA")
        if role == "logo":
            return im
        flat = Image.new("RGB", im.size, "white")
        flat.paste(im, mask=im.getchannel("A"))
        return flat
    return im if im.mode == "RGB" else im.convert("RGB")


_SRGB = ImageCms.createProfile("sRGB")


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Apply an embedded colour profile before it is dropped (Display P3 phone photos
    would otherwise look washed out). A profile Pillow cannot use is ignored."""
    out_mode = {"RGB": "RGB", "RGBA": "RGBA", "CMYK": "RGB"}.get(im.mode)
    if not icc or out_mode is None:
        return im
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(im, profile, _SRGB, outputMode=out_mode)
    except Exception:  # noqa: BLE001 - colours slightly off beats refusing a good photo
        return im
    return converted if converted is not None else im


def _fresh(im: Image.Image) -> Image.Image:
    """A new image holding only the pixels: no info dict, so no EXIF, XMP, ICC,
    comments or dpi can reach the encoder."""
    clean = Image.new(im.mode, im.size)
    clean.paste(im)
    return clean


def _encode(im: Image.Image, fmt: str, variant: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        im.save(buffer, "JPEG", **(_JPEG_PRINT if variant == "print" else _JPEG_WEB))
    else:
        im.save(buffer, "PNG", **_PNG)
    return buffer.getvalue()


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- many at once -------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    source: Path
    role: str
    web: WebImage
    print: Rendition | None


def prepare_many(
    pipeline: ImagePipeline,
    items: Iterable[tuple[Path, str]],
    *,
    with_print: bool = True,
    workers: int | None = None,
) -> list[Prepared]:
    """Web (and print) renditions of many images, on `workers` processes (default: all
    cores). Every failing image is reported in one UserError, not just the first.
    The pipeline's counters include the work done in the worker processes."""
    jobs = [(Path(source), role) for source, role in items]
    variants = ("page", "thumb", "print") if with_print else ("page", "thumb")
    results: list[tuple[Prepared | str, int, int] | None] = []
    for source, role in jobs:
        # Cache hits are answered here: starting processes to read a few headers
        # would make a warm build slower, not faster.
        try:
            hit = pipeline._renditions(source, role, variants, cache_only=True)
        except ImageError as error:
            results.append((error.message, 0, 0))
            continue
        if hit is None:
            results.append(None)
        else:
            web = WebImage(page=hit[0], thumb=hit[1])
            results.append((Prepared(source, role, web, hit[2] if with_print else None), 0, 0))
    misses = [i for i, result in enumerate(results) if result is None]
    workers = min(workers or os.cpu_count() or 1, len(misses))
    args = (
        [pipeline.cache_dir] * len(misses),
        [jobs[i][0] for i in misses],
        [jobs[i][1] for i in misses],
        [with_print] * len(misses),
    )
    if workers <= 1:
        done = list(map(_prepare_one, *args))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = list(pool.map(_prepare_one, *args, chunksize=1))
    for i, result in zip(misses, done, strict=True):
        results[i] = result

    prepared, problems = [], []
    for result in results:
        assert result is not None
        outcome, encoded, reused = result
        pipeline.encoded += encoded
        pipeline.reused += reused
        if isinstance(outcome, str):
            problems.append(outcome)
        else:
            prepared.append(outcome)
    if problems:
        raise UserError("\n".join(problems))
    return prepared


def _prepare_one(
    cache_dir: Path, source: Path, role: str, with_print: bool
) -> tuple[Prepared | str, int, int]:
    local = ImagePipeline(cache_dir)
    try:
        if with_print:
            web, printed = local.renditions(source, role)
        else:
            web, printed = local.web(source, role), None
    except ImageError as error:
        return error.message, local.encoded, local.reused
    return Prepared(source, role, web, printed), local.encoded, local.reused


__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "ImageError",
    "ImagePipeline",
    "Prepared",
    "Rendition",
    "WebImage",
    "alt_text",
    "inspect_image",
    "prepare_many",
]
