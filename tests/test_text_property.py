"""Property: any Unicode string in any text field of any input file is refused by
`check`, or comes out inert and intact in the generated pages and data files.

"Intact": the page's front matter loads (as MkDocs loads it) and holds exactly
the escaped value; a title stays one heading line; the data file holds the
value itself. The real MkDocs build and the casebook of such values are in
test_hostile.py (one build for many strings).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libraries import examples, overlay_library
from mkdocs.utils.meta import get_data

from dangjian import coverage, diagnostics, pipeline
from dangjian.pages import cases_json, md_text, render_pages

# Characters that have broken pages before, mixed into arbitrary text.
DANGEROUS = list(
    "\x00\x07\t\n\r\x0b\x0c\x1b\x1f\x7f\x80\x85\x9f\u00a0\u200b\u200e\u2028\u2029\u202a\u202e"
    "\u2066\u2069\ufeff\ufdd0\ufffe\uffff{}[]()<>&\"'`*_#:|!-\\"
) + [
    "{: onerror=alert(1) }",
    "javascript:alert(1)",
    "\n---\n",
    "<img src=x onerror=alert(1)>",
    "\U0001f600",
    "\U000e0041",
    "\U0010ffff",
    "&#x6a;avascript:",
    "]]>",
    "{{ x }}",
    "{% raw %}",
]
texts = st.lists(
    st.sampled_from(DANGEROUS) | st.text(st.characters(codec=None), max_size=6),
    min_size=1,
    max_size=6,
).map("".join)

# (file, how to put the value in): every kind of text field of every input file.
FIELDS = {
    "case title": ("cases/fgw/hongse-yinqing.yaml", "title: 红色引擎", "title: {v}"),
    "case summary": (
        "cases/fgw/hongse-yinqing.yaml",
        "summary: 以重点项目为载体，把支部建在项目推进一线。",
        "summary: {v}",
    ),
    "case concept (md)": (
        "cases/fgw/hongse-yinqing.yaml",
        "concept: |\n  “引擎”寓意支部是推动重点项目落地的动力源。",
        "concept: {v}",
    ),
    "practice title": ("cases/fgw/hongse-yinqing.yaml", "  - title: 项目专班", "  - title: {v}"),
    "honor": ("cases/fgw/hongse-yinqing.yaml", "  - 区级五星级党支部", "  - {v}"),
    "unit name": ("cases/units.yaml", "name: 区发展和改革局", "name: {v}"),
    "settings organization": ("cases/settings.yaml", None, "organization: {v}\n"),
    "theme name": (
        "cases/themes.yaml",
        None,
        "themes: [政治建设, 理论武装, 组织建设, 作风建设, 清廉机关, 为民服务, 业务融合, {v}]\n",
    ),
}


def yaml_quoted(value: str) -> str:
    """A YAML double-quoted scalar for any string: every non-ASCII character as an escape."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def put(project: Path, field: str, value: str) -> None:
    rel, old, new = FIELDS[field]
    path = project / rel
    line = new.format(v=yaml_quoted(value))
    if old is None:
        path.write_text(line, encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, line, 1), encoding="utf-8")


def assert_pages_intact(files: dict[str, str]) -> None:
    for path, text in files.items():
        if not path.endswith(".md"):
            continue
        body, meta = get_data(text)
        assert meta.get("title"), f"{path}: front matter did not load"
        assert not body.lstrip().startswith("---"), path
        heading = [line for line in body.splitlines() if line.startswith("# ")]
        assert len(heading) <= 1, path


@examples(120)
def test_any_text_is_refused_or_intact(tmp_path_factory, monkeypatch, examples):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1782864000")

    @settings(max_examples=examples, deadline=None)
    @given(value=texts, field=st.sampled_from(sorted(FIELDS)))
    def prop(value, field):
        project = overlay_library(tmp_path_factory.mktemp("text") / "p")
        put(project, field, value)
        result = pipeline.open_library(project)
        if result.library is None:
            text = diagnostics.format_text(result.diagnostics)
            # Refused with a place and a message that is safe to print.
            assert all(d.file.startswith("cases/") and d.message for d in result.diagnostics)
            assert not any(ch in text for ch in "\x1b\x7f\x80\x9f\u202e\u2028\r")
            return
        library = result.library
        rendered = render_pages(library, coverage.compute(library))
        assert_pages_intact(rendered.files)
        case = next(c for c in library.cases if c.id == "hongse-yinqing")
        page = rendered.files[case.url.rstrip("/") + ".md"]
        _, meta = get_data(page)
        assert meta["title"] == html.escape(case.title, quote=True)
        assert f"\n# {md_text(case.title)}\n" in page
        rows = {r["id"]: r for r in json.loads(cases_json(library))}
        assert rows["hongse-yinqing"]["title"] == case.title
        if field == "unit name":
            _, meta = get_data(rendered.files["units/fgw.md"])
            assert meta["title"] == html.escape(case.unit.name, quote=True)

    prop()


@pytest.mark.parametrize(
    "field,value,char",
    [
        ("case summary", "摘要\x80{: onerror=alert(1)}", "U+0080 控制字符"),
        ("case title", "红色\u202e引擎", "U+202E 双向文字控制字符"),
        ("unit name", "区发改\x7f局", "U+007F 控制字符"),
        ("settings organization", "中共\ufffe测试区委", "U+FFFE 非字符"),
        ("theme name", "廉洁\x9b文化", "U+009B 控制字符"),
        ("case concept (md)", "第一行\n第二行\x1b[31m", "U+001B 控制字符"),
        ("case title", "红色\r引擎", "U+000D 换行符"),
        ("honor", "区级\u2028五星", "U+2028 换行符"),
        ("practice title", "项目\U000e0041专班", "U+E0041 标签字符"),
    ],
)
def test_refused_with_file_line_field_and_name(tmp_path, monkeypatch, field, value, char):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1782864000")
    project = overlay_library(tmp_path / "p")
    put(project, field, value)
    found = [d for d in pipeline.open_library(project).diagnostics if d.code == "bad-char"]
    assert len(found) == 1, found
    d = found[0]
    assert d.file == FIELDS[field][0] and d.line > 0 and d.field and d.label
    assert char in d.message


def test_every_refused_character_fails_isprintable_so_the_fast_pass_is_exact():
    """chars.first_bad passes printable text without searching it: sound only if no code
    point it refuses is printable (checked for all 1,114,112 code points)."""
    from dangjian import chars

    every = "".join(map(chr, range(0x110000)))
    for block in (False, True):
        refused = (chars._BAD_BLOCK if block else chars._BAD_LINE).findall(every)
        assert len(refused) > 2300
        assert [f"U+{ord(c):04X}" for c in refused if c.isprintable()] == []
        for c in refused:  # and the fast pass finds each of them in a printable text
            assert chars.first_bad("红色" + c + "引擎", block=block) == (2, c)
    assert chars.first_bad("红色\t引擎\n", block=True) is None
    assert chars.first_bad("红色\u3000引擎 A&B") is None  # printable or not, allowed is allowed


def test_block_text_may_hold_line_breaks_and_tabs(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1782864000")
    project = overlay_library(tmp_path / "p")
    put(project, "case concept (md)", "第一行\n\n    代码\t缩进\n第三行")
    assert pipeline.open_library(project).diagnostics == []


# -- the real build: pages, search index, data file and casebook HTML ---------------


def accepted_text(limit: int) -> st.SearchStrategy[str]:
    """Strings `check` accepts in a single-line field of at most `limit` characters."""
    from dangjian import chars

    return texts.map(lambda v: " ".join(v.split())[:limit]).filter(
        lambda v: len(v) >= 2 and chars.first_bad(v) is None and "【请填写" not in v
    )


@pytest.mark.slow
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(title=accepted_text(30), unit=accepted_text(40), practice=accepted_text(60))
def test_accepted_text_is_intact_and_inert_in_the_built_site_and_casebook(
    tmp_path_factory, monkeypatch, title, unit, practice
):
    from conftest import make_project
    from libraries import BASE
    from test_hostile import inert_problems, scan_html

    from dangjian import casebook
    from dangjian.casebook_fonts import check_fonts
    from dangjian.renditions import ImagePipeline
    from dangjian.site import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1782864000")
    project = make_project(tmp_path_factory.mktemp("built") / "project", BASE / "cases")
    put(project, "case title", title)
    put(project, "unit name", unit)
    put(project, "practice title", practice)
    result = pipeline.open_library(project)
    assert result.library is not None, diagnostics.format_text(result.diagnostics)
    library = result.library
    build_site(project, library, project / "site")
    site = project / "site"

    def flat(text: str) -> str:
        return " ".join(text.replace("\u200b", "").replace("\u034f", "").split())

    for html_file in site.rglob("*.html"):
        where = html_file.relative_to(site).as_posix()
        assert inert_problems(scan_html(html_file.read_text(encoding="utf-8")), where) == []
    brand = scan_html(
        (site / "brands" / "hongse-yinqing" / "index.html").read_text(encoding="utf-8")
    )
    assert brand.title.startswith(f"{title} - ")
    assert flat(title) in flat(brand.visible) and flat(practice) in flat(brand.visible)
    assert flat(unit) in flat(
        scan_html((site / "units" / "fgw" / "index.html").read_text("utf-8")).visible
    )
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    doc = next(d for d in index["docs"] if d["location"] == "brands/hongse-yinqing/")
    assert flat(html.unescape(doc["title"])) == flat(title)
    assert inert_problems(scan_html(doc["text"], None), "search") == []
    rows = json.loads((site / "data" / "cases.json").read_text(encoding="utf-8"))
    assert next(r for r in rows if r["id"] == "hongse-yinqing")["title"] == title
    book = casebook.render_html(
        library,
        casebook.select(library, [], [], []),
        ImagePipeline(project / ".cache" / "images"),
        check_fonts(),
    )
    scan = scan_html(book, None)
    assert inert_problems(scan, "casebook") == []
    assert flat(title) in flat(scan.visible) and flat(unit) in flat(scan.visible)
