"""The 投稿指南 pages: generated parts in step with the schema, hand-written parts whole."""

from __future__ import annotations

import posixpath
import re
import subprocess
import sys
from pathlib import Path

import markdown
import pytest

from dangjian import form, guide, scaffold, schemas

ROOT = Path(__file__).parent.parent
GUIDE = ROOT / "docs" / "guide"


def test_committed_pages_equal_the_generated_ones():
    """Drift fails CI: a schema change without `python -m dangjian.guide`."""
    for rel, text in guide.pages().items():
        assert (ROOT / rel).read_text(encoding="utf-8") == text, (
            f"{rel}: run .venv/bin/python -m dangjian.guide"
        )


def test_check_option_reports_a_stale_page(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "dangjian.guide"]
    assert (
        subprocess.run([*cmd, "--check"], cwd=tmp_path, env=env, capture_output=True).returncode
        == 1
    )
    assert subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True).returncode == 0
    assert (
        subprocess.run([*cmd, "--check"], cwd=tmp_path, env=env, capture_output=True).returncode
        == 0
    )
    stale = tmp_path / "docs/guide/fields.md"
    stale.write_text(
        stale.read_text(encoding="utf-8").replace("品牌名称", "名称"), encoding="utf-8"
    )
    result = subprocess.run(
        [*cmd, "--check"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert (
        result.stdout
        == "docs/guide/fields.md 与 schema 不一致：请运行 .venv/bin/python -m dangjian.guide\n"
    )


def _rows(page: str, heading: str) -> dict[str, list[str]]:
    section = page.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"^\| `([^`]+)` \|(.*)\|$", line)
        if m:
            rows[m[1]] = [c.strip() for c in m[2].split(" | ")]
    return rows


@pytest.mark.parametrize("kind", ["brand", "post"])
def test_field_reference_matches_the_schema(kind):
    case = schemas.load_schema("case")
    schema = case["definitions"][kind]
    label = {"brand": "党建品牌", "post": "党员示范岗"}[kind]
    rows = _rows((GUIDE / "fields.md").read_text(encoding="utf-8"), f"{label}（kind: {kind}）")

    expected = {}
    for name, sub in schema["properties"].items():
        sub = case["definitions"].get(sub.get("$ref", "#/definitions/").rsplit("/", 1)[1]) or sub
        expected[name] = (sub, name in schema["required"])
        items = sub.get("items", {})
        for child, csub in items.get("properties", {}).items():
            expected[f"{name}[].{child}"] = (csub, child in items.get("required", []))
    assert list(rows) == list(expected)
    for key, (sub, required) in expected.items():
        title, need, limits, description = rows[key]
        assert title == sub["title"], key
        assert need == ("必填" if required else "选填"), key
        assert description == sub["description"], key
        if "maxLength" in sub:
            assert str(sub["maxLength"]) in limits, key
        if "minLength" in sub and sub["minLength"] > 1:
            assert f"{sub['minLength']}–" in limits, key
        for value in sub.get("enum", []):
            assert f"`{value}`" in limits, key


def test_limits_in_words():
    assert guide.constraints({"type": "string", "minLength": 2, "maxLength": 30}) == "文字，2–30 字"
    assert (
        guide.constraints({"type": "integer", "minimum": 1990}, "year")
        == "整数（不加引号），不小于 1990，不晚于今年"
    )
    assert (
        guide.constraints(
            {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string"}}
        )
        == "列表，每项一行文字，至少 1 项，不能重复"
    )
    assert guide.constraints({"const": "brand"}) == "固定为 `brand`"


def test_templates_page_holds_both_templates():
    page = (GUIDE / "templates.md").read_text(encoding="utf-8")
    for kind in ("brand", "post"):
        assert f"```yaml\n{scaffold.render_template(kind)}```" in page


def test_hand_written_guide_links_and_anchors():
    """Every link of the guide points at a page or an anchor that exists."""
    md = markdown.Markdown(extensions=["toc", "attr_list", "tables", "admonition", "fenced_code"])
    index = (GUIDE / "index.md").read_text(encoding="utf-8")
    html = md.convert(index)
    anchors = set(re.findall(r' id="([^"]+)"', html))
    for n in range(1, 8):
        assert f"step-{n}" in anchors
    for target in re.findall(r'href="([^"]+)"', html):
        assert not target.startswith(("http:", "https:", "//")), (
            f"no external links on an intranet: {target}"
        )
        page, _, anchor = target.partition("#")
        if page:
            # a hand-written page, or the generated 在线填写 form (dangjian/form.py)
            generated = posixpath.normpath(posixpath.join("guide", page)) == form.PAGE
            assert (GUIDE / page).is_file() or generated, target
        else:
            assert anchor in anchors, target


def test_guide_steps_cover_the_whole_way():
    text = (GUIDE / "index.md").read_text(encoding="utf-8")
    for words in [
        "units.yaml",
        "cases/fgw/hongse-yinqing.yaml",
        "Create new file",
        "New File",
        "New file",
        "UTF-8",
        "Tab",
        "images",
        "JPEG",
        "WebP",
        "合并请求",
        "Files changed",
        "Code Quality",
        "status: draft",
        "敏感信息",
        "build_cases.py new",
        "pre-commit install",
    ]:
        assert words in text, words
    # the sample error line is exactly what `check` prints for the fresh template
    sample = re.search(r"```\n(cases/fgw/hongse-yinqing\.yaml:\d+:\d+: .+)\n```", text)[1]
    rendered = scaffold.render_template(
        "brand", scaffold.UnitInfo("fgw", "区发展和改革局"), "hongse-yinqing", 2026
    )
    line = rendered.splitlines().index('title: "【请填写品牌名称】"') + 1
    assert sample == (
        f"cases/fgw/hongse-yinqing.yaml:{line}:8: 品牌名称(title)："
        "还是模板里的占位内容「【请填写品牌名称】」：请改成真实内容。"
    )
