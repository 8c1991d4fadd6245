"""Property: any valid form state serializes (through the page's own script, in Chromium)
to YAML that the real `check` accepts and that loads back to the same data."""

from __future__ import annotations

import dataclasses
import functools
import http.server
import string
import threading
from collections.abc import Iterator

import pytest
from conftest import Built
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_browser import CHROMIUM_ARGS, PREFIX, _SubPathHandler

from dangjian import chars, load, validate

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLACEHOLDER = validate.PLACEHOLDER

# Everything a contributor might type or paste, including what YAML 1.1 misreads
# (yes/no/on, 12:30, 010, dates, #, leading "- " or "@"), line breaks, tabs,
# full-width spaces and colons, control and line-separator characters.
_TRICKY = [
    "yes",
    "No",
    "on",
    "OFF",
    "null",
    "~",
    "12:30",
    "010",
    "0x1F",
    "1e5",
    "2024-01-01",
    "- ",
    "#",
    " #",
    ": ",
    "：",
    "@",
    "`",
    "&a",
    "*b",
    "!x",
    "|",
    ">",
    "'",
    '"',
    "\\",
    "%",
    "{",
    "[",
    "\u3000",
    "\t",
    "\n",
    "\n\n",
    "\r",
    "\x85",
    "\u2028",
    "\ufeff",
    "title：",
    "text:x",
    "【请",
]
_CHARS = st.characters(blacklist_categories=("Cs",))
_PIECE = st.one_of(
    st.sampled_from(_TRICKY),
    st.text(_CHARS, max_size=6),
    st.text(string.ascii_letters + "中文党建", min_size=1, max_size=8),
)


def text(min_size: int = 1, max_size: int = 40, multiline: bool = False) -> st.SearchStrategy[str]:
    def ok(s: str) -> bool:
        return (
            min_size <= len(s) <= max_size
            and any(c.isalnum() for c in s)
            and not PLACEHOLDER.search(s)
            and (multiline or "\n" not in s)
            # characters check refuses (controls, U+2028...) make a state invalid
            and chars.first_bad(s, block=multiline) is None
        )

    return st.lists(_PIECE, min_size=1, max_size=12).map("".join).filter(ok)


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)


@st.composite
def case(draw, themes: list[str], branches: list[str], year: int) -> dict:
    kind = draw(st.sampled_from(["brand", "post"]))
    data: dict = {"kind": kind, "title": draw(text(2, 30))}
    body = functools.partial(text, 1, 400, True)
    if kind == "brand":
        fields = {
            "slogan": optional(text(1, 50)),
            "summary": optional(text(1, 200)),  # one line, as check wants it
            "concept": body(),
            "practices": st.lists(
                st.fixed_dictionaries({"title": text(1, 60), "text": body()}),
                min_size=1,
                max_size=3,
            ),
            "results": body(),
            "metrics": optional(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "label": text(1, 30),
                            "value": st.one_of(
                                st.integers(-(2**53) + 1, 2**53 - 1),
                                st.floats(allow_nan=False, allow_infinity=False),
                            ),
                            "unit": text(1, 10),
                        }
                    ),
                    min_size=1,
                    max_size=2,
                )
            ),
            "honors": optional(st.lists(text(1, 100), min_size=1, max_size=3)),
        }
    else:
        fields = {
            "summary": optional(text(1, 200)),  # one line, as check wants it
            "holders": st.lists(text(1, 20), min_size=1, max_size=3),
            "duties": body(),
            "commitments": st.lists(text(1, 100), min_size=1, max_size=3),
            "results": optional(body()),
            "batch": optional(text(1, 20)),
        }
    fields["branch"] = optional(st.sampled_from(branches))
    fields["themes"] = st.lists(st.sampled_from(themes), min_size=1, max_size=3, unique=True)
    fields["year"] = st.integers(1990, year)
    fields["status"] = optional(st.sampled_from(["published", "draft"]))
    for key, strategy in fields.items():
        value = draw(strategy)
        if value is not None:
            data[key] = value
    return data


@pytest.fixture(scope="module")
def page(demo_site: Built) -> Iterator:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_SubPathHandler, directory=str(demo_site.site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{httpd.server_address[1]}{PREFIX}form/")
        page.locator("#dj-f-title").wait_for()
        yield page
        browser.close()
    httpd.shutdown()
    httpd.server_close()


def test_valid_form_states_serialize_to_files_check_accepts(page, demo_site: Built):
    library = demo_site.library
    unit = library.unit("fgw")
    files = load.read_library(demo_site.project)
    year = validate.current_year()
    target = demo_site.project / "cases" / "fgw" / "zaixian-property.yaml"
    serialize = (
        "([d, u, id]) => { djForm.load(d, u, id); return [djForm.yaml(), djForm.errors()]; }"
    )

    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case(list(library.themes), [b.id for b in unit.branches], year))
    def run(data: dict) -> None:
        text, errors = page.evaluate(serialize, [data, "fgw", "zaixian-property"])
        assert errors == []  # the page itself finds nothing wrong with a valid state
        src = load.SourceFile(target, "cases/fgw/zaixian-property.yaml", "case", "fgw")
        load.parse_text(text, src)
        assert src.problems == [], text
        with_case = dataclasses.replace(files, cases=[*files.cases, src])
        found = [d for d in validate.validate(with_case, year) if d.file == src.rel]
        assert found == [], text
        assert src.data == data, text
        assert (
            text.splitlines()[0]
            == "# yaml-language-server: $schema=../../dangjian/schema/case.schema.json"
        )

    run()


def test_serializer_quotes_what_yaml_11_misreads(page):
    cases = {
        "yes": '"yes"',
        "off": '"off"',
        "12:30": '"12:30"',
        "010": '"010"',
        "2024-01-01": '"2024-01-01"',
        "- 一": '"- 一"',
        "@人": '"@人"',
        "红色引擎": "红色引擎",
        "a #b": '"a #b"',
        "第一: 二": '"第一: 二"',
    }
    for value, written in cases.items():
        text = page.evaluate("v => djForm.toYaml({kind: 'brand', title: v}, 'fgw')", value)
        assert f"\ntitle: {written}\n" in text
    long = page.evaluate(
        "v => djForm.toYaml({kind: 'brand', concept: v}, 'fgw')", "长" * 70 + "\n\n第二段"
    )
    assert "\nconcept: |-\n  " + "长" * 70 + "\n\n  第二段\n" in long
