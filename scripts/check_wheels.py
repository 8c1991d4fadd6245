#!/usr/bin/env python3
"""Every pin of constraints.txt installs on Python 3.11, 3.12 and 3.13 on Linux, Windows and macOS.

Checked from this one machine, without those interpreters: for each Python
version and platform, pip resolves every pin with `--only-binary=:all:
--python-version 3.X --platform ...` (a dry run: pip reads the wheels' metadata
from the index, nothing is installed). A pin without a wheel for one of them
fails the check, unless it is a pure-Python source distribution listed in
PURE_SDISTS, which is then downloaded once and scanned for compiled code.

Needs the package index (run at setup time by scripts/test.sh, never by the tests):
    .venv/bin/python scripts/check_wheels.py [--python 3.12] [--platform windows]
Exit 0 when every pin is covered, 1 when one is not, 2 when pip itself fails.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# 3.11.5: pymdown-extensions 13 (the site extra) requires it; `check` alone runs on any 3.11.
PYTHONS = ("3.11.5", "3.12", "3.13")
# Debian 12 has glibc 2.36, Ubuntu 22.04 2.35: wheels up to manylinux_2_35 install there.
_MANYLINUX = [f"manylinux_2_{minor}_x86_64" for minor in range(35, 4, -1)]
PLATFORMS = {
    "linux": [*_MANYLINUX, "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"],
    "windows": ["win_amd64"],
    # pip also accepts every older macOS version for the one given
    "macos-arm64": ["macosx_14_0_arm64"],
    "macos-x86_64": ["macosx_14_0_x86_64"],
}
# Pure-Python packages published only as source: fine on every platform.
PURE_SDISTS = {"jieba"}
COMPILED = re.compile(r"\.(c|cc|cpp|cxx|pyx|rs|f90|go)$|(^|/)Cargo\.toml$", re.I)


def pins(constraints: Path) -> list[str]:
    found = []
    for line in constraints.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            found.append(line)
    return found


def _name(pin: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[=<>!~ ;\[]", pin, maxsplit=1)[0]).lower()


def resolve(pin_list: list[str], python: str, platform: list[str]) -> tuple[list[str], str]:
    """Try the pins as binaries for one Python and platform; the pins pip could not find."""
    missing: list[str] = []
    remaining = list(pin_list)
    while remaining:
        with tempfile.TemporaryDirectory() as tmp:
            reqs = Path(tmp) / "reqs.txt"
            reqs.write_text("\n".join(remaining) + "\n", encoding="utf-8")
            command = [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--dry-run",
                "--ignore-installed",
                "--no-deps",
                "--only-binary=:all:",
                "--python-version",
                python,
                "--implementation",
                "cp",
                "--target",
                str(Path(tmp) / "t"),
                "--report",
                str(Path(tmp) / "report.json"),
                "-q",
                "-r",
                str(reqs),
            ]
            for tag in platform:
                command += ["--platform", tag]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode == 0:
                report = json.loads((Path(tmp) / "report.json").read_text(encoding="utf-8"))
                not_wheels = [
                    item["metadata"]["name"]
                    for item in report["install"]
                    if not item["download_info"]["url"].endswith(".whl")
                ]
                return missing + not_wheels, ""
        failed = re.search(r"satisfies the requirement (\S+)", done.stderr)
        if not failed:
            return missing, done.stderr.strip()
        bad = _name(failed[1])
        missing += [p for p in remaining if _name(p) == bad]
        remaining = [p for p in remaining if _name(p) != bad]
    return missing, ""


def compiled_files(pin: str) -> list[str]:
    """The compiled-language sources inside a pin's source distribution."""
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary=:all:",
                "-q",
                "-d",
                tmp,
                pin,
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            return [f"（无法下载源码包：{done.stderr.strip().splitlines()[-1:]}）"]
        (archive,) = Path(tmp).iterdir()
        if archive.suffix == ".zip":
            names = zipfile.ZipFile(archive).namelist()
        else:
            names = tarfile.open(archive).getnames()
        return [n for n in names if COMPILED.search(n)]


def main() -> int:
    parser = argparse.ArgumentParser(
        description="检查 constraints.txt 中每个版本在各 Python 版本和平台上都有 wheel"
    )
    parser.add_argument("--python", action="append", choices=PYTHONS, help="只检查这些 Python 版本")
    parser.add_argument(
        "--platform", action="append", choices=sorted(PLATFORMS), help="只检查这些平台"
    )
    parser.add_argument("--constraints", default=str(ROOT / "constraints.txt"))
    args = parser.parse_args()
    pin_list = pins(Path(args.constraints))
    failures = 0
    sdists: set[str] = set()
    for python in args.python or PYTHONS:
        for platform in args.platform or list(PLATFORMS):
            missing, error = resolve(pin_list, python, PLATFORMS[platform])
            if error:
                print(f"pip 出错（Python {python}，{platform}）：{error}", file=sys.stderr)
                return 2
            allowed = [p for p in missing if _name(p) in PURE_SDISTS]
            sdists.update(allowed)
            lacking = [p for p in missing if _name(p) not in PURE_SDISTS]
            mark = "通过" if not lacking else "缺少 wheel：" + "、".join(lacking)
            extra = f"（纯 Python 源码包：{'、'.join(allowed)}）" if allowed else ""
            print(
                f"Python {python} × {platform:<12} {len(pin_list) - len(missing)}/{len(pin_list)} 个有 wheel，{mark}{extra}"
            )
            failures += len(lacking)
    for pin in sorted(sdists):
        compiled = compiled_files(pin)
        if compiled:
            print(
                f"{pin} 被当作纯 Python 包，但源码包含需要编译的文件：{'、'.join(compiled[:5])}",
                file=sys.stderr,
            )
            failures += 1
        else:
            print(f"{pin}：源码包中没有需要编译的文件，可在任何平台安装。")
    if failures:
        print(
            "有的依赖不能在所有支持的平台上安装：请把它升级到有 wheel 的版本（同时改 pyproject.toml 和 constraints.txt）。",
            file=sys.stderr,
        )
        return 1
    print("全部依赖在 Python 3.11、3.12、3.13 的 Linux、Windows、macOS 上都能安装。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
