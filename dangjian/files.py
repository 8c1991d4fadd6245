"""Writing files so that a reader never sees half of one: the one atomic-write helper.

A temporary file beside the target (same folder, same filesystem) is written
and renamed over the target; on any failure, Ctrl-C included, the temporary
file is removed and the target is left as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A fresh temporary path beside `target` for a writer that wants a file name
    (WeasyPrint, a ZIP writer); it replaces `target` when the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(target: Path, data: bytes | str) -> None:
    """Write `data` (str as UTF-8 with \\n line ends) to `target` atomically."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(target) as tmp:
        tmp.write_bytes(raw)
