"""The golden site of the fixture library tests/fixtures/small.

Every page and data file `site_source()` generates (Markdown with front matter,
JSON) and the list of its image files are compared with the checked-in files
under tests/golden/site/; the article of every page of the built site (what
MkDocs and Material made of the Markdown, links resolved) with
tests/golden/html/. After an intended change of a template, refresh both and
read `git diff tests/golden` before committing:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_site.py
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXED_EPOCH, REPO, SMALL, Built, build_date, make_project, open_valid

from dangjian.sitesource import site_source

GOLDEN = REPO / "tests" / "golden"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))
ASSETS = "assets.txt"  # the image files: path and size, one a line
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)


def compare(folder: Path, actual: dict[str, str]) -> None:
    """Each file of `actual` equals its golden copy, and no golden file is left over."""
    if UPDATE:
        shutil.rmtree(folder, ignore_errors=True)
        for rel, text in actual.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text, encoding="utf-8", newline="\n")
    golden = {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
    assert sorted(actual) == sorted(golden), "pages added or gone: refresh with UPDATE_GOLDEN=1"
    changed = [rel for rel in actual if actual[rel] != golden[rel]]
    assert changed == [], f"differ from tests/golden (UPDATE_GOLDEN=1 to refresh): {changed}"


def test_generated_markdown_matches_the_golden_site(tmp_path: Path):
    project = make_project(tmp_path / "project", SMALL / "cases")
    with build_date(FIXED_EPOCH):  # the pages say "as of" the build date
        source = site_source(project, open_valid(project))
    files = dict(source.pages)
    files[ASSETS] = "".join(
        f"{rel} {len(data) if isinstance(data, bytes) else data.stat().st_size}\n"
        for rel, data in sorted(source.assets.items())
    )
    compare(GOLDEN / "site", files)


@pytest.mark.slow
def test_built_articles_match_the_golden_site(small_site: Built):
    articles = {}
    for page in sorted(small_site.site.rglob("index.html")):
        rel = page.relative_to(small_site.site).as_posix()
        if rel.startswith(("guide/", "search/")):
            continue  # hand-written pages: their own tests
        found = ARTICLE.search(page.read_text(encoding="utf-8"))
        assert found, f"{rel}: no article"
        articles[rel.removesuffix("index.html") + "article.html"] = found.group(1).strip() + "\n"
    assert len(articles) > len(small_site.library.published)
    compare(GOLDEN / "html", articles)
