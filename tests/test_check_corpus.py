"""Golden diagnostics: one broken library per YAML trap and per cross-file rule.

Each folder under tests/corpus/check/ overlays the valid base library
(tests/fixtures/base/) and holds expected.txt, the exact `check` output.
Refresh after an intended change of wording:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_check_corpus.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from libraries import CHECK_CORPUS, GOLDEN, overlay_library

from dangjian import diagnostics, pipeline

CASES = sorted(p.name for p in CHECK_CORPUS.iterdir() if p.is_dir())
FIXED_EPOCH = "1782864000"  # 2026-07-01: "this year" is 2026 in the golden files


@pytest.fixture(autouse=True)
def fixed_year(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)


def test_base_library_is_clean(tmp_path):
    result = pipeline.open_library(overlay_library(tmp_path / "p"))
    assert result.diagnostics == []
    assert [c.id for c in result.library.cases] == ["hongse-yinqing", "yusuan-chuangkou"]


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """Each corpus library checked once: its golden test and the rule-id test share the result."""
    results: dict[str, list[diagnostics.Diagnostic]] = {}

    def check(name: str) -> list[diagnostics.Diagnostic]:
        if name not in results:
            project = overlay_library(tmp_path_factory.mktemp(name) / "p", CHECK_CORPUS / name)
            results[name] = pipeline.open_library(project).diagnostics
        return results[name]

    return check


@pytest.mark.parametrize("name", CASES)
def test_corpus(name, checked):
    actual = diagnostics.format_text(checked(name))
    golden = CHECK_CORPUS / name / GOLDEN
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


def test_corpus_covers_every_rule():
    """Every rule id the validator can emit appears in at least one golden file."""
    seen = " ".join((CHECK_CORPUS / n / GOLDEN).read_text(encoding="utf-8") for n in CASES)
    assert len(CASES) >= 50
    for phrase in [
        "重复出现",
        "锚点",
        "Tab",
        "全角冒号",
        "布尔值",
        "日期",
        "GBK",
        "UTF-16",
        "文件是空的",
        "列表",
        "文件太大",
        "多个用 --- 分隔",
        "不支持 YAML 标签",
        "不认识的字段",
        "是不是想写",
        "缺少必填字段",
        "不是单位名册",
        "不属于",
        "案例编号「hongse-yinqing」重复",
        "不在主题列表",
        "找不到图片文件",
        "符号链接",
        "../",
        "绝对路径",
        "占位内容",
    ]:
        assert phrase in seen, phrase


# Rule ids a git checkout cannot carry, each tested where it can be made.
NOT_IN_A_CHECKOUT = {
    "not-a-file": "a FIFO or device in cases/ (test_hardening.py)",
    "unreadable": "a folder without read permission (test_hardening.py)",
    "schema": "the wording of a JSON Schema keyword our schemas do not use (no input reaches it)",
}


def rule_ids() -> set[str]:
    """Every rule id the code can emit, read from the source: Diagnostic(..., code, ...),
    src.problem(code, ...), Refused(code, ...), diag(code, ...) and the trap table."""
    import ast

    ids: set[str] = set()
    for path in sorted((Path(pipeline.__file__).parent).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                fn = node.func
                name = fn.id if isinstance(fn, ast.Name) else getattr(fn, "attr", "")
                at = {"Diagnostic": 3, "problem": 0, "diag": 0, "add": 0, "Refused": 0}.get(name)
                if at is not None and len(node.args) > at:
                    arg = node.args[at]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        ids.add(arg.value)
            elif isinstance(node, ast.Assign) and any(
                getattr(t, "id", "") == "TRAPS" for t in node.targets
            ):
                ids.update(t.elts[2].value for t in node.value.elts)
    return ids


def test_every_rule_id_appears_in_a_golden_case(checked):
    ids = rule_ids()
    assert len(ids) >= 50 and {"bad-char", "reserved-id", "bad-link", "too-deep"} <= ids
    seen = {d.code for name in CASES for d in checked(name)}
    assert sorted(ids - seen - set(NOT_IN_A_CHECKOUT)) == []
    assert set(NOT_IN_A_CHECKOUT) <= ids
