"""Hostile input: what a pull request can carry, each input with its expected outcome.

Three tables, one per kind of input:

- YAML: the file is rejected with a clear error at its place, or read as the
  writer meant (BOM, CRLF). Most inputs live in the golden corpus
  (tests/corpus/check/, exact wording checked by test_check_corpus.py); here
  each is run again for its outcome, plus inputs too big to commit.
- Markdown and text: the library tests/fixtures/hostile/ carries the attacks in
  every kind of field; it is built once with the real site build and exported
  once as the real casebook. Every attack must come out inert: stripped, or
  shown as the literal characters the writer typed.
- Paths: image paths and files that point outside the unit folder are refused.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO, Built, make_project
from libraries import CHECK_CORPUS, inflate_pdf, overlay_library

from dangjian import diagnostics, pipeline

HOSTILE = REPO / "tests" / "fixtures" / "hostile"
FIXED_EPOCH = "1782864000"  # 2026-07-01, as in the golden corpus


@pytest.fixture(autouse=True)
def fixed_year(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)


def check(project: Path) -> tuple[bool, str]:
    """(accepted, the text `check` prints) for a project folder."""
    result = pipeline.open_library(project)
    return result.library is not None and not result.diagnostics, diagnostics.format_text(
        result.diagnostics
    )


# ═══════════════════════════════════════════════════════════════════════════
# YAML
# ═══════════════════════════════════════════════════════════════════════════

# (corpus folder, expected: None = accepted, else a phrase the error must contain)
YAML_CORPUS = [
    ("python-tag", "不支持 YAML 标签「!!python/object/apply:os.system」"),
    ("alias-bomb", "不支持 YAML 锚点和别名"),
    ("anchor-alias", "不支持 YAML 锚点和别名"),
    ("merge-key", "不支持「<<」合并"),
    ("nesting-1000", "嵌套层级太深"),
    ("nesting-block", "嵌套层级太深"),
    ("too-large", "文件太大（293 KB），上限是 256 KB"),
    ("empty-file", "文件是空的"),
    ("comments-only", "文件是空的"),
    ("top-level-list", "文件最外层是一个列表"),
    ("multi-document", "发现了多个用 --- 分隔的文档"),
    ("duplicate-key", "字段「title」重复出现（第一次在第 2 行）"),
    ("bool-title", "「no」没有加引号，会被 YAML 当成布尔值"),
    ("on-title", "「on」没有加引号，会被 YAML 当成布尔值"),
    ("no-year", "创建年份(year)：「no」没有加引号，会被 YAML 当成布尔值"),
    ("octal-year", "年份「010」会被 YAML 读成 8"),
    ("sexagesimal-slogan", "「12:30」没有加引号，会被 YAML 当成数字 750"),
    ("sexagesimal-year", "年份「12:30」会被 YAML 读成 750"),
    ("impossible-date-title", "「2024-02-30」没有加引号，会被 YAML 当成日期或时间"),
    ("date-title", "「2024-01-01」没有加引号，会被 YAML 当成日期或时间"),
    ("zero-date-year", "「0000-00-00」会被 YAML 当成日期"),
    ("quoted-year", "应该是整数，不要加引号"),
    ("utf8-bom-ok", None),
    ("crlf-ok", None),
    ("gbk-encoding", "看起来是 GBK/GB18030 编码"),
    ("gb18030-encoding", "看起来是 GBK/GB18030 编码"),
    ("utf16-encoding", "文件是 UTF-16 编码"),
    ("nul-bytes", "文件中有空字符（NUL）"),
    ("fullwidth-colon", "用了全角冒号「：」"),
    ("fullwidth-space-indent", "用全角空格缩进了"),
    ("tab-indent", "用 Tab 键缩进了"),
    ("zero-width-key", "里有看不见的字符（零宽字符等）"),
    ("unclosed-quote", "引号没有闭合"),
    ("colon-no-space", "冒号后面缺少空格"),
    ("unknown-field-typo", "是不是想写"),
]


@pytest.mark.parametrize(("name", "expected"), YAML_CORPUS, ids=[n for n, _ in YAML_CORPUS])
def test_yaml_corpus_input(name: str, expected: str | None, tmp_path: Path):
    started = time.perf_counter()
    accepted, report = check(overlay_library(tmp_path / "p", CHECK_CORPUS / name))
    assert time.perf_counter() - started < 5  # bombs and deep nesting are cut short
    if expected is None:
        assert accepted, report
        return
    assert not accepted
    assert expected in report, report
    # every error names its file (and, for content errors, line:column)
    first = report.splitlines()[0]
    assert re.match(r"^cases/\S+\.yaml(:\d+(:\d+)?)?: ", first), first


def test_yaml_python_tag_never_runs(tmp_path: Path):
    witness = tmp_path / "PWNED"
    project = overlay_library(tmp_path / "p")
    for rel in ("cases/fgw/tag.yaml", "cases/settings.yaml", "cases/themes.yaml"):
        (project / rel).write_text(
            f'kind: !!python/object/apply:os.system ["touch {witness}"]\n'
            f"title: !!python/object/new:subprocess.Popen [[touch, {witness}]]\n",
            "utf-8",
        )
    accepted, report = check(project)
    assert not accepted and "不支持 YAML 标签" in report
    assert not witness.exists()


@pytest.mark.parametrize("rel", ["cases/fgw/huge.yaml", "cases/units.yaml"])
def test_yaml_50_megabytes_is_refused_without_reading_it(rel: str, tmp_path: Path):
    project = overlay_library(tmp_path / "p")
    target = project / rel
    block = ("title: " + "很长" * 500 + "\n").encode()
    with target.open("wb") as f:  # a real 50 MB file of YAML, not a sparse one
        for _ in range(50 * 1024 * 1024 // len(block) + 1):
            f.write(block)
    assert target.stat().st_size >= 50 * 1024 * 1024
    started = time.perf_counter()
    accepted, report = check(project)
    elapsed = time.perf_counter() - started
    assert not accepted
    assert f"{rel}: 文件太大（" in report and "上限是 256 KB" in report
    assert elapsed < 1.0  # parsing 50 MB of YAML would take minutes


# ═══════════════════════════════════════════════════════════════════════════
# Markdown and text fields, through the real site build and the casebook
# ═══════════════════════════════════════════════════════════════════════════

# Attributes whose value a browser fetches or follows.
URL_ATTRIBUTES = {
    "href", "src", "srcset", "action", "formaction", "data", "poster", "background",
    "cite", "ping", "manifest", "xlink:href", "codebase", "longdesc", "dynsrc", "lowsrc",
}
NEVER_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"}
# Inside the page content only what the templates and the Markdown allowlist make.
CONTENT_FORBIDDEN = NEVER_TAGS | {
    "script", "style", "link", "meta", "form", "input", "button", "textarea", "select",
    "math", "noscript", "details", "template", "video", "audio", "source",
}
BAD_SCHEME = re.compile(r"^(?:javascript|vbscript|data|file|livescript|mocha):", re.I)


@dataclass
class Scan:
    """What a browser would make of an HTML document: text, tags, active parts."""

    text: list[str] = field(default_factory=list)  # visible text nodes, entities decoded
    # (tag, attributes, inside the page content)
    tags: list[tuple[str, dict[str, str], bool]] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)  # bodies of <script>
    styles: list[str] = field(default_factory=list)  # bodies of <style>
    title: str = ""
    description: str | None = None

    @property
    def visible(self) -> str:
        return " ".join("".join(self.text).split())

    def active(self) -> str:
        """Everything that can run or fetch: script and style bodies, URL and on* attributes."""
        parts = self.scripts + self.styles
        for _, attrs, _ in self.tags:
            parts += [v for k, v in attrs.items() if k in URL_ATTRIBUTES or k.startswith("on")]
            parts += [v for k, v in attrs.items() if k == "style"]
        return "\n".join(parts)


class _Scanner(HTMLParser):
    def __init__(self, content_class: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = Scan()
        self._raw: str | None = None  # "script" / "style" while inside one
        self._in_title = False
        self._content_class = content_class
        self._depth = 0 if content_class is None else -1  # >0: inside the content element
        self._stack_at_content = 0
        self._stack: list[str] = []

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if (
            self._content_class
            and self._depth < 0
            and self._content_class in values.get("class", "").split()
        ):
            self._depth = 1
            self._stack_at_content = len(self._stack)
        in_content = self._depth > 0
        self.scan.tags.append((tag, values, in_content))
        if tag == "meta" and values.get("name") == "description":
            self.scan.description = values.get("content")
        if tag in ("script", "style"):
            self._raw = tag
            getattr(self.scan, tag + "s").append("")
        if tag == "title":
            self._in_title = True
        if tag not in self.VOID:
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._raw = None
        if tag == "title":
            self._in_title = False
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass
        if self._depth > 0 and len(self._stack) <= self._stack_at_content:
            self._depth = -2  # content element closed; only one per page

    def handle_data(self, data: str) -> None:
        if self._raw == "script":
            self.scan.scripts[-1] += data
        elif self._raw == "style":
            self.scan.styles[-1] += data
        else:
            self.scan.text.append(data)
            if self._in_title:
                self.scan.title += data


def scan_html(html: str, content_class: str | None = "md-content__inner") -> Scan:
    parser = _Scanner(content_class)
    parser.feed(html)
    parser.close()
    return parser.scan


def inert_problems(scan: Scan, where: str) -> list[str]:
    """Everything in a scanned document that could run, fetch or redirect."""
    found = []
    for tag, attrs, in_content in scan.tags:
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"{where}: <{tag} {name}=…>")
            if name in URL_ATTRIBUTES and BAD_SCHEME.match(re.sub(r"[\x00-\x20]", "", value)):
                found.append(f"{where}: <{tag} {name}={value!r}>")
        if tag in NEVER_TAGS or (in_content and tag in CONTENT_FORBIDDEN):
            found.append(f"{where}: <{tag}> in {'content' if in_content else 'page'}")
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            found.append(f"{where}: <meta http-equiv=refresh>")
        if tag == "img" and in_content and not attrs.get("src", "").lstrip("./").startswith(
            "assets/cases/"
        ):
            found.append(f"{where}: <img src={attrs.get('src')!r}> not from the image pipeline")
    for body in scan.scripts:
        if "alert" in body or "evil.example" in body:
            found.append(f"{where}: script from content: {body[:80]!r}")
    for body in scan.styles:
        if "evil.example" in body:
            found.append(f"{where}: style from content")
    return found


@dataclass(frozen=True)
class Row:
    """One hostile input: where it shows, what the reader sees, what must never be active."""

    id: str
    page: str | None  # site page (dir URL) it appears on; None: casebook only
    visible: str  # text the reader sees (whitespace collapsed)
    token: str | None = None  # must not occur in any script, style, URL or on* attribute
    hidden: str | None = None  # text that must NOT be visible (e.g. a template's result)
    book: bool = True  # the same visible text in the casebook PDF


HTML_TAGS = "brands/html-tags/"
LINKS = "brands/links/"
TEMPLATES = "brands/template-snippet/"
TITLES = "brands/title-script/"
POST = "posts/post-fields/"
UNIT = "units/mingzi/"

MARKDOWN_ROWS = [
    # raw HTML in (md) fields: dropped, text around it kept
    Row("M01-script", HTML_TAGS, "M01 前后", "M01"),
    Row("M02-img-onerror", HTML_TAGS, "M02 前后", "M02"),
    Row("M03-iframe", HTML_TAGS, "M03 前后", "M03"),
    Row("M04-svg-onload", HTML_TAGS, "M04 前后", "M04"),
    Row("M05-svg-script", HTML_TAGS, "M05 前后", "M05"),
    Row("M06-a-href-javascript", HTML_TAGS, "M06 前链接M06后", "M06"),
    Row("M07-b-onclick", HTML_TAGS, "M07 前粗体M07后", "M07"),
    Row("M08-style-url", HTML_TAGS, "M08 前后", "M08"),
    Row("M09-object-embed", HTML_TAGS, "M09 前后", "M09"),
    Row("M10-form-formaction", HTML_TAGS, "M10 前提交后", "M10"),
    Row("M11-div-onclick", HTML_TAGS, "M11 块级 div", "M11"),
    Row("M12-meta-refresh", HTML_TAGS, "M12 之后", "M12"),
    Row("M13-base-href", HTML_TAGS, "M13 之后", "M13"),
    Row("M14-link-stylesheet", HTML_TAGS, "M14 之后", "M14"),
    Row("M15-style-attribute", HTML_TAGS, "M15 前样式M15后", "M15"),
    Row("M16-noscript-mxss", HTML_TAGS, "M16 前", "M16"),
    Row("M17-comment", HTML_TAGS, "M17 前后", "M17"),
    Row("M18-math-style-mxss", HTML_TAGS, "M18 前", "M18"),
    Row("M19-details-ontoggle", HTML_TAGS, "M19 前M19 详情后", "M19"),
    Row("M20-mixed-case-onerror", HTML_TAGS, "M20 前<IMG SRC=x OnErRoR=alert('M20')>后", "M20"),
    Row("M21-textarea-script", HTML_TAGS, "M21 前<script>alert('M21')</script>后", "M21"),
    Row("M22-table-cell-img", HTML_TAGS, "M22 前<img src=x onerror=alert('M22')>后", "M22"),
    # links: only http(s) and mailto keep their target
    Row("L01-javascript", LINKS, "L01 链接L01", "L01"),
    Row("L02-JaVaScRiPt", LINKS, "L02 链接L02", "L02"),
    Row("L03-javascript-entity-colon", LINKS, "L03 链接L03", "L03"),
    Row("L04-data-text-html", LINKS, "L04 链接L04", "L04"),
    Row("L05-vbscript", LINKS, "L05 链接L05", "L05"),
    Row("L06-tab-entity-in-scheme", LINKS, "L06 链接L06", "L06"),
    Row("L07-autolink-javascript", LINKS, "L07 <javascript:alert('L07')>", "L07"),
    Row("L08-reference-javascript", LINKS, "L08 链接L08", "L08"),
    Row("L09-remote-image", LINKS, "L09", "L09"),
    Row("L10-entity-j-avascript", LINKS, "L10 链接L10", "L10"),
    Row("L11-file-url", LINKS, "L11 链接L11", "L11"),
    Row("L12-hex-entity-colon", LINKS, "L12 链接L12", "L12"),
    Row("L14-leading-spaces", LINKS, "L14 链接L14", "L14"),
    # template syntax and snippet includes: literal characters
    Row("T01-jinja-expression", TEMPLATES, "T01 {{ 7*7 }}", hidden="T01 49"),
    Row("T02-jinja-statement", TEMPLATES,
        'T02 {% if true %}条件{% endif %} {% include "mkdocs.yml" %}'),
    Row("T03-config-object", TEMPLATES, "T03 {{ config }} {{ page.title }}", hidden="docs_dir"),
    Row("T04-raw-block", TEMPLATES, "T04 结果 {{ 7*7 }} {%- raw -%}"),
    Row("T05-honor", TEMPLATES, "{{ 7*7 }} 荣誉 T05"),
    Row("T06-slogan", TEMPLATES, "{% if true %}口号T06{% endif %}"),
    Row("T07-summary", TEMPLATES, "摘要 T07 {{ config.site_name }} {# 注释 #}"),
    Row("T08-title", TEMPLATES, "模板{{ 7*7 }}与片段", hidden="模板49"),
    Row("S01-snippet-mkdocs-yml", TEMPLATES, '--8<-- "mkdocs.yml"', hidden="theme_overrides"),
    Row("S02-snippet-absolute", TEMPLATES, ';--8<-- "/etc/passwd"', hidden="root:x:0"),
    Row("S03-snippet-block", TEMPLATES, "--8<-- ../../../../etc/hostname --8<--"),
    # attribute lists: never become attributes
    Row("A01-attr-list-title", TEMPLATES, "属性列表 A01 {: onclick=\"alert('A01')\" }", "A01"),
    Row("A02-attr-list-paragraph", TEMPLATES, "A02 段落 {: onclick=\"alert('A02')\" }", "A02"),
    Row("A03-attr-list-heading", TEMPLATES,
        "A03 标题 {: onclick=\"alert('A03')\" .md-button }", "A03"),
    Row("A04-attr-list-link", TEMPLATES, "A04 链接A04{: onclick=\"alert('A04')\" }", "A04"),
    Row("A05-md-in-html-onclick", TEMPLATES, "A05 **md_in_html**", "A05"),
    # plain-text fields: the characters as typed, in page, <title>, <meta>, search, book
    Row("P01-title-script", TITLES, '"><script>alert(1)</script>', "alert(1)"),
    Row("P02-summary-img", TITLES, "'><img src=x onerror=alert('P02')> 摘要P02", "P02"),
    Row("P03-slogan-close-title", TITLES, "</title><script>alert('P03')</script>", "P03"),
    Row("P04-practice-title-link", TITLES, "[点我P04](javascript:alert('P04'))", "P04"),
    Row("P05-honor-svg", TITLES, "<svg onload=alert('P05')>荣誉P05", "P05"),
    Row("P06-metric-label", TITLES, "<b>P06</b>", "P06"),
    Row("P07-caption-attribute-break", TITLES, "\" onerror=\"alert('P07')\" x=\"说明P07", "P07"),
    Row("P08-holder", POST, "<b>P08</b>张三", "P08"),
    Row("P09-commitment", POST, "<img src=x onerror=alert('P09')>当日受理", "P09"),
    Row("P10-batch", POST, "{{ 7*7 }}P10", hidden="49P10"),
    Row("P11-post-title", POST, "</title><b>P11</b>岗", "P11"),
    Row("P12-post-summary", POST, "岗位摘要<script>alert('P12')</script>", "P12"),
    Row("P13-duties-script", POST, "P13 受理申请，提供咨询。", "P13"),
    Row("TH1-theme-name", TITLES, "<i onclick=x>TH1</i>", "TH1", book=False),
    Row("U1-unit-name", UNIT, "区\"><script>alert('U1')</script>名称局", "U1"),
    Row("U2-unit-org", UNIT, "中共<img src=x onerror=alert('U2')>机关委员会", "U2"),
    Row("U3-branch-name", POST, "<svg onload=alert('U3')>第一党支部 {{ 7*7 }}", "U3"),
    Row("S1-site-name", "", "案例库</title><script>alert('S1')</script>", "S1", book=False),
    Row("S2-organization", "", "<b onmouseover=alert('S2')>测试工委</b>", "S2", book=False),
    Row("S3-casebook-title", None, "汇编<script>alert('S3')</script>"),
    Row("S4-preface-markdown", None, "S4 前言正文，前言链接S4"),
    Row("S5-preface-template", None, 'S5 {{ 7*7 }} {% include "mkdocs.yml" %}'),
    Row("S6-casebook-issuer", None, "<i>编印单位</i>"),
    Row("S7-casebook-subtitle", None, "{{ 7*7 }} 年度 {% raw %}"),
]


@dataclass
class HostileBuild:
    built: Built
    pages: dict[str, Scan]  # site-relative HTML path -> scan
    raw: dict[str, bytes]  # every file of the site
    book_text: str  # pdftotext of the casebook, whitespace removed
    book_raw: bytes  # the PDF with every stream inflated



@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileBuild:
    from dangjian import load, model, validate
    from dangjian.casebook import export_casebook
    from dangjian.site import build_site

    project = make_project(tmp_path_factory.mktemp("hostile") / "project", HOSTILE / "cases")
    # `check` refuses every link outside the URL policy (bad-link, 14 of them);
    # the library is built anyway, to show that the renderer keeps them inert too.
    files = load.read_library(project)
    refused = validate.validate(files)
    assert [d.code for d in refused] == ["bad-link"] * 14, refused
    library = model.build(files)
    build_site(project, library, project / "site")
    built = Built(project, library, project / "site")
    raw = {
        p.relative_to(built.site).as_posix(): p.read_bytes()
        for p in sorted(built.site.rglob("*"))
        if p.is_file()
    }
    pages = {
        rel: scan_html(data.decode("utf-8")) for rel, data in raw.items() if rel.endswith(".html")
    }
    pdf = export_casebook(library, project / "casebook.pdf", [], [], [])
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return HostileBuild(built, pages, raw, "".join(text.split()), inflate_pdf(pdf.read_bytes()))


def _page(hostile: HostileBuild, url: str) -> Scan:
    return hostile.pages[url + "index.html"]


@pytest.mark.parametrize("row", MARKDOWN_ROWS, ids=[r.id for r in MARKDOWN_ROWS])
def test_markdown_and_text_input(row: Row, hostile: HostileBuild):
    if row.page is not None:
        page = _page(hostile, row.page)
        assert row.visible in page.visible, page.visible
        if row.token:
            assert row.token not in page.active()
        if row.hidden:
            assert row.hidden not in page.visible
        assert inert_problems(page, row.page) == []
    if row.book:
        assert "".join(row.visible.split()) in hostile.book_text
        if row.hidden:
            assert "".join(row.hidden.split()) not in hostile.book_text


def test_every_page_of_the_site_is_inert(hostile: HostileBuild):
    assert len(hostile.pages) >= 20
    problems = [p for rel, scan in hostile.pages.items() for p in inert_problems(scan, rel)]
    assert problems == []
    for rel, data in hostile.raw.items():
        assert b"evil.example" not in data, rel
    # what the writer typed is shown, not run, in the search index too (Material
    # puts titles and texts of the index into the result list as HTML)
    index = json.loads(hostile.raw["search/search_index.json"])
    for doc in index["docs"]:
        for key in ("title", "text"):
            where = f"search {doc['location']} {key}"
            assert inert_problems(scan_html(doc[key], None), where) == []


def test_a_hostile_title_is_escaped_in_title_meta_and_search(hostile: HostileBuild):
    site_name = "案例库</title><script>alert('S1')</script>"
    page = _page(hostile, TITLES)
    assert page.title == f'"><script>alert(1)</script> - {site_name}'
    assert page.description == "'><img src=x onerror=alert('P02')> 摘要P02"
    post = _page(hostile, POST)
    assert post.title == f"</title><b>P11</b>岗 - {site_name}"
    assert post.description == "岗位摘要<script>alert('P12')</script>"
    home = _page(hostile, "")
    assert home.title == f"首页 - {site_name}"
    index = json.loads(hostile.raw["search/search_index.json"])
    doc = next(d for d in index["docs"] if d["location"] == TITLES)
    # the index holds HTML: the browser shows the escaped title as the typed characters
    assert scan_html(doc["title"], None).visible == '"><script>alert(1)</script>'
    assert "<script" not in doc["title"] and "&lt;script&gt;" in doc["title"]


def test_the_casebook_has_no_script_action_or_remote_link(hostile: HostileBuild):
    pdf = hostile.book_raw
    for marker in (b"/JavaScript", b"/JS", b"/Launch", b"/SubmitForm", b"/ImportData"):
        assert marker not in pdf, marker
    for uri in re.findall(rb"/URI\s*\((.*?)\)", pdf):
        assert re.match(rb"https?:|mailto:", uri), uri
    assert b"evil.example" not in pdf
    assert "alert('M01')" not in hostile.book_text


@pytest.mark.browser
def test_no_dialog_or_foreign_request_in_a_real_browser(hostile: HostileBuild):
    """Open every case page and search in headless Chromium: no alert, no request elsewhere."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(hostile.built.site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    dialogs: list[str] = []
    foreign: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(
                (base, "data:", "blob:")) else None)
            for url in (HTML_TAGS, LINKS, TEMPLATES, TITLES, POST, UNIT, "themes/theme-3/", ""):
                page.goto(base + url, wait_until="load")
                page.wait_for_timeout(100)
            page.goto(base, wait_until="load")
            page.keyboard.press("/")  # Material's search shortcut
            page.keyboard.type("P02")  # a word of the brand titled "><script>alert(1)</script>
            page.wait_for_selector(".md-search-result__item", timeout=15000)
            page.wait_for_timeout(300)
            results = page.inner_text(".md-search-result")
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert dialogs == []
    assert foreign == []
    assert "<script>alert(1)</script>" in results


# ═══════════════════════════════════════════════════════════════════════════
# Paths
# ═══════════════════════════════════════════════════════════════════════════

BASE_CASE = "cases/fgw/hongse-yinqing.yaml"
BASE_FGW = REPO / "tests" / "fixtures" / "base" / "cases" / "fgw"
LOGO_LINE = "logo: images/logo.png"


def _logo(value: str):
    def setup(project: Path) -> None:
        case = project / BASE_CASE
        case.write_text(case.read_text("utf-8").replace(LOGO_LINE, f"logo: {value}"), "utf-8")

    return setup


def _symlink(rel: str, target: str, logo: str | None = None):
    def setup(project: Path) -> None:
        link = project / rel
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)
        link.unlink(missing_ok=True)
        link.symlink_to(target)
        if logo:
            _logo(logo)(project)

    return setup


def _copy(src: str, dest: str, logo: str | None = None):
    def setup(project: Path) -> None:
        shutil.copyfile(project / src, project / dest)
        if logo:
            _logo(logo)(project)

    return setup


def _rename(src: str, dest: str):
    def setup(project: Path) -> None:
        (project / src).rename(project / dest)

    return setup


OUTSIDE = "图片必须放在本单位文件夹（cases/fgw/）里"
ABSOLUTE = "不能写以「/」或盘符（如 C:）开头的绝对路径"
BACKSLASH = "不能用「\\」"
PERCENT = "路径中不能有「%」编码"
URL = "不能引用网址或其他来源的图片"
SYMLINK = "是符号链接"

# (id, how to break the base library, phrase of the expected error)
PATH_ROWS = [
    ("dotdot-sibling-unit", _logo("../czj/yusuan-chuangkou.yaml"), OUTSIDE),
    ("dotdot-after-images", _logo("images/../../czj/logo.png"), OUTSIDE),
    ("dotdot-deep", _logo("../../../../../../etc/passwd"), OUTSIDE),
    ("dot-only", _logo("."), OUTSIDE),
    ("absolute-etc", _logo("/etc/passwd"), ABSOLUTE),
    ("absolute-checkout", _logo(f"{REPO}/tests/fixtures/base/cases/fgw/images/logo.png"), ABSOLUTE),
    ("windows-drive-backslash", _logo(r"C:\Users\Public\logo.png"), ABSOLUTE),
    ("windows-drive-slash", _logo("C:/Users/Public/logo.png"), ABSOLUTE),
    ("windows-drive-relative", _logo("c:logo.png"), ABSOLUTE),
    ("backslash-dotdot", _logo(r"..\..\czj\logo.png"), BACKSLASH),
    ("unc-share", _logo(r"'\\server\share\logo.png'"), ABSOLUTE),
    ("percent-slash", _logo("images%2Flogo.png"), PERCENT),
    ("percent-dotdot", _logo('"%2e%2e/%2e%2e/etc/passwd"'), PERCENT),
    ("file-url", _logo("file:///etc/passwd"), URL),
    ("http-url", _logo("http://evil.example/logo.png"), URL),
    ("protocol-relative", _logo("//evil.example/logo.png"), URL),
    ("data-url", _logo("data:image/png;base64,iVBORw0KGgo="), URL),
    ("home-tilde", _logo("~/logo.png"), "找不到图片文件 cases/fgw/~/logo.png"),
    ("nul-in-path", _logo('"images/logo.png\\0.jpg"'), "找不到图片文件"),
    ("wrong-case", _logo("images/LOGO.png"), "文件名的大小写必须完全一致"),
    ("twins-by-case", _copy("cases/fgw/images/logo.png", "cases/fgw/images/Logo.png"),
     "只差大小写的「Logo.png」"),
    ("symlink-to-etc", _symlink("cases/fgw/images/logo.png", "/etc/passwd"), SYMLINK),
    ("symlink-inside-unit", _symlink("cases/fgw/images/logo.png", "diaodu.jpg"), SYMLINK),
    ("symlinked-images-folder", _symlink("cases/fgw/images", str(BASE_FGW / "images")), SYMLINK),
    ("symlinked-case-file", _symlink("cases/fgw/evil.yaml", str(BASE_FGW / "hongse-yinqing.yaml")),
     "案例文件不能是符号链接"),
    ("case-file-upper-case", _rename(BASE_CASE, "cases/fgw/Hongse-Yinqing.yaml"), "只能用小写字母"),
    ("unit-folder-upper-case", _rename("cases/czj", "cases/CZJ"), "文件夹「CZJ」不是单位名册"),
    ("directory-as-image", _logo("images"), "是文件夹，不是图片文件"),
    ("very-long-path", _logo("images/" + "a" * 5000 + ".png"), "找不到图片文件"),
    ("symlinked-unit-folder", _symlink("cases/czj", "/tmp"), SYMLINK),
    ("symlinked-units-yaml", _symlink("cases/units.yaml", str(REPO / "mkdocs.yml")), SYMLINK),
]

@pytest.mark.parametrize(("name", "setup", "expected"), PATH_ROWS, ids=[r[0] for r in PATH_ROWS])
def test_path_input(name: str, setup, expected: str, tmp_path: Path):
    project = overlay_library(tmp_path / "p")
    setup(project)
    accepted, report = check(project)
    assert not accepted
    assert expected in report, report
    assert report.startswith("cases/")


def test_a_units_file_linked_to_dev_zero_does_not_exhaust_memory(tmp_path: Path):
    """A symlink in a PR may point anywhere; reading /dev/zero must not take the machine down."""
    project = overlay_library(tmp_path / "p")
    (project / "cases" / "units.yaml").unlink()
    (project / "cases" / "units.yaml").symlink_to("/dev/zero")
    done = subprocess.run(
        [sys.executable, "-c",
         "import resource,runpy,sys;resource.setrlimit(resource.RLIMIT_AS,(2<<30,2<<30));"
         f"sys.argv=['build_cases.py','check'];runpy.run_path({str(REPO / 'build_cases.py')!r},"
         "run_name='__main__')"],
        cwd=project, env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, timeout=60,
    )
    # the CLI prints the error (exit 1), not "内部错误" after a MemoryError (exit 2)
    assert done.returncode == 1, done.stderr
    assert "cases/units.yaml" in done.stderr + done.stdout
