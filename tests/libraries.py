"""Small sample libraries for tests: the valid base library plus one overlay of the corpus."""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import io
import os
import re
import shutil
import subprocess
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
BASE = TESTS / "fixtures" / "base"
CHECK_CORPUS = TESTS / "corpus" / "check"
GOLDEN = "expected.txt"
REMOVED = "removed.txt"  # optional in an overlay: base paths to delete, one a line


def examples(full: int, quick: int = 20):
    """A property test's sizes: a quick sample in the fast loop, the full run among the slow tests.

    The test takes an `examples` argument and hands it to Hypothesis's settings;
    `pytest -m "not slow"` runs the `quick` case, the full suite runs both.
    """
    return pytest.mark.parametrize(
        "examples",
        [pytest.param(quick, id="quick"), pytest.param(full, id="full", marks=pytest.mark.slow)],
    )


def overlay_library(target: Path, overlay: Path | None = None) -> Path:
    """Copy the base library to `target`, then the files of `overlay` over it."""
    shutil.copytree(BASE, target, symlinks=True)
    if overlay is not None and (overlay / REMOVED).is_file():
        for rel in (overlay / REMOVED).read_text(encoding="utf-8").split():
            doomed = target / rel
            shutil.rmtree(doomed) if doomed.is_dir() else doomed.unlink()
    if overlay is not None:
        for src in sorted(overlay.rglob("*")):
            rel = src.relative_to(overlay)
            if rel.as_posix() in (GOLDEN, REMOVED) or (src.is_dir() and not src.is_symlink()):
                continue
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if src.is_symlink():
                dest.unlink(missing_ok=True)
                dest.symlink_to(src.readlink())
            else:
                shutil.copyfile(src, dest)
    return target


def inflate_pdf(data: bytes) -> bytes:
    """The PDF followed by every stream it holds, decompressed (to search its whole text)."""
    out = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    return b"\n".join(out)


# Debian's chromium, headless, with nothing that would call out of the machine.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site only below `prefix`, as an intranet web server mounting it there."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_the_prefix__")
        return super().translate_path("/" + path[len(self.prefix):])

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


@contextlib.contextmanager
def serve_site(site: Path, prefix: str = "/", handler: type | None = None) -> Iterator[str]:
    """A built site on 127.0.0.1 (a free port) below `prefix`; yields its address.

    `handler`: a subclass of _SubPathHandler that answers some requests otherwise."""
    handler_class = type("Handler", (handler or _SubPathHandler,), {"prefix": prefix})
    handler = functools.partial(handler_class, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}{prefix}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def chromium():
    """Debian's headless chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def site_files(site_dir: Path) -> dict[str, bytes]:
    """Every file of a built site by relative path (for comparing two builds)."""
    return {
        p.relative_to(site_dir).as_posix(): p.read_bytes()
        for p in sorted(site_dir.rglob("*"))
        if p.is_file()
    }


def casebook_cli(project: Path, *args: str):
    """`build_cases.py casebook ARGS` run in `project`, as a user runs it."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, str(TESTS.parent / "build_cases.py"), "casebook", *args],
        cwd=project,
        capture_output=True,
        text=True,
    )


def run_cli(project: Path, *args: str, epoch: str = "1782864000") -> subprocess.CompletedProcess:
    """`build_cases.py ARGS` run in `project` as a user runs it, but in this process.

    The same main() with the same arguments, working folder and SOURCE_DATE_EPOCH;
    its exit code, stdout and stderr come back as from subprocess.run. Saves the
    interpreter start-up and the imports of every call (the fast loop runs many).
    """
    main = _cli_main()
    out, err = io.StringIO(), io.StringIO()
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        with (
            contextlib.chdir(project),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                code = main(list(args))
            except SystemExit as e:  # argparse's usage errors
                code = e.code if isinstance(e.code, int) else 2
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return subprocess.CompletedProcess(
        ["build_cases.py", *args], code, out.getvalue(), err.getvalue()
    )


@functools.cache
def _cli_main():
    spec = importlib.util.spec_from_file_location("build_cases", TESTS.parent / "build_cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main
