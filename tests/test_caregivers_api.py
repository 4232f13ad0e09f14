"""The caregivers for the parent: `GET /api/caregivers` (channels, their last delivery
results and this PC's dead-man signal: whether the server carries it, the last
re-publish) and the "send a test alert" button, through a real agent and the ntfy
stand-in; `baoan sync test` says plainly what an old server means."""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from helpers_ntfy import NtfyStandIn, ntfy_standin
from test_agent_end_to_end import wait_for

from agent.alert_delivery import ntfy_token_secret
from agent.api.client import ApiClient
from agent.api.types import CaregiversInfo
from agent.commands import sync_test
from agent.runtime import Agent, AgentSettings
from agent.secrets import open_secret_store

PIN = "2468"
MUM = "baoan-me-1f1f1f1f1f1f"
AUNT = "baoan-co-2e2e2e2e2e2e"


def family_text(ntfy_url: str) -> str:
    return (
        'schema_version = 1\n[settings]\nupstreams = ["udp://127.0.0.1:9"]\n'
        '[[children]]\nname = "An"\nage = 9\nos_users = ["an"]\n'
        f'[[caregivers]]\nname = "Mẹ"\nntfy_topic = "{MUM}"\nntfy_server = "{ntfy_url}"\n'
        'hears = ["help", "adult"]\nquiet_hours = { start = "22:00", end = "06:30" }\n'
        f'[[caregivers]]\nname = "Cô"\nntfy_topic = "{AUNT}"\nntfy_server = "{ntfy_url}"\n'
    )


@pytest.fixture
def ntfy() -> Iterator[NtfyStandIn]:
    with ntfy_standin() as standin:
        yield standin


@pytest.fixture
def agent(tmp_path: Path, ntfy: NtfyStandIn) -> Iterator[Agent]:
    config = tmp_path / "family.toml"
    config.write_text(family_text(ntfy.url), encoding="utf-8")
    # Cô's topic needs a token Bảo An does not have: her copies are refused for good.
    ntfy.grant("tk_someone_else", AUNT, write=True)
    running = Agent(
        AgentSettings(
            config_path=config,
            data_dir=tmp_path / "data",
            dns_listen=(("127.0.0.1", 0),),
            http_listen=("127.0.0.1", 0),
            refresh_lists_at_start=False,
            delivery_poll_seconds=0.5,
        ),
        session_user=lambda: "an",
    )
    running.start()
    assert running.authenticator is not None
    running.authenticator.set_first_pin(PIN)
    yield running
    running.stop()


def parent(agent: Agent) -> ApiClient:
    assert agent.authenticator is not None
    client = ApiClient(agent.http_url())
    client.open_session(PIN)
    return client


def test_the_caregivers_their_last_results_and_the_dead_man_state(
    agent: Agent, ntfy: NtfyStandIn
) -> None:
    assert agent.access is not None
    agent.access.help_pressed("An", "127.0.0.1")
    wait_for(lambda: ntfy.on(MUM), timeout=20)
    with parent(agent) as client:

        def settled() -> CaregiversInfo | None:
            found = client.caregivers()
            mum, aunt = found.caregivers
            done = (
                mum.dead_man is not None
                and mum.dead_man.last_published is not None
                and mum.channels[0].last_delivered is not None
                and aunt.channels[0].refused_for_good
            )
            return found if done else None

        found = wait_for(settled, timeout=30)
    assert isinstance(found, CaregiversInfo)
    mum, aunt = found.caregivers
    assert (mum.name, mum.hears, mum.quiet_hours) == ("Mẹ", ("help", "adult"), "22:00–06:30")
    [channel] = mum.channels
    assert (channel.receiver, channel.kind, channel.address) == ("ntfy:Mẹ", "ntfy", ntfy.url)
    assert channel.last_error is None and not channel.refused_for_good
    assert mum.dead_man is not None and mum.dead_man.support == "replaces"
    assert [m for m in ntfy.scheduled if m["topic"] == MUM]  # the signal is pending there
    [refused] = aunt.channels
    assert refused.refused_for_good and "401" in (refused.last_error or "")
    assert aunt.dead_man is not None and aunt.dead_man.support == "unknown"  # no access


def test_the_test_button_sends_to_every_channel_and_says_how_each_went(
    agent: Agent, ntfy: NtfyStandIn
) -> None:
    with parent(agent) as client:
        checks = client.send_test_alert().checks
    outcomes = {check.receiver: check.outcome for check in checks}
    assert outcomes == {"ntfy:Mẹ": "sent", "ntfy:Cô": "refused"}
    assert [m["title"] for m in ntfy.on(MUM)] == ["Bảo An: tin thử"]


def test_only_a_parent_may_see_the_caregivers(agent: Agent) -> None:
    with requests.Session() as session:
        session.trust_env = False
        assert session.get(agent.http_url() + "/api/caregivers", timeout=5).status_code == 401
        answer = session.post(agent.http_url() + "/api/caregivers/test", json={}, timeout=5)
        assert answer.status_code == 401


@pytest.mark.parametrize(
    ("version", "words"),
    [
        ((2, 16), ["ntfy 2.16 trở lên", "30 phút", "dead-man signal works"]),
        ((2, 15), ["cũ hơn 2.16", "KHÔNG có tín hiệu", "NO dead-man signal", "Upgrade"]),
    ],
)
def test_sync_test_says_whether_each_server_carries_the_dead_man_signal(
    tmp_path: Path, version: tuple[int, int], words: list[str]
) -> None:
    with ntfy_standin(version=version) as ntfy:
        config = tmp_path / "family.toml"
        config.write_text(family_text(ntfy.url), encoding="utf-8")
        data = tmp_path / "data"
        ntfy.grant("tk_baoan", AUNT, write=True)
        ntfy.grant("tk_baoan", AUNT + "-probe", read=True, write=True)
        open_secret_store(data).set(ntfy_token_secret(ntfy.url), "tk_baoan")
        out = io.StringIO()
        code = sync_test.run(argparse.Namespace(config=config, data_dir=data), out)
    text = out.getvalue()
    assert code == 0, text
    assert "ntfy:Mẹ: đã gửi (sent)" in text and "ntfy:Cô: đã gửi (sent)" in text
    [line] = [line for line in text.splitlines() if line.startswith(ntfy.url)]
    for word in words:
        assert word in line
