"""The 在线填写 page: an offline form that writes a case file, generated from the model.

Everything the page knows (labels and help from the case schema, the unit
registry, the theme vocabulary, the case ids in use, the checker's messages) is
computed here at build time, so the form cannot drift from `check`. The
messages are not copied: they are taken from what `validate` itself says about
a small in-memory library of deliberately wrong files, with the variable parts
turned into `{placeholders}` for the page's script.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import SimpleNamespace

from . import load, schemas, validate, yamlfile
from .model import KIND_LABELS, Library
from .pages import five_haves, relative_url
from .scaffold import SCHEMA_LINE

PAGE = "form/index.md"
DATA = "form/data.js"
URL = "form/"
DRAFT_KEY = "dangjian-form-draft-v1"

_UNITS = {
    "units": [
        {"id": "u", "name": "甲单位", "org": "甲单位机关党委", "org_type": "机关党委"},
        {"id": "v", "name": "乙单位", "org": "乙单位党支部", "org_type": "党支部"},
    ]
}


def _samples(theme: str) -> list[tuple[str, str, dict, str, str | None]]:
    """(file stem, unit folder, changes to a valid brand, field of the wanted diagnostic, name)."""
    return [
        ("missing", "u", {"title": None}, "title", "missing"),
        ("short", "u", {"title": "甲"}, "title", "short"),
        ("long", "u", {"summary": "字" * 237}, "summary", "long"),
        ("blank", "u", {"title": ""}, "title", "empty"),
        ("few", "u", {"practices": []}, "practices", "few"),
        ("year", "u", {"year": 2099}, "year", "year"),
        ("yeartype", "u", {"year": "abc"}, "year", "integer"),
        (
            "metric",
            "u",
            {"metrics": [{"label": "次数", "value": "abc", "unit": "次"}]},
            "metrics[0].value",
            "number",
        ),
        ("theme-near", "u", {"themes": [theme + "x"]}, "themes[0]", "theme_near"),
        ("theme-far", "u", {"themes": ["zzzz"]}, "themes[0]", "theme_far"),
        ("bad：id", "u", {}, "", "bad_id"),
        ("dup", "u", {}, "", "duplicate"),
        ("dup", "v", {}, "", None),
        ("todo", "u", {"title": "【请填写品牌名称】"}, "title", "placeholder"),
    ]


def _sample_diagnostics(themes: list[str], year: int) -> dict[str, str]:
    """What `validate` says about each deliberately wrong sample file, keyed by the sample's name."""
    project = Path("/form-samples")

    def source(rel: str, role: str, data: object, unit: str = "") -> load.SourceFile:
        src = load.SourceFile(project / rel, rel, role, unit)
        load.parse_text(json.dumps(data, ensure_ascii=False), src)  # JSON is YAML
        return src

    files = load.LibraryFiles(
        project,
        project / "cases",
        units=source("cases/units.yaml", "units", _UNITS),
        themes=source("cases/themes.yaml", "themes", {"themes": themes}),
        unit_dirs=["u", "v"],
    )
    valid = {
        "kind": "brand",
        "title": "红色引擎",
        "concept": "内涵",
        "practices": [{"title": "做法", "text": "说明"}],
        "results": "成效",
        "themes": [themes[0]],
        "year": 2020,
    }
    wanted: dict[tuple[str, str], str] = {}
    for stem, unit, changes, field, name in _samples(themes[0]):
        data = {k: v for k, v in {**valid, **changes}.items() if v is not None}
        rel = f"cases/{unit}/{stem}.yaml"
        files.cases.append(source(rel, "case", data, unit))
        if name is not None:
            wanted[(rel, field)] = name
    found = {
        wanted[(d.file, d.field)]: d.message
        for d in validate.validate(files, year)
        if (d.file, d.field) in wanted
    }
    missing = sorted(set(wanted.values()) - set(found))
    if missing:
        raise RuntimeError(f"validate no longer reports the form's sample errors: {missing}")
    return found


def _template(message: str, *pairs: tuple[str, str]) -> str:
    """`message` with each sample value replaced by a {placeholder}; each must occur once."""
    for value, placeholder in pairs:
        if message.count(value) != 1:
            raise RuntimeError(f"cannot make a template of {message!r}: {value!r} is not unique")
        message = message.replace(value, placeholder)
    return message


def check_messages(themes: list[str], year: int) -> dict[str, str]:
    """The checker's wording for every rule the browser can check, as templates."""
    d = _sample_diagnostics(themes, year)
    bad = f"「{themes[0]}x」"
    near, far = d["theme_near"], d["theme_far"].replace("「zzzz」", bad)
    head = next(i for i, (a, b) in enumerate(zip(near, far, strict=False)) if a != b)
    tail = next(i for i, (a, b) in enumerate(zip(near[::-1], far[::-1], strict=False)) if a != b)
    return {
        "missing": _template(d["missing"], ("品牌名称(title)", "{label}")),
        "short": _template(d["short"], (" 2 ", " {min} "), (" 1 ", " {len} ")),
        "long": _template(d["long"], ("200", "{max}"), ("237", "{len}")),
        "empty": d["empty"],
        "few": _template(d["few"], (" 1 ", " {min} ")),
        "year": _template(d["year"], ("2099", "{value}")),
        "integer": d["integer"],
        "number": d["number"],
        "theme": _template(near[:head] + "{hint}" + near[len(near) - tail :], (bad, "「{theme}」")),
        "theme_hint": _template(near[head : len(near) - tail], (f"「{themes[0]}」", "「{guess}」")),
        "bad_id": _template(d["bad_id"], ("bad：id", "{value}")),
        "duplicate": _template(
            d["duplicate"], ("cases/v/dup.yaml", "{others}"), ("「dup」", "「{id}」")
        ),
        "placeholder": _template(d["placeholder"], ("【请填写品牌名称】", "{value}")),
    }


def id_hash(text: str) -> str:
    """cyrb53 of an ASCII id, as form.js computes it: 53 bits, in base 36."""
    m = 0xFFFFFFFF

    def imul(a: int, b: int) -> int:
        return (a * b) & m

    h1, h2 = 0xDEADBEEF, 0x41C6CE57
    for ch in text:
        h1 = imul(h1 ^ ord(ch), 2654435761)
        h2 = imul(h2 ^ ord(ch), 1597334677)
    h1 = imul(h1 ^ (h1 >> 16), 2246822507)
    h1 ^= imul(h2 ^ (h2 >> 13), 3266489909)
    h2 = imul(h2 ^ (h2 >> 16), 2246822507)
    h2 ^= imul(h1 ^ (h1 >> 13), 3266489909)
    n = 4294967296 * (2097151 & h2) + (h1 & m)
    digits = ""
    while True:
        n, r = divmod(n, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + digits
        if not n:
            return digits


def _kind_schemas(year: int) -> dict[str, dict]:
    """Each kind's schema with its $refs resolved and this year as the latest year."""
    root = copy.deepcopy(schemas.load_schema("case"))
    out = {}
    for kind in KIND_LABELS:
        schema = root["definitions"][kind]
        props = {k: schemas.resolve_ref(root, v) for k, v in schema["properties"].items()}
        props["year"] = dict(props["year"], maximum=year)
        out[kind] = dict(schema, properties=props)
    return out


def form_data(library: Library, year: int | None = None) -> dict:
    """Everything the form page needs, from the validated model and the schema files."""
    year = year or validate.current_year()
    empty = SimpleNamespace(
        title="", logo=None, concept="", practices=(), results="", metrics=(), honors=()
    )
    return {
        "year": year,
        "kinds": KIND_LABELS,
        "schemas": _kind_schemas(year),
        "units": [
            {
                "id": u.id,
                "name": u.name,
                "org": u.org,
                "org_type": u.org_type,
                "active": u.active,
                # aliases arrive with the i11 branch; read them when the model has them
                "aliases": list(getattr(u, "aliases", ()) or ()),
                "branches": [{"id": b.id, "name": b.name} for b in u.branches],
            }
            for u in library.units
        ],
        "themes": list(library.themes),
        # Ids in use, drafts included, but keyed by a hash: a draft must appear
        # nowhere in the site, not even its file name (case-format.md, section 3).
        "cases": {
            id_hash(c.id): {
                "unit": c.unit.id,
                "suffix": Path(c.source).suffix,
                "title": c.title if c.published else "",
            }
            for c in library.cases
        },
        "slug": validate.SLUG.pattern,
        "placeholder": validate.PLACEHOLDER.pattern,
        "messages": check_messages(list(library.themes), year),
        "schema_line": SCHEMA_LINE,
        "five": [[label, what] for label, what, _ in five_haves(empty).items],  # type: ignore[arg-type]
        "guide": {
            "new": relative_url(URL, "guide/") + "#step-2",
            "images": relative_url(URL, "guide/") + "#step-4",
            "submit": relative_url(URL, "guide/") + "#step-5",
            "templates": relative_url(URL, "guide/templates/"),
        },
        "draft_key": DRAFT_KEY,
        # The line-level traps of `load` (full-width colon, tab...), for pasted files.
        "traps": [
            {
                "pattern": pattern.pattern.replace("(?P<", "(?<"),
                "code": code,
                "message": message,
                "keyed": "key" in pattern.groupindex,
            }
            for _, pattern, code, message in yamlfile.TRAPS
        ],
        "known_keys": sorted(schemas.field_names()),
    }


def data_script(data: dict) -> str:
    """`form/data.js`: the page's data as a script the page loads (also from file://)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"window.djFormData = {text};\n"


def form_page(data: dict) -> str:
    """The Markdown source of `form/index.md`; form.js builds the form from `data.js`."""
    return f"""---
title: 在线填写
description: 在浏览器里填写党建品牌或党员示范岗案例，生成可以直接提交的案例文件
search:
  exclude: true
hide:
  - navigation
  - toc
---

# 在线填写案例

<p class="dj-form-lead">按提示逐项填写，旁边（手机上在表单下方）即时显示案例页面的样子；填完后下载案例文件（或复制内容），按<a href="{data["guide"]["new"]}">投稿指南</a>提交。本页不联网、不上传任何内容，未填完的内容保存在本浏览器中，关闭页面也不会丢失。</p>

<div id="dj-form" class="dj-form" data-src="data.js">
<p class="dj-form__noscript">正在载入表单……如果一直没有出现，请确认浏览器启用了 JavaScript；也可以复制<a href="{data["guide"]["templates"]}">案例模板</a>手工填写。</p>
</div>
"""


def form_files(library: Library, year: int | None = None) -> dict[str, str]:
    """The generated files of the form: docs-relative path -> text."""
    data = form_data(library, year)
    return {PAGE: form_page(data), DATA: data_script(data)}
