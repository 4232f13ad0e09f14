"""The per-OS modules: one interface, chosen by a factory with a null fallback."""

from __future__ import annotations

import importlib

import pytest

from agent import platform as agent_platform
from agent.platform import linux, macos, windows
from agent.platform.common import OsAccount, parse_passwd

FUNCTIONS = ("active_session_user", "local_addresses", "list_user_accounts")


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


def test_the_pcs_people_are_read_from_passwd() -> None:
    passwd = "\n".join(
        [
            "root:x:0:0:root:/root:/bin/bash",
            "gdm:x:120:125:Gnome Display Manager:/var/lib/gdm3:/bin/false",
            "minh:x:1000:1000:Nguyễn Minh,,,:/home/minh:/bin/bash",
            "an:x:1001:1001::/home/an:/usr/bin/zsh",
            "svc:x:1002:1002::/srv:/usr/sbin/nologin",
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
            "# a comment:x:1003:1003::/:/bin/sh",
            "broken line",
        ]
    )
    assert parse_passwd(passwd) == (OsAccount("an", ""), OsAccount("minh", "Nguyễn Minh"))


def test_the_macs_people_are_read_from_dscl() -> None:
    listing = "_spotlight 89\nroot 0\nnobody -2\nminh 501\nAn 502\ndaemon 1\n"
    assert macos.parse_dscl_users(listing) == (OsAccount("An"), OsAccount("minh"))


def test_windows_local_users_are_read_from_powershell_json() -> None:
    many = '[{"Name":"Minh","FullName":"Nguyễn Minh"},{"Name":"an","FullName":null}]'
    assert windows.parse_local_users(many) == (
        OsAccount("an", ""),
        OsAccount("Minh", "Nguyễn Minh"),
    )
    assert windows.parse_local_users('{"Name":"Minh","FullName":""}') == (OsAccount("Minh"),)
    assert windows.parse_local_users("") == ()
    assert windows.parse_local_users("not json") == ()


def test_this_pcs_accounts_can_be_listed() -> None:
    accounts = agent_platform.current().list_user_accounts()
    assert all(isinstance(account, OsAccount) and account.name for account in accounts)
