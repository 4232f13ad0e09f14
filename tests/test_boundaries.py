"""The packages' boundaries (ARCHITECTURE.md, "Packages and their boundaries"), read from
the source: every import counts, at the top of a module, inside a function or under
`TYPE_CHECKING`, because each is a dependency of the design even when it is imported late."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("baoan", "agent", "dns_filter", "sync", "gui")
OURS = (*PACKAGES, "benchmarks")
# What each package may import of ours besides itself.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "baoan": frozenset({"agent", "gui", "dns_filter", "sync"}),  # the command puts them together
    "agent": frozenset({"dns_filter", "sync"}),
    "dns_filter": frozenset(),
    "sync": frozenset(),
    "gui": frozenset(),  # the agent's API client and plain types only; see below
}
GUI_MAY_IMPORT = frozenset({"agent.api.client", "agent.api.types"})


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module imported, as precisely as the source names it
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> Iterator[Import]:
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                if not is_package:
                    anchor = anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # `from a import b` imports the module a.b when there is one, else a.
                candidate = f"{base}.{alias.name}"
                yield Import(name, candidate if candidate in known else base, node.lineno)


def all_imports() -> list[Import]:
    modules = source_modules()
    known = set(modules)
    return [found for name, path in modules.items() for found in imports_of(name, path, known)]


def top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("package", ["dns_filter", "sync", "agent"])
def test_a_package_imports_only_what_it_may(package: str) -> None:
    # The GUI has its own, narrower rule below; only the command may import everything.
    allowed = {package, *MAY_IMPORT[package]}
    offenders = [
        f"{found.module}:{found.line} imports {found.target}"
        for found in all_imports()
        if top(found.module) == package and top(found.target) in OURS
        if top(found.target) not in allowed
    ]
    assert offenders == []


def test_the_gui_imports_only_the_api_client_and_its_plain_types() -> None:
    offenders = [
        f"{found.module}:{found.line} imports {found.target}"
        for found in all_imports()
        if top(found.module) == "gui" and top(found.target) in OURS and top(found.target) != "gui"
        if found.target not in GUI_MAY_IMPORT
    ]
    assert offenders == []


def gui_users_of(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for item in all_imports():
        if top(item.module) == "gui" and top(item.target) == package:
            found.setdefault(item.module, set()).add(item.target)
    return found


def test_only_the_backends_touch_the_agent_package() -> None:
    # The dashboard's backend, and the tray's, whose answers are the API's plain types.
    assert sorted(gui_users_of("agent")) == [
        "gui.api_backend",
        "gui.tray.backend",
        "gui.tray.http_backend",
    ]


def test_the_tray_uses_only_the_apis_plain_types() -> None:
    offenders = {
        module: sorted(targets - {"agent.api.types"})
        for module, targets in gui_users_of("agent").items()
        if module.startswith("gui.tray") and targets - {"agent.api.types"}
    }
    assert offenders == {}


def import_graph() -> dict[str, set[str]]:
    modules = set(source_modules())
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for found in all_imports():
        if found.target in modules and found.target != found.module:
            graph[found.module].add(found.target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    # The test below is only as good as this search.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    source = package / "mod.py"
    source.write_text("from . import other\nfrom .sub import thing\n", encoding="utf-8")
    targets = [i.target for i in imports_of("pkg.mod", source, {"pkg.other", "pkg.sub"})]
    assert targets == ["pkg.other", "pkg.sub"]


def test_nothing_imports_in_a_circle() -> None:
    assert cycles(import_graph()) == []
