"""The per-OS modules: one interface, chosen by a factory with a null fallback."""

from __future__ import annotations

import importlib

import pytest

from agent import platform as agent_platform
from agent.platform import linux

FUNCTIONS = ("active_session_user", "local_addresses")


@pytest.mark.parametrize("module_name", ["linux", "windows", "macos", "null"])
def test_every_os_module_exports_the_same_functions(module_name: str) -> None:
    module = importlib.import_module(f"agent.platform.{module_name}")
    for function in FUNCTIONS:
        assert callable(getattr(module, function)), f"{module_name} lacks {function}"


def test_factory_picks_the_os_module_and_falls_back_to_null() -> None:
    assert agent_platform.current("linux").__name__ == "agent.platform.linux"  # type: ignore[attr-defined]
    assert agent_platform.current("win32").__name__ == "agent.platform.windows"  # type: ignore[attr-defined]
    assert agent_platform.current("sunos5").__name__ == "agent.platform.null"  # type: ignore[attr-defined]
    assert agent_platform.current("sunos5").active_session_user() is None


def test_local_addresses_always_include_loopback() -> None:
    addresses = agent_platform.current().local_addresses()
    assert {"127.0.0.1", "::1"} <= addresses


def test_loginctl_output_is_parsed() -> None:
    listing = "  3 1000 minh seat0 tty2\n  c1  120 gdm  seat0 tty1\n"
    assert linux.parse_loginctl_sessions(listing) == ["3", "c1"]
    props = linux.parse_session_properties("Name=minh\nActive=yes\nType=x11\nLockedHint=no\n")
    assert props == {"Name": "minh", "Active": "yes", "Type": "x11", "LockedHint": "no"}
