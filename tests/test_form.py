"""The 在线填写 page's data: generated from the model, the schema and check's own messages."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, SMALL, Built, open_valid

from dangjian import form, load, schemas, validate
from dangjian.model import DEFAULT_THEMES

JS = REPO / "theme_overrides" / "assets" / "javascripts"
BUDGET_GZIP = 300 * 1024


def render(template: str, **values: object) -> str:
    """The page script's fmt(): {name} replaced by its value."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), template)


@pytest.fixture(scope="module")
def small_data() -> dict:
    return form.form_data(open_valid(REPO / "tests" / "fixtures" / "small"), 2026)


def _check(tmp_path: Path, files: dict[str, str], year: int = 2026) -> list:
    """Run the real validator on the small library plus `files` (path under cases/ -> text)."""
    project = tmp_path / "project"
    shutil.copytree(SMALL / "cases", project / "cases")
    for rel, text in files.items():
        (project / "cases" / rel).write_text(text, encoding="utf-8")
    return validate.validate(load.read_library(project), year)


BRAND = """kind: brand
title: {title}
summary: {summary}
concept: 内涵
practices:
  - title: 做法
    text: 说明
results: 成效
themes: [{theme}]
year: {year}
"""


@pytest.mark.parametrize(
    ("title", "summary", "theme", "year"),
    [("甲" * 37, "字" * 201, "为民服物", 1989), ("乙", "字" * 250, "qqq", 2099)],
)
def test_templates_reproduce_checks_message_for_other_values(
    tmp_path: Path, small_data: dict, title: str, summary: str, theme: str, year: int
):
    m = small_data["messages"]
    found = {
        d.field: d.message
        for d in _check(
            tmp_path,
            {"fgw/x-case.yaml": BRAND.format(title=title, summary=summary, theme=theme, year=year)},
        )
        if d.file.endswith("x-case.yaml")
    }
    n = len(title)
    want_title = render(m["short"], min=2, len=n) if n < 2 else render(m["long"], max=30, len=n)
    assert found["title"] == want_title
    assert found["summary"] == render(m["long"], max=200, len=len(summary))
    assert found["year"] == render(m["year"], value=year)
    import difflib

    guess = difflib.get_close_matches(theme, list(DEFAULT_THEMES), 1, 0.5)
    hint = render(m["theme_hint"], guess=guess[0]) if guess else ""
    assert found["themes[0]"] == render(m["theme"], theme=theme, hint=hint)


def test_id_messages_are_checks(tmp_path: Path, small_data: dict):
    m = small_data["messages"]
    diags = _check(
        tmp_path,
        {"czj/hongse：yinqing.yaml": "kind: brand\n", "czj/hongse-yinqing.yaml": "kind: brand\n"},
    )
    bad = next(d for d in diags if d.code == "bad-id")
    assert bad.message == render(m["bad_id"], value="hongse：yinqing")
    dup = next(
        d
        for d in diags
        if d.code == "duplicate-case-id" and d.file == "cases/czj/hongse-yinqing.yaml"
    )
    assert dup.message == render(
        m["duplicate"], id="hongse-yinqing", others="cases/fgw/hongse-yinqing.yaml"
    )


def test_data_comes_from_the_model_and_the_schema(small_data: dict):
    library = open_valid(REPO / "tests" / "fixtures" / "small")
    assert [u["id"] for u in small_data["units"]] == [u.id for u in library.units]
    fgw = next(u for u in small_data["units"] if u["id"] == "fgw")
    assert [b["id"] for b in fgw["branches"]] == [b.id for b in library.unit("fgw").branches]
    assert small_data["themes"] == list(library.themes)
    # every case id is taken, drafts included (a draft's file name is used too), but
    # only as a hash: a draft's name appears nowhere in the site
    assert set(small_data["cases"]) == {form.id_hash(c.id) for c in library.cases}
    assert small_data["cases"][form.id_hash("caogao-pinpai")] == {
        "unit": "czj",
        "suffix": ".yaml",
        "title": "",
    }
    assert "caogao" not in json.dumps(small_data, ensure_ascii=False)
    schema = schemas.load_schema("case")["definitions"]
    for kind in ("brand", "post"):
        props = small_data["schemas"][kind]["properties"]
        assert list(props) == list(schema[kind]["properties"])
        assert props["title"]["title"] == schema[kind]["properties"]["title"]["title"]
        assert props["themes"]["title"] == "主题"  # $ref resolved
        assert props["year"]["maximum"] == 2026
    assert small_data["schema_line"].startswith("# yaml-language-server: $schema=")


def test_page_and_its_data_file(small_data: dict):
    files = form.form_files(open_valid(REPO / "tests" / "fixtures" / "small"), 2026)
    assert set(files) == {"form/index.md", "form/data.js"}
    script = files["form/data.js"]
    assert script.startswith("window.djFormData = ") and script.endswith(";\n")
    assert json.loads(script[len("window.djFormData = ") : -2]) == small_data
    page = files["form/index.md"]
    assert "search:\n  exclude: true" in page
    assert 'data-src="data.js"' in page and "<script" not in page  # nothing runs from the content


def test_javascript_weight_within_budget():
    """The page's scripts, gzipped, stay under 300 KB (printed for the record)."""
    files = [JS / "form.js", JS / "vendor" / "js-yaml.min.js"]
    size = sum(len(gzip.compress(f.read_bytes(), 9)) for f in files)
    print(f"form page JavaScript: {size / 1024:.1f} KB gzipped")
    assert size <= BUDGET_GZIP


def test_vendored_file_is_the_pinned_package():
    lock = json.loads(
        (REPO / "scripts" / "vendor" / "package-lock.json").read_text(encoding="utf-8")
    )
    version = lock["packages"]["node_modules/js-yaml"]["version"]
    assert (
        json.loads((REPO / "scripts" / "vendor" / "package.json").read_text())["dependencies"][
            "js-yaml"
        ]
        == version
    )
    head = (JS / "vendor" / "js-yaml.min.js").read_text(encoding="utf-8")[:200]
    assert f"js-yaml {version}" in head
    assert "MIT" in (JS / "vendor" / "js-yaml.LICENSE.txt").read_text(encoding="utf-8")
    assert version in (JS / "vendor" / "NOTICE.txt").read_text(encoding="utf-8")


@pytest.mark.slow
def test_built_site_has_the_form_in_the_guide_section(small_site: Built):
    html = (small_site.site / "form" / "index.html").read_text(encoding="utf-8")
    assert 'data-src="data.js"' in html and "在线填写案例" in html
    assert 'src="../assets/javascripts/form.js"' in html
    assert (
        (small_site.site / "form" / "data.js")
        .read_text(encoding="utf-8")
        .startswith("window.djFormData")
    )
    assert (small_site.site / "assets" / "javascripts" / "vendor" / "js-yaml.min.js").is_file()
    guide = (small_site.site / "guide" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="\.\./form/"[^>]*>\s*(<[^>]+>\s*)*在线填写', guide)
    index = json.loads(
        (small_site.site / "search" / "search_index.json").read_text(encoding="utf-8")
    )
    assert not [d for d in index["docs"] if d["location"].startswith("form/")]
