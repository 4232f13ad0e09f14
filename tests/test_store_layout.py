"""The store's shape: small modules, one per concern over one core, and alert delivery in
`sync`, which imports nothing of ours."""

from __future__ import annotations

import ast
from pathlib import Path

from agent.store import Store

ROOT = Path(__file__).resolve().parents[1]
STORE = ROOT / "agent" / "store"
OTHER_PACKAGES = ("agent", "gui", "dns_filter", "benchmarks", "tests")  # ours, not sync
MAX_LINES = 400
# The concerns: each may build on the core, the plain types and the errors, never on
# another concern (the `Store` composes them).
CONCERNS = (
    "query_log",
    "query_counts",
    "usage",
    "events",
    "access_requests",
    "outbox",
    "list_state",
    "key_values",
)
# `reasons` is the query log's codec for typed reasons, shared with the v4 migration; no
# concern of its own.
SHARED = {
    "agent.store.core",
    "agent.store.models",
    "agent.store.migrations",
    "agent.store.reasons",
}


def imported_modules(path: Path) -> set[str]:
    """Every module an `import` or `from ... import` names, at any depth of the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.add("." * node.level + (node.module or ""))
            elif node.module:
                found.add(node.module)
    return found


def test_no_module_of_the_store_is_long() -> None:
    lengths = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(STORE.glob("*.py"))
    }
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}


def test_each_concern_has_its_module_and_builds_only_on_the_core() -> None:
    for concern in CONCERNS:
        path = STORE / f"{concern}.py"
        assert path.is_file(), f"agent/store/{concern}.py is missing"
        store_imports = {m for m in imported_modules(path) if m.startswith("agent.store")}
        assert store_imports <= SHARED, f"{concern} imports {store_imports - SHARED}"
    assert not {m for m in imported_modules(STORE / "core.py") if m.startswith("agent.store.")} - {
        "agent.store.models",
        "agent.store.migrations",
    }


def test_the_store_composes_its_concerns_instead_of_forwarding_them() -> None:
    public = {name for name in vars(Store) if not name.startswith("_")}
    assert public == {"path", "transaction", "prune", "delete_child_data", "close"}
