"""The `check` command as a user runs it: exit codes, output formats, narrowing by path."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from libraries import CHECK_CORPUS, overlay_library, run_cli

ROOT = Path(__file__).parent.parent


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli(project, *args)


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> Path:
    """The base library with several broken files at once."""
    project = overlay_library(tmp_path_factory.mktemp("broken") / "p")
    for name in ["missing-practice-title", "unknown-theme", "gbk-encoding", "duplicate-key"]:
        overlay_library_files(CHECK_CORPUS / name, project)
    return project


def overlay_library_files(overlay: Path, project: Path) -> None:
    for src in overlay.rglob("*.yaml"):
        dest = project / src.relative_to(overlay)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(src.read_bytes())


def test_clean_library_exits_0(tmp_path):
    result = run(overlay_library(tmp_path / "p"), "check")
    assert result.returncode == 0
    assert result.stdout == "检查通过：没有发现问题。\n"


def test_every_error_in_one_run_exits_1(broken):
    result = run(broken, "check")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "cases/fgw/practice.yaml:7:5: 主要做法(practices) 第2项：缺少必填字段「标题(title)」：请补上。" in lines
    assert any(line.startswith("cases/fgw/theme.yaml:8:10: 主题(themes) 第1项") for line in lines)
    assert any(line.startswith("cases/fgw/gbk.yaml:2: 文件不是 UTF-8 编码") for line in lines)
    assert any(line.startswith("cases/fgw/dup.yaml:10:1: 字段「title」重复出现") for line in lines)
    assert lines[-1] == "发现 5 个问题，涉及 4 个文件。请按提示逐条修改后重新检查。"
    assert "Traceback" not in result.stderr


def test_paths_narrow_the_report(broken):
    result = run(broken, "check", "cases/fgw/theme.yaml")
    assert result.returncode == 1
    assert {line.split(":")[0] for line in result.stdout.splitlines()[:-1]} == {"cases/fgw/theme.yaml"}
    assert run(broken, "check", "cases/czj").returncode == 0


def test_json_format_is_stable(broken):
    result = run(broken, "check", "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["ok"] is False and payload["count"] == 5
    first = payload["diagnostics"][0]
    assert set(first) == {"file", "line", "column", "code", "field", "label", "message"}
    assert [d["file"] for d in payload["diagnostics"]] == sorted(d["file"] for d in payload["diagnostics"])


def test_github_format_annotations_then_full_list(broken):
    out = run(broken, "check", "--format", "github").stdout.splitlines()
    annotations = [line for line in out if line.startswith("::error ")]
    assert len(annotations) == 5
    assert "::error file=cases/fgw/practice.yaml,line=7,col=5,title=主要做法(practices) 第2项::缺少必填字段「标题(title)」：请补上。" in annotations
    assert re.match(r"::error file=cases/fgw/gbk.yaml,line=2,title=encoding::", [a for a in annotations if "gbk" in a][0])
    assert out[len(annotations):][0].startswith("cases/")  # the full list follows for the log


def test_gitlab_format_is_code_quality_report(broken, tmp_path):
    report_file = tmp_path / "gl-code-quality-report.json"
    result = run(broken, "check", "--format", "gitlab", "--output", str(report_file))
    assert result.returncode == 1
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert len(report) == 5
    for entry in report:
        assert set(entry) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert entry["location"]["lines"]["begin"] >= 1
        assert re.fullmatch(r"[0-9a-f]{64}", entry["fingerprint"])
    assert len({e["fingerprint"] for e in report}) == len(report)


@pytest.mark.parametrize("args", [["check", "--format", "xml"], ["bogus"], [], ["new", "brand"]])
def test_usage_errors_exit_2(tmp_path, args):
    result = run(overlay_library(tmp_path / "p"), *args)
    assert result.returncode == 2
    assert "用法错误" in result.stderr or "usage" in result.stderr
    assert "Traceback" not in result.stderr


def test_outside_a_project_exits_2(tmp_path):
    result = run(tmp_path, "check")
    assert result.returncode == 2
    assert "找不到 cases/ 文件夹" in result.stderr
