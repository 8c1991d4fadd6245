"""The `check` command, and `dangjian-check`: the light entry point for contributors.

Imports only what checking needs (PyYAML, jsonschema, fastjsonschema, Pillow),
never the site or casebook stack, so that a pre-commit hook or a contributor's
`pip install dangjian` stays small. `dangjian-check` runs from any folder of a
checkout: it finds the project upwards from the current folder.

    dangjian-check [PATHS...] [--format F] [--output FILE] [--staged]

`--staged` (what the pre-commit hook passes) checks the library as it will be
committed: the files in git's index, so an untracked or unstaged file never
blocks a commit that does not contain it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from . import diagnostics
from .errors import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, UserError
from .paths import environment_fault, output_file, write_text

MARKER = Path("cases") / "units.yaml"


def find_project(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds cases/units.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / MARKER).is_file():
            return folder
    return None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", help="只报告这些文件或文件夹的问题")
    parser.add_argument("--format", choices=list(diagnostics.FORMATS), default="text")
    parser.add_argument("--output", help="把报告写入文件（gitlab 格式常用），而不是标准输出")
    parser.add_argument(
        "--staged",
        action="store_true",
        help="按 git 暂存区（即将提交的内容）检查，忽略未跟踪和未暂存的改动（pre-commit 钩子使用）",
    )


def run(project: Path, args: argparse.Namespace, cwd: Path | None = None) -> int:
    """Check the library of `project`; report the files under args.paths (relative to cwd)."""
    # The checking stack is imported when a check runs: `build_cases.py` parses
    # every command's arguments with this module, and refuses a wrong output
    # path of another command in a tenth of a second, before any of it loads.
    from . import editor_schema, pipeline

    cwd = cwd or project
    paths = [str((cwd / p).resolve()) if not Path(p).is_absolute() else p for p in args.paths]
    if args.staged:
        found = _check_staged(project, paths)
    else:
        result = pipeline.open_library(project)
        found = pipeline.narrow(result.diagnostics, project, paths)
        editor_schema.refresh(project, result.library)
    report = diagnostics.FORMATS[args.format](found)
    if args.output:
        out = Path(args.output)
        out = output_file(project, out if out.is_absolute() else cwd / out, "--output", "report")
        write_text(out, report)
        if args.format != "text":
            sys.stdout.write(diagnostics.format_text(found))
    else:
        sys.stdout.write(report)
    return EXIT_CONTENT if found else EXIT_OK


def _git(project: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args], cwd=project, input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise UserError(
            "--staged 需要 git，但找不到 git 命令：请安装 git，或去掉 --staged。", EXIT_USAGE
        ) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()
        raise UserError(
            f"--staged 只能在 git 仓库中使用（git {args[0]} 失败：{detail}）。", EXIT_USAGE
        )
    return done.stdout


def _check_staged(project: Path, paths: list[str]) -> list[diagnostics.Diagnostic]:
    """Check the library as git's index holds it, in a temporary copy of cases/."""
    from . import pipeline

    top = Path(_git(project, "rev-parse", "--show-toplevel").decode().strip()).resolve()
    prefix = project.resolve().relative_to(top).as_posix()
    cases = f"{prefix}/cases" if prefix != "." else "cases"
    listed = _git(top, "ls-files", "-z", "--", cases)
    with tempfile.TemporaryDirectory(prefix="dangjian-staged-") as tmp:
        _git(top, "checkout-index", "-z", "--stdin", f"--prefix={tmp}{os.sep}", stdin=listed)
        copy = Path(tmp) / prefix if prefix != "." else Path(tmp)
        copy.mkdir(parents=True, exist_ok=True)
        result = pipeline.open_library(copy)
        mapped = [
            str(copy / Path(p).resolve().relative_to(project.resolve()))
            for p in paths
            if _inside(Path(p).resolve(), project.resolve())
        ]
        if paths and not mapped:
            return []
        return pipeline.narrow(result.diagnostics, copy, mapped)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def main(argv: list[str] | None = None) -> int:
    """Console script `dangjian-check`."""
    parser = argparse.ArgumentParser(
        prog="dangjian-check", description="校验机关党建案例库（可在项目的任何子文件夹中运行）"
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    cwd = Path.cwd()
    project = find_project(cwd)
    if project is None:
        print(
            f"找不到案例库：从 {cwd} 向上的各级文件夹中都没有 cases/units.yaml。"
            "请在案例库（含 cases/ 文件夹的仓库）中运行 dangjian-check。",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        return run(project, args, cwd)
    except UserError as e:
        print(f"错误：{e.message}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except OSError as e:  # disk full, read-only, ulimit -f: the path, in words
        print(f"错误：{environment_fault(e)}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
