"""Editor support: the library-specific schema, .vscode settings, and the real YAML language server.

The language server is yaml-language-server (what VS Code's YAML extension
runs), installed by `scripts/setup.sh --test` into tests/node/, driven over
LSP on stdio with the settings of the checked-in .vscode/settings.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from libraries import CHECK_CORPUS, overlay_library
from lsp import LanguageServer

from dangjian import editor_schema, pipeline
from dangjian.schemas import load_schema

ROOT = Path(__file__).resolve().parent.parent
VSCODE = ROOT / ".vscode"
SERVER = (
    ROOT
    / "tests"
    / "node"
    / "node_modules"
    / "yaml-language-server"
    / "bin"
    / "yaml-language-server"
)
ARTIFACTS = ROOT / "tests" / "artifacts"
CORPUS = sorted(p for p in CHECK_CORPUS.iterdir() if p.is_dir())


def _settings() -> dict:
    return json.loads((VSCODE / "settings.json").read_text(encoding="utf-8"))


def test_vscode_maps_case_files_to_the_library_schema_under_yaml_1_1():
    settings = _settings()
    assert settings["yaml.yamlVersion"] == "1.1"  # `title: on` is a boolean, as for check
    assert settings["yaml.schemaStore.enable"] is False  # the intranet has no internet
    schemas = settings["yaml.schemas"]
    assert schemas["./" + editor_schema.TARGET.as_posix()] == ["cases/*/*.yaml", "cases/*/*.yml"]
    for name in ("units", "settings", "themes"):
        assert schemas[f"./dangjian/schema/{name}.schema.json"] == [f"cases/{name}.yaml"]
        assert (ROOT / "dangjian" / "schema" / f"{name}.schema.json").is_file()
    extensions = json.loads((VSCODE / "extensions.json").read_text(encoding="utf-8"))
    assert extensions["recommendations"] == ["redhat.vscode-yaml"]
    assert "/.cache/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_check_writes_a_schema_with_the_library_themes_and_branches(tmp_path):
    project = overlay_library(tmp_path / "p")
    target = editor_schema.refresh(project)
    assert target == project / editor_schema.TARGET
    schema = json.loads(target.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["definitions"]["themes"]["items"]["enum"][:2] == ["政治建设", "理论武装"]
    branches = schema["definitions"]["brand"]["properties"]["branch"]["enum"]
    assert branches == ["fgw-zonghe", "fgw-jiage"]  # tests/fixtures/base/cases/units.yaml
    validator = jsonschema.Draft7Validator(schema)
    case = {
        "kind": "post",
        "title": "示范岗",
        "holders": ["张三"],
        "duties": "x",
        "commitments": ["y"],
        "themes": ["政治建设"],
        "year": 2023,
    }
    assert list(validator.iter_errors(case)) == []
    assert [e.validator for e in validator.iter_errors({**case, "themes": ["政治见设"]})] == [
        "enum"
    ]
    assert [e.validator for e in validator.iter_errors({**case, "branch": "fgw-nosuch"})] == [
        "enum"
    ]
    again = target.stat().st_mtime_ns
    editor_schema.refresh(project)
    assert target.stat().st_mtime_ns == again, "rewritten although nothing changed"
    # `check` hands over the library it read: the same schema, not written again
    editor_schema.refresh(project, pipeline.open_library(project).library)
    assert target.stat().st_mtime_ns == again, "the checked library gave another schema"


def test_a_file_without_kind_gets_one_error_not_four():
    validator = jsonschema.Draft7Validator(load_schema("case"))
    errors = list(validator.iter_errors({"title": "红色引擎", "year": 2021}))
    assert [(e.validator, e.message) for e in errors] == [
        ("required", "'kind' is a required property")
    ]


def _without_modelines(project: Path) -> None:
    """Drop the files' own `$schema=` modelines (keeping line numbers), so the .vscode mapping applies."""
    for path in (project / "cases").rglob("*.y*ml"):
        data = path.read_bytes()
        if b"yaml-language-server:" in data:
            lines = data.split(b"\n")
            lines = [
                b"#" if line.startswith(b"# yaml-language-server:") else line for line in lines
            ]
            path.write_bytes(b"\n".join(lines))


@pytest.mark.slow
@pytest.mark.skipif(not SERVER.is_file(), reason="run scripts/setup.sh --test first")
def test_yaml_language_server_agrees_with_check_over_the_corpus(tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    checked: dict[str, dict[str, set[int]]] = {}
    schemas: dict[str, list[str]] = {}
    files: list[Path] = []
    for case in CORPUS:
        project = overlay_library(workspace / case.name, case)
        _without_modelines(project)
        editor_schema.refresh(project)
        checked[case.name] = {}
        for d in pipeline.open_library(project).diagnostics:
            checked[case.name].setdefault(d.file, set()).add(d.line)
        for key, patterns in _settings()["yaml.schemas"].items():
            uri = (
                (project / key).resolve().as_uri()
                if (project / key).exists()
                else (ROOT / key).resolve().as_uri()
            )
            schemas.setdefault(uri, []).extend(f"{project}/{p}" for p in patterns)
        files += sorted(
            p
            for p in (project / "cases").rglob("*")
            if p.suffix in (".yaml", ".yml") and p.is_file()
        )
    settings = {k.split(".", 1)[1]: v for k, v in _settings().items() if k.startswith("yaml.")}
    settings["schemas"] = schemas
    server = LanguageServer(["node", str(SERVER), "--stdio"], workspace, {"yaml": settings})
    try:
        uris = [server.open(p) for p in files]
        published = server.wait_for(uris)
    finally:
        server.close()

    rows = []
    for path, uri in zip(files, uris, strict=True):
        case = path.relative_to(workspace).parts[0]
        rel = path.relative_to(workspace / case).as_posix()
        editor = [d for d in published[uri] or [] if d.get("severity", 1) <= 2]
        rows.append(
            {
                "case": case,
                "file": rel,
                "check": rel in checked[case],
                "editor": bool(editor),
                "same_line": bool(
                    checked[case].get(rel, set())
                    & {d["range"]["start"]["line"] + 1 for d in editor}
                ),
                "editor_messages": [
                    f"{d['range']['start']['line'] + 1}: {d['message']}" for d in editor
                ],
            }
        )
    agree = [r for r in rows if r["check"] == r["editor"]]
    false_alarms = [r for r in rows if r["editor"] and not r["check"]]
    missed = [r for r in rows if r["check"] and not r["editor"]]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "editor-vs-check.json").write_text(
        json.dumps(
            {
                "files": len(rows),
                "agree": len(agree),
                "flagged_by_check": sum(r["check"] for r in rows),
                "flagged_by_both": sum(r["check"] and r["editor"] for r in rows),
                "flagged_on_the_same_line": sum(r["same_line"] for r in rows),
                "editor_only": false_alarms,
                "check_only": missed,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    assert all(v is not None for v in published.values()), "a file got no diagnostics at all"
    # The editor never flags a file that check accepts ...
    assert false_alarms == [], json.dumps(false_alarms, ensure_ascii=False, indent=1)
    # ... and finds most problems while typing; what only check sees is listed in the artifact
    # (cross-file rules, image contents, encodings the editor decodes, YAML traps it accepts).
    assert len(agree) / len(rows) >= 0.8, f"{len(agree)}/{len(rows)} files agree"
