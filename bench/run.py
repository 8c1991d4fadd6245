"""Benchmark harness: measures the budgets of the performance issue and writes bench/RESULTS.md.

    .venv/bin/python bench/run.py            # everything (about 10 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # smaller sizes, for trying the harness

Every figure comes from a fresh process (process start included). Ratios
against plain mkdocs-material are measured in the same run, alternating the
two builds, and the median is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
sys.path.insert(0, str(ROOT / "bench"))

from synth import case_markdown, make_cases, write_library  # noqa: E402

# Measures one command in a child process: wall seconds and the child's peak RSS.
_MEASURE = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[2:], cwd=sys.argv[1], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
dt = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
print(json.dumps({"seconds": dt, "cpu_s": cpu, "peak_mb": peak / 1024, "rc": p.returncode, "stderr": p.stderr.decode()[-2000:]}))
"""


def measure(cwd: Path, *cmd: str) -> dict:
    out = subprocess.run([PY, "-c", _MEASURE, str(cwd), *cmd], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{result['stderr']}")
    return result


def library(work: Path, n: int) -> Path:
    """A project folder with n synthetic cases and this project's site configuration."""
    project = work / f"lib{n}"
    if not (project / "cases").is_dir():
        write_library(project, n)
        # The site's own files as committed (never the pages generated from cases/).
        tracked = subprocess.run(["git", "ls-files", "mkdocs.yml", "docs", "theme_overrides"],
                                 cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
        for rel in tracked:
            (project / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / rel, project / rel)
    return project


def plain_site(work: Path, n: int) -> Path:
    """The same text as a hand-written MkDocs site: same theme, language and search settings."""
    project = work / f"plain{n}"
    if project.is_dir():
        return project
    docs = project / "docs" / "cases"
    docs.mkdir(parents=True)
    _, cases = make_cases(n)
    for _, case_id, data in cases:
        (docs / f"{case_id}.md").write_text(case_markdown(data), encoding="utf-8")
    (project / "docs" / "index.md").write_text("# 案例\n\n手写的对照站点。\n", encoding="utf-8")
    ours = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = yaml.load(ours, Loader=_Tolerant)
    theme = {k: v for k, v in config["theme"].items() if k not in ("custom_dir", "favicon")}
    search = next((p for p in config.get("plugins", []) if p == "search" or (isinstance(p, dict) and "search" in p)), "search")
    if isinstance(search, dict):
        search = {"search": {k: v for k, v in (search["search"] or {}).items() if k != "jieba_dict_user"}}
    plain = {
        "site_name": "plain",
        "theme": theme,
        "plugins": [search],
        "nav": [{"首页": "index.md"}],  # sections only, like ours: not one entry per page
        "validation": {"omitted_files": "ignore"},
    }
    (project / "mkdocs.yml").write_text(yaml.safe_dump(plain, allow_unicode=True), encoding="utf-8")
    return project


class _Tolerant(yaml.SafeLoader):
    """Reads mkdocs.yml even where it holds !!python/name tags (kept as strings)."""


_Tolerant.add_multi_constructor("", lambda loader, suffix, node: None)


def largest_case_page(site: Path) -> int:
    sizes = [p.stat().st_size for kind in ("brands", "posts") for p in (site / kind).glob("*/index.html")]
    return max(sizes)


def search_index_bytes(site: Path) -> int:
    return (site / "search" / "search_index.json").stat().st_size


def build_pair(work: Path, n: int, runs: int) -> dict:
    """Our build cold (empty segmentation memo), then `runs` alternating warm/plain pairs."""
    ours_project, plain_project = library(work, n), plain_site(work, n)
    build = (PY, str(ROOT / "build_cases.py"), "build")
    shutil.rmtree(ours_project / ".cache" / "search", ignore_errors=True)
    cold = measure(ours_project, *build)
    ours, plain = [], []
    for _ in range(runs):  # alternate, so drift of the machine hits both alike
        ours.append(measure(ours_project, *build))
        plain.append(measure(plain_project, PY, "-m", "mkdocs", "build", "-q"))
    med = lambda xs: statistics.median(x["seconds"] for x in xs)  # noqa: E731
    return {
        "n": n,
        "cold_s": cold["seconds"],
        "ours_s": med(ours),
        "plain_s": med(plain),
        "ratio": med(ours) / med(plain),
        "cold_ratio": cold["seconds"] / med(plain),
        "ours_peak_mb": max(x["peak_mb"] for x in ours + [cold]),
        "largest_page": largest_case_page(ours_project / "site"),
        "index_bytes": search_index_bytes(ours_project / "site"),
        "plain_index_bytes": search_index_bytes(plain_project / "site"),
        "runs": runs,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="100/1,000 cases instead of 1,000/10,000")
    ap.add_argument("--work", default=str(ROOT / "bench" / "work"), help="where libraries are generated")
    ap.add_argument("--skip-casebook", action="store_true")
    args = ap.parse_args()
    small, large = (100, 1000) if args.quick else (1000, 10000)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    env_note = os.environ.get("SOURCE_DATE_EPOCH")
    rows = []

    check = [measure(library(work, large), PY, str(ROOT / "build_cases.py"), "check") for _ in range(3)]
    check_s = statistics.median(c["seconds"] for c in check)
    rows.append((f"check, {large:,} files", f"{check_s:.2f} s", "≤ 5 s", check_s <= 5))

    a = build_pair(work, small, 3)
    b = build_pair(work, large, 2)
    for r, budget in ((a, "≤ 1.25x"), (b, "")):
        rows.append((
            f"build, {r['n']:,} cases: ours (plain mkdocs-material), median of {r['runs']}",
            f"{r['ours_s']:.1f} s ({r['plain_s']:.1f} s), ratio {r['ratio']:.2f}",
            budget, r["ratio"] <= 1.25 if budget else None,
        ))
        rows.append((
            f"build, {r['n']:,} cases: ours cold (empty segmentation memo)",
            f"{r['cold_s']:.1f} s, ratio {r['cold_ratio']:.2f}", "", None,
        ))
    growth = b["ours_s"] / a["ours_s"]
    rows.append((f"growth {small:,} -> {large:,} (warm / warm)", f"{growth:.2f}x", "≤ 11x", growth <= 11))
    rows.append((f"growth {small:,} -> {large:,} (cold / cold)", f"{b['cold_s'] / a['cold_s']:.2f}x", "", None))
    rows.append((f"growth of plain mkdocs-material {small:,} -> {large:,}", f"{b['plain_s'] / a['plain_s']:.2f}x", "", None))
    rows.append((f"largest case page at {small:,} / {large:,}", f"{a['largest_page']:,} B / {b['largest_page']:,} B", "does not grow", b["largest_page"] <= a["largest_page"] * 1.05))
    per_case = b["index_bytes"] / large
    rows.append(("search index per case", f"{per_case / 1024:.2f} KB (plain: {b['plain_index_bytes'] / large / 1024:.2f} KB)", "≤ 4 KB", per_case <= 4096))
    rows.append((f"peak memory of build at {large:,}", f"{b['ours_peak_mb']:.0f} MB", "", None))

    if not args.skip_casebook:
        book = measure(library(work, small), PY, str(ROOT / "build_cases.py"), "casebook", "--out", "casebook.pdf")
        # Issue 13: 60 s on an idle machine (the CPU seconds are what a loaded one cannot inflate)
        # and 1 GB peak; bench/casebook_compare.py gives the CPU ratio against an older tree.
        rows.append((f"casebook, {small:,} cases", f"{book['seconds']:.1f} s ({book['cpu_s']:.1f} s CPU), {book['peak_mb']:.0f} MB peak", "≤ 60 s, ≤ 1 GB", book["seconds"] <= 60 and book["peak_mb"] <= 1024))

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    lines = [
        "# Benchmark results",
        "",
        f"Command: `.venv/bin/python bench/run.py{' --quick' if args.quick else ''}` — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"Machine: {machine}" + (f", SOURCE_DATE_EPOCH={env_note}" if env_note else ""),
        "",
        "| measure | figure | budget | within |",
        "| --- | --- | --- | --- |",
    ]
    for name, figure, budget, ok in rows:
        lines.append(f"| {name} | {figure} | {budget} | {'' if ok is None else ('yes' if ok else '**no**')} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.quick:
        (ROOT / "bench" / "RESULTS.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
