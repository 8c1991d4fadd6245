"""Benchmark of the image pipeline: 200 camera-sized JPEGs, cold and warm cache.

    .venv/bin/python bench/images_bench.py [--count 200] [--workers 2]

Sources are generated once into bench/work/images/ (git-ignored): 4000x3000 JPEGs of
gradients and noise, 4-5 MB each like a phone's, half of them stored sideways with
EXIF Orientation=6 and a GPS position. Each image gets its web renditions (page and
thumbnail) and its print rendition, as a site build plus a casebook would ask.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dangjian.images import inspect_image
from dangjian.renditions import ImagePipeline, prepare_many  # noqa: E402

WORK = Path(__file__).resolve().parent / "work" / "images"
SIZE = (4000, 3000)


def generate(count: int) -> list[Path]:
    WORK.mkdir(parents=True, exist_ok=True)
    paths = [WORK / f"photo-{i:03d}.jpg" for i in range(count)]
    missing = [p for p in paths if not p.exists()]
    if not missing:
        return paths
    print(f"generating {len(missing)} sources into {WORK} ...", flush=True)
    started = time.perf_counter()
    width, height = SIZE
    grad = Image.linear_gradient("L").resize(SIZE)
    rad = Image.radial_gradient("L").resize(SIZE)
    noise = Image.effect_noise(SIZE, 28)
    for path in missing:
        i = int(path.stem.split("-")[1])
        # Shift the shared noise differently per image, so every file is distinct content.
        r = Image.blend(grad, ImageChops.offset(noise, 37 * i, 11 * i), 0.45)
        g = Image.blend(rad, ImageChops.offset(noise, 1234 + 53 * i, 567), 0.45)
        b = Image.blend(grad.rotate(180), ImageChops.offset(noise, 77, 2100 + 29 * i), 0.45)
        im = Image.merge("RGB", (r, g, b))
        ImageDraw.Draw(im).rectangle((100, 100, 100 + 10 * i, 400), fill=(200, 20, 20))
        exif = Image.Exif()
        if i % 2:
            exif[0x0112] = 6
            gps = exif.get_ifd(0x8825)
            gps[1], gps[2] = "N", (39.0, 54.0, float(i % 60))
        buffer = io.BytesIO()
        im.save(buffer, "JPEG", quality=90, exif=exif)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(buffer.getvalue())
        os.replace(tmp, path)
    print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    return paths


def run(label: str, cache: Path, sources: list[Path], workers: int, count: int) -> None:
    pipeline = ImagePipeline(cache)
    cpu_before, started = _cpu(), time.perf_counter()
    prepare_many(pipeline, [(s, "photo") for s in sources], workers=workers)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu_before
    print(
        f"{label:<28} {seconds:7.2f} s  {count / seconds:7.1f} images/s  "
        f"cpu {cpu:6.1f} s ({cpu / count * 1000:4.0f} ms/image)  "
        f"encoded {pipeline.encoded:4d}  reused {pipeline.reused:4d}",
        flush=True,
    )


def _cpu() -> float:
    """CPU seconds of this process and its finished workers: the figure that other
    load on the machine does not inflate as much as wall time."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    sources = generate(args.count)
    total = sum(p.stat().st_size for p in sources)
    print(
        f"{len(sources)} sources, {SIZE[0]}x{SIZE[1]}, {total / len(sources) / 1e6:.1f} MB each "
        f"on average; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        "renditions per image: page + thumb + print\n"
    )

    cpu_before, started = _cpu(), time.perf_counter()
    problems = [inspect_image(p) for p in sources]
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu_before
    assert not any(problems), problems
    print(
        f"{'check (inspect_image)':<28} {seconds:7.2f} s  {len(sources) / seconds:7.1f} images/s  "
        f"cpu {cpu:6.1f} s ({cpu / len(sources) * 1000:4.0f} ms/image)"
    )

    root = Path(tempfile.mkdtemp(prefix="images-bench-"))
    try:
        for workers in sorted({1, args.workers}):
            cache = root / f"cache-{workers}"
            run(f"cold, {workers} worker(s)", cache, sources, workers, len(sources))
            run(f"warm, {workers} worker(s)", cache, sources, workers, len(sources))
        out = sorted((root / "cache-1").iterdir())
        size = sum(p.stat().st_size for p in out)
        print(f"\n{len(out)} renditions, {size / 1e6:.1f} MB in the cache")
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
