"""Renditions: every published image re-encoded metadata-free, cached by what decides its bytes.

Nothing from an upload is published as is: every rendition is decoded,
turned upright, converted to sRGB, resized and encoded again from a fresh
image, so no EXIF/XMP/ICC metadata can survive. Renditions are cached in
`.cache/images` under a key of the source bytes and the recipe; a cache entry
is used only if it holds pixels and nothing else (rendition_check), so a
planted or committed file cannot publish metadata.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import PIL
from PIL import Image, ImageCms, ImageOps

from .errors import UserError
from .files import write_atomic
from .images import ImageError, ImageProblem, explain, load_pixels, open_image, read_limited
from .rendition_check import metadata_free

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

_MIME = {"JPEG": "image/jpeg", "PNG": "image/png"}
_SUFFIX = {"JPEG": ".jpg", "PNG": ".png"}


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
            data = read_limited(source)
        except ImageProblem as problem:
            raise ImageError(source, problem.message) from None
        except OSError as error:
            raise ImageError(source, explain(error)) from None
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
            raise ImageError(source, explain(error)) from None
        out = []
        for variant in variants:
            hit = cached[variant]
            if hit is not None:
                self.reused += 1
                out.append(hit)
                continue
            im = images[variant]
            write_atomic(paths[variant], _encode(im, fmt, variant))
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
    with open_image(data) as im:
        orientation = _orientation(im)
        upright = (im.height, im.width) if orientation in _SWAPS_AXES else im.size
        target = _fit(upright, PRINT_BOX)
        raw_target = (target[1], target[0]) if orientation in _SWAPS_AXES else target
        load_pixels(im, raw_target)
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
