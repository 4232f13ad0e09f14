"""Tamper: a new OS account on the PC is an event and an alert, once; the accounts are
read per OS behind agent/platform (real /etc/passwd and dscl text, NetUserEnum faked)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers_usage import running_usage_agent

from agent import platform
from agent.platform import linux, macos, windows
from agent.policy.model import Caregiver, Child, FamilyPolicy, Settings
from agent.store import Store
from agent.usage.tamper import EVENT_NEW_ACCOUNT, AccountWatch, TamperAlerts
from dns_filter.clock import ManualClock

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
# /etc/passwd of a Debian family PC, as `getent passwd` writes it.
PASSWD = """\
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin
messagebus:x:100:107::/nonexistent:/usr/sbin/nologin
avahi:x:105:110:Avahi mDNS daemon,,,:/run/avahi-daemon:/usr/sbin/nologin
gdm:x:120:126:Gnome Display Manager:/var/lib/gdm3:/bin/false
bo:x:1000:1000:Bố,,,:/home/bo:/bin/bash
minh:x:1001:1001:Minh,,,:/home/minh:/bin/bash
lan:x:1002:1002:Lan,,,:/home/lan:/usr/bin/zsh
backup-svc:x:1003:1003::/srv/backup:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""
LOGIN_DEFS = """\
# Min/max values for automatic uid selection in useradd(8)
#
UID_MIN			 1000
UID_MAX			60000
# System accounts
#SYS_UID_MIN		  100
"""
# `dscl . -list /Users UniqueID` on macOS.
DSCL = """\
_amavisd                 83
_analyticsd              263
_appleevents             55
daemon                   1
me                       501
minh                     502
nobody                   -2
root                     0
"""


def test_linux_people_accounts_from_passwd_text() -> None:
    assert linux.parse_login_defs(LOGIN_DEFS) == (1000, 60000)
    assert linux.parse_login_defs("") == (1000, 60000)
    assert linux.parse_passwd(PASSWD) == {"bo", "minh", "lan"}
    assert linux.parse_passwd(PASSWD, 1001, 1001) == {"minh"}
    # this machine's own file reads without error
    assert isinstance(linux.os_accounts(), frozenset)


def test_macos_people_accounts_from_dscl_text() -> None:
    assert macos.parse_dscl_uids(DSCL) == {"me", "minh"}


def test_windows_people_accounts_through_a_fake_net_user_enum() -> None:
    listed = [("Administrator", 0x0201), ("Guest", 0x0203), ("DefaultAccount", 0x0203),
              ("WDAGUtilityAccount", 0x0203), ("Bo", 0x0201), ("Minh", 0x0201),
              ("Old", 0x0203)]
    assert windows.os_accounts(lambda: listed) == {"Bo", "Minh"}

    def failing() -> list[tuple[str, int]]:
        raise OSError("NetUserEnum failed: 5")

    assert windows.os_accounts(failing) is None


def test_every_os_module_has_the_same_functions() -> None:
    for name in ("linux", "win32", "darwin", "plan9"):
        module = platform.current(name)
        assert callable(module.os_accounts) and callable(module.active_session_user)
    assert platform.current("plan9").os_accounts() is None


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "baoan.sqlite3", clock=ManualClock(NOW))
    yield opened
    opened.close()


def family(*caregivers: Caregiver) -> FamilyPolicy:
    return FamilyPolicy(
        settings=Settings(), children=(Child("Minh", age=9, os_users=("minh",)),),
        caregivers=caregivers,
    )


def test_a_new_account_is_an_alert_once_and_a_restart_raises_nothing(store: Store) -> None:
    accounts = {"bo", "minh"}
    policy = family(Caregiver("Mẹ", ntfy_topic="baoan-me", ntfy_server="http://127.0.0.1:9"))
    alerts = TamperAlerts(store.events, store.outbox, lambda: policy, lambda: NOW)
    watch = AccountWatch(lambda: frozenset(accounts), store.kv, alerts)
    assert watch() == ()  # the first look only learns
    assert store.events.recent(kind=EVENT_NEW_ACCOUNT) == []
    accounts.add("minh2")
    assert watch() == ("minh2",)
    (event,) = store.events.recent(kind=EVENT_NEW_ACCOUNT)
    assert event.severity == "alert" and "minh2" in event.message
    (item,) = store.outbox.for_event(event.id)
    assert item.payload["kind"] == "tamper" and item.payload["tamper"] == EVENT_NEW_ACCOUNT
    assert "minh2" in item.payload["message"] and "minh2" in item.payload["message_en"]
    assert watch() == ()  # once
    # After a restart the accounts seen are remembered.
    again = AccountWatch(lambda: frozenset(accounts), store.kv, alerts)
    assert again() == ()
    assert len(store.events.recent(kind=EVENT_NEW_ACCOUNT)) == 1


def test_an_account_family_toml_gives_a_child_is_learnt_without_an_alarm(store: Store) -> None:
    policy = family(Caregiver("Mẹ", ntfy_topic="baoan-me", ntfy_server="http://127.0.0.1:9"))
    alerts = TamperAlerts(store.events, store.outbox, lambda: policy, lambda: NOW)
    accounts = {"bo", "minh"}
    watch = AccountWatch(
        lambda: frozenset(accounts), store.kv, alerts, lambda: frozenset({"Minh-Game"})
    )
    watch()
    accounts |= {"minh-game", "guest2"}
    assert watch() == ("guest2",)
    assert [event.data["account"] for event in store.events.recent(kind=EVENT_NEW_ACCOUNT)] == [
        "guest2"
    ]
    assert watch() == ()  # both are known now


def test_nobody_to_tell_still_records_the_event(store: Store) -> None:
    alerts = TamperAlerts(store.events, store.outbox, lambda: family(), lambda: NOW)
    accounts = {"minh"}
    watch = AccountWatch(lambda: frozenset(accounts), store.kv, alerts)
    watch()
    accounts.add("hacker")
    assert watch() == ("hacker",)
    assert store.outbox.pending_count() == 0
    assert len(store.events.recent(kind=EVENT_NEW_ACCOUNT)) == 1


def test_unreadable_accounts_change_nothing(store: Store) -> None:
    alerts = TamperAlerts(store.events, store.outbox, lambda: family(), lambda: NOW)
    watch = AccountWatch(lambda: None, store.kv, alerts)
    assert watch() == () and store.kv.get("tamper.accounts") is None


def test_the_agent_watches_the_accounts_and_alerts_the_family(tmp_path: Path) -> None:
    accounts = {"an", "bo"}
    with running_usage_agent(
        tmp_path, caregiver=True, os_accounts=lambda: frozenset(accounts)
    ) as agent:
        assert agent.account_watch is not None and agent.store is not None
        agent.account_watch()
        accounts.add("an-khac")
        assert agent.account_watch() == ("an-khac",)
        (event,) = agent.store.events.recent(kind=EVENT_NEW_ACCOUNT)
        assert agent.store.outbox.for_event(event.id)
