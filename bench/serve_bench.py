"""serve's rebuild after one case edit: full (what serve did before) vs dirty (what it does now).

    .venv/bin/python bench/serve_bench.py            # the demo library and 1,000 synthetic cases
    .venv/bin/python bench/serve_bench.py 1000 3000  # other sizes

For each library (bench/work/serve-*), serve sessions in this process run as
`build_cases.py serve` runs MkDocs (tests/serving.py). Each session makes its
first build, then one case's summary is edited and the rebuild is timed:
  full    a session of plain `mkdocs serve` (as `build_cases.py serve` was
          before): MkDocs' clean build, every page rendered
  dirty   a session of `build_cases.py serve`: only the touched pages rendered
alternated in the same process (full first in odd rounds, dirty first in even
ones). Prints the median of 3 wall and CPU seconds (this process: user +
system) of each, their ratio, the pages the dirty rebuild rendered, and the
seconds both spend alike on reading and checking the library and making its
pages (measured once, outside MkDocs).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "bench" / "work"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "tests"))

import synth  # noqa: E402
from serving import Serve  # noqa: E402

ROUNDS = 3
SUMMARY = re.compile(r"^summary: (.*)$", re.M)


def project_for(n: int | None) -> Path:
    """A project with the repo's site configuration and n synthetic cases (None: the demo)."""
    project = WORK / ("serve-demo" if n is None else f"serve{n}")
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    shutil.copy(REPO / "mkdocs.yml", project)
    shutil.copytree(REPO / "theme_overrides", project / "theme_overrides")
    shutil.copytree(REPO / "docs", project / "docs")
    if n is None:
        shutil.copytree(REPO / "cases", project / "cases")
    else:
        synth.write_library(project, n)
    return project


def edited_case(project: Path) -> Path:
    """The first case file with a one-line summary: the one each round edits."""
    for path in sorted((project / "cases").glob("*/*.yaml")):
        if SUMMARY.search(path.read_text(encoding="utf-8")):
            return path
    sys.exit(f"no case with a one-line summary in {project}")


def edit(case: Path, round_no: int) -> None:
    text = case.read_text(encoding="utf-8")
    case.write_text(
        SUMMARY.sub(lambda m: f"summary: {m[1].split('（第')[0]}（第{round_no}稿）", text, 1),
        encoding="utf-8",
    )


def rebuild(project: Path, case: Path, dirty: bool, edits: int) -> tuple[float, float, object]:
    """A serve session (dirty or not): its first build, one edit, the timed rebuild."""
    serve = Serve(project, project / ("served-dirty" if dirty else "served-full"), dirty=dirty)
    try:
        serve.build()
        edit(case, edits)
        cpu, wall = time.process_time(), time.perf_counter()
        report = serve.build()
        return time.perf_counter() - wall, time.process_time() - cpu, report
    finally:
        serve.close()


def library_seconds(project: Path) -> float:
    """Reading, checking and making the pages of the library: what both rebuilds do first."""
    from dangjian import pipeline
    from dangjian.sitesource import site_source

    start = time.perf_counter()
    result = pipeline.open_library(project)
    site_source(project, result.library)
    return time.perf_counter() - start


def bench(n: int | None) -> dict:
    project = project_for(n)
    case = edited_case(project)
    times: dict[str, list[tuple[float, float]]] = {"full": [], "dirty": []}
    edits, rendered, pages = 0, 0, 0
    for r in range(ROUNDS):
        for mode in ("full", "dirty") if r % 2 == 0 else ("dirty", "full"):
            edits += 1
            wall, cpu, report = rebuild(project, case, mode == "dirty", edits)
            times[mode].append((wall, cpu))
            if mode == "dirty":
                assert not report.full, report
                rendered, pages = max(rendered, len(report.rendered)), report.pages
    wall = {m: statistics.median(w for w, _ in t) for m, t in times.items()}
    cpu = {m: statistics.median(c for _, c in t) for m, t in times.items()}
    return {
        "library": "demo" if n is None else f"synthetic {n}",
        "pages": pages,
        "dirty_rendered": rendered,
        "full_wall_s": round(wall["full"], 2),
        "dirty_wall_s": round(wall["dirty"], 2),
        "wall_ratio": round(wall["full"] / wall["dirty"], 2),
        "full_cpu_s": round(cpu["full"], 2),
        "dirty_cpu_s": round(cpu["dirty"], 2),
        "cpu_ratio": round(cpu["full"] / cpu["dirty"], 2),
        "library_s": round(library_seconds(project), 2),
    }


def main(sizes: list[int]) -> None:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # the per-build INFO/WARNING lines
    os.environ["SOURCE_DATE_EPOCH"] = "1782864000"
    for n in [None, *sizes]:
        if n is None and not (REPO / "cases" / "units.yaml").is_file():
            continue
        print(json.dumps(bench(n), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000])
