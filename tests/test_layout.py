"""The package's rooms keep to the flow: definitions → store → analysis → charts / exports,
the participant's app and the consultant's tools apart.

Read statically (``ast``), so that a rule holds for every import, also those inside a
function or under ``TYPE_CHECKING``: an import a test never executes still counts.
The rooms and what each may not import are written once, in :data:`FORBIDDEN`; the
docstring of ``coopkit/__init__.py`` and the README's layout table describe the same.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "coopkit"

#: Room of a module: the first matching prefix wins.
ROOMS = (
    ("coopkit.definitions", "definitions"),
    ("coopkit.store", "store"),
    ("coopkit.analysis", "analysis"),
    ("coopkit.charts", "charts"),
    ("coopkit.exports", "exports"),
    ("coopkit.widgets", "widgets"),
    ("coopkit.participant", "participant"),
    ("coopkit.consultant", "consultant"),
    ("coopkit.serving", "serving"),
    ("coopkit.errors", "base"), ("coopkit.i18n", "base"), ("coopkit.config", "base"),
    ("coopkit.cells", "base"), ("coopkit.working_copy", "base"),
    # the command, the demo, the synthetic data and the package's front door use any room
    ("coopkit", "top"),
)
ALL_ROOMS = {room for _, room in ROOMS}
SQL = "sqlalchemy"
#: What each room may not import: other rooms, and third-party packages.
FORBIDDEN: Mapping[str, set[str]] = {
    "base": (ALL_ROOMS - {"base"}) | {"pandas", "matplotlib", "ipywidgets", SQL},
    "definitions": (ALL_ROOMS - {"base", "definitions"})
                   | {"pandas", "numpy", "matplotlib", "ipywidgets", SQL},
    "store": {"analysis", "charts", "exports", "widgets", "participant", "consultant",
              "serving", "top", "ipywidgets", "matplotlib"},
    "analysis": {"store", "charts", "exports", "widgets", "participant", "consultant",
                 "serving", "top", "ipywidgets", "matplotlib", SQL},
    "charts": {"store", "exports", "widgets", "participant", "consultant", "serving", "top",
               "ipywidgets", SQL},
    "exports": {"widgets", "participant", "consultant", "serving", "top", "ipywidgets", SQL},
    "widgets": {"store", "analysis", "charts", "exports", "participant", "consultant",
                "serving", "top", "matplotlib", SQL},
    "participant": {"consultant", "charts", "exports", "serving", "top", "matplotlib", SQL},
    "consultant": {"participant", "serving", "top", SQL},
    "serving": {"analysis", "charts", "exports", "widgets", "participant", "consultant",
                "ipywidgets", "matplotlib", SQL},
    "top": set(),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def room_of(module: str) -> str:
    for prefix, room in ROOMS:
        if module == prefix or module.startswith(prefix + "."):
            return room
    return module.split(".")[0]  # a third-party package is its own "room"


def imports_of(source: str, module: str, known: set[str], *, package: bool = False
               ) -> set[str]:
    """Every module ``source`` imports, wherever the import statement is."""
    found: set[str] = set()
    here = module.split(".") if package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[:len(here) - node.level + 1] + ([base] if base else []))
            # ``from coopkit import analysis`` imports the module coopkit.analysis; any
            # other name imported makes the package itself a dependency
            modules = {f"{base}.{alias.name}" for alias in node.names} & known
            found.update(modules)
            if len(modules) < len(node.names):
                found.add(base)
    return {name for name in found if name}


def package_graph() -> dict[str, set[str]]:
    """coopkit module -> the coopkit modules and third-party packages it imports."""
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(paths)
    graph = {}
    for name, path in paths.items():
        raw = imports_of(path.read_text(encoding="utf-8"), name, known,
                         package=path.name == "__init__.py")
        graph[name] = {m if m.startswith("coopkit") else m.split(".")[0] for m in raw}
    return graph


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One import circle of ``graph`` (as a path that ends where it starts), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def room_graph(graph: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    rooms: dict[str, set[str]] = {}
    for module, targets in graph.items():
        rooms.setdefault(room_of(module), set()).update(
            room_of(t) for t in targets if t.startswith("coopkit") and room_of(t)
            != room_of(module))
    return rooms


def breaches(graph: Mapping[str, Iterable[str]]) -> list[str]:
    out = []
    for module, targets in sorted(graph.items()):
        room = room_of(module)
        for target in sorted(targets):
            if room_of(target) in FORBIDDEN[room] or (
                    target in ("coopkit", "coopkit.cli") and room != "top"):
                out.append(f"{module} ({room}) imports {target} ({room_of(target)})")
    return out


GRAPH = package_graph()


def test_every_module_has_a_room():
    assert {room_of(m) for m in GRAPH} <= ALL_ROOMS
    assert {room for _, room in ROOMS} == set(FORBIDDEN)


def test_no_import_circle_between_modules():
    assert find_cycle({m: {t for t in ts if t.startswith("coopkit")}
                       for m, ts in GRAPH.items()}) is None


def test_no_import_circle_between_rooms():
    rooms = room_graph(GRAPH)
    rooms.pop("top", None)  # the command and the demo use every room; nothing uses them
    assert find_cycle(rooms) is None


def test_each_room_imports_only_what_it_may():
    assert breaches(GRAPH) == []


@pytest.mark.parametrize(("graph", "expected"), [
    ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ({"a": {"a"}}, ["a", "a"]),
    ({"x": {"a"}, "a": {"b"}, "b": {"a", "pandas"}}, ["a", "b", "a"]),
])
def test_find_cycle(graph, expected):
    assert find_cycle(graph) == expected


def test_a_reintroduced_circle_is_caught():
    """The circle issue 11 removed: the report's tables importing the PDF writer back."""
    graph = {m: set(ts) for m, ts in GRAPH.items()}
    graph["coopkit.exports.tables"].add("coopkit.exports.pdf")
    cycle = find_cycle({m: {t for t in ts if t.startswith("coopkit")}
                        for m, ts in graph.items()})
    assert cycle is not None and "coopkit.exports.pdf" in cycle


@pytest.mark.parametrize(("module", "source", "breach"), [
    ("coopkit.analysis.feelings", "import matplotlib.pyplot as plt", "matplotlib"),
    ("coopkit.analysis.core", "def f():\n    from coopkit.store import open_store", "store"),
    ("coopkit.charts", "from coopkit.store.core import Store", "store"),
    ("coopkit.store.core", "from coopkit import analysis", "analysis"),
    ("coopkit.definitions.questionnaire", "import pandas as pd", "pandas"),
    ("coopkit.participant.form", "from coopkit.consultant.room import RoomView", "consultant"),
    ("coopkit.participant.app", "from sqlalchemy import text", SQL),
    ("coopkit.widgets.html", "from coopkit.participant import app", "participant"),
])
def test_breaches_are_found(module, source, breach):
    """Each rule bites: the same source in that room is reported (also inside a def)."""
    graph = {m: set(ts) for m, ts in GRAPH.items()}
    graph[module] = graph[module] | imports_of(source, module, set(GRAPH))
    found = breaches(graph)
    assert any(line.startswith(module) and f"({breach})" in line for line in found), found


def _notebook_imports(path: Path) -> set[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return {m.split(".")[0] if not m.startswith("coopkit") else m
            for m in imports_of(source, "notebook", set(GRAPH))}


def test_the_participant_app_notebook_imports_only_the_participant_room():
    used = _notebook_imports(ROOT / "notebooks" / "apps" / "participer.ipynb")
    coopkit_rooms = {room_of(m) for m in used if m.startswith("coopkit")}
    assert coopkit_rooms <= {"participant", "base"}, used
    assert not used & {SQL, "matplotlib", "pandas"}, used


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("0*.ipynb")),
                         ids=lambda p: p.name)
def test_consultant_notebooks_go_through_the_store(path):
    used = _notebook_imports(path)
    assert SQL not in used and "sqlite3" not in used
    assert not {m for m in used if room_of(m) == "participant"}, used


def test_the_readme_layout_table_matches_the_tree():
    """Every folder and top-level module of the package is in the README's table, and
    the table names nothing that is not there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Layout"):]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    named: set[str] = set()
    for cell in rows:
        for i, part in enumerate(p.strip(" `") for p in cell.split(",")):
            if i and not part.startswith("coopkit/"):  # `cli.py`, `demo.py` after coopkit/
                part = "coopkit/" + part
            named.add(part.rstrip("/"))
    actual = {f"coopkit/{p.name}" for p in PACKAGE.iterdir()
              if p.name != "__init__.py" and not p.name.startswith(("_", "."))
              and (p.is_dir() or p.suffix == ".py")}
    actual |= {p.name for p in ROOT.iterdir() if p.is_dir() and p.name in
               ("questionnaires", "notebooks", "docs", "deploy", "benchmarks", "tests")}
    assert named == actual
