"""Casebook export of two code trees on the same synthetic library, alternated in one run.

    git archive 582d418 | tar -x -C /tmp/old      # the tree to compare against
    .venv/bin/python bench/casebook_compare.py --old /tmp/old --rounds 1

Each round runs `bench/casebook_bench.py` of the old tree, then of this tree,
each in a fresh child process, and reads the child's CPU seconds (user +
system) and peak RSS from wait4(): on a machine shared with other work the
CPU ratio new/old holds where wall seconds do not. Both benches build the
same deterministic library (bench/casebook_bench.py's build_library).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(tree: Path, cases: int, units: int) -> dict:
    cmd = [sys.executable, str(tree / "bench" / "casebook_bench.py"), "--cases", str(cases),
           "--units", str(units)]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    found = re.search(r"(\d+) pages, ([\d.]+) MB PDF", out)
    if found is None:
        raise SystemExit(f"{tree}: no result\n{out[-2000:]}")
    return {
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "pages": int(found.group(1)),
        "pdf_mb": float(found.group(2)),
        "line": out.strip().splitlines()[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="the code tree to compare against")
    parser.add_argument("--new", type=Path, default=ROOT)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--units", type=int, default=125)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    results: dict[str, list[dict]] = {"old": [], "new": []}
    for n in range(args.rounds):
        for name, tree in (("old", args.old), ("new", args.new)):
            r = run(tree.resolve(), args.cases, args.units)
            results[name].append(r)
            print(
                f"round {n + 1} {name}: {r['cpu']:.1f} s CPU, peak {r['peak_mb']:.0f} MB, "
                f"{r['pages']} pages, {r['pdf_mb']:.1f} MB PDF",
                flush=True,
            )
    ratios = [n["cpu"] / o["cpu"] for o, n in zip(results["old"], results["new"], strict=True)]
    old_peak = max(r["peak_mb"] for r in results["old"])
    new_peak = max(r["peak_mb"] for r in results["new"])
    print(
        f"CPU new/old (median of {len(ratios)}): {statistics.median(ratios):.2f}; "
        f"peak old {old_peak:.0f} MB, new {new_peak:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
