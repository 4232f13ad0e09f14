"""Approvals from a caregiver's phone: signed commands (forged, expired, replayed and
already-decided ones refused and answered), and end to end through a real agent and the
ntfy stand-in: the phone posts a button's body and the site opens for the child."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from dnslib import RR
from helpers_ntfy import NtfyStandIn, ntfy_standin
from test_agent_end_to_end import EXTRA_ZONE, addresses, ask, family_text, wait_for
from test_upstreams_standin import ZONE_TEXT, StandInDns, Zone

from agent.phone_approvals import commands_topic
from agent.runtime import Agent, AgentSettings
from sync.commands import CommandRefusedError, CommandSigner, Refusal

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
KEY = bytes(range(32))
SITE = "www.example.test"
TOPIC = "baoan-me-7c3e9f2a41"


def test_a_signed_command_names_the_request_decision_duration_and_expiry() -> None:
    signer = CommandSigner(KEY)
    text = signer.sign("req-1", True, 30, T0 + timedelta(hours=1), nonce="n1")
    command = signer.verify(text, T0)
    assert (command.request_id, command.allow, command.minutes, command.nonce) == (
        "req-1", True, 30, "n1"
    )
    denial = signer.sign("req-1", False, None, T0 + timedelta(hours=1))
    assert signer.verify(denial, T0).allow is False


@pytest.mark.parametrize(
    ("make", "refusal"),
    [
        # Signed with another key: someone who only knows the topic.
        (lambda: CommandSigner(b"another key, 16+").sign("req-1", True, 60, T0 + timedelta(1)),
         Refusal.FORGED),
        # The duration changed after signing.
        (lambda: CommandSigner(KEY).sign("req-1", True, 30, T0 + timedelta(1)).replace(
            ".", ".x", 1), Refusal.FORGED),
        (lambda: CommandSigner(KEY).sign("req-1", True, 30, T0 - timedelta(seconds=1)),
         Refusal.EXPIRED),
        (lambda: "Cho phép 30 phút", Refusal.MALFORMED),
    ],
)
def test_forged_tampered_expired_and_stray_commands_are_refused(
    make: Callable[[], str], refusal: Refusal
) -> None:
    with pytest.raises(CommandRefusedError) as caught:
        CommandSigner(KEY).verify(make(), T0)
    assert caught.value.refusal is refusal


# -- end to end ------------------------------------------------------------------------------


@pytest.fixture
def ntfy() -> Iterator[NtfyStandIn]:
    with ntfy_standin() as standin:
        yield standin


@pytest.fixture
def agent(tmp_path: Path, ntfy: NtfyStandIn) -> Iterator[Agent]:
    upstream = StandInDns(Zone(RR.fromZone(ZONE_TEXT + EXTRA_ZONE))).start()
    config = tmp_path / "family.toml"
    config.write_text(
        family_text(upstream.udp_url, deny=(SITE,))
        + f'\n[[caregivers]]\nname = "Mẹ"\nntfy_topic = "{TOPIC}"\nntfy_server = "{ntfy.url}"\n',
        encoding="utf-8",
    )
    running = Agent(
        AgentSettings(
            config_path=config,
            data_dir=tmp_path / "data",
            dns_listen=(("127.0.0.1", 0),),
            http_listen=("127.0.0.1", 0),
            refresh_lists_at_start=False,
            policy_poll_seconds=0.2,
        ),
        session_user=lambda: "an",
    )
    running.start()
    assert running.approvals is not None
    for subscriber in running.approvals.subscribers():
        assert subscriber.connected.wait(10)
    yield running
    running.stop()
    upstream.close()


def request_alert(agent: Agent, ntfy: NtfyStandIn) -> dict[str, object]:
    assert agent.access is not None
    agent.access.request_access("An", SITE, "bài tập về nhà", "127.0.0.1")
    [alert] = ntfy.wait_for(TOPIC)
    return alert


def press(action: dict[str, object]) -> None:
    """What the ntfy app does when the button is tapped."""
    response = requests.request(
        str(action["method"]), str(action["url"]), data=str(action["body"]).encode(), timeout=5
    )
    assert response.status_code == 200


def test_the_approve_button_on_the_phone_opens_the_site_within_seconds(
    agent: Agent, ntfy: NtfyStandIn
) -> None:
    assert addresses(ask(agent, SITE)) == ["127.0.0.1"]  # blocked: the block page
    alert = request_alert(agent, ntfy)
    actions = alert["actions"]
    assert isinstance(actions, list)
    assert [a["label"] for a in actions] == ["Cho phép 30 phút", "Cho phép 1 giờ", "Không"]
    assert all(a["action"] == "http" and a["method"] == "POST" for a in actions)
    assert {a["url"] for a in actions} == {f"{ntfy.url}/{commands_topic(TOPIC)}"}
    press(actions[0])
    wait_for(lambda: addresses(ask(agent, SITE)) == ["192.0.2.10"], timeout=5)
    # The caregiver hears that it was done.
    answers = ntfy.wait_for(TOPIC, 2)
    assert "Đã cho phép An mở www.example.test trong 30 phút" in answers[1]["title"]
    # The same button again, and the "no" button after the "yes": both refused and answered.
    press(actions[0])
    press(actions[2])
    answers = ntfy.wait_for(TOPIC, 4)
    texts = [message["message"] for message in answers[2:]]
    assert any("đã được dùng" in text for text in texts)
    assert any("đã được trả lời trước đó" in text for text in texts)
    assert addresses(ask(agent, SITE)) == ["192.0.2.10"]  # the first answer stands


def test_a_forged_command_on_the_topic_is_refused_logged_and_answered(
    agent: Agent, ntfy: NtfyStandIn
) -> None:
    alert = request_alert(agent, ntfy)
    actions = alert["actions"]
    assert isinstance(actions, list)
    forged = CommandSigner(b"guessed key 12345").sign(
        "whatever", True, 1440, T0 + timedelta(days=9999)
    )
    requests.post(f"{ntfy.url}/{commands_topic(TOPIC)}", data=forged.encode(), timeout=5)
    answers = ntfy.wait_for(TOPIC, 2)
    assert "chữ ký" in answers[1]["message"]
    assert addresses(ask(agent, SITE)) == ["127.0.0.1"]
    assert agent.store is not None
    [event] = agent.store.events.recent(kind="phone-command")
    assert event.data["refusal"] == "forged"


def test_commands_posted_while_the_agent_was_away_are_applied_after_restart(
    tmp_path: Path, agent: Agent, ntfy: NtfyStandIn
) -> None:
    alert = request_alert(agent, ntfy)
    actions = alert["actions"]
    assert isinstance(actions, list)
    agent.stop()
    press(actions[1])  # the agent is stopped: the command waits on the server
    again = Agent(agent.settings, session_user=lambda: "an")
    again.start()
    try:
        wait_for(lambda: addresses(ask(again, SITE)) == ["192.0.2.10"], timeout=10)
    finally:
        again.stop()


def test_alerts_carry_what_a_caregiver_needs_and_no_browsing_history(
    agent: Agent, ntfy: NtfyStandIn
) -> None:
    for name in ("pornhub.com", "tongdai111.vn", "alias.example.test"):
        ask(agent, name)
    assert agent.access is not None
    agent.access.help_pressed("An", "127.0.0.1")
    agent.access.request_access("An", SITE, "bài tập về nhà", "127.0.0.1")
    messages = ntfy.wait_for(TOPIC, 2)
    sent = " ".join(str(message) for message in messages)
    assert SITE in sent  # the request names its site: that is what is asked
    for visited in ("pornhub", "tongdai111", "alias.example.test"):
        assert visited not in sent

