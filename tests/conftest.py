"""Shared fixtures, each built once per session: the small site fixture library, the demo,
and a fresh copy of the project built by plain `mkdocs build`."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dangjian import pipeline
from dangjian.model import Library

REPO = Path(__file__).resolve().parent.parent
SMALL = REPO / "tests" / "fixtures" / "small"


@dataclass
class Built:
    """A project folder, its library and the site built from it."""

    project: Path
    library: Library
    site: Path
    warnings: list[str] = field(default_factory=list)


def make_project(target: Path, cases: Path) -> Path:
    """A project folder with the repository's site configuration and the given cases/."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(REPO / "theme_overrides", target / "theme_overrides")
    (target / "docs").mkdir()
    if (REPO / "docs" / "guide").is_dir():
        shutil.copytree(REPO / "docs" / "guide", target / "docs" / "guide")
    shutil.copytree(cases, target / "cases")
    return target


def open_valid(project: Path) -> Library:
    result = pipeline.open_library(project)
    assert not result.diagnostics, "\n".join(map(str, result.diagnostics))
    assert result.library is not None
    return result.library


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build(project: Path, site: Path) -> Built:
    """Check and build like `build_cases.py build`, recording MkDocs' warnings."""
    from dangjian.site import build_site

    library = open_valid(project)
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        build_site(project, library, site)
    finally:
        logger.removeHandler(handler)
    return Built(project, library, site, handler.messages)


@pytest.fixture(scope="session")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    project = make_project(tmp_path_factory.mktemp("small") / "project", SMALL / "cases")
    return build(project, project / "site")


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    project = make_project(tmp_path_factory.mktemp("demo") / "project", REPO / "cases")
    return build(project, project / "site")


@pytest.fixture(scope="session")
def fresh_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's files as a clone has them (tracked or not ignored), built by `mkdocs build`."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    copy = tmp_path_factory.mktemp("clone") / "project"
    for rel in filter(None, listed):
        src = REPO / rel
        if src.is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, copy / rel)
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"],
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(copy)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return copy
