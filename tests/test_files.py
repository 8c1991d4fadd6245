"""The one atomic-write helper: all or nothing, no temporary file left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from dangjian.files import atomic_path, write_atomic


def test_write_atomic_replaces_the_whole_file(tmp_path: Path):
    target = tmp_path / "sub" / "a.txt"
    write_atomic(target, "第一版\n")
    write_atomic(target, b"\xe7\xac\xac\xe4\xba\x8c")
    assert target.read_text(encoding="utf-8") == "第二"
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]


def test_a_failed_writer_leaves_the_old_file_and_no_litter(tmp_path: Path):
    target = tmp_path / "book.pdf"
    target.write_bytes(b"good")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["book.pdf"]
