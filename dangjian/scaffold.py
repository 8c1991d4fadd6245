"""Scaffolding for contributors: a commented case template (`new`) and CODEOWNERS from units.yaml.

The template's comments come from the JSON Schema (titles and descriptions),
so the words a contributor reads in the file are the ones the checker and the
guide use. Placeholders look like 【请填写品牌名称】; `check` reports every one
that is still there.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import load, paths, schemas, templating, validate
from .epoch import current_year
from .errors import UserError
from .model import DEFAULT_THEMES, KIND_LABELS, listed_themes
from .schemas import resolve_ref

TEMPLATES = Path(__file__).parent / "templates" / "new"
COMMAND = ".venv/bin/python build_cases.py codeowners"
SCHEMA_LINE = "# yaml-language-server: $schema=../../dangjian/schema/case.schema.json"

# Where each code-hosting platform reads its code owners (and in which syntax).
CODEOWNERS_FILES = {
    ".github/CODEOWNERS": "glob",  # GitHub
    ".gitlab/CODEOWNERS": "glob",  # GitLab
    ".gitea/CODEOWNERS": "regexp",  # Gitea / Forgejo: Go regular expressions
}


@dataclass(frozen=True)
class UnitInfo:
    """What a template needs to know about the contributor's unit."""

    id: str
    name: str
    branches: tuple[tuple[str, str], ...] = ()  # (branch id, branch name)


# -- the template -------------------------------------------------------------


def _kind_schema(kind: str) -> tuple[dict, dict]:
    root = schemas.load_schema("case")
    return root, root["definitions"][kind]


def _field(root: dict, kind_schema: dict, name: str) -> dict:
    return resolve_ref(root, kind_schema["properties"][name])


def _note(root: dict, kind_schema: dict, name: str, item: str | None = None) -> str:
    """One comment line for a field: 中文名（必填/选填）：说明, straight from the schema."""
    field = _field(root, kind_schema, name)
    if item is not None:
        field = field["items"]["properties"][item]
        return f"# {field['title']}（必填）：{field['description']}"
    need = "必填" if name in kind_schema.get("required", []) else "选填"
    return f"# {field['title']}（{need}）：{field['description']}"


def render_template(
    kind: str,
    unit: UnitInfo | None = None,
    case_id: str | None = None,
    year: int | None = None,
    themes: tuple[str, ...] = DEFAULT_THEMES,
) -> str:
    """The commented YAML template of a new case.

    With `unit` the branch comment lists that unit's own branches; with `year`
    the year is filled in, otherwise it is a placeholder too (the guide's copy,
    which must not change every January).
    """
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown kind {kind!r}")
    root, kind_schema = _kind_schema(kind)
    env = templating.environment(TEMPLATES, None, {}, autoescape=False, keep_trailing_newline=True)
    template = env.get_template(f"{kind}.yaml.j2")
    return template.render(
        schema_line=SCHEMA_LINE,
        note=lambda name, item=None: _note(root, kind_schema, name, item),
        title_of=lambda name: _field(root, kind_schema, name)["title"],
        unit=unit,
        case_id=case_id,
        year=year,
        themes="、".join(themes),
        label=KIND_LABELS[kind],
    )


# -- new ------------------------------------------------------------------------


def _registry(project: Path) -> tuple[dict[str, dict], load.LibraryFiles, tuple[str, ...]]:
    """The validated unit registry, every case file of the library and the theme list."""
    files = load.read_library(project)
    found = validate.validate(files)
    units_rel = files.units.rel if files.units is not None else "cases/units.yaml"
    broken = [d for d in found if d.file == units_rel]
    if files.units is None or broken:
        shown = "\n".join(f"  {d.text()}" for d in broken[:10])
        more = f"\n  ……共 {len(broken)} 个问题" if len(broken) > 10 else ""
        raise UserError(
            "单位名册 cases/units.yaml 有错误，无法确认单位编号：请先修正名册"
            "（运行 build_cases.py check 查看全部问题）。\n"
            + (shown + more if shown else "  找不到单位名册。")
        )
    units = {}
    for item in files.units.data["units"]:
        units.setdefault(item["id"], item)
    ok = files.themes is not None and files.themes.ok
    return units, files, listed_themes(files.themes.data if ok else None)


def _unknown_unit(unit: str, units: dict[str, dict]) -> UserError:
    by_name = {u.get("name"): uid for uid, u in units.items()}
    guess = by_name.get(unit) or next(
        iter(difflib.get_close_matches(unit.lower(), list(units), 1, 0.6)), None
    )
    if guess is None:
        names = difflib.get_close_matches(unit, list(by_name), 1, 0.5)
        guess = by_name[names[0]] if names else None
    hint = (
        f"是不是「{guess}」（{units[guess].get('name', '')}）？"
        if guess
        else "单位编号就是 cases/ 下的文件夹名，可在 cases/units.yaml 中查到。"
    )
    return UserError(f"单位名册中没有单位「{unit}」：{hint}")


def _check_id(case_id: str) -> None:
    if validate.SLUG.match(case_id):
        return
    hint = ""
    stem = case_id.removesuffix(".yaml").removesuffix(".yml")
    if stem != case_id and validate.SLUG.match(stem):
        hint = f"编号不含扩展名，请写 --id {stem}。"
    elif validate.SLUG.match(case_id.lower().replace("_", "-").replace(" ", "-")):
        hint = f"例如 --id {case_id.lower().replace('_', '-').replace(' ', '-')}。"
    else:
        hint = "建议用品牌名称的拼音，例如 hongse-yinqing。"
    raise UserError(f"案例编号「{case_id}」不符合编号规则：{validate.SLUG_RULE}。{hint}")


def new_case(project: Path, kind: str, unit: str, case_id: str) -> Path:
    """Write cases/UNIT/ID.yaml from the template of `kind`; never overwrite anything.

    Refuses (UserError, exit 1) on an unknown unit, an id that breaks the slug
    rule or is already taken anywhere in the library, and an existing file.
    """
    if kind not in KIND_LABELS:
        raise UserError(
            f"案例类型只能是 brand（党建品牌）或 post（党员示范岗），不能是「{kind}」。"
        )
    _check_id(case_id)
    units, files, themes = _registry(project)
    if unit not in units:
        raise _unknown_unit(unit, units)
    folder = project / "cases" / unit
    target = folder / f"{case_id}.yaml"
    for other in (target, target.with_suffix(".yml")):
        if other.exists() or other.is_symlink():
            rel = other.relative_to(project).as_posix()
            raise UserError(
                f"{rel} 已经存在，没有改动它：要新建案例请换一个编号；"
                "要修改已有案例请直接编辑这个文件。"
            )
    taken = [src.rel for src in files.cases if src.stem.lower() == case_id]
    if taken:
        raise UserError(
            f"案例编号「{case_id}」已被 {taken[0]} 使用："
            "案例编号在整个案例库中必须唯一，请换一个编号。"
        )
    info = units[unit]
    branches = tuple(
        (b["id"], b["name"]) for b in info.get("branches") or [] if isinstance(b, dict)
    )
    text = render_template(
        kind,
        UnitInfo(unit, info["name"], branches),
        case_id,
        current_year(),
        themes,
    )
    paths.new_file(project, target)  # the unit folder may be a symlink to anywhere
    folder.mkdir(parents=True, exist_ok=True)
    try:
        # "x": exclusive create, so a file that appeared meanwhile is never replaced.
        with open(target, "x", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except FileExistsError:
        raise UserError(
            f"{target.relative_to(project).as_posix()} 已经存在，没有改动它。"
        ) from None
    return target


# -- CODEOWNERS -----------------------------------------------------------------


def _handle(name: str) -> str:
    return name if name.startswith("@") else f"@{name}"


def codeowners(units: list[dict[str, Any]], syntax: str = "glob") -> str:
    """CODEOWNERS text: each unit's reviewers own that unit's case folder.

    `glob` is the gitignore-like syntax of GitHub and GitLab; `regexp` is
    Gitea's and Forgejo's (Go regular expressions, anchored at both ends).
    """
    lines = [
        "# 由 cases/units.yaml 中各单位的 reviewers（审核人）生成，请勿手工修改。",
        f"# 修改审核人后运行：{COMMAND}",
        "",
    ]
    for unit in units:
        reviewers = [_handle(r) for r in unit.get("reviewers") or []]
        if not reviewers:
            continue
        pattern = f"cases/{unit['id']}/.*" if syntax == "regexp" else f"/cases/{unit['id']}/"
        lines.append(f"{pattern} {' '.join(reviewers)}")
    return "\n".join(lines) + "\n"


def codeowners_files(project: Path) -> dict[str, str]:
    """Every CODEOWNERS file (path relative to the project -> text) from the validated registry."""
    units, _, _ = _registry(project)
    return {
        rel: codeowners(list(units.values()), syntax) for rel, syntax in CODEOWNERS_FILES.items()
    }


def write_codeowners(project: Path) -> list[str]:
    """Write the CODEOWNERS files; return the ones whose content changed."""
    changed = []
    for rel, text in codeowners_files(project).items():
        path = project / rel
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        changed.append(rel)
    return changed


def stale_codeowners(project: Path) -> list[str]:
    """The CODEOWNERS files that differ from what units.yaml gives (none is written)."""
    return [
        rel
        for rel, text in codeowners_files(project).items()
        if not (project / rel).is_file() or (project / rel).read_text(encoding="utf-8") != text
    ]
