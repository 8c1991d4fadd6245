"""Build time of the site: the case layer vs plain mkdocs-material on the same text.

    .venv/bin/python bench/site_bench.py            # 1,000 synthetic cases and the demo
    .venv/bin/python bench/site_bench.py 1000 10000 # other sizes

For each size N it writes a synthetic library (bench/synth.py) into bench/work/,
then times, each in a fresh process:
  ours        `build_cases.py build` (check + pages + MkDocs + index post-step)
  plain       `mkdocs build` of the same text as hand-written Markdown pages,
              Material + search (+ jieba), with a sections-only nav like ours
  plain-nav   the same with MkDocs' default nav (every page listed)
and prints CPU seconds (wall time swings with other load on the machine), the
ratio, and the search index size per case.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "bench" / "work"
sys.path.insert(0, str(REPO / "bench"))

import synth  # noqa: E402

PLAIN_YML = """site_name: 基准
use_directory_urls: true
theme:
  name: material
  language: zh
  font: false
plugins:
  - search
"""
SECTIONS_NAV = "nav:\n  - 首页: index.md\n  - 品牌: brands/index.md\n  - 示范岗: posts/index.md\n"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(cmd: list[str], cwd: Path) -> float:
    """CPU seconds of the command (user + system): stable on a shared machine, unlike wall time."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    start, wall = _cpu(), time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    cpu, wall = _cpu() - start, time.perf_counter() - wall
    if done.returncode:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    print(f"  {cmd[-1]:>6} in {cwd.name}: {cpu:.2f} s CPU, {wall:.2f} s wall", file=sys.stderr)
    return cpu


def our_project(n: int | None) -> Path:
    """A project with the repo's site configuration and n synthetic cases (None: the demo)."""
    name = "demo" if n is None else f"site{n}"
    project = WORK / name
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    shutil.copy(REPO / "mkdocs.yml", project)
    shutil.copytree(REPO / "theme_overrides", project / "theme_overrides")
    (project / "docs").mkdir()
    if n is None:
        shutil.copytree(REPO / "cases", project / "cases")
    else:
        synth.write_library(project, n)
    return project


def plain_project(n: int, nav: bool) -> Path:
    project = WORK / f"plain{n}{'-nav' if nav else ''}"
    shutil.rmtree(project, ignore_errors=True)
    docs = project / "docs"
    (docs / "brands").mkdir(parents=True)
    (docs / "posts").mkdir()
    (project / "mkdocs.yml").write_text(PLAIN_YML + ("" if nav else SECTIONS_NAV), "utf-8")
    _, cases = synth.make_cases(n)
    (docs / "index.md").write_text("# 基准\n", "utf-8")
    for kind in ("brands", "posts"):
        (docs / kind / "index.md").write_text(f"# {kind}\n", "utf-8")
    for _, case_id, data in cases:
        (docs / f"{data['kind']}s" / f"{case_id}.md").write_text(synth.case_markdown(data), "utf-8")
    return project


def index_bytes(site: Path) -> int:
    return (site / "search" / "search_index.json").stat().st_size


def main(sizes: list[int]) -> None:
    python = sys.executable
    rows = []
    for n in [None, *sizes]:
        if n is None and not (REPO / "cases" / "units.yaml").is_file():
            continue
        project = our_project(n)
        ours = _run([python, str(REPO / "build_cases.py"), "build"], project)
        again = _run([python, str(REPO / "build_cases.py"), "build"], project)
        cases = json.loads((project / "site" / "data" / "cases.json").read_text("utf-8"))
        row = {
            "library": "demo" if n is None else f"synthetic {n}",
            "cases": len(cases),
            "ours_s": round(ours, 2),
            "ours_rebuild_s": round(again, 2),
            "index_bytes_per_case": index_bytes(project / "site") // max(1, len(cases)),
        }
        if n is not None:
            for nav in (False, True):
                plain = plain_project(n, nav)
                key = "plain_nav_s" if nav else "plain_s"
                row[key] = round(_run([python, "-m", "mkdocs", "build", "-q"], plain), 2)
                if not nav:
                    row["plain_index_bytes_per_case"] = index_bytes(plain / "site") // n
            row["ratio"] = round(ours / row["plain_s"], 2)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000])
