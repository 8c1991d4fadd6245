"""The real `build_cases.py serve`: edit a case or the theme, and the served site shows it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXED_EPOCH, REPO, SMALL, make_project

pytestmark = pytest.mark.slow


def free_port() -> int:
    """A port the system just gave out (serve is told the port; it cannot report one it chose)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, ""
    except OSError:  # not listening yet
        return 0, ""


def wait_for(what: str, check: Callable[[], bool], server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if check():
            return
        if server.poll() is not None:
            break
        time.sleep(0.3)
    pytest.fail(f"{what}: not seen. serve said:\n{log.read_text('utf-8')[-3000:]}")


COMMANDS = {
    "build_cases.py serve": [str(REPO / "build_cases.py"), "serve"],
    "mkdocs serve --dirty": ["-m", "mkdocs", "serve", "--dirty"],  # the same rebuilds
}


@pytest.mark.parametrize("command", COMMANDS)
def test_serve_shows_an_edited_case_and_an_edited_theme(tmp_path: Path, command: str):
    project = make_project(tmp_path / "project", SMALL / "cases")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": FIXED_EPOCH}
    with log.open("w", encoding="utf-8") as out:
        server = subprocess.Popen(
            [sys.executable, *COMMANDS[command], "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        page = base + "brands/hongse-yinqing/"
        wait_for("the case page", lambda: "以重点项目为载体" in fetch(page)[1], server, log)

        case = project / "cases/fgw/hongse-yinqing.yaml"
        text = case.read_text(encoding="utf-8")
        case.write_text(text.replace("以重点项目为载体", "以重大工程为载体"), encoding="utf-8")
        wait_for("the edited summary", lambda: "以重大工程为载体" in fetch(page)[1], server, log)
        wait_for(
            "the report", lambda: "只重新生成了受影响的" in log.read_text("utf-8"), server, log
        )

        status, guide = fetch(base + "guide/")  # a page the rebuild left as it was
        assert status == 200 and "投稿指南" in guide
        status, index = fetch(base + "search/search_index.json")
        assert status == 200 and "以重大工程为载体" in index
        # theme_overrides/ is watched too; a change there renders every page again
        css = project / "theme_overrides/assets/stylesheets/dangjian.css"
        css.write_text(css.read_text("utf-8") + "\n/* 预览测试 */\n", encoding="utf-8")
        served_css = base + "assets/stylesheets/dangjian.css"
        wait_for("the edited CSS", lambda: "预览测试" in fetch(served_css)[1], server, log)
        wait_for(
            "the full rebuild", lambda: "主题覆盖目录有变化" in log.read_text("utf-8"), server, log
        )
        if command == "build_cases.py serve":  # no warning that dirty builds are inexact
            assert "A 'dirty' build" not in log.read_text("utf-8")
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl+C: serve stops and removes its folder
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
