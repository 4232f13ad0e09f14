"""The tamper watch: the DNS and the browsers' policies put back, with a tamper alert."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers_runner import RecordingRunner

from agent.policy import FamilyPolicy
from agent.policy.model import Caregiver
from agent.store import Store
from agent.system import Finding
from agent.system.linux import LinuxIntegration
from agent.system.runner import CommandResult
from agent.system_watch import EVENT_SYSTEM_TAMPERED, SystemWatch

AGENT = ("127.0.0.1",)
NOW = datetime(2026, 5, 1, 20, 0, tzinfo=UTC)
WITH_CAREGIVER = FamilyPolicy(caregivers=(Caregiver(name="Mẹ", ntfy_topic="me-an-xyz"),))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "baoan.sqlite3")
    yield opened
    opened.close()


def installed_pc(root: Path) -> LinuxIntegration:
    (root / "etc").mkdir(parents=True)
    (root / "etc/resolv.conf").write_bytes(b"nameserver 192.0.2.1\n")
    system = LinuxIntegration(RecordingRunner(), root, manage_services=False)
    system.point_dns_at_agent(AGENT)
    system.install_browser_policies()
    return system


def test_nothing_changed_nothing_said(tmp_path: Path, store: Store) -> None:
    system = installed_pc(tmp_path / "root")
    SystemWatch(system, store, lambda: WITH_CAREGIVER, lambda: NOW, AGENT)()
    assert store.events.recent(kind=EVENT_SYSTEM_TAMPERED) == []


def test_dns_changed_away_is_put_back_and_alerted(tmp_path: Path, store: Store) -> None:
    root = tmp_path / "root"
    system = installed_pc(root)
    (root / "etc/resolv.conf").write_bytes(b"nameserver 8.8.8.8\n")
    (root / "etc/chromium/policies/managed/baoan.json").unlink()
    watch = SystemWatch(system, store, lambda: WITH_CAREGIVER, lambda: NOW, AGENT)

    watch()

    assert system.dns_points_at_agent(AGENT).ok
    assert all(finding.ok for finding in system.browser_policies_in_place())
    events = store.events.recent(kind=EVENT_SYSTEM_TAMPERED)
    assert {event.data["check"] for event in events} == {"dns", "browser-policy:chromium"}
    assert all(event.severity == "alert" and event.data["fixed"] for event in events)
    assert any("8.8.8.8" in event.message for event in events)
    sent = [item for event in events for item in store.outbox.for_event(event.id)]
    assert len(sent) == 2 and all(item.channel == "alerts" for item in sent)
    assert {item.payload["kind"] for item in sent} == {EVENT_SYSTEM_TAMPERED}

    watch()  # put back: the next pass is quiet
    assert len(store.events.recent(kind=EVENT_SYSTEM_TAMPERED)) == 2


def test_no_caregiver_means_an_event_only(tmp_path: Path, store: Store) -> None:
    root = tmp_path / "root"
    system = installed_pc(root)
    (root / "etc/resolv.conf").write_bytes(b"nameserver 8.8.8.8\n")
    SystemWatch(system, store, FamilyPolicy, lambda: NOW, AGENT)()
    [event] = store.events.recent(kind=EVENT_SYSTEM_TAMPERED)
    assert store.outbox.for_event(event.id) == []


class StuckDns:
    """An integration whose DNS cannot be put back (a read-only /etc)."""

    def __init__(self) -> None:
        self.tries = 0

    def point_dns_at_agent(self, agent_addresses: tuple[str, ...]) -> None:
        self.tries += 1
        raise PermissionError(13, "Read-only file system", "/etc/resolv.conf")

    def restore_dns(self) -> None: ...

    def dns_points_at_agent(self, agent_addresses: tuple[str, ...]) -> Finding:
        return Finding("dns", False, "/etc/resolv.conf names 1.1.1.1, not the agent")

    def install_browser_policies(self) -> None: ...

    def remove_browser_policies(self) -> None: ...

    def browser_policies_in_place(self) -> list[Finding]:
        return []

    def install_firewall(self, child_accounts: tuple[str, ...]) -> None: ...

    def remove_firewall(self) -> None: ...


def test_what_cannot_be_put_back_is_alerted_once(store: Store) -> None:
    system = StuckDns()
    watch = SystemWatch(system, store, lambda: WITH_CAREGIVER, lambda: NOW, AGENT)
    watch()
    watch()
    assert system.tries == 2  # tried each time
    [event] = store.events.recent(kind=EVENT_SYSTEM_TAMPERED)
    assert not event.data["fixed"] and "Read-only" in str(event.data["error"])


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX")
def test_the_agent_watches_the_system_only_when_asked(tmp_path: Path) -> None:
    from agent.policy.template import render_initial_policy
    from agent.runtime import Agent, AgentSettings

    config = tmp_path / "family.toml"
    config.write_text(render_initial_policy("An", 9, ["an"]), encoding="utf-8")
    root = tmp_path / "root"
    system = installed_pc(root)
    for watch in (False, True):
        settings = AgentSettings(
            config_path=config, data_dir=tmp_path / f"data-{watch}",
            dns_listen=(("127.0.0.1", 0),) if not watch else (("127.0.0.1", 53),),
            http_listen=("127.0.0.1", 0), refresh_lists_at_start=False, watch_system=watch,
        )
        agent = Agent(settings, session_user=lambda: None, system=system)
        if watch and os.geteuid() != 0:
            pytest.skip("port 53 needs root")
        try:
            agent.start()
        except OSError as error:  # port 53 taken on this machine
            pytest.skip(f"cannot listen on 127.0.0.1:53: {error}")
        try:
            assert agent.scheduler is not None
            assert ("system-watch" in agent.scheduler.job_names()) is watch
        finally:
            agent.stop()


def test_the_firewall_follows_the_children_s_accounts(tmp_path: Path, store: Store) -> None:
    from agent.policy.model import Child

    root = tmp_path / "root"
    system = installed_pc(root)
    runner = RecordingRunner()
    system = LinuxIntegration(runner, root, manage_services=False)
    family = [FamilyPolicy(children=(Child(name="An", age=9, os_users=("1001",)),))]
    watch = SystemWatch(system, store, lambda: family[0], lambda: NOW, AGENT)

    def loaded() -> list[str]:
        return [text or "" for argv, text in zip(runner.commands, runner.inputs, strict=True)
                if argv == ("nft", "-f", "-")]

    watch()
    watch()  # the same accounts (and the table still there): loaded once
    assert len(loaded()) == 1
    assert "meta skuid { 1001 }" in loaded()[-1]
    family[0] = FamilyPolicy(children=(Child(name="An", age=9, os_users=("1001", "1002")),))
    watch()
    assert "meta skuid { 1001, 1002 }" in loaded()[-1]


class NftTable:
    """nft as far as the watch uses it: one table, loaded or not."""

    def __init__(self) -> None:
        self.loaded = False

    def __call__(self, argv: tuple[str, ...], input_text: str | None) -> CommandResult | None:
        if argv == ("nft", "-f", "-"):
            self.loaded = "jump child" in (input_text or "")
            return CommandResult(argv, 0)
        if argv[:3] == ("nft", "list", "table"):
            return CommandResult(argv, 0 if self.loaded else 1, "", "No such file or directory")
        return None


def test_a_deleted_firewall_table_is_put_back_and_alerted(tmp_path: Path, store: Store) -> None:
    from agent.policy.model import Child

    nft = NftTable()
    root = tmp_path / "root"
    installed_pc(root)
    system = LinuxIntegration(RecordingRunner(nft), root, manage_services=False)
    family = FamilyPolicy(
        children=(Child(name="An", age=9, os_users=("1001",)),),
        caregivers=WITH_CAREGIVER.caregivers,
    )
    watch = SystemWatch(system, store, lambda: family, lambda: NOW, AGENT)
    watch()
    assert nft.loaded and store.events.recent(kind=EVENT_SYSTEM_TAMPERED) == []
    nft.loaded = False  # root ran `nft delete table inet baoan`
    watch()
    assert nft.loaded
    [event] = store.events.recent(kind=EVENT_SYSTEM_TAMPERED)
    assert event.data["check"] == "firewall" and event.data["fixed"] is True
