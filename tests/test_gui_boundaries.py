"""The dashboard is a client of the agent's API: from `agent` it imports only the API client
and its plain data types (ARCHITECTURE.md, "Packages and their boundaries")."""

from __future__ import annotations

import ast
from pathlib import Path

GUI = Path(__file__).resolve().parents[1] / "gui"
ALLOWED = {"agent.api.client", "agent.api.types"}
OURS = ("agent", "dns_filter", "sync")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in ("agent", "agent.api"):
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return found


def test_gui_imports_only_the_api_client_and_types() -> None:
    offenders = {}
    for path in sorted(GUI.rglob("*.py")):
        bad = {
            name
            for name in imported_modules(path)
            if name.split(".")[0] in OURS and name not in ALLOWED
        }
        if bad:
            offenders[str(path.relative_to(GUI.parent))] = sorted(bad)
    assert offenders == {}


def test_only_the_backends_touch_the_agent_package() -> None:
    users = sorted(
        str(path.relative_to(GUI.parent))
        for path in GUI.rglob("*.py")
        if any(name.split(".")[0] == "agent" for name in imported_modules(path))
    )
    # The dashboard's backend, and the tray's, whose answers are the API's plain types.
    assert users == ["gui/api_backend.py", "gui/tray/backend.py", "gui/tray/http_backend.py"]


def test_the_tray_uses_only_the_apis_plain_types() -> None:
    for path in sorted((GUI / "tray").rglob("*.py")):
        ours = {name for name in imported_modules(path) if name.split(".")[0] in OURS}
        assert ours <= {"agent.api.types"}, path
