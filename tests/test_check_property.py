"""Property test: whatever bytes a case file holds, `check` answers with diagnostics, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from libraries import BASE, examples, overlay_library
from mkdocs.utils.meta import get_data

from dangjian import coverage, diagnostics, pipeline
from dangjian.diagnostics import Diagnostic
from dangjian.pages import render_pages

VALID = (BASE / "cases" / "fgw" / "hongse-yinqing.yaml").read_text(encoding="utf-8")
TRICKY = list(":：-\t\n \"'&*!|>{}[]#%@`,，\u3000\u200b\\?=~") + [
    "no",
    "2024-02-30",
    "12:30",
    "010",
    "---",
    "!!python/object",
    "<<: *a",
    "\r\n",
    "\ufeff",
    "\0",
]


def mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    for pos, cut, insert in edits:
        pos %= len(text) + 1
        text = text[:pos] + insert + text[pos + cut :]
    return text


edits = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 3), st.sampled_from(TRICKY)), max_size=6
)
yamlish = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def check_file(project: Path, content: bytes) -> list[Diagnostic]:
    (project / "cases" / "fgw" / "hongse-yinqing.yaml").write_bytes(content)
    result = pipeline.open_library(project)
    for d in result.diagnostics:
        assert d.file.startswith("cases/") and d.line >= 0 and d.column >= 0 and d.message
    # what `check` prints is safe for a terminal and a CI log, whatever the file held
    printed = diagnostics.format_text(result.diagnostics)
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]", printed), printed
    if result.library is not None:  # an accepted file renders into pages whose front matter loads
        for path, text in render_pages(
            result.library, coverage.compute(result.library)
        ).files.items():
            assert not path.endswith(".md") or get_data(text)[1].get("title"), path
    return result.diagnostics


@examples(300)
def test_mutated_case_never_raises(tmp_path_factory, examples):
    @settings(max_examples=examples, deadline=None)
    @given(edits=edits)
    def prop(edits):
        project = overlay_library(tmp_path_factory.mktemp("prop") / "p")
        check_file(project, mutate(VALID, edits).encode("utf-8", "surrogatepass"))

    prop()


@examples(150)
def test_random_bytes_never_raise(tmp_path_factory, examples):
    @settings(max_examples=examples, deadline=None)
    @given(data=st.binary(max_size=400))
    def prop(data):
        project = overlay_library(tmp_path_factory.mktemp("bytes") / "p")
        check_file(project, data)

    prop()


@examples(150)
def test_random_structures_never_raise(tmp_path_factory, examples):
    import yaml

    @settings(max_examples=examples, deadline=None)
    @given(value=yamlish)
    def prop(value):
        project = overlay_library(tmp_path_factory.mktemp("struct") / "p")
        data = {"kind": "brand", "practices": value, "title": value}
        check_file(project, yaml.safe_dump(data, allow_unicode=True).encode())

    prop()


@examples(300, quick=60)
def test_fast_path_agrees_with_jsonschema(examples):
    """The compiled fast check accepts exactly what jsonschema accepts (same schema file)."""
    from dangjian.schemas import compiled as _schemas

    schemas = _schemas(2026)
    base = {
        "kind": "brand",
        "title": "红色引擎",
        "concept": "x",
        "practices": [{"title": "a", "text": "b"}],
        "results": "r",
        "themes": ["为民服务"],
        "year": 2020,
    }
    assert schemas.accepts("brand", base) and schemas.kinds["brand"].is_valid(base)

    @settings(max_examples=examples, deadline=None)
    @given(
        value=yamlish,
        key=st.sampled_from(
            ["title", "year", "practices", "themes", "metrics", "photos", "honors"]
        ),
    )
    def prop(value, key):
        data = dict(base, **{key: value})
        assert schemas.accepts("brand", data) == schemas.kinds["brand"].is_valid(data)

    prop()


def _composed(compose, text: str):
    """What a composer makes of `text`, comparable across the two composers."""
    import yaml

    from dangjian.yamlcompose import Refused

    def shape(node):
        if node is None:
            return None
        at = (
            node.start_mark.line,
            node.start_mark.column,
            node.end_mark.line,
            node.end_mark.column,
        )
        if isinstance(node, yaml.ScalarNode):
            return ("scalar", node.tag, node.value, node.style, at)
        if isinstance(node, yaml.SequenceNode):
            return ("seq", node.tag, node.flow_style, at, [shape(n) for n in node.value])
        pairs = [(shape(k), shape(v)) for k, v in node.value]
        return ("map", node.tag, node.flow_style, at, pairs)

    try:
        return shape(compose(text))
    except Refused as e:
        return ("refused", e.code, e.line, e.column)
    except yaml.YAMLError:
        return ("yaml-error",)


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 13 + "]" * 13,  # too deep, closed
        "a: " + "[" * 12 + "]" * 12,  # just deep enough
        "a: " + "[" * 13 + "]" * 13 + "\nb: [",  # too deep, then malformed
        "".join("  " * i + f"k{i}:\n" for i in range(14)) + "  " * 14 + "x",  # block nesting
        "- " * 14 + "x",  # compact sequences
        "a: " + "[" * 11 + "{[1, 2]: 3}" + "]" * 11,  # a collection as a key, deep down
        "a: " + "[" * 12 + "{[1]: 2, b: [3]}" + "]" * 12,
        "? " + "[" * 13 + "]" * 13 + "\n: v",  # a deep key: keys are not counted
        "".join("  " * i + f"k{i}:\n" + "  " * i + "- " for i in range(7)) + "x",  # seq in map
        "a: [[[[[[" + "\n" + "b" * 3 + "]]]]]]\nc: [[[[[[[1]]]]]]]",
        "title: 红色引擎\nyear: 2024\n",
        "title: A&B\n",  # an ampersand that is no anchor
        "a: &x 1\nb: *x\n",
        "---\n---\n",
        "",
    ],
)
def test_libyaml_and_the_event_composer_agree(text):
    from dangjian.yamlcompose import compose, compose_events

    assert _composed(compose, text) == _composed(compose_events, text)


@examples(300)
def test_libyaml_and_the_event_composer_agree_on_any_mutation(examples):
    from dangjian.yamlcompose import compose, compose_events

    @settings(max_examples=examples, deadline=None)
    @given(edits=edits, nested=st.integers(0, 16))
    def prop(edits, nested):
        # without anchor signs the file goes to libyaml's composer, unless an edit adds one
        plain = VALID.replace("&", "和").replace("*", "x")
        text = mutate(plain, edits) + "\nextra: " + "[" * nested + "1" + "]" * nested
        assert _composed(compose, text) == _composed(compose_events, text)

    prop()
