"""Benchmark of the casebook export: a synthetic library, exported once, timed and measured.

    .venv/bin/python bench/casebook_bench.py                 # 1,000 cases in 125 units
    .venv/bin/python bench/casebook_bench.py --cases 100 --units 20

Builds the Library in memory (≈1,000 Chinese characters per case, half brands
and half posts, deterministic), exports it with `export_casebook` and prints
the seconds (wall and CPU), the page count, the PDF's size and the peak
resident memory of this process. Budget (issue 13): 1,000 cases in at most
60 s and 1 GB peak. The export is single-threaded, so on an idle machine its
CPU seconds are its wall seconds; the budget is checked on CPU seconds, which
other work on a shared machine does not inflate. Work files go to bench/work/.
To compare against an older tree in the same run: bench/casebook_compare.py.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dangjian.casebook import export_casebook  # noqa: E402
from dangjian.model import (  # noqa: E402
    DEFAULT_THEMES,
    Branch,
    Brand,
    Image,
    Library,
    Metric,
    Post,
    Practice,
    Settings,
    Unit,
)

BUDGET_SECONDS = 60
BUDGET_MB = 1024

# Sentence parts written for this benchmark; combined at random they give
# plausible running text of the right length and character mix.
SUBJECTS = ["支部", "党员干部", "青年党员", "党小组", "业务骨干", "支委会", "全体党员", "窗口党员"]
ACTIONS = [
    "围绕年度重点任务细化责任清单",
    "坚持每月开展一次主题党日活动",
    "把政策宣讲送到企业和社区",
    "建立问题台账并逐项跟踪销号",
    "推行首问负责和限时办结",
    "结合业务工作开展专题调研",
    "组织党员到服务一线轮岗锻炼",
    "通过结对帮扶解决群众急难愁盼问题",
    "把廉洁提醒嵌入审批和采购环节",
    "定期听取服务对象的意见建议",
]
RESULTS = [
    "办事时限平均缩短三分之一",
    "群众满意度稳步提升",
    "形成了一批可复制的经验做法",
    "多项工作得到上级部门肯定",
    "党员的身份意识和服务意识明显增强",
    "业务工作和党建工作实现互促共进",
]
NAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["敏", "伟", "芳", "军", "静", "磊", "洋", "艳", "勇", "杰", "娟", "涛", "明", "霞", "斌"]


def _sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}，{rng.choice(ACTIONS)}，"
        f"{rng.choice(RESULTS)}。"
    )


def _paragraphs(rng: random.Random, chars: int) -> str:
    paras, current = [], ""
    while sum(len(p) for p in paras) + len(current) < chars:
        current += _sentence(rng)
        if len(current) > 120:
            paras.append(current)
            current = ""
    if current:
        paras.append(current)
    return "\n\n".join(paras)


def build_library(root: Path, cases: int, units: int, images: bool) -> Library:
    """A deterministic library of `cases` published cases spread over `units` units."""
    rng = random.Random(20260101)
    logo = photo = None
    if images:
        from PIL import Image as PILImage
        from PIL import ImageDraw

        img_dir = root / "u000" / "images"
        img_dir.mkdir(parents=True, exist_ok=True)
        logo_im = PILImage.new("RGB", (600, 600), "white")
        ImageDraw.Draw(logo_im).ellipse((30, 30, 570, 570), fill=(166, 27, 27))
        logo_im.save(img_dir / "logo.png")
        photo_im = PILImage.new("RGB", (2400, 1600), (120, 140, 170))
        ImageDraw.Draw(photo_im).rectangle((300, 600, 2100, 1500), fill=(180, 90, 60))
        photo_im.save(img_dir / "photo.jpg", quality=85)
        logo = Image(img_dir / "logo.png", "u000/images/logo.png", "")
        photo = Image(img_dir / "photo.jpg", "u000/images/photo.jpg", "党员志愿服务活动现场")
    unit_list = tuple(
        Unit(
            id=f"u{i:03d}",
            name=f"区第{i + 1}局",
            org=f"中共区第{i + 1}局机关支部委员会",
            org_type=("机关党委", "党总支", "党支部")[i % 3],
            branches=(Branch(f"u{i:03d}-a", "综合科党支部"),),
        )
        for i in range(units)
    )
    all_cases = []
    for n in range(cases):
        unit = unit_list[n * units // cases]
        common = dict(
            id=f"c{n:04d}",
            unit=unit,
            branch=unit.branches[0] if n % 2 else None,
            summary=_sentence(rng)[:60],
            themes=tuple(rng.sample(DEFAULT_THEMES, 2)),
            year=2015 + n % 11,
            status="published",
            photos=(photo,) if photo and n % 10 == 0 else (),
            source=f"cases/{unit.id}/c{n:04d}.yaml",
        )
        if n % 2 == 0:
            all_cases.append(
                Brand(
                    kind="brand",
                    title=f"第{n + 1}号党建品牌",
                    slogan="立足岗位作表率，服务群众当先锋",
                    logo=logo if n % 4 == 0 else None,
                    concept=_paragraphs(rng, 150),
                    practices=tuple(
                        Practice(f"做法{k + 1}", _paragraphs(rng, 180)) for k in range(3)
                    ),
                    results=_paragraphs(rng, 200),
                    metrics=(Metric("服务群众", 1200 + n, "人次"), Metric("办结事项", 86, "件")),
                    honors=("区级先进基层党组织",),
                    **common,
                )
            )
        else:
            all_cases.append(
                Post(
                    kind="post",
                    title=f"第{n + 1}号党员示范岗",
                    holders=tuple(rng.choice(NAMES) + rng.choice(GIVEN) for _ in range(3)),
                    duties=_paragraphs(rng, 400),
                    commitments=tuple(rng.choice(ACTIONS) for _ in range(3)),
                    results=_paragraphs(rng, 450),
                    batch="第二批",
                    **common,
                )
            )
    return Library(
        root=root,
        units=unit_list,
        cases=tuple(all_cases),
        themes=DEFAULT_THEMES,
        settings=Settings(organization="中共测试区委区直机关工作委员会"),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--units", type=int, default=125)
    parser.add_argument("--no-images", action="store_true", help="text only")
    args = parser.parse_args()

    work = ROOT / "bench" / "work" / "casebook"
    shutil.rmtree(work, ignore_errors=True)
    library = build_library(work / "cases", args.cases, args.units, not args.no_images)
    chars = sum(
        len(c.summary + c.title)
        + (
            len(c.concept + c.results) + sum(len(p.text) for p in c.practices)
            if isinstance(c, Brand)
            else len(c.duties + c.results) + sum(len(x) for x in c.commitments)
        )
        for c in library.cases
    )
    out = work / "casebook.pdf"
    # The same collector tuning as `build_cases.py casebook` (the library sets none).
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    start, cpu_start = time.perf_counter(), time.process_time()
    export_casebook(library, out, [], [], [])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    pages = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")
    print(
        f"{args.cases} cases ({chars / args.cases:.0f} characters each) in {args.units} units: "
        f"{pages} pages, {out.stat().st_size / 1e6:.1f} MB PDF, "
        f"{seconds:.1f} s ({cpu:.1f} s CPU), peak RSS {peak_mb:.0f} MB"
    )
    ok = cpu <= BUDGET_SECONDS and peak_mb <= BUDGET_MB
    print(f"budget {BUDGET_SECONDS} s CPU / {BUDGET_MB} MB: {'ok' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
