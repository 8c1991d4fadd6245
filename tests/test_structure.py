"""The package's shape: no import cycle (function-local imports included), no module over
400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "dangjian"
MAX_LINES = 400
# Known debts being paid on other branches (issue 16). Each entry must still be true:
# the tests fail when one is fixed, so the list only shrinks.
KNOWN_CYCLES: list[list[str]] = []
KNOWN_OVER: set[str] = set()


def modules() -> dict[str, Path]:
    """dotted name -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules `name` imports anywhere in its file (top level or in a function)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            out.add(origin)
            out |= {f"{origin}.{a.name}" for a in node.names}  # `from . import x`
    # `a.b.c` imports `a.b` too (its package runs first); keep the deepest known module
    return {m for m in out if m in known and m != name and m != "dangjian"}


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), as sorted lists."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return groups


def test_cycle_finder_sees_a_cycle_through_a_function_local_import(tmp_path: Path):
    (tmp_path / "a.py").write_text("from . import b\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("def f():\n    from .a import x\n", encoding="utf-8")
    known = {"p.a", "p.b"}
    edges = {
        "p.a": imports_of("p.a", tmp_path / "a.py", known),
        "p.b": imports_of("p.b", tmp_path / "b.py", known),
    }
    assert cycles(edges) == [["p.a", "p.b"]]


def test_no_import_cycle_in_the_package():
    edges = graph()
    assert edges["dangjian.site"], "the walk found no import at all"
    assert cycles(edges) == KNOWN_CYCLES


def test_no_module_over_400_lines():
    over = {
        path.relative_to(REPO).as_posix(): n
        for path in modules().values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert set(over) == KNOWN_OVER, f"split these along stage lines: {over}"


CLOCKS = {"perf_counter", "time", "monotonic", "process_time", "elapsed", "started", "duration"}


def test_no_test_asserts_on_the_wall_clock():
    """Timing budgets live in bench/ (ratios in one process); a test that races the clock
    fails on a busy machine. Deadlines that only stop a wait are fine."""
    found = []
    for path in sorted((REPO / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assert):
                names = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
                names |= {n.attr for n in ast.walk(node.test) if isinstance(n, ast.Attribute)}
                if names & CLOCKS:
                    found.append(f"{path.name}:{node.lineno}")
    assert found == []


def test_each_kind_of_knowledge_has_one_home():
    """Exit codes are defined in errors.py only, temporary files for atomic writes are made
    in files.py only, and Jinja environments in templating.py only."""
    homes = {"EXIT_": "errors", "mkstemp": "files", "Environment(": "templating"}
    found: dict[str, set[str]] = {key: set() for key in homes}
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and node.col_offset == 0:
                if any(getattr(t, "id", "").startswith("EXIT_") for t in node.targets):
                    found["EXIT_"].add(name)
            elif isinstance(node, ast.Call):
                called = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if called == "mkstemp":
                    found["mkstemp"].add(name)
                elif called == "Environment":
                    found["Environment("].add(name)
    for key, home in homes.items():
        assert {n.rsplit(".", 1)[-1] for n in found[key]} == {home}, (key, found[key])
