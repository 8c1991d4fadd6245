"""Where the casebook's memory goes: one synthetic book rendered as ONE WeasyPrint document.

    .venv/bin/python bench/casebook_profile.py --cases 100 --units 13

Prints the resident memory after each stage (HTML, layout, PDF written) and,
traced with tracemalloc, the live Python allocations after layout grouped by
the source module that made them (WeasyPrint's boxes, text lines, fonts...).
"""

from __future__ import annotations

import argparse
import gc
import resource
import shutil
import sys
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from casebook_bench import build_library  # noqa: E402

from dangjian.casebook_fonts import check_fonts  # noqa: E402
from dangjian.casebook_html import TEMPLATES, render_html  # noqa: E402
from dangjian.casebook_pdf import reported  # noqa: E402
from dangjian.casebook_select import select  # noqa: E402
from dangjian.images import ImagePipeline  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--units", type=int, default=13)
    parser.add_argument("--trace", action="store_true", help="tracemalloc (slow, ~2x memory)")
    args = parser.parse_args()
    work = ROOT / "bench" / "work" / "casebook-profile"
    shutil.rmtree(work, ignore_errors=True)
    library = build_library(work / "cases", args.cases, args.units, True)
    images = ImagePipeline(work / ".cache" / "images")
    fonts = check_fonts(library.settings.casebook.fonts)
    selection = select(library, [], [], [])
    html = render_html(library, selection, images, fonts)
    gc.collect()
    print(f"HTML {len(html) / 1e6:.1f} MB of text: RSS {rss_mb():.0f} MB")
    allowed = [TEMPLATES, images.cache_dir, library.root]
    if args.trace:
        tracemalloc.start(1)
    with reported(allowed, images.cache_dir) as make:
        document = make(html).render()
        gc.collect()
        pages = len(document.pages)
        print(f"laid out {pages} pages: RSS {rss_mb():.0f} MB")
        if args.trace:
            snapshot = tracemalloc.take_snapshot()
            stats = snapshot.statistics("filename")
            total = sum(s.size for s in stats)
            print(f"traced live Python memory {total / 1e6:.0f} MB ({total / pages / 1e6:.2f} MB a page)")
            for stat in stats[:12]:
                name = stat.traceback[0].filename.split("site-packages/")[-1]
                print(f"  {stat.size / 1e6:7.1f} MB  {stat.count:9,d} blocks  {name}")
            tracemalloc.stop()
        document.write_pdf(work / "book.pdf")
        print(f"written: RSS {rss_mb():.0f} MB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB, {peak / pages:.2f} MB a page (whole process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
