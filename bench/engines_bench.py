"""Site build time with Zensical next to MkDocs, for the same library, in one run.

    .venv/bin/python bench/engines_bench.py [--cases DIR] [--rounds 3]

Each round builds the library with `build_cases.py build --engine mkdocs` and
then `--engine zensical` (fresh processes, full CLI: check, pages, images from
the warm cache, publishing); the medians and their ratio are printed. Only the
ratio is comparable between machines.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def project(cases: Path, into: Path) -> Path:
    into.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", into / "mkdocs.yml")
    shutil.copytree(ROOT / "theme_overrides", into / "theme_overrides")
    shutil.copytree(ROOT / "docs", into / "docs")
    shutil.copytree(cases, into / "cases")
    return into


def timed(folder: Path, engine: str) -> float:
    cli = [
        sys.executable,
        str(ROOT / "build_cases.py"),
        "build",
        "--engine",
        engine,
        "--site-dir",
        f"site-{engine}",
    ]
    started = time.perf_counter()
    done = subprocess.run(cli, cwd=folder, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{engine} build failed:\n{done.stderr[-2000:]}")
    return seconds


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cases", default=str(ROOT / "cases"))
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = project(Path(args.cases), Path(tmp) / "project")
        for engine in ("mkdocs", "zensical"):  # warm the image and segment caches
            timed(folder, engine)
        times: dict[str, list[float]] = {"mkdocs": [], "zensical": []}
        for _ in range(args.rounds):
            for engine in times:
                times[engine].append(timed(folder, engine))
    m, z = (statistics.median(times[e]) for e in ("mkdocs", "zensical"))
    print(f"cases: {args.cases}  rounds: {args.rounds}")
    print(f"mkdocs   median {m:.2f} s  {times['mkdocs']}")
    print(f"zensical median {z:.2f} s  {times['zensical']}")
    print(f"zensical / mkdocs = {z / m:.2f}")


if __name__ == "__main__":
    main()
