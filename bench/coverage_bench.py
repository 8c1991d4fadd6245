"""What the 台账, CSV and 通报 add to a site build, measured in one process.

For the demo and for a synthetic library of 1,000 cases: the median CPU time
of a whole build (which writes the office files), and the median CPU time of
`downloads.data_files` alone, the only work the build does for them; the build
without them is the difference. Also the sizes of the files the build wrote.

    .venv/bin/python bench/coverage_bench.py
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

import synth  # noqa: E402
from conftest import make_project, open_valid  # noqa: E402

from dangjian import coverage, downloads  # noqa: E402
from dangjian.site import build_site  # noqa: E402


def _cpu(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def measure(name: str, project: Path, runs: int) -> None:
    library = open_valid(project)
    site = project / "site"
    build = _cpu(lambda: build_site(project, library, site), runs)
    cov = coverage.compute(library, coverage.as_of_date(0))
    files = _cpu(lambda: downloads.data_files(library, cov), runs * 3)
    sizes = ", ".join(
        f"{Path(rel).name} {(site / rel).stat().st_size:,} B"
        for rel in (downloads.LEDGER, downloads.REPORT, downloads.UNITS_CSV)
    )
    print(f"| {name} | {build:.2f} s | {files:.2f} s | {build - files:.2f} s | "
          f"{build / (build - files):.3f} | {sizes} |")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="coverage-bench-") as tmp:
        work = Path(tmp)
        print("| library | build, CPU (median) | office files alone | build without | ratio | sizes |")
        print("| --- | --- | --- | --- | --- | --- |")
        measure("demo, 75 cases", make_project(work / "demo", ROOT / "cases"), 3)
        synthetic = synth.write_library(work / "synth", 1000)
        cases = work / "synth-cases"
        shutil.copytree(synthetic / "cases", cases)
        measure("synthetic, 1,000 cases", make_project(work / "big", cases), 2)


if __name__ == "__main__":
    main()
