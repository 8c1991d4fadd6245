"""Regenerate the demo library's logos and illustrative photos under cases/<unit>/images/.

The shipped demo cases reference logos and photos; real ones would come from
the agencies, so these are drawn here instead: abstract geometric emblems (never
the party or national emblem) and schematic scenes labelled 「示意图」. Titles
and captions are read from the case files, so editing a caption and rerunning
this script keeps image and text in step.

Output is deterministic (seeds derive from the case id, no timestamps in the
files), so rerunning it on an unchanged library produces identical bytes.

Usage, from the project root:  .venv/bin/python scripts/make_demo_images.py
"""

from __future__ import annotations

import hashlib
import math
import random
import sys
from collections.abc import Callable
from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
SC = 2  # face index of Simplified Chinese in the Noto CJK collections

RED = (178, 34, 34)
DEEP_RED = (134, 20, 24)
GOLD = (201, 162, 39)
LIGHT_GOLD = (232, 204, 120)

LOGO_SIZE = 600
PHOTO_SIZE = (1600, 1066)
SUPERSAMPLE = 2  # draw logos at twice the size, then downsample: smooth edges

# case id -> (unit, emblem motif, scene of each photo in order)
SHOWCASE: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "xiangmu-qianxian": ("fgw", "bars", ("site", "meeting")),
    "yusuan-mingjing": ("czj", "mirror", ("office", "screen")),
    "zhuxue-tongxin": ("jyj", "book", ("home", "outdoor")),
    "jiankang-shouwang": ("wjw", "pulse", ("outdoor", "drill", "meeting")),
    "hongse-bangban": ("zwfw", "link", ("counter", "counter")),
    "rongguang-zhijia": ("tyjr", "house", ("hall", "classroom")),
    "shuxiang-hongyun": ("wlj", "pages", ("library", "library")),
    "xianfeng-ronglu": ("zzb", "flame", ("meeting", "outdoor")),
    "yunxi-jiangtan": ("dx", "wave", ("classroom", "meeting", "office")),
    "yangguang-jiaoyi": ("ggzy", "sun", ("hall", "screen")),
}


def seeded(case_id: str, salt: str = "") -> random.Random:
    """A random generator fixed by the case id (Python's hash() is salted per run)."""
    digest = hashlib.sha256(f"{case_id}/{salt}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / name), size, index=SC)


# ── logos ─────────────────────────────────────────────────────────────────────


def _motif_bars(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    w = r * 0.22
    for i, h in enumerate((0.45, 0.75, 1.05)):
        x = cx - r * 0.55 + i * r * 0.38
        d.rounded_rectangle(
            (x, cy + r * 0.55 - r * h, x + w, cy + r * 0.55), radius=w * 0.2, fill=GOLD
        )
    d.line(
        (cx - r * 0.62, cy + r * 0.12, cx + r * 0.55, cy - r * 0.62),
        fill=LIGHT_GOLD,
        width=int(r * 0.07),
    )
    tip = (cx + r * 0.62, cy - r * 0.7)
    d.polygon(
        (tip, (tip[0] - r * 0.26, tip[1] + r * 0.04), (tip[0] - r * 0.05, tip[1] + r * 0.25)),
        fill=LIGHT_GOLD,
    )


def _motif_mirror(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    for k, col in ((0.62, GOLD), (0.44, LIGHT_GOLD)):
        d.ellipse(
            (cx - r * k, cy - r * k, cx + r * k, cy + r * k), outline=col, width=int(r * 0.07)
        )
    d.rectangle((cx - r * 0.7, cy - r * 0.025, cx + r * 0.7, cy + r * 0.025), fill=GOLD)
    d.ellipse((cx - r * 0.12, cy - r * 0.12, cx + r * 0.12, cy + r * 0.12), fill=GOLD)


def _motif_book(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    y = cy + r * 0.1
    for side in (-1, 1):
        d.polygon(
            (
                (cx, y),
                (cx + side * r * 0.62, y - r * 0.16),
                (cx + side * r * 0.62, y + r * 0.42),
                (cx, y + r * 0.56),
            ),
            fill=GOLD,
        )
    for k, dx in ((0.24, -0.16), (0.24, 0.16)):
        d.ellipse(
            (
                cx + r * dx - r * k,
                cy - r * 0.36 - r * k,
                cx + r * dx + r * k,
                cy - r * 0.36 + r * k,
            ),
            outline=LIGHT_GOLD,
            width=int(r * 0.06),
        )


def _motif_pulse(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    d.polygon(
        (
            (cx - r * 0.55, cy - r * 0.55),
            (cx + r * 0.55, cy - r * 0.55),
            (cx + r * 0.55, cy + r * 0.05),
            (cx, cy + r * 0.68),
            (cx - r * 0.55, cy + r * 0.05),
        ),
        outline=GOLD,
        width=int(r * 0.07),
    )
    pts = [(-0.5, 0), (-0.22, 0), (-0.1, -0.32), (0.04, 0.3), (0.16, -0.12), (0.24, 0), (0.5, 0)]
    d.line(
        [(cx + r * x, cy - r * 0.05 + r * y) for x, y in pts],
        fill=LIGHT_GOLD,
        width=int(r * 0.07),
        joint="curve",
    )


def _motif_link(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    s = r * 0.42
    for dx, dy, col in ((-0.2, -0.15, GOLD), (0.2, 0.15, LIGHT_GOLD)):
        x, y = cx + r * dx, cy + r * dy
        d.rounded_rectangle(
            (x - s, y - s, x + s, y + s), radius=s * 0.35, outline=col, width=int(r * 0.08)
        )


def _motif_house(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    for i in range(9):
        a = math.pi * (1.1 + 0.8 * i / 8)
        d.line(
            (
                cx + math.cos(a) * r * 0.3,
                cy - r * 0.2 + math.sin(a) * r * 0.3,
                cx + math.cos(a) * r * 0.62,
                cy - r * 0.2 + math.sin(a) * r * 0.62,
            ),
            fill=LIGHT_GOLD,
            width=int(r * 0.04),
        )
    d.polygon(
        ((cx - r * 0.55, cy + r * 0.02), (cx, cy - r * 0.36), (cx + r * 0.55, cy + r * 0.02)),
        fill=GOLD,
    )
    d.rectangle((cx - r * 0.38, cy + r * 0.02, cx + r * 0.38, cy + r * 0.5), fill=GOLD)
    d.rectangle((cx - r * 0.1, cy + r * 0.2, cx + r * 0.1, cy + r * 0.5), fill=RED)


def _motif_pages(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    for i in range(4):
        off = i * r * 0.09
        d.rounded_rectangle(
            (cx - r * 0.45 + off, cy - r * 0.5 + off, cx + r * 0.25 + off, cy + r * 0.4 + off),
            radius=r * 0.05,
            outline=GOLD if i < 3 else LIGHT_GOLD,
            width=int(r * 0.05),
        )
    for k in range(3):
        y = cy - r * 0.05 + k * r * 0.14
        d.line((cx - r * 0.05, y, cx + r * 0.42, y), fill=LIGHT_GOLD, width=int(r * 0.04))


def _motif_flame(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    d.polygon(
        (
            (cx, cy - r * 0.68),
            (cx + r * 0.4, cy + r * 0.1),
            (cx + r * 0.26, cy + r * 0.5),
            (cx - r * 0.26, cy + r * 0.5),
            (cx - r * 0.4, cy + r * 0.1),
        ),
        fill=GOLD,
    )
    d.polygon(
        (
            (cx, cy - r * 0.22),
            (cx + r * 0.18, cy + r * 0.22),
            (cx, cy + r * 0.46),
            (cx - r * 0.18, cy + r * 0.22),
        ),
        fill=RED,
    )
    d.rectangle((cx - r * 0.5, cy + r * 0.56, cx + r * 0.5, cy + r * 0.63), fill=LIGHT_GOLD)


def _motif_wave(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    for k in range(3):
        pts = [
            (
                cx + r * (x / 20 - 0.6),
                cy + r * (0.12 + k * 0.2) + math.sin(x / 20 * 2 * math.pi) * r * 0.07,
            )
            for x in range(25)
        ]
        d.line(pts, fill=GOLD if k != 1 else LIGHT_GOLD, width=int(r * 0.06), joint="curve")
    d.chord((cx - r * 0.45, cy - r * 0.62, cx + r * 0.45, cy + r * 0.2), 180, 360, fill=GOLD)


def _motif_sun(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    for i in range(16):
        a = 2 * math.pi * i / 16
        d.line(
            (
                cx + math.cos(a) * r * 0.36,
                cy + math.sin(a) * r * 0.36,
                cx + math.cos(a) * r * 0.62,
                cy + math.sin(a) * r * 0.62,
            ),
            fill=LIGHT_GOLD,
            width=int(r * 0.05),
        )
    d.ellipse((cx - r * 0.3, cy - r * 0.3, cx + r * 0.3, cy + r * 0.3), fill=GOLD)
    d.rectangle((cx - r * 0.3, cy - r * 0.015, cx + r * 0.3, cy + r * 0.015), fill=RED)


MOTIFS: dict[str, Callable[[ImageDraw.ImageDraw, float, float, float], None]] = {
    "bars": _motif_bars,
    "mirror": _motif_mirror,
    "book": _motif_book,
    "pulse": _motif_pulse,
    "link": _motif_link,
    "house": _motif_house,
    "pages": _motif_pages,
    "flame": _motif_flame,
    "wave": _motif_wave,
    "sun": _motif_sun,
}


def make_logo(title: str, motif: str) -> Image.Image:
    """A transparent square logo: red disc, gold ring, a motif, the brand name below."""
    n = LOGO_SIZE * SUPERSAMPLE
    img = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    cx, cy, r = n / 2, n * 0.40, n * 0.32
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=RED)
    d.ellipse(
        (cx - r * 0.9, cy - r * 0.9, cx + r * 0.9, cy + r * 0.9), outline=GOLD, width=int(r * 0.035)
    )
    d.ellipse((cx - r * 0.84, cy - r * 0.84, cx + r * 0.84, cy + r * 0.84), fill=DEEP_RED)
    MOTIFS[motif](d, cx, cy, r * 0.84)
    size = int(n * 0.11) if len(title) <= 4 else int(n * 0.44 / len(title))
    f = font("NotoSerifCJK-Bold.ttc", size)
    d.text((cx, n * 0.88), title, font=f, fill=RED, anchor="mm")
    return img.resize((LOGO_SIZE, LOGO_SIZE), Image.Resampling.LANCZOS)


# ── photos ────────────────────────────────────────────────────────────────────

PALETTES = [  # (sky top, sky bottom, ground) — muted, print-friendly
    ((214, 226, 236), (246, 240, 228), (206, 198, 184)),
    ((236, 226, 214), (250, 246, 238), (196, 186, 172)),
    ((222, 232, 226), (248, 246, 236), (190, 198, 182)),
    ((230, 224, 232), (248, 244, 240), (200, 192, 196)),
]


def _gradient(
    size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> Image.Image:
    w, h = size
    column = Image.new("RGB", (1, h))
    column.putdata(
        [
            tuple(round(top[c] + (bottom[c] - top[c]) * y / (h - 1)) for c in range(3))
            for y in range(h)
        ]
    )
    return column.resize((w, h))


def _person(
    d: ImageDraw.ImageDraw, x: float, y: float, s: float, coat: tuple[int, int, int]
) -> None:
    """A schematic figure standing on (x, y), s pixels tall."""
    d.ellipse((x - s * 0.1, y - s, x + s * 0.1, y - s * 0.8), fill=(92, 78, 70))
    d.rounded_rectangle(
        (x - s * 0.17, y - s * 0.76, x + s * 0.17, y - s * 0.2), radius=s * 0.08, fill=coat
    )
    d.rectangle((x - s * 0.12, y - s * 0.22, x + s * 0.12, y), fill=(70, 74, 86))


def _crowd(
    d: ImageDraw.ImageDraw, rnd: random.Random, left: float, right: float, base: float, count: int
) -> None:
    coats = [(178, 58, 52), (64, 86, 120), (120, 120, 124), (196, 160, 80), (90, 110, 96)]
    for i in range(count):
        x = left + (right - left) * (i + 0.5) / count + rnd.uniform(-18, 18)
        _person(d, x, base + rnd.uniform(-6, 6), rnd.uniform(150, 190), rnd.choice(coats))


def _skyline(d: ImageDraw.ImageDraw, rnd: random.Random, w: int, base: float) -> None:
    x = 0.0
    while x < w:
        bw, bh = rnd.uniform(90, 200), rnd.uniform(160, 420)
        shade = rnd.randint(176, 206)
        d.rectangle((x, base - bh, x + bw - 8, base), fill=(shade, shade + 4, shade + 10))
        for wy in range(int(base - bh + 24), int(base - 20), 34):
            for wx in range(int(x + 14), int(x + bw - 30), 30):
                d.rectangle((wx, wy, wx + 14, wy + 18), fill=(shade + 24, shade + 28, shade + 34))
        x += bw


def _room(d: ImageDraw.ImageDraw, w: int, h: int, floor: float) -> None:
    d.rectangle((0, floor, w, h), fill=(190, 176, 158))
    for k in range(3):  # windows on the back wall
        x = 160 + k * 470
        d.rectangle(
            (x, 150, x + 300, floor - 230), fill=(226, 236, 244), outline=(200, 200, 200), width=10
        )
        d.line((x + 150, 150, x + 150, floor - 230), fill=(200, 200, 200), width=8)


def _banner(d: ImageDraw.ImageDraw, w: int, y: float) -> None:
    d.rectangle((w * 0.2, y, w * 0.8, y + 70), fill=RED)
    d.rectangle((w * 0.2, y + 70, w * 0.8, y + 76), fill=GOLD)


def _scene(kind: str, img: Image.Image, rnd: random.Random) -> None:
    w, h = img.size
    d = ImageDraw.Draw(img)
    ground = h * 0.70
    if kind in ("site", "outdoor", "drill"):
        _skyline(d, rnd, w, ground)
        d.rectangle((0, ground, w, h), fill=PALETTES[rnd.randrange(4)][2])
        if kind == "site":  # a crane and a fenced plot
            d.rectangle((w * 0.72, ground - 520, w * 0.72 + 26, ground), fill=GOLD)
            d.rectangle((w * 0.48, ground - 520, w * 0.95, ground - 496), fill=GOLD)
            d.line((w * 0.88, ground - 496, w * 0.88, ground - 300), fill=(90, 90, 90), width=6)
            d.rectangle((w * 0.05, ground - 60, w * 0.6, ground), outline=(150, 140, 126), width=8)
        elif kind == "drill":  # tents for an exercise
            for k in range(2):
                x = w * (0.15 + k * 0.45)
                d.polygon(
                    ((x, ground), (x + 150, ground - 170), (x + 300, ground)), fill=(232, 232, 226)
                )
                d.polygon(((x + 120, ground), (x + 150, ground - 170), (x + 180, ground)), fill=RED)
        else:
            _banner(d, w, ground - 460)
        _crowd(d, rnd, w * 0.08, w * 0.92, h * 0.84, rnd.randint(5, 8))
    elif kind in ("meeting", "classroom"):
        _room(d, w, h, ground)
        _banner(d, w, 60)
        d.rectangle(
            (w * 0.3, ground - 150, w * 0.7, ground - 20), fill=(150, 112, 84)
        )  # lectern / table
        for row in reversed(range(2 if kind == "classroom" else 1)):  # back row first
            for k in range(8):
                x = w * (0.12 + k * 0.107)
                y = h * (0.86 - row * 0.07)
                d.ellipse((x - 22, y - 120, x + 22, y - 76), fill=(92, 78, 70))
                d.rounded_rectangle((x - 40, y - 74, x + 40, y), radius=18, fill=(64, 86, 120))
    elif kind in ("office", "screen"):
        _room(d, w, h, ground)
        if kind == "screen":
            d.rectangle((w * 0.18, 110, w * 0.82, ground - 80), fill=(38, 50, 66))
            for k in range(7):  # bars of a dashboard
                bh = rnd.uniform(60, 300)
                x = w * 0.24 + k * 120
                d.rectangle(
                    (x, ground - 130 - bh, x + 70, ground - 130), fill=GOLD if k % 3 else RED
                )
        for k in range(3):
            x = w * (0.1 + k * 0.3)
            d.rectangle((x, ground + 40, x + 360, ground + 70), fill=(150, 112, 84))
            d.rectangle((x + 80, ground - 110, x + 280, ground + 30), fill=(60, 66, 78))
        _crowd(d, rnd, w * 0.1, w * 0.9, h * 0.86, 4)
    elif kind in ("counter", "hall"):
        _room(d, w, h, ground)
        d.rectangle((0, ground - 40, w, ground + 90), fill=(226, 220, 210))
        for k in range(5):  # service windows with number plates
            x = 60 + k * 310
            d.rectangle(
                (x, ground - 260, x + 260, ground - 40),
                fill=(210, 226, 236),
                outline=(170, 170, 170),
                width=6,
            )
            d.rectangle((x + 80, ground - 300, x + 180, ground - 262), fill=RED)
        _crowd(d, rnd, w * 0.06, w * 0.94, h * 0.86, 6)
    elif kind in ("library", "home"):
        _room(d, w, h, ground)
        shelves = 4 if kind == "library" else 1
        for s in range(shelves):
            x = 80 + s * 380
            d.rectangle((x, 260, x + 320, ground), fill=(150, 112, 84))
            for row in range(5):
                y = 290 + row * ((ground - 300) / 5)
                bx = x + 16
                while bx < x + 300:
                    bw = rnd.randint(14, 30)
                    d.rectangle(
                        (bx, y, bx + bw - 3, y + 70),
                        fill=rnd.choice([RED, GOLD, (64, 86, 120), (226, 220, 200)]),
                    )
                    bx += bw
        _crowd(d, rnd, w * 0.35, w * 0.95, h * 0.86, 3)
    else:
        raise ValueError(f"unknown scene {kind!r}")


def make_photo(title: str, caption: str, kind: str, rnd: random.Random) -> Image.Image:
    """A 3:2 schematic scene with a 「示意图」 tag and the caption on a band."""
    top, bottom, _ = PALETTES[rnd.randrange(len(PALETTES))]
    img = _gradient(PHOTO_SIZE, top, bottom)
    _scene(kind, img, rnd)
    img = img.filter(ImageFilter.GaussianBlur(1.2))  # soften the flat shapes a little
    w, h = img.size
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    o = ImageDraw.Draw(overlay)
    o.rectangle((0, h - 130, w, h), fill=(40, 24, 22, 190))
    img = Image.alpha_composite(img.convert("RGBA"), overlay).convert("RGB")
    d = ImageDraw.Draw(img)
    tag = font("NotoSansCJK-Medium.ttc", 40)
    d.rounded_rectangle((40, 36, 240, 106), radius=10, fill=RED)
    d.text((140, 71), "示意图", font=tag, fill=(255, 255, 255), anchor="mm")
    d.text((w - 48, 71), title, font=font("NotoSerifCJK-Bold.ttc", 44), fill=DEEP_RED, anchor="rm")
    d.text(
        (56, h - 65),
        caption,
        font=font("NotoSansCJK-Regular.ttc", 46),
        fill=(255, 255, 255),
        anchor="lm",
    )
    return img


def read_case(unit: str, case_id: str) -> dict:
    return yaml.safe_load((CASES / unit / f"{case_id}.yaml").read_text(encoding="utf-8"))


def main() -> int:
    written = 0
    for case_id, (unit, motif, scenes) in SHOWCASE.items():
        case = read_case(unit, case_id)
        folder = CASES / unit
        (folder / "images").mkdir(exist_ok=True)
        if case.get("logo"):
            make_logo(case["title"], motif).save(folder / case["logo"], optimize=True)
            written += 1
        photos = case.get("photos") or []
        if len(photos) != len(scenes):
            print(
                f"{unit}/{case_id}: {len(photos)} photos but {len(scenes)} scenes in SHOWCASE",
                file=sys.stderr,
            )
            return 1
        for i, (photo, kind) in enumerate(zip(photos, scenes, strict=True)):
            target = folder / photo["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            img = make_photo(case["title"], photo["caption"], kind, seeded(case_id, str(i)))
            img.save(target, "JPEG", quality=85, optimize=True, progressive=True)
            written += 1
    print(f"wrote {written} images")
    return 0


if __name__ == "__main__":
    sys.exit(main())
