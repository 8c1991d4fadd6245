"""The CI formats: golden `github` and `gitlab` outputs, and no way for content to inject
workflow commands or break the JSON.

Golden files live in tests/corpus/ci/ (checked in, read by eye when refreshed):

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_ci_formats.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from libraries import BASE, CHECK_CORPUS, overlay_library

from dangjian import diagnostics, pipeline

CI_GOLDEN = REPO / "tests" / "corpus" / "ci"
# A few corpus cases: a plain error, a control character, an injection attempt
# in a key, terminal escapes, a link, several errors in one file.
CI_CASES = [
    "bool-title",
    "char-c1-summary",
    "ci-injection-key",
    "terminal-escape-key",
    "link-fragment",
    "units-duplicate-id",
    "year-5000-digits",
]
FIXED_EPOCH = "1782864000"


@pytest.fixture(autouse=True)
def fixed_year(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)


def found(project: Path) -> list[diagnostics.Diagnostic]:
    return pipeline.open_library(project).diagnostics


@pytest.mark.parametrize("fmt,suffix", [("github", "github.txt"), ("gitlab", "gitlab.json")])
@pytest.mark.parametrize("name", CI_CASES)
def test_golden_ci_output(name, fmt, suffix, tmp_path):
    actual = diagnostics.FORMATS[fmt](found(overlay_library(tmp_path / "p", CHECK_CORPUS / name)))
    golden = CI_GOLDEN / f"{name}.{suffix}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


def workflow_commands(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.lstrip("\ufeff").startswith(("::", "##["))]


def hostile_names(project: Path) -> None:
    """Case files whose names carry line breaks, workflow commands and bytes that are not UTF-8."""
    folder = project / "cases" / "fgw"
    text = (BASE / "cases" / "fgw" / "hongse-yinqing.yaml").read_bytes()
    for raw in (
        b"a\n::stop-commands::tok\n::error::x.yaml",
        b"b\r::warning title=x::y.yaml",
        b"c\xff\xfe.yaml",
        b"##[error]d.yaml",
    ):
        (folder / os.fsdecode(raw)).write_bytes(text + b'title2: "x\\n::error::y"\n')


def test_no_line_of_ours_or_theirs_starts_a_workflow_command(tmp_path):
    project = overlay_library(tmp_path / "p")
    hostile_names(project)
    diags = found(project)
    output = diagnostics.format_github(diags)
    commands = workflow_commands(output)
    # exactly one ::error line per diagnostic, and nothing else that GitHub would run
    assert len(commands) == len(diags) >= 8
    assert all(line.startswith("::error file=cases/fgw/") for line in commands)
    for line in commands:  # properties hold no raw ":" or ",": the file name cannot end them
        props = line[len("::error ") :].split("::", 1)[0]
        assert ":" not in props and "\n" not in props
        assert [p.split("=")[0] for p in props.split(",")][0] == "file"
    assert "\r" not in output
    text = diagnostics.format_text(diags)
    assert workflow_commands(text) == []
    assert "cases/fgw/c\\xff\\xfe.yaml" in text


def test_names_that_are_not_utf8_keep_json_and_gitlab_valid(tmp_path):
    project = overlay_library(tmp_path / "p")
    hostile_names(project)
    result = subprocess.run(
        [sys.executable, str(REPO / "build_cases.py"), "check", "--format", "json"],
        cwd=project,
        capture_output=True,
        timeout=300,
        env=dict(os.environ, SOURCE_DATE_EPOCH=FIXED_EPOCH),
    )
    assert result.returncode == 1
    payload = json.loads(result.stdout.decode("utf-8"))  # strict UTF-8: raises on a lone byte
    files = {d["file"] for d in payload["diagnostics"]}
    assert "cases/fgw/c\\xff\\xfe.yaml" in files
    gitlab = subprocess.run(
        [
            sys.executable,
            str(REPO / "build_cases.py"),
            "check",
            "--format",
            "gitlab",
            "--output",
            "gl.json",
        ],
        cwd=project,
        capture_output=True,
        timeout=300,
        env=dict(os.environ, SOURCE_DATE_EPOCH=FIXED_EPOCH),
    )
    assert gitlab.returncode == 1, gitlab.stderr.decode("utf-8", "replace")
    assert "内部错误" not in gitlab.stderr.decode("utf-8")
    report = json.loads((project / "gl.json").read_bytes().decode("utf-8"))
    assert len(report) == len(payload["diagnostics"])
    assert len({r["fingerprint"] for r in report}) == len(report)
    assert any(r["location"]["path"] == "cases/fgw/c\\xff\\xfe.yaml" for r in report)
