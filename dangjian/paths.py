"""Output paths: whether a command may write or replace a path, and stale staging folders.

Every path a command writes (`build --site-dir`, `casebook --out`, `check
--output`, the file `new` creates) is resolved with symlinks followed and
refused, with a Chinese message (exit 2), when it is, contains or lies inside
the project root or one of its ancestors, the library, the code, the
configuration or the repository's metadata, or when it would replace a file
the user wrote. A site folder may only replace a previous site.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from .errors import UserError
from .files import write_atomic

EXIT_USAGE = 2
# Folders of a project that hold content, code or repository metadata.
PROTECTED = ("cases", "docs", "theme_overrides", "dangjian", "tests", ".git")
# What every MkDocs site has at its top (both are written by every build).
_SITE_MARKS = ("index.html", "sitemap.xml")
_STAGING = re.compile(r"^\.(?P<name>.+)\.(?:new|old)-(?P<pid>\d+)(?:-.*)?$")


def _refuse(option: str, path: Path, why: str) -> UserError:
    return UserError(
        f"{option} 不能是 {path}：{why}没有写入或删除任何文件，请换一个输出位置。", EXIT_USAGE
    )


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _tracked(project: Path, path: Path) -> list[str]:
    """Files under `path` that git tracks in the project's repository (none without git)."""
    if not (project / ".git").exists() or not _within(path, project):
        return []
    try:
        result = subprocess.run(
            ["git", "-C", str(project), "ls-files", "-z", "--", str(path)],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [name for name in result.stdout.decode("utf-8", "replace").split("\0") if name]


def _common(project: Path, target: Path, option: str) -> tuple[Path, Path]:
    project = project.resolve()
    path = target.resolve()  # symlinks followed, also of the folders above
    if path == project:
        raise _refuse(option, path, "这是项目根目录。")
    if path in project.parents:
        raise _refuse(option, path, "这是项目根目录的上级文件夹，里面有整个项目。")
    for name in PROTECTED:
        folder = (project / name).resolve()
        if _within(path, folder):
            raise _refuse(option, path, f"它位于 {name}/ 之内（{name}/ 保存的是内容或代码）。")
        if path in folder.parents:
            raise _refuse(option, path, f"它包含 {name}/（{name}/ 保存的是内容或代码）。")
    return project, path


def is_previous_site(folder: Path) -> bool:
    """True if `folder` looks like a site a build wrote (MkDocs' index and sitemap at the top)."""
    return all((folder / mark).is_file() for mark in _SITE_MARKS)


def site_dir(project: Path, target: Path, option: str = "--site-dir",
             previous: Callable[[Path], bool] = is_previous_site) -> Path:
    """The resolved folder a build (or export) may create or replace, or a UserError (exit 2).

    An existing non-empty folder is replaced only when `previous` says an
    earlier run of the same command made it.
    """
    project, path = _common(project, target, option)
    if path.exists() or path.is_symlink():
        if not path.is_dir():
            raise _refuse(option, path, "这是一个已有的文件，不是站点文件夹。")
        if any(path.iterdir()) and not previous(path):
            raise _refuse(
                option, path, "这个文件夹里已有别的文件，不是以前生成的站点（站点会整个替换它）。"
            )
    tracked = _tracked(project, path)
    if tracked:
        raise _refuse(option, path, f"里面有仓库中的文件（例如 {tracked[0]}）。")
    return path


def _previous_output(path: Path, kind: str) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 20)
    except OSError:
        return False
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "docx":
        return head.startswith(b"PK\x03\x04")  # a Word file is a zip archive
    text = head.decode("utf-8", "replace")
    if not text.strip():
        return True
    try:
        data = json.loads(text)
    except ValueError:
        last = text.rstrip("\n").rsplit("\n", 1)[-1]
        return last.startswith(("检查通过", "发现 "))  # the last line of every text report
    return isinstance(data, list) or (isinstance(data, dict) and "diagnostics" in data)


def output_file(project: Path, target: Path, option: str, kind: str) -> Path:
    """The resolved file a command may write (`kind` "pdf", "docx" or "report"), or a UserError (exit 2).

    An existing file is replaced only when it is an earlier output of the same
    kind and git does not track it.
    """
    project, path = _common(project, target, option)
    if path.is_dir():
        raise _refuse(option, path, "这是一个文件夹，不是文件。")
    if path.exists():
        if _tracked(project, path):
            raise _refuse(option, path, "这是仓库中的文件。")
        if not _previous_output(path, kind):
            what = {"pdf": "PDF", "docx": "Word 文件"}.get(kind, "检查报告")
            raise _refuse(option, path, f"这个文件已经存在，而且不是以前生成的{what}。")
    return path


def new_file(project: Path, target: Path) -> Path:
    """The resolved path of a case file `new` creates: inside cases/, through no symlink."""
    project = project.resolve()
    path = target.resolve()
    lexical = project / Path(os.path.abspath(target)).relative_to(Path(os.path.abspath(project)))
    if path != lexical or not _within(path, project / "cases") or path.parent == project / "cases":
        raise UserError(
            f"要新建的文件 {path} 不在 cases/ 的单位文件夹之内（文件夹可能是符号链接）："
            "没有写入任何文件。",
            EXIT_USAGE,
        )
    return path


def write_text(path: Path, text: str) -> None:
    """Write a report whole or not at all: a temporary file beside it, then a rename.

    An OSError (disk full, ulimit -f) names `path` and leaves any earlier file as it was.
    """
    try:
        write_atomic(path, text)
    except OSError as e:
        raise OSError(e.errno, e.strerror, str(path)) from None


_FAULTS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出了磁盘配额",
    errno.EROFS: "文件系统是只读的",
    errno.EFBIG: "文件超过了允许的大小（例如 ulimit -f 的限制）",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EIO: "读写设备出错",
}


def environment_fault(e: OSError) -> str:
    """An OSError of the machine (disk full, read-only, ulimit -f) in words, naming the path."""
    from .chars import visible

    name = e.filename2 or e.filename  # copies name the source first, the target second
    where = visible(os.fsdecode(name)) if name else "输出位置"
    reason = _FAULTS.get(e.errno or 0) or (e.strerror or type(e).__name__)
    return (f"无法写入或读取 {where}：{reason}。原有的站点和文件没有被替换；"
            "请腾出空间、检查权限或换一个输出位置后重试。")


def staging_prefix(site: Path) -> str:
    """Name prefix of a build's staging folder beside `site`, carrying the builder's pid."""
    return f".{site.name}.new-{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # no harmless liveness probe: keep it (os.kill would terminate)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_staging(site: Path) -> list[Path]:
    """Remove `.NAME.new-PID-*` / `.NAME.old-PID` folders beside `site` left by a killed build."""
    removed = []
    try:
        entries = list(site.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = _STAGING.match(entry.name)
        if not m or m.group("name") != site.name or entry.is_symlink() or not entry.is_dir():
            continue
        if _alive(int(m.group("pid"))):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed
