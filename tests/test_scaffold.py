"""`new` as a contributor runs it, the templates it writes, and CODEOWNERS from units.yaml."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from libraries import overlay_library

from dangjian import scaffold, schemas, validate

ROOT = Path(__file__).parent.parent
FIXED_EPOCH = "1782864000"  # 2026-07-01
PLACEHOLDER = re.compile(r"【请填写[^】]*】")


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "build_cases.py"), *args],
        cwd=project,
        capture_output=True,
        text=True,
        env={"SOURCE_DATE_EPOCH": FIXED_EPOCH, "PATH": "/usr/bin:/bin"},
    )


def check_json(project: Path) -> tuple[int, list[dict]]:
    result = run(project, "check", "--format", "json")
    return result.returncode, json.loads(result.stdout)["diagnostics"]


def fill(text: str) -> str:
    """What a contributor does: every placeholder replaced by real words."""
    text = text.replace('"【请填写主题】"', "业务融合")
    text = re.sub(r"【请填写年份[^】]*】", "2023", text)
    return PLACEHOLDER.sub("党员带头开展的一项具体工作", text)


@pytest.fixture
def project(tmp_path) -> Path:
    return overlay_library(tmp_path / "p")


@pytest.mark.parametrize("kind", ["brand", "post"])
def test_fresh_template_fails_only_on_placeholders_and_passes_once_filled(project, kind):
    result = run(project, "new", kind, "--unit", "fgw", "--id", "xin-anli")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "已创建 cases/fgw/xin-anli.yaml，请打开文件按注释填写。\n"
    path = project / "cases/fgw/xin-anli.yaml"
    text = path.read_text(encoding="utf-8")
    assert (
        text.splitlines()[0]
        == "# yaml-language-server: $schema=../../dangjian/schema/case.schema.json"
    )
    assert "\nyear: 2026\n" in text

    status, found = check_json(project)
    assert status == 1
    assert {d["code"] for d in found} == {"placeholder"}, found
    assert {d["file"] for d in found} == {"cases/fgw/xin-anli.yaml"}
    # every placeholder outside the comments is reported, at its line (a block
    # text "key: |" at the line of its key)
    lines = text.splitlines()
    expected = [
        i - 1 if lines[i - 2].endswith(": |") else i
        for i, ln in enumerate(lines, 1)
        if PLACEHOLDER.search(ln) and not ln.lstrip().startswith("#")
    ]
    assert sorted(d["line"] for d in found) == expected

    path.write_text(fill(text), encoding="utf-8")
    status, found = check_json(project)
    assert (status, found) == (0, [])


@pytest.mark.parametrize("kind", ["brand", "post"])
def test_guide_copy_of_the_template_behaves_the_same(project, kind):
    """The template pasted from the guide page (no unit, year still to fill)."""
    path = project / "cases/czj/paste.yaml"
    path.write_text(scaffold.render_template(kind), encoding="utf-8")
    status, found = check_json(project)
    assert status == 1
    assert {d["code"] for d in found} == {"placeholder"}, found
    assert "year" in {d["field"] for d in found}
    path.write_text(fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert check_json(project) == (0, [])


@pytest.mark.parametrize("kind", ["brand", "post"])
def test_optional_fields_uncommented_still_need_filling(project, kind):
    """Uncommenting an optional example without filling it in is caught, not published."""
    text = scaffold.render_template(kind, year=2024)
    for key in ("summary", "slogan", "batch"):
        text = text.replace(f'# {key}: "【', f'{key}: "【')
    text = "\n".join(
        ln if ln.startswith(("summary:", "slogan:", "batch:")) else fill(ln)
        for ln in text.splitlines()
    )
    path = project / "cases/czj/opt.yaml"
    path.write_text(text, encoding="utf-8")
    status, found = check_json(project)
    assert status == 1 and {d["code"] for d in found} == {"placeholder"}
    assert {d["field"] for d in found} <= {"summary", "slogan", "batch"}


@pytest.mark.parametrize("kind", ["brand", "post"])
def test_every_field_of_the_schema_is_explained_in_the_template(kind):
    schema = schemas.load_schema("case")["definitions"][kind]
    text = scaffold.render_template(
        kind, scaffold.UnitInfo("fgw", "区发展和改革局", (("fgw-a", "甲支部"),)), "x", 2026
    )
    lines = text.splitlines()
    for name in schema["properties"]:
        at = next(i for i, ln in enumerate(lines) if re.match(rf"^(# )?{name}:", ln))
        notes = [ln for ln in lines[max(0, at - 8) : at] if ln.startswith("# ")]
        sub = schemas.load_schema("case")["definitions"].get(name) or schema["properties"][name]
        assert any(ln.startswith(f"# {sub['title']}（") for ln in notes), name
        required = name in schema["required"]
        assert lines[at].startswith("#") != required, (
            f"{name}: required fields are live, optional ones commented"
        )


def test_branch_comment_lists_the_units_own_branches(project):
    assert run(project, "new", "brand", "--unit", "fgw", "--id", "a1").returncode == 0
    assert run(project, "new", "post", "--unit", "czj", "--id", "a2").returncode == 0
    fgw = (project / "cases/fgw/a1.yaml").read_text(encoding="utf-8")
    czj = (project / "cases/czj/a2.yaml").read_text(encoding="utf-8")
    assert (
        "#   fgw-zonghe（综合科党支部）\n#   fgw-jiage（价格科党支部）\n# branch: fgw-zonghe\n"
        in fgw
    )
    assert "# 本单位在名册中没有下设支部，不填写这一项。\n" in czj and "branch:" not in czj


def test_new_creates_the_folder_of_a_unit_without_cases(project):
    assert run(project, "new", "post", "--unit", "tjj", "--id", "tongji-chuangkou").returncode == 0
    assert (project / "cases/tjj/tongji-chuangkou.yaml").is_file()


def test_new_refuses_an_existing_file_and_leaves_it_byte_identical(project):
    path = project / "cases/fgw/hongse-yinqing.yaml"
    before = path.read_bytes()
    result = run(project, "new", "brand", "--unit", "fgw", "--id", "hongse-yinqing")
    assert result.returncode == 1
    assert result.stderr == (
        "错误：cases/fgw/hongse-yinqing.yaml 已经存在，没有改动它：要新建案例请换一个编号；"
        "要修改已有案例请直接编辑这个文件。\n"
    )
    assert path.read_bytes() == before


def test_new_refuses_when_the_yml_spelling_exists(project):
    other = project / "cases/fgw/jiu.yml"
    other.write_bytes(b"kind: post\n")
    result = run(project, "new", "post", "--unit", "fgw", "--id", "jiu")
    assert result.returncode == 1 and "cases/fgw/jiu.yml 已经存在" in result.stderr
    assert not (project / "cases/fgw/jiu.yaml").exists()
    assert other.read_bytes() == b"kind: post\n"


def test_new_refuses_an_id_taken_by_another_unit(project):
    result = run(project, "new", "brand", "--unit", "czj", "--id", "hongse-yinqing")
    assert result.returncode == 1
    assert result.stderr == (
        "错误：案例编号「hongse-yinqing」已被 cases/fgw/hongse-yinqing.yaml 使用："
        "案例编号在整个案例库中必须唯一，请换一个编号。\n"
    )
    assert not (project / "cases/czj/hongse-yinqing.yaml").exists()


@pytest.mark.parametrize(
    ("unit", "hint"),
    [
        ("fgv", "是不是「fgw」（区发展和改革局）？"),
        ("区财政局", "是不是「czj」（区财政局）？"),
        ("zzz", "单位编号就是 cases/ 下的文件夹名，可在 cases/units.yaml 中查到。"),
    ],
)
def test_new_rejects_an_unknown_unit_with_a_suggestion(project, unit, hint):
    result = run(project, "new", "brand", "--unit", unit, "--id", "abc")
    assert result.returncode == 1
    assert result.stderr == f"错误：单位名册中没有单位「{unit}」：{hint}\n"
    assert not list(project.glob("cases/*/abc.yaml"))


@pytest.mark.parametrize(
    ("case_id", "hint"),
    [
        ("HongSe", "例如 --id hongse。"),
        ("hong_se", "例如 --id hong-se。"),
        ("x.yaml", "编号不含扩展名，请写 --id x。"),
        ("红色引擎", "建议用品牌名称的拼音，例如 hongse-yinqing。"),
        ("-abc", ""),
        ("a" * 64, ""),
        ("../x", ""),
    ],
)
def test_new_rejects_a_bad_id_with_the_slug_rule(project, case_id, hint):
    result = run(project, "new", "brand", "--unit", "fgw", f"--id={case_id}")
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"错误：案例编号「{case_id}」不符合编号规则：{validate.SLUG_RULE}。"
    )
    assert hint in result.stderr
    assert sorted(p.name for p in (project / "cases/fgw").glob("*.y*ml")) == ["hongse-yinqing.yaml"]


def test_new_says_so_when_the_registry_itself_is_broken(project):
    units = project / "cases/units.yaml"
    units.write_text(
        units.read_text(encoding="utf-8").replace("org_type: 党支部", "org_type: 支部", 1),
        encoding="utf-8",
    )
    result = run(project, "new", "brand", "--unit", "czj", "--id", "abc")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "错误：单位名册 cases/units.yaml 有错误，无法确认单位编号：请先修正名册"
    )
    assert "cases/units.yaml:" in result.stderr and "组织类型(org_type)" in result.stderr
    assert not (project / "cases/czj/abc.yaml").exists()


def test_new_uses_the_themes_of_the_library(project):
    (project / "cases/themes.yaml").write_text("themes: [乡村振兴, 基层治理]\n", encoding="utf-8")
    assert run(project, "new", "brand", "--unit", "czj", "--id", "abc").returncode == 0
    text = (project / "cases/czj/abc.yaml").read_text(encoding="utf-8")
    assert "# 乡村振兴、基层治理\nthemes:\n" in text


# -- CODEOWNERS -----------------------------------------------------------------


def test_codeowners_lists_each_units_reviewers():
    units = [
        {"id": "fgw", "reviewers": ["@a", "b"]},
        {"id": "czj"},
        {"id": "tjj", "reviewers": ["@org/team"]},
    ]
    glob = scaffold.codeowners(units).splitlines()
    assert [ln for ln in glob if ln and not ln.startswith("#")] == [
        "/cases/fgw/ @a @b",
        "/cases/tjj/ @org/team",
    ]
    regexp = scaffold.codeowners(units, "regexp").splitlines()
    assert [ln for ln in regexp if ln and not ln.startswith("#")] == [
        "cases/fgw/.* @a @b",
        "cases/tjj/.* @org/team",
    ]
    assert re.fullmatch(regexp[-2].split()[0], "cases/fgw/images/logo.png")


def test_committed_codeowners_files_match_units_yaml():
    """Drift fails CI: reviewers changed in units.yaml without regenerating."""
    expected = scaffold.codeowners_files(ROOT)
    assert set(expected) == {".github/CODEOWNERS", ".gitlab/CODEOWNERS", ".gitea/CODEOWNERS"}
    for rel, text in expected.items():
        assert (ROOT / rel).read_text(encoding="utf-8") == text, (
            f"{rel}: run python -m dangjian.scaffold codeowners"
        )
    data = yaml.safe_load((ROOT / "cases/units.yaml").read_text(encoding="utf-8"))
    with_reviewers = [u["id"] for u in data["units"] if u.get("reviewers")]
    assert with_reviewers and all(
        f"/cases/{uid}/ @" in expected[".github/CODEOWNERS"] for uid in with_reviewers
    )


def test_codeowners_command_writes_then_reports_up_to_date(project):
    units = project / "cases/units.yaml"
    units.write_text(
        units.read_text(encoding="utf-8").replace(
            "    org_type: 党支部\n", '    org_type: 党支部\n    reviewers: ["@caizheng"]\n', 1
        ),
        encoding="utf-8",
    )
    cmd = [sys.executable, "-m", "dangjian.scaffold", "codeowners"]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    assert (
        subprocess.run([*cmd, "--check"], cwd=project, env=env, capture_output=True).returncode == 1
    )
    first = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True)
    assert first.returncode == 0 and first.stdout.startswith("已更新：.github/CODEOWNERS")
    assert "/cases/czj/ @caizheng\n" in (project / ".github/CODEOWNERS").read_text(encoding="utf-8")
    assert (
        subprocess.run([*cmd, "--check"], cwd=project, env=env, capture_output=True).returncode == 0
    )
