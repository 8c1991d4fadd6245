"""How long `check` takes on hostile input, as a ratio to the same check of the clean library.

    .venv/bin/python bench/hostile_bench.py

The budgets that used to be wall-clock asserts in tests/test_hostile.py: a
YAML bomb or deeply nested file is cut short (ratio near 1, budget 10), and a
50 MB file is refused by its size without being parsed (budget 10). Both run
in this process against a baseline measured in the same run.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from libraries import CHECK_CORPUS, overlay_library  # noqa: E402

from dangjian import pipeline  # noqa: E402

BUDGET = 10.0  # times the clean library's check


def seconds(project: Path, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        pipeline.open_library(project)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        baseline = seconds(overlay_library(tmp_path / "clean"))
        rows = []
        for folder in sorted(p for p in CHECK_CORPUS.iterdir() if p.is_dir()):
            rows.append((folder.name, seconds(overlay_library(tmp_path / folder.name, folder))))
        huge = overlay_library(tmp_path / "huge")
        block = ("title: " + "很长" * 500 + "\n").encode()
        with (huge / "cases" / "fgw" / "huge.yaml").open("wb") as f:
            for _ in range(50 * 1024 * 1024 // len(block) + 1):
                f.write(block)
        rows.append(("50 MB file", seconds(huge)))
    print(f"clean library: {baseline * 1000:.0f} ms")
    worst = 0.0
    for name, t in sorted(rows, key=lambda r: -r[1])[:10]:
        worst = max(worst, t / baseline)
        print(f"{name:32s} {t * 1000:7.0f} ms  x{t / baseline:.2f}")
    print(f"worst ratio x{worst:.2f} (budget x{BUDGET:g}): {'ok' if worst <= BUDGET else 'OVER'}")
    sys.exit(0 if worst <= BUDGET else 1)


if __name__ == "__main__":
    main()
