"""Generated pages of the contributor guide: the field reference and the blank templates.

Both come from the JSON Schema (and the `new` templates), so the guide never
says something the checker does not. Regenerate after a schema change:

    .venv/bin/python -m dangjian.guide
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import scaffold, schemas, validate
from .model import KIND_LABELS
from .schemas import resolve_ref

GUIDE_DIR = Path("docs") / "guide"
COMMAND = ".venv/bin/python -m dangjian.guide"
HEADER = f"<!-- 本页由 {COMMAND} 根据 dangjian/schema/ 生成，请勿手工修改。 -->\n\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _length(schema: dict) -> str:
    lo, hi = schema.get("minLength"), schema.get("maxLength")
    if lo and lo > 1 and hi:
        return f"{lo}–{hi} 字"
    if hi:
        return f"不超过 {hi} 字"
    if lo and lo > 1:
        return f"至少 {lo} 字"
    return ""


IMAGE_FIELDS = ("logo", "file")  # strings that name an image file of the unit


def constraints(schema: dict, name: str = "") -> str:
    """What a value may be, in plain words: 类型/限制 column of the reference."""
    if name in IMAGE_FIELDS:
        return "图片路径：JPEG、PNG 或 WebP，放在本单位文件夹内"
    if "const" in schema:
        return f"固定为 `{schema['const']}`"
    if "enum" in schema:
        return " 或 ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type")
    parts: list[str] = []
    if kind == "string":
        if schema.get("pattern") == validate.SLUG.pattern:
            parts.append("编号：小写字母、数字和连字符")
        else:
            parts.append("文字")
            if _length(schema):
                parts.append(_length(schema))
    elif kind == "integer":
        parts.append("整数（不加引号）")
        if "minimum" in schema:
            parts.append(f"不小于 {schema['minimum']}")
        if name == "year":  # the validator caps it at the current year
            parts.append("不晚于今年")
    elif kind == "number":
        parts.append("数字（不加引号）")
    elif kind == "boolean":
        parts.append("`true` 或 `false`")
    elif kind == "array":
        items = schema.get("items", {})
        if items.get("type") == "object":
            parts.append("列表，每项是一组字段（见下面几行）")
        elif items.get("type") == "string":
            each = _length(items)
            parts.append("列表，每项一行文字" + (f"（{each}）" if each else ""))
        else:
            parts.append("列表")
        if schema.get("minItems"):
            parts.append(f"至少 {schema['minItems']} 项")
        if schema.get("uniqueItems"):
            parts.append("不能重复")
    elif kind == "object":
        parts.append("一组字段")
    return "，".join(parts)


def _rows(root: dict, schema: dict, prefix: str = "") -> list[str]:
    rows = []
    required = schema.get("required", [])
    for name, sub in schema.get("properties", {}).items():
        sub = resolve_ref(root, sub)
        key = f"{prefix}{name}"
        need = "必填" if name in required else "选填"
        rows.append(
            f"| `{key}` | {_cell(sub.get('title', ''))} | {need} | {_cell(constraints(sub, name))} "
            f"| {_cell(sub.get('description', ''))} |"
        )
        items = resolve_ref(root, sub.get("items", {})) if sub.get("type") == "array" else {}
        if items.get("type") == "object":
            rows += _rows(root, items, f"{key}[].")
        elif sub.get("type") == "object" and "properties" in sub:
            rows += _rows(root, sub, f"{key}.")
    return rows


def _table(root: dict, schema: dict) -> str:
    head = "| 字段 | 中文名 | 必填 | 类型/限制 | 说明 |\n| --- | --- | --- | --- | --- |\n"
    return head + "\n".join(_rows(root, schema)) + "\n"


def fields_page() -> str:
    """docs/guide/fields.md: one table per kind, and one for the unit registry."""
    case = schemas.load_schema("case")
    units = schemas.load_schema("units")
    out = [HEADER, "# 字段说明\n\n"]
    out.append(
        "案例文件中可以写的全部字段。「字段」一列是文件里要写的英文字段名；"
        "「必填」的字段缺了会报错，「选填」的可以不写；不在表中的字段也会报错（通常是拼写错误）。"
        "子字段写作 `practices[].title`，表示主要做法列表中每一项的标题。\n\n"
        "新建案例请从[案例模板](templates.md)开始，提交步骤见[投稿指南](index.md)。\n\n"
    )
    for kind, label in KIND_LABELS.items():
        schema = case["definitions"][kind]
        out.append(f"## {label}（kind: {kind}）\n\n{schema.get('description', '')}\n\n")
        out.append(_table(case, schema) + "\n")
    item = units["properties"]["units"]["items"]
    out.append(
        "## 单位名册（cases/units.yaml）\n\n"
        f"{units.get('description', '')}"
        "名册由机关工委维护，支部书记一般不需要修改，但可以在这里查到本单位的单位编号和支部编号。\n\n"
    )
    out.append(_table(units, item))
    settings = schemas.load_schema("settings")
    out.append(
        "\n## 站点设置（cases/settings.yaml）\n\n"
        f"{settings.get('description', '')}"
        "其中 `casebook` 一节是印刷版和 Word 版案例汇编的封面、前言、版权页和字体。\n\n"
    )
    out.append(_table(settings, settings))
    return "".join(out)


def templates_page() -> str:
    """docs/guide/templates.md: the blank templates to paste in the web editor."""
    out = [HEADER, "# 案例模板\n\n"]
    out.append(
        "在网页上新建案例文件时，把下面的模板整段复制，粘贴到编辑框中，再逐项填写。"
        "模板里以 `#` 开头的行是填写说明，不会出现在网站上。"
        "每个「【请填写……】」都要换成真实内容，否则检查会提示「还是模板里的占位内容」。\n\n"
        "会用命令行的同志也可以在项目根目录运行 "
        "`.venv/bin/python build_cases.py new brand --unit 单位编号 --id 案例编号`"
        "（示范岗把 `brand` 换成 `post`），生成的文件已按本单位填好支部列表和年份。\n\n"
    )
    for kind, label in KIND_LABELS.items():
        out.append(
            f"## {label}模板（kind: {kind}）\n\n```yaml\n{scaffold.render_template(kind)}```\n\n"
        )
    return "".join(out).rstrip("\n") + "\n"


def pages() -> dict[str, str]:
    """Generated guide pages by path relative to the project root."""
    return {
        (GUIDE_DIR / "fields.md").as_posix(): fields_page(),
        (GUIDE_DIR / "templates.md").as_posix(): templates_page(),
    }


def main(argv: list[str] | None = None) -> int:
    """Write the generated guide pages (or, with --check, report the stale ones)."""
    parser = argparse.ArgumentParser(
        prog="python -m dangjian.guide", description="生成投稿指南中的字段说明和案例模板"
    )
    parser.add_argument("--check", action="store_true", help="只检查已提交的页面是否最新，不写文件")
    args = parser.parse_args(argv)
    project = Path.cwd()
    stale = []
    for rel, text in pages().items():
        path = project / rel
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(rel)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
    if args.check:
        for rel in stale:
            print(f"{rel} 与 schema 不一致：请运行 .venv/bin/python -m dangjian.guide")
        return 1 if stale else 0
    print("已更新：" + "、".join(stale) if stale else "投稿指南的生成页面已是最新。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
