"""Publishing a built folder (output-folder safety is paths.py's): staging, atomic swap, the build date.

Engine-agnostic: `staged(target)` hands out a fresh folder beside `target` and
puts it in place only when the block succeeded, so a failed or interrupted
build (Ctrl-C, or SIGTERM once the CLI turned it into KeyboardInterrupt)
leaves the previous output as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from . import paths


@contextlib.contextmanager
def staged(target: Path) -> Iterator[Path]:
    """A new empty folder beside `target`; swapped in for `target` when the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=paths.staging_prefix(target), dir=target.parent))
    try:
        yield staging
        os.chmod(staging, 0o755)  # mkdtemp makes it 0700; a web server must read it
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(new: Path, target: Path) -> None:
    """Put `new` in place of `target`; the old folder is removed only after the rename."""
    if not target.exists():
        os.replace(new, target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    # no signal between the two renames: the site is never missing or half-swapped
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    try:
        os.replace(target, old)
        try:
            os.replace(new, target)
        except BaseException:
            os.replace(old, target)
            raise
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    shutil.rmtree(old, ignore_errors=True)


def source_date_epoch(project: Path, environ: Mapping[str, str] = os.environ) -> int:
    """SOURCE_DATE_EPOCH if set; else the last commit's time when the inputs are
    committed as they are; else the newest modification time of the inputs.

    The site dates its pages (sitemap, its gzip header) with it. Two clones of
    one commit have different file times but the same commit time, so they
    build the same bytes.
    """
    given = environ.get("SOURCE_DATE_EPOCH", "")
    if given.strip().isdigit():
        return int(given)
    committed = _commit_time(project)
    if committed is not None:
        return committed
    newest = 0.0
    for root in (project / "cases", project / "mkdocs.yml"):
        paths = root.rglob("*") if root.is_dir() else [root]
        for p in paths:
            with contextlib.suppress(OSError):
                newest = max(newest, p.stat().st_mtime)
    return int(newest)


def _commit_time(project: Path) -> int | None:
    """The time of HEAD if cases/ and mkdocs.yml have no uncommitted change, else None."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(project), *args], capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if not top or Path(top).resolve() != project.resolve():
        return None  # not a checkout of its own (or no git): file times tell more
    if git("status", "--porcelain", "--", "cases", "mkdocs.yml") != "":
        return None  # edited inputs: file times tell more
    stamp = git("log", "-1", "--format=%ct")
    return int(stamp) if stamp and stamp.isdigit() else None
