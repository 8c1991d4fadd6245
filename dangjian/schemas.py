"""The JSON Schema files: loaded once, compiled once per "this year", walked for labels.

The schema is the one definition of every field (names, types, titles); load,
validate, the editor support and the contributor guide all read it from here.
"""

from __future__ import annotations

import copy
import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from .model import KIND_LABELS

SCHEMA_DIR = Path(__file__).parent / "schema"
SCHEMA_NAMES = ("case", "units", "themes", "settings")


@cache
def load_schema(name: str) -> dict:
    """One of the JSON Schema files: "case", "units", "themes" or "settings"."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@cache
def field_names() -> frozenset[str]:
    """Every field name any input file may hold, from the schema files."""
    names: set[str] = set()
    stack: list[Any] = [load_schema(n) for n in SCHEMA_NAMES]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return frozenset(names)


class Schemas:
    """Validators compiled once per run, with "this year" filled in."""

    def __init__(self, year: int) -> None:
        case = copy.deepcopy(load_schema("case"))
        for kind in KIND_LABELS:
            case["definitions"][kind]["properties"]["year"]["maximum"] = year
        self.case_root = case
        self.kinds = {
            kind: jsonschema.Draft7Validator(
                {"$ref": f"#/definitions/{kind}", "definitions": case["definitions"]}
            )
            for kind in KIND_LABELS
        }
        # The same schema compiled to Python: a fast yes/no for the common valid
        # file; jsonschema then words the errors of the few that fail.
        self.fast = {
            kind: fastjsonschema.compile(
                {"$ref": f"#/definitions/{kind}", "definitions": case["definitions"]}
            )
            for kind in KIND_LABELS
        }
        settings = copy.deepcopy(load_schema("settings"))
        settings["properties"]["casebook"]["properties"]["year"]["maximum"] = year + 1
        self.files = {
            "units": (load_schema("units"), jsonschema.Draft7Validator(load_schema("units"))),
            "themes": (load_schema("themes"), jsonschema.Draft7Validator(load_schema("themes"))),
            "settings": (settings, jsonschema.Draft7Validator(settings)),
        }
        self.year = year

    def accepts(self, kind: str, data: Any) -> bool:
        try:
            self.fast[kind](data)
        except fastjsonschema.JsonSchemaException:
            return False
        return True


@lru_cache(maxsize=4)
def compiled(year: int) -> Schemas:
    return Schemas(year)


def resolve_ref(root: dict, schema: dict) -> dict:
    """Follow `$ref`s (local JSON pointers) from `schema` inside the schema document `root`."""
    while "$ref" in schema:
        ref = schema["$ref"]
        node: Any = root
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema
