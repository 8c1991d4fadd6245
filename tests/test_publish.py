"""Publishing: atomic, reproducible, offline, and free of the build machine's paths.

Each test runs `build_cases.py` as a user or a CI job would, in a fresh process:

- a build killed with SIGTERM half-way leaves the previous site byte-identical;
- two checkouts of the same content in different folders, time zones and file
  creation orders give byte-identical sites and casebooks (SOURCE_DATE_EPOCH);
- the build and the casebook succeed with no network at all (`unshare --net`, the
  second of the two checkouts);
- no file of the site or the casebook names a folder of the build machine.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, SMALL, make_project
from libraries import inflate_pdf

pytestmark = pytest.mark.slow

EPOCH = "1767225600"  # 2026-01-01 00:00 UTC: still 2025 in no time zone west of UTC
CODE = ("build_cases.py", "dangjian", "mkdocs.yml", "theme_overrides")


def cli(project: Path, *args: str, code: Path = REPO, env: dict | None = None,
        prefix: tuple[str, ...] = (), timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `build_cases.py <args>` in `project` with the code of `code`."""
    environ = {**os.environ, "PYTHONPATH": str(code), **(env or {})}
    return subprocess.run(
        [*prefix, sys.executable, str(code / "build_cases.py"), *args],
        cwd=project, env=environ, capture_output=True, text=True, timeout=timeout,
    )


def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file (and the target of every symlink) under `folder`."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def leftovers(parent: Path, name: str = "site") -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


# ---------------------------------------------------------------------------
# Atomic publishing


@pytest.fixture(scope="module")
def big_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic library of 300 cases, built once: a build of it takes several seconds."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from synth import write_library
    finally:
        sys.path.remove(str(REPO / "bench"))
    base = tmp_path_factory.mktemp("big")
    write_library(base / "synthetic", 300)
    project = make_project(base / "project", base / "synthetic" / "cases")
    done = cli(project, "build")
    assert done.returncode == 0, done.stderr
    return project


def _edit_a_case(project: Path) -> Path:
    case = sorted((project / "cases").glob("*/case-00000.yaml"))[0]
    text = case.read_text("utf-8")
    case.write_text(re.sub(r"(?m)^title: .*$", "title: 中断测试改名", text, count=1), "utf-8")
    return case


@pytest.fixture(scope="module")
def interrupted(big_project: Path) -> dict[str, dict[str, str] | list[str]]:
    """One build of an edited library stopped with SIGTERM while MkDocs writes the staging folder."""
    site = big_project / "site"
    before = tree_hashes(site)
    assert len(before) > 300
    _edit_a_case(big_project)
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build_cases.py"), "build"],
        cwd=big_project, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    # wait until MkDocs is writing pages into the staging folder, then stop it
    deadline = time.monotonic() + 120
    staging = None
    while time.monotonic() < deadline and proc.poll() is None:
        found = [p for p in big_project.glob(".site.new-*") if any(p.rglob("*.html"))]
        if found:
            staging = found[0]
            break
        time.sleep(0.05)
    assert staging is not None, "the build never started writing the staging folder"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    return {"before": before, "after": tree_hashes(site), "leftovers": leftovers(big_project)}


def test_sigterm_mid_build_leaves_the_previous_site_untouched(big_project: Path, interrupted):
    site = big_project / "site"
    assert interrupted["after"] == interrupted["before"]
    assert "中断测试改名" not in (site / "data" / "cases.json").read_text("utf-8")


def test_sigterm_mid_build_leaves_no_staging_folder(interrupted):
    assert interrupted["leftovers"] == []


def test_the_build_after_an_interrupted_one_publishes_the_change(big_project: Path, interrupted):
    done = cli(big_project, "build")
    assert done.returncode == 0, done.stderr
    assert "中断测试改名" in (big_project / "site" / "data" / "cases.json").read_text("utf-8")


def test_pages_an_older_version_wrote_into_docs_neither_block_nor_go_stale(tmp_path: Path):
    """Earlier versions wrote the pages into docs/ with a manifest; after an upgrade those
    stale copies are left on disk untouched but never built in place of the current pages."""
    project = make_project(tmp_path / "project", SMALL / "cases")
    docs = project / "docs"
    (docs / "brands").mkdir()
    (docs / "brands" / "hongse-yinqing.md").write_text("---\ntitle: 旧页面\n---\n# 旧页面\n", "utf-8")
    (docs / ".generated.json").write_text('["brands/hongse-yinqing.md"]\n', "utf-8")
    done = cli(project, "build")
    assert done.returncode == 0, done.stderr
    page = (project / "site" / "brands" / "hongse-yinqing" / "index.html").read_text("utf-8")
    assert "<h1" in page and "红色引擎" in page and "旧页面" not in page
    assert (docs / "brands" / "hongse-yinqing.md").read_text("utf-8").endswith("# 旧页面\n")
    assert sorted(p.name for p in docs.iterdir()) == [".generated.json", "brands", "guide"]


# ---------------------------------------------------------------------------
# Reproducible builds


def _checkout(root: Path, reverse: bool, seed: int) -> tuple[Path, Path]:
    """A copy of the code and of the small library; files written in a given order and mtimes."""
    code = root / "code"
    code.mkdir(parents=True)
    for name in CODE:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, code / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, code / name)
    project = make_project(root / "project", SMALL / "cases")
    # re-create cases/ in the chosen order with scattered modification times
    files = sorted((p for p in (SMALL / "cases").rglob("*") if p.is_file()), reverse=reverse)
    shutil.rmtree(project / "cases")
    rng = random.Random(seed)
    for src in files:
        dest = project / "cases" / src.relative_to(SMALL / "cases")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(src.read_bytes())
        stamp = rng.randint(1_500_000_000, 1_700_000_000)
        os.utime(dest, (stamp, stamp))
    return code, project


OFFLINE = ("unshare", "--net")


def _offline_allowed() -> str:
    """'' when `unshare --net` works here, else why not."""
    probe = subprocess.run([*OFFLINE, "true"], capture_output=True, text=True)
    return "" if probe.returncode == 0 else probe.stderr.strip() or "unshare --net failed"


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path]]:
    """The small library built and exported in two checkouts differing in all but content.

    The second one builds without any network (`unshare --net`) where that is permitted,
    so the offline test needs no build of its own.
    """
    out = []
    offline = () if _offline_allowed() else OFFLINE
    for root, reverse, tz, prefix in (
        (tmp_path_factory.mktemp("repro") / "a", False, "UTC", ()),
        (tmp_path_factory.mktemp("repro") / "b" / "另一个 checkout", True, "Asia/Shanghai", offline),
    ):
        code, project = _checkout(root, reverse, seed=len(str(root)))
        env = {"SOURCE_DATE_EPOCH": EPOCH, "TZ": tz}
        for args in (("build",), ("casebook", "--out", "book.pdf")):
            done = cli(project, *args, code=code, env=env, prefix=prefix)
            assert done.returncode == 0, done.stderr
        out.append((code, project))
    return out


def test_two_checkouts_build_byte_identical_sites(two_builds):
    (_, a), (_, b) = two_builds
    left, right = tree_hashes(a / "site"), tree_hashes(b / "site")
    assert len(left) > 50
    assert sorted(left) == sorted(right)
    differ = [rel for rel in left if left[rel] != right[rel]]
    assert differ == []


def test_two_checkouts_give_byte_identical_casebooks(two_builds):
    (_, a), (_, b) = two_builds
    assert (a / "book.pdf").read_bytes() == (b / "book.pdf").read_bytes()


def test_source_date_epoch_dates_what_carries_a_date(two_builds):
    (_, a), _ = two_builds
    # the gzip header of the sitemap holds a time stamp: SOURCE_DATE_EPOCH, not the clock
    data = (a / "site" / "sitemap.xml.gz").read_bytes()
    assert int.from_bytes(data[4:8], "little") == int(EPOCH)
    assert gzip.decompress(data) == (a / "site" / "sitemap.xml").read_bytes()
    # the casebook of a library without casebook.year is dated by it too
    text = subprocess.run(["pdftotext", "-l", "1", str(a / "book.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "二〇二六年" in text


# ---------------------------------------------------------------------------
# No network at build time


def test_build_and_casebook_need_no_network(two_builds):
    why = _offline_allowed()
    if why:
        pytest.skip(f"unshare --net is not permitted here: {why}")
    # inside the new namespace there is no interface up, not even loopback
    assert "127.0.0.1" not in subprocess.run(
        [*OFFLINE, "cat", "/proc/net/route"], capture_output=True, text=True
    ).stdout
    _, project = two_builds[1]  # built and exported inside such a namespace
    assert (project / "site" / "index.html").is_file()
    assert (project / "site" / "search" / "search_index.json").is_file()
    assert (project / "book.pdf").read_bytes().startswith(b"%PDF")


# ---------------------------------------------------------------------------
# No path of the build machine in what is published



def test_no_build_machine_path_in_site_or_casebook(two_builds):
    for code, project in two_builds:
        needles = {str(project), str(code), str(project.parent), str(REPO), str(Path.home()),
                   "/root/", "/work/", "/tmp/", "/home/"}
        encoded = {n.encode() for n in needles} | {
            n.encode("unicode_escape") for n in needles if not n.isascii()
        }
        blobs = {}
        for p in sorted((project / "site").rglob("*")):
            if p.is_file():
                data = p.read_bytes()
                blobs[p.relative_to(project).as_posix()] = (
                    gzip.decompress(data) if p.suffix == ".gz" else data
                )
        pdf = (project / "book.pdf").read_bytes()
        blobs["book.pdf"] = inflate_pdf(pdf)
        blobs["book.pdf (text)"] = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(project / "book.pdf"), "-"],
            capture_output=True, check=True,
        ).stdout
        blobs["book.pdf (info)"] = subprocess.run(
            ["pdfinfo", str(project / "book.pdf")], capture_output=True, check=True
        ).stdout
        found = [(rel, n) for rel, data in blobs.items() for n in encoded if n in data]
        assert found == []
