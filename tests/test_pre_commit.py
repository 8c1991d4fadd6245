"""The pre-commit hook with real pre-commit and git, in a repository that holds only cases/.

pre-commit builds the hook's environment from a clone of the hook repository,
as for any contributor, but from the local wheel directory that
`scripts/setup.sh --test` fills (.cache/wheelhouse: setuptools and the core
dependencies), with PIP_NO_INDEX: nothing is downloaded while testing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from libraries import BASE, CHECK_CORPUS

ROOT = Path(__file__).resolve().parent.parent
WHEELHOUSE = ROOT / ".cache" / "wheelhouse"
ARTIFACTS = ROOT / "tests" / "artifacts"
VENV_BIN = Path(sys.executable).parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not WHEELHOUSE.is_dir(), reason="run scripts/setup.sh --test first"),
]


def _env(home: Path) -> dict[str, str]:
    return {
        "PATH": f"{VENV_BIN}:/usr/bin:/bin",
        "HOME": str(home),
        "PRE_COMMIT_HOME": str(home / "pre-commit"),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(WHEELHOUSE),
        "PIP_CONFIG_FILE": os.devnull,  # this machine's pip settings play no part
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "VIRTUALENV_NO_PERIODIC_UPDATE": "1",
        "GIT_AUTHOR_NAME": "支部书记",
        "GIT_AUTHOR_EMAIL": "a@example.org",
        "GIT_COMMITTER_NAME": "支部书记",
        "GIT_COMMITTER_EMAIL": "a@example.org",
        "SOURCE_DATE_EPOCH": "1782864000",
        "LANG": "C.UTF-8",
    }


def _run(
    cwd: Path, env: dict[str, str], *args: str, ok: bool = True
) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if ok:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def _hook_repository(target: Path, env: dict[str, str]) -> str:
    """A git repository of the project's package and hook definition, as contributors clone it."""
    target.mkdir()
    shutil.copy(ROOT / "pyproject.toml", target)
    shutil.copy(ROOT / ".pre-commit-hooks.yaml", target)
    shutil.copytree(
        ROOT / "dangjian", target / "dangjian", ignore=shutil.ignore_patterns("__pycache__")
    )
    _run(target, env, "git", "init", "-q", "-b", "main")
    _run(target, env, "git", "add", "-A")
    _run(target, env, "git", "commit", "-qm", "hook")
    return _run(target, env, "git", "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A content-only repository (cases/ and the pre-commit config) with the hook installed."""
    tmp = tmp_path_factory.mktemp("precommit")
    env = _env(tmp)
    rev = _hook_repository(tmp / "hooks", env)
    repo = tmp / "content"
    repo.mkdir()
    shutil.copytree(BASE / "cases", repo / "cases")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {tmp / 'hooks'}\n    rev: {rev}\n    hooks:\n      - id: check-cases\n",
        encoding="utf-8",
    )
    _run(repo, env, "git", "init", "-q", "-b", "main")
    _run(repo, env, "pre-commit", "install")
    _run(repo, env, "git", "add", "-A")
    first = _run(repo, env, "git", "commit", "-qm", "案例库")
    assert "检查案例文件" in first.stdout + first.stderr and "Passed" in first.stdout + first.stderr
    return repo, env


def _hook_env(env: dict[str, str]) -> Path:
    (env_dir,) = Path(env["PRE_COMMIT_HOME"]).glob("repo*/py_env-*")
    return env_dir


def _size(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def test_hook_environment_is_light_and_has_no_site_stack(content):
    _, env = content
    env_dir = _hook_env(env)
    size_mb = _size(env_dir) / 1e6
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "hook-env-size.txt").write_text(f"{size_mb:.1f} MB {env_dir}\n", encoding="utf-8")
    assert size_mb < 80, f"the hook environment is {size_mb:.0f} MB"
    python = env_dir / "bin" / "python"
    probe = "import importlib.util as u; print([m for m in ('mkdocs', 'material', 'weasyprint', 'jieba', 'jinja2') if u.find_spec(m)])"
    assert _run(env_dir, env, str(python), "-c", probe).stdout.strip() == "[]"


def test_untracked_broken_file_does_not_block_a_valid_commit(content):
    repo, env = content
    broken = repo / "cases" / "fgw" / "draft.yaml"
    broken.write_text("kind: brand\ntitle: [\n", encoding="utf-8")
    try:
        (repo / "cases" / "fgw" / "README.txt").write_text("x", encoding="utf-8")  # untracked too
        case = repo / "cases" / "czj" / "yusuan-chuangkou.yaml"
        case.write_text(case.read_text(encoding="utf-8") + "# 已复核\n", encoding="utf-8")
        _run(repo, env, "git", "add", "cases/czj/yusuan-chuangkou.yaml")
        done = _run(repo, env, "git", "commit", "-qm", "复核")
        assert "检查案例文件" in done.stderr and "Passed" in done.stderr
    finally:
        broken.unlink()
        (repo / "cases" / "fgw" / "README.txt").unlink()


def test_staged_broken_file_is_refused_with_its_line_and_only_it_is_reported(content):
    repo, env = content
    overlay = CHECK_CORPUS / "missing-practice-title" / "cases" / "fgw" / "practice.yaml"
    target = repo / "cases" / "fgw" / "practice.yaml"
    shutil.copy(overlay, target)
    other = repo / "cases" / "fgw" / "theme.yaml"  # broken too, but not part of this commit
    shutil.copy(CHECK_CORPUS / "unknown-theme" / "cases" / "fgw" / "theme.yaml", other)
    try:
        _run(repo, env, "git", "add", "cases/fgw/practice.yaml")
        done = _run(repo, env, "git", "commit", "-qm", "新案例", ok=False)
        assert done.returncode != 0
        out = done.stdout + done.stderr
        assert (
            "cases/fgw/practice.yaml:7:5: 主要做法(practices) 第2项：缺少必填字段「标题(title)」：请补上。"
            in out
        )
        assert "theme.yaml" not in out
        assert "Traceback" not in out
        assert _run(repo, env, "git", "log", "--format=%s").stdout.splitlines()[0] != "新案例"
    finally:
        _run(repo, env, "git", "reset", "-q", "--", "cases/fgw/practice.yaml")
        target.unlink()
        other.unlink()


def test_cross_file_rule_reads_the_whole_library(content):
    """A case whose id clashes with a committed one is refused, although only it is staged."""
    repo, env = content
    existing = next((repo / "cases").glob("*/*.yaml"))
    clash_dir = next(d for d in (repo / "cases").iterdir() if d.is_dir() and d != existing.parent)
    clash = clash_dir / existing.name
    shutil.copy(existing, clash)
    try:
        _run(repo, env, "git", "add", str(clash.relative_to(repo)))
        done = _run(repo, env, "git", "commit", "-qm", "重复", ok=False)
        assert done.returncode != 0
        out = done.stdout + done.stderr
        assert (
            f"{clash.relative_to(repo).as_posix()}: 文件名：案例编号「{existing.stem}」重复" in out
        )
    finally:
        _run(repo, env, "git", "reset", "-q", "--", str(clash.relative_to(repo)))
        clash.unlink()


def test_console_script_finds_the_library_upwards(content, tmp_path):
    repo, env = content
    script = _hook_env(env) / "bin" / "dangjian-check"
    deep = repo / "cases" / "fgw"
    done = _run(deep, env, str(script))
    assert done.stdout == "检查通过：没有发现问题。\n"
    lone = tmp_path / "elsewhere"
    lone.mkdir()
    refused = _run(lone, env, str(script), ok=False)
    assert refused.returncode == 2
    assert "找不到案例库" in refused.stderr and "cases/units.yaml" in refused.stderr
    assert "Traceback" not in refused.stderr
