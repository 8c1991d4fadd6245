"""`check` time of the working tree against another commit, on the same synthetic library.

    .venv/bin/python bench/check_vs_ref.py [REF] [N] [ROUNDS]     # defaults: main 2000 5

REF is extracted with `git archive` into a temporary folder; both trees check
the same N-case library (bench/synth.py) in alternating runs in one process,
so a busy machine slows both alike. Prints each run and the ratio of medians.
"""

from __future__ import annotations

import io
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from synth import write_library  # noqa: E402


def main() -> None:
    ref = sys.argv[1] if len(sys.argv) > 1 else "main"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    with tempfile.TemporaryDirectory(prefix="check-vs-ref-") as tmp:
        work = Path(tmp)
        archive = subprocess.run(
            ["git", "archive", ref], cwd=ROOT, capture_output=True, check=True
        ).stdout
        other = work / "ref"
        other.mkdir()
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(other, filter="data")
        library = write_library(work / "lib", n)
        trees = {ref: other, "working tree": ROOT}
        times: dict[str, list[float]] = {name: [] for name in trees}
        cpu: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(rounds):
            for name, tree in trees.items():
                env = dict(os.environ, PYTHONPATH=str(tree), SOURCE_DATE_EPOCH="1782864000")
                started = time.perf_counter()
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                done = subprocess.run(
                    [sys.executable, str(tree / "build_cases.py"), "check"],
                    cwd=library,
                    env=env,
                    capture_output=True,
                    text=True,
                )
                times[name].append(time.perf_counter() - started)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append(
                    after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                )
                if done.returncode != 0:
                    raise SystemExit(
                        f"{name}: check failed\n{done.stdout[-500:]}{done.stderr[-500:]}"
                    )
    for name, values in times.items():
        print(
            f"{name:>14}: "
            + " ".join(f"{v:.2f}" for v in values)
            + f"  median {statistics.median(values):.2f} s"
        )
        print(
            f"{'':>14}  CPU: "
            + " ".join(f"{v:.2f}" for v in cpu[name])
            + f"  median {statistics.median(cpu[name]):.2f} s"
        )
    ratio = statistics.median(times["working tree"]) / statistics.median(times[ref])
    cpu_ratio = statistics.median(cpu["working tree"]) / statistics.median(cpu[ref])
    print(f"check of {n} cases, working tree / {ref}: {ratio:.2f} (CPU time: {cpu_ratio:.2f})")


if __name__ == "__main__":
    main()
