"""Is a cached rendition exactly the kind of file our encoder writes: pixels, no metadata?

The image cache (`.cache/images`) lives in the project folder, where anything
can be planted or committed. A rendition is used only if its structure holds
nothing but image data: for JPEG, no APP1-APP15 segment (EXIF, XMP, ICC,
Photoshop) and no comment, anywhere in the file, and APP0 only as the plain
16-byte JFIF header; for PNG, only the chunks that carry pixels and colour.
Anything else is a cache miss: the rendition is encoded again from the source.
"""

from __future__ import annotations

import struct

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What Pillow's PNG encoder writes for our images, and nothing that can hold text.
_PNG_CHUNKS = frozenset(
    {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"sRGB", b"gAMA", b"cHRM", b"pHYs"}
)
_JFIF = b"JFIF\x00"
# Markers without a length field: SOI, EOI, TEM, RST0-7.
_STANDALONE = {0xD8, 0xD9, 0x01, *range(0xD0, 0xD8)}


def metadata_free(data: bytes, fmt: str) -> bool:
    """True if `data` is a JPEG or PNG (per `fmt`) holding no metadata at all."""
    try:
        return _jpeg_clean(data) if fmt == "JPEG" else _png_clean(data)
    except (IndexError, struct.error):
        return False  # truncated or malformed


def _png_clean(data: bytes) -> bool:
    if not data.startswith(_PNG_SIGNATURE):
        return False
    pos = len(_PNG_SIGNATURE)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind not in _PNG_CHUNKS:
            return False
        pos += 12 + length
        if kind == b"IEND":
            return pos == len(data)  # nothing hidden after the end
    return False


def _jpeg_clean(data: bytes) -> bool:
    if not data.startswith(b"\xff\xd8"):
        return False
    pos = 2
    while pos < len(data):
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # EOI
            return pos + 2 == len(data)
        if marker in _STANDALONE:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segment = data[pos + 4 : pos + 2 + length]
        if 0xE1 <= marker <= 0xEF or marker == 0xFE:
            return False  # APPn with EXIF/XMP/ICC/..., or a comment
        if marker == 0xE0 and not (segment.startswith(_JFIF) and length == 16):
            return False  # JFIF with a thumbnail, or JFXX
        pos += 2 + length
        if marker == 0xDA:  # SOS: entropy-coded data follows up to the next real marker
            pos = _end_of_scan(data, pos)
    return False


def _end_of_scan(data: bytes, pos: int) -> int:
    """Index of the first marker after entropy-coded data (0xFF00 is a stuffed byte)."""
    while True:
        pos = data.index(b"\xff", pos)
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos += 2
            continue
        return pos
