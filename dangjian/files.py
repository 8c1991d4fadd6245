"""Writing files so that a reader never sees half of one: the one atomic-write helper.

A temporary file beside the target (same folder, same filesystem) is written,
given the mode the umask gives any new file (mkstemp alone makes it 0600) and
renamed over the target; on any failure, Ctrl-C included, the temporary file
is removed and the target is left as it was.
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
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(target: Path, data: bytes | str) -> None:
    """Write `data` (str as UTF-8 with \\n line ends) to `target` atomically."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(target) as tmp:
        tmp.write_bytes(raw)


def current_umask() -> int:
    """The process umask (reading it means setting it; set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
