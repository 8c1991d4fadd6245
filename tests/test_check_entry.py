"""`dangjian-check`, the light entry point: found upwards, paths relative to where it runs, no site stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from libraries import CHECK_CORPUS, overlay_library

ENV = {"SOURCE_DATE_EPOCH": "1782864000", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dangjian.check_cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=ENV,
    )


def test_runs_from_a_subfolder_with_paths_relative_to_it(tmp_path):
    project = overlay_library(tmp_path / "p", CHECK_CORPUS / "unknown-theme")
    here = project / "cases" / "fgw"
    narrowed = run(here, "theme.yaml")
    assert narrowed.returncode == 1
    assert narrowed.stdout.startswith("cases/fgw/theme.yaml:8:10: 主题(themes) 第1项")
    other = run(here, "../czj")
    assert other.returncode == 0 and other.stdout == "检查通过：没有发现问题。\n"
    assert (project / ".cache" / "schema" / "case.schema.json").is_file()


def test_no_library_upwards_is_a_chinese_usage_error(tmp_path):
    done = run(tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("找不到案例库：") and "cases/units.yaml" in done.stderr
    assert "Traceback" not in done.stderr


def test_staged_outside_git_is_a_chinese_usage_error(tmp_path):
    project = overlay_library(tmp_path / "p")
    done = run(project, "--staged")
    assert done.returncode == 2
    assert done.stderr.startswith("错误：--staged 只能在 git 仓库中使用")
    assert "Traceback" not in done.stderr


def test_check_imports_nothing_of_the_site_stack(tmp_path):
    project = overlay_library(tmp_path / "p")
    probe = (
        "import sys; from dangjian import check_cli; code = check_cli.main([]); "
        "heavy = sorted(m for m in ('mkdocs', 'material', 'weasyprint', 'jieba', 'jinja2', 'markdown', 'nh3') "
        "if m in sys.modules); print(code, heavy)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=project, capture_output=True, text=True, env=ENV
    )
    assert done.stdout.splitlines()[-1] == "0 []", done.stdout + done.stderr
