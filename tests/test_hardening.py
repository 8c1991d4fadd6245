"""Hardening round 2: the classes of issue 17 the golden corpus cannot carry.

Deep YAML in a subprocess (a segmentation fault must fail the test, not kill
pytest), planted image-cache entries, environment faults (ulimit -f), special
and unreadable files, pathological Markdown, and the live preview keeping the
last good pages when the input turns bad.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import REPO, SMALL, make_project
from libraries import BASE, overlay_library
from PIL import Image

from dangjian import load, markdown, pipeline
from dangjian.rendition_check import metadata_free
from dangjian.renditions import ImagePipeline

FIXED_EPOCH = "1782864000"
ENV = dict(os.environ, SOURCE_DATE_EPOCH=FIXED_EPOCH)


def cli(project: Path, *args: str, limit: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(REPO / "build_cases.py"), *args]
    if limit:  # run under a shell resource limit, e.g. "ulimit -f 0"
        command = ["bash", "-c", f'{limit}; exec "$@"', "bash", *command]
    return subprocess.run(
        command, cwd=project, capture_output=True, text=True, timeout=600, env=ENV
    )


# --- deep YAML ------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel,text,where",
    [
        (
            "cases/fgw/deep.yaml",
            "kind: brand\ntitle: " + "[" * 80_000,
            "cases/fgw/deep.yaml:2:20: 嵌套层级太深",
        ),
        (
            "cases/fgw/deep.yaml",
            "kind: brand\ntitle: " + "{a: " * 20_000,
            "cases/fgw/deep.yaml:2:56: 嵌套层级太深",
        ),
        ("cases/units.yaml", "units: " + "[" * 80_000, "cases/units.yaml:1:20: 嵌套层级太深"),
        (
            "cases/units.yaml",
            "units:\n  - " + "{a: " * 20_000,
            "cases/units.yaml:2:49: 嵌套层级太深",
        ),
        (
            "cases/settings.yaml",
            "casebook:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 400)),
            "cases/settings.yaml:14:14: 嵌套层级太深",
        ),
    ],
)
def test_deep_yaml_is_refused_in_a_subprocess(tmp_path, rel, text, where):
    project = overlay_library(tmp_path / "p")
    (project / rel).write_text(text, encoding="utf-8")
    result = cli(project, "check")
    assert result.returncode == 1, (result.returncode, result.stderr[-500:])  # -11 would be SIGSEGV
    assert where in result.stdout, result.stdout[:500]
    assert result.stderr == ""


# --- the image cache -------------------------------------------------------------


def exif_jpeg(size: tuple[int, int]) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PlantedCam"
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(buffer, "JPEG", exif=exif.tobytes(), comment=b"GPS")
    return buffer.getvalue()


def test_a_planted_cache_entry_is_never_published(tmp_path):
    cache = tmp_path / "cache"
    source = BASE / "cases" / "fgw" / "images" / "diaodu.jpg"
    first = ImagePipeline(cache).web(source, "photo")
    genuine = first.page.path.read_bytes()
    assert metadata_free(genuine, "JPEG")
    # Someone commits or plants a rendition with EXIF and GPS under the same name.
    first.page.path.write_bytes(exif_jpeg((first.page.width, first.page.height)))
    again = ImagePipeline(cache)
    second = again.web(source, "photo")
    assert second.page.path == first.page.path
    published = second.page.path.read_bytes()
    assert b"PlantedCam" not in published and b"GPS" not in published
    assert metadata_free(published, "JPEG")
    with Image.open(second.page.path) as im:
        assert not im.getexif() and "exif" not in im.info
    assert again.encoded == 1 and again.reused == 1  # only the planted one was redone


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d[:2] + b"\xff\xe1\x00\x10Exif\x00\x00" + b"\x00" * 8 + d[2:],  # APP1 up front
        lambda d: d[:-2] + b"\xff\xfe\x00\x05GPS" + d[-2:],  # a comment between scan and EOI
        lambda d: d + b"trailing",  # bytes after EOI
        lambda d: d[: len(d) // 2],  # truncated
    ],
)
def test_jpeg_structure_check_finds_metadata_anywhere(mutate):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(
        buffer, "JPEG", quality=82, progressive=True, optimize=True
    )
    clean = buffer.getvalue()
    assert metadata_free(clean, "JPEG")
    assert not metadata_free(mutate(clean), "JPEG")


def test_png_structure_check_refuses_text_and_exif_chunks():
    from PIL.PngImagePlugin import PngInfo

    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8)).save(buffer, "PNG", optimize=True)
    assert metadata_free(buffer.getvalue(), "PNG")
    info = PngInfo()
    info.add_text("GPS", "39.9,116.4")
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8)).save(buffer, "PNG", pnginfo=info)
    assert not metadata_free(buffer.getvalue(), "PNG")


# --- environment faults ------------------------------------------------------------


@pytest.mark.slow
def test_a_full_disk_keeps_the_old_site_and_names_the_path(tmp_path):
    project = make_project(tmp_path / "project", SMALL / "cases")
    site = project / "site"
    site.mkdir()
    (site / "index.html").write_text("旧站点", encoding="utf-8")
    (site / "sitemap.xml").write_text("<urlset/>", encoding="utf-8")
    result = cli(
        project, "build", limit="ulimit -f 40"
    )  # 40 KB per file: the theme's bundle is larger
    assert result.returncode == 2, result.stderr[-800:]
    assert result.stderr.startswith("错误：无法写入或读取 ") and "ulimit -f" in result.stderr
    assert str(project) in result.stderr and "内部错误" not in result.stderr
    assert (site / "index.html").read_text(encoding="utf-8") == "旧站点"
    assert [p.name for p in project.iterdir() if p.name.startswith(".site.")] == []


def test_a_report_that_cannot_be_written_keeps_the_earlier_one(tmp_path):
    project = overlay_library(tmp_path / "p", REPO / "tests" / "corpus" / "check" / "bool-title")
    assert cli(project, "check", "--format", "json", "--output", "r.json").returncode == 1
    before = (project / "r.json").read_bytes()
    result = cli(project, "check", "--format", "gitlab", "--output", "r.json", limit="ulimit -f 0")
    assert result.returncode == 2
    assert (
        result.stderr
        == f"错误：无法写入或读取 {project.resolve() / 'r.json'}：文件超过了允许的大小（例如 ulimit -f 的限制）。"
        "原有的站点和文件没有被替换；请腾出空间、检查权限或换一个输出位置后重试。\n"
    )
    assert (project / "r.json").read_bytes() == before
    assert [p.name for p in project.iterdir() if p.name.endswith(".tmp")] == []


# --- special and unreadable files ---------------------------------------------------


def test_a_fifo_in_cases_is_named_not_read(tmp_path):
    project = overlay_library(tmp_path / "p")
    os.mkfifo(project / "cases" / "fgw" / "pipe.yaml")
    diags = pipeline.open_library(project).diagnostics
    assert [(d.file, d.code) for d in diags] == [("cases/fgw/pipe.yaml", "not-a-file")]


def as_nobody(function, *args) -> str:
    """Run `function(*args)` in a forked child that dropped root (if we are root); its str()."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: no pytest machinery from here on
        try:
            os.close(read)
            if os.getuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            try:
                out = str(function(*args))
            except BaseException as e:  # noqa: BLE001 - reported to the parent as text
                out = f"child failed: {e!r}"
            os.write(write, out.encode("utf-8", "backslashreplace"))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        out = f.read().decode("utf-8")
    os.waitpid(pid, 0)
    return out


def _check_text(project: Path) -> str:
    from dangjian import diagnostics

    return diagnostics.format_text(pipeline.open_library(project).diagnostics)


def test_an_unreadable_unit_folder_is_an_error_not_a_silent_gap():
    # pytest's tmp_path is private to root; this folder must be reachable for "nobody"
    top = Path(tempfile.mkdtemp(prefix="dangjian-unreadable-"))
    try:
        project = overlay_library(top / "p")
        for folder in [top, project, *project.rglob("*")]:
            os.chmod(folder, 0o755 if folder.is_dir() else 0o644)
        os.chmod(project / "cases" / "czj", 0o000)
        out = as_nobody(_check_text, project)
    finally:
        os.chmod(top / "p" / "cases" / "czj", 0o755)
        shutil.rmtree(top)
    assert out.startswith("cases/czj: 无法读取这个文件夹（Permission denied）"), out


def test_hidden_entries_are_errors_but_editor_litter_is_not(tmp_path):
    project = overlay_library(tmp_path / "p")
    (project / "cases" / "fgw" / ".gitkeep").write_text("", encoding="utf-8")
    (project / "cases" / ".DS_Store").write_bytes(b"\0\0")
    assert pipeline.open_library(project).diagnostics == []
    (project / "cases" / "fgw" / ".hongse-yinqing.yaml.swp.yml").write_text(
        "kind: brand\n", encoding="utf-8"
    )
    assert [d.code for d in pipeline.open_library(project).diagnostics] == ["hidden-file"]


# --- text ---------------------------------------------------------------------------


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\x85"])
def test_line_separators_are_refused_at_their_own_line(tmp_path, sep):
    src = load.SourceFile(tmp_path / "x.yaml", "cases/fgw/x.yaml", "case", "fgw")
    text = "kind: brand\ntitle: 红色引擎\nslogan: 项目" + sep + "推进\nyear: 20x\n"
    assert load.decode(text.encode("utf-8"), src) is None
    assert [(d.line, d.column, d.code) for d in src.problems] == [(3, 11, "bad-char")]


def test_cr_only_files_count_lines_like_yaml(tmp_path):
    src = load.SourceFile(tmp_path / "x.yaml", "cases/fgw/x.yaml", "case", "fgw")
    text = load.decode(b"kind: brand\rtitle: a\r\tslogan: b\r", src)
    load.parse_text(text, src)
    assert [(d.line, d.code) for d in src.problems] == [(3, "yaml-tab")]


# --- pathological Markdown ------------------------------------------------------------


@pytest.mark.parametrize(
    "text,refused",
    [
        ("[" * 201, True),
        ("[x](" * 300, True),
        ("> " * 9 + "引用", True),
        ("".join("  " * i + "- 项\n" for i in range(18)), True),
        ("[" * 200 + "]" * 200, False),
        ("> " * 8 + "引用", False),
        ("".join("  " * i + "- 项\n" for i in range(16)), False),
        ("*" * 5000 + "强调" + "*" * 5000, False),
        ("`" * 5000, False),
    ],
)
def test_pathological_markdown_is_refused_or_renders(text, refused):
    assert (markdown.structure_problem(text) is not None) == refused
    html = markdown.render_markdown(text)
    assert html.startswith("<")
    if refused:  # shown as the typed characters, never parsed
        assert (
            html
            == "<p>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>"
        )


# --- live preview ------------------------------------------------------------------------


def test_preview_rebuild_on_bad_input_stops_before_writing_and_says_why(tmp_path, capfd):
    """`serve` rebuilds through the plugin's on_config: bad input (here YAML that crashed
    libyaml's composer, and a C1 control character) raises there, before MkDocs writes
    anything, so MkDocs' live-reload server keeps serving the last good site."""
    from mkdocs.exceptions import PluginError

    from dangjian.mkdocs_plugin import _open

    project = make_project(tmp_path / "project", SMALL / "cases")
    assert _open(project)[0] is not None
    (project / "cases" / "sfj" / "deep.yaml").write_text("kind: brand\ntitle: " + "[" * 80_000, encoding="utf-8")
    units = project / "cases" / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("name: ", 'name: "\\x80"\n    x: ', 1),
                     encoding="utf-8")
    capfd.readouterr()
    with pytest.raises(PluginError, match="案例库有错误，站点未生成"):
        _open(project)
    err = capfd.readouterr().err
    assert "cases/sfj/deep.yaml:2:20: 嵌套层级太深" in err and "U+0080 控制字符" in err
    assert "\x80" not in err
