"""Output paths: no command writes into, over or around the project's content and code.

Each refusal is checked through build_cases.py's main() (run_cli: exit 2, a Chinese
message naming the path) and by what a user would look at afterwards: the
library, the theme and their own files are all still there, unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_project
from libraries import BASE, run_cli

from dangjian import paths
from dangjian.errors import UserError


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", BASE / "cases")


def run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """build_cases.py's main() with these arguments in `project` (in this process: run_cli)."""
    return run_cli(project, *args)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` but the caches (check refreshes the editor schema there)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and ".cache" not in p.relative_to(folder).parts
    }


@pytest.mark.parametrize(
    "site_dir,why",
    [
        ("cases", "位于 cases/ 之内"),
        ("cases/fgw", "位于 cases/ 之内"),
        ("theme_overrides", "位于 theme_overrides/ 之内"),
        ("docs", "位于 docs/ 之内"),
        ("docs/site", "位于 docs/ 之内"),
        (".", "这是项目根目录"),
        ("..", "这是项目根目录的上级文件夹"),
        ("../..", "这是项目根目录的上级文件夹"),
        ("link-to-cases", "位于 cases/ 之内"),
        ("link-to-parent", "这是项目根目录的上级文件夹"),
        ("link-to-parent/project/theme_overrides/x", "位于 theme_overrides/ 之内"),
        ("notes", "不是以前生成的站点"),
        ("mkdocs.yml", "这是一个已有的文件"),
    ],
)
def test_build_refuses_a_site_dir_that_holds_content(project, site_dir, why):
    (project / "link-to-cases").symlink_to(project / "cases")
    (project / "link-to-parent").symlink_to(project.parent)
    (project / "notes").mkdir()
    (project / "notes" / "会议记录.md").write_text("手写的笔记", encoding="utf-8")
    before = snapshot(project.parent)
    result = run(project, "build", "--site-dir", site_dir)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("错误：--site-dir 不能是 "), result.stderr
    assert why in result.stderr and "没有写入或删除任何文件" in result.stderr
    assert "内部错误" not in result.stderr
    assert snapshot(project.parent) == before


def test_a_previous_site_and_a_new_folder_are_accepted(project):
    old = project / "public"
    old.mkdir()
    (old / "index.html").write_text("<html></html>", encoding="utf-8")
    (old / "sitemap.xml").write_text("<urlset/>", encoding="utf-8")
    assert paths.site_dir(project, old) == old.resolve()
    assert paths.site_dir(project, project / "site") == (project / "site").resolve()
    assert (
        paths.site_dir(project, project / "build" / "site")
        == (project / "build" / "site").resolve()
    )


def test_a_committed_site_folder_is_refused(project):
    old = project / "public"
    old.mkdir()
    (old / "index.html").write_text("<html></html>", encoding="utf-8")
    (old / "sitemap.xml").write_text("<urlset/>", encoding="utf-8")
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "public"], check=True)
    subprocess.run([*git, "commit", "-qm", "site"], check=True)
    with pytest.raises(UserError) as e:
        paths.site_dir(project, old)
    assert e.value.exit_code == 2 and "仓库中的文件（例如 public/index.html）" in e.value.message


@pytest.mark.parametrize(
    "args,target",
    [
        (["casebook", "--out", "cases/fgw/hongse-yinqing.yaml"], "cases/fgw/hongse-yinqing.yaml"),
        (["casebook", "--out", "mkdocs.yml"], "mkdocs.yml"),
        (["casebook", "--out", "theme_overrides/x.pdf"], None),
        (["casebook", "--out", "cases"], None),
        (["check", "--format", "gitlab", "--output", "cases/units.yaml"], "cases/units.yaml"),
        (["check", "--format", "json", "--output", "mkdocs.yml"], "mkdocs.yml"),
        (["check", "--output", "docs/guide/index.md"], None),
    ],
)
def test_output_files_never_replace_user_files(project, args, target):
    before = snapshot(project)
    result = run(project, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith(f"错误：{args[-2]} 不能是 "), result.stderr
    assert snapshot(project) == before
    if target:
        assert (project / target).read_bytes() == before[target]


def test_reports_replace_earlier_reports(project):
    # each run after the first replaces the report the one before wrote, in another format
    for fmt in ("gitlab", "json", "text", "github", "gitlab"):
        assert run(project, "check", "--format", fmt, "--output", "report.out").returncode == 0
    (project / "report.out").write_text("别的内容\n", encoding="utf-8")
    result = run(project, "check", "--output", "report.out")
    assert result.returncode == 2 and "不是以前生成的检查报告" in result.stderr
    assert (project / "report.out").read_text(encoding="utf-8") == "别的内容\n"


def test_new_refuses_a_unit_folder_that_is_a_symlink(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "cases" / "tjj").symlink_to(outside)
    result = run(project, "new", "brand", "--unit", "tjj", "--id", "xin-pinpai")
    assert result.returncode in (1, 2) and "错误：" in result.stderr, result.stderr
    assert list(outside.iterdir()) == []


def test_stale_staging_folders_of_dead_builds_are_removed(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale_new = tmp_path / f".site.new-{dead.pid}-x1y2"
    stale_old = tmp_path / f".site.old-{dead.pid}"
    live = tmp_path / f".site.new-{os.getppid()}-abcd"
    other = tmp_path / f".public.new-{dead.pid}-abcd"
    for folder in (stale_new, stale_old, live, other):
        folder.mkdir()
        (folder / "index.html").write_text("x", encoding="utf-8")
    removed = paths.clean_stale_staging(site)
    assert sorted(removed) == sorted([stale_new, stale_old])
    assert live.is_dir() and other.is_dir() and site.is_dir()
    assert not stale_new.exists() and not stale_old.exists()
