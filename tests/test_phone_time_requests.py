"""A child's request for more time answered from a caregiver's phone, end to end: a real
agent, the ntfy stand-in's "phone" pressing the alert's signed buttons, and the minutes in
the child's time left at once; a replayed or forged command is refused and answered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from helpers_ntfy import NtfyStandIn, ntfy_standin
from helpers_usage import CAREGIVER_TOPIC, call, running_usage_agent, tray_headers
from test_agent_end_to_end import wait_for
from test_phone_approvals import press
from test_tray_more_time import ONE_MINUTE_A_DAY, seconds_left

from agent.phone_approvals import commands_topic
from agent.runtime import Agent
from sync.commands import CommandSigner


@pytest.fixture
def ntfy() -> Iterator[NtfyStandIn]:
    with ntfy_standin() as standin:
        yield standin


@pytest.fixture
def agent(tmp_path: Path, ntfy: NtfyStandIn) -> Iterator[Agent]:
    with running_usage_agent(tmp_path, ONE_MINUTE_A_DAY, ntfy_server=ntfy.url) as running:
        assert running.approvals is not None
        for subscriber in running.approvals.subscribers():
            assert subscriber.connected.wait(10)
        yield running


def ask_for(agent: Agent, ntfy: NtfyStandIn, minutes: int) -> dict[str, object]:
    asked = call(
        agent, "POST", "/api/usage/more-time", tray_headers(agent),
        json={"minutes": minutes, "reason": "con làm bài tập trên OLM"},
    )
    assert asked.status_code == 200, asked.text
    [alert] = ntfy.wait_for(CAREGIVER_TOPIC)
    return alert


def buttons(alert: dict[str, object]) -> list[dict[str, object]]:
    actions = alert["actions"]
    assert isinstance(actions, list)
    return actions


def test_the_phones_approval_adds_the_minutes_asked_within_seconds(
    agent: Agent, ntfy: NtfyStandIn
) -> None:
    before = seconds_left(agent)
    assert before is not None and before <= 60
    alert = ask_for(agent, ntfy, 30)
    assert alert["title"] == "An xin thêm 30 phút"
    actions = buttons(alert)
    assert [a["label"] for a in actions] == ["Cho thêm 30 phút", "Không"]
    assert all(a["action"] == "http" and a["method"] == "POST" for a in actions)
    assert {a["url"] for a in actions} == {f"{ntfy.url}/{commands_topic(CAREGIVER_TOPIC)}"}
    press(actions[0])
    wait_for(lambda: (seconds_left(agent) or 0) - before >= 29 * 60, timeout=5)
    answers = ntfy.wait_for(CAREGIVER_TOPIC, 2)
    assert answers[1]["title"] == "Đã cho An thêm 30 phút hôm nay"
    # The tray hears it as from a parent on the PC.
    assert agent.store is not None
    [request] = [r for r in agent.store.requests.recent(child="An") if r.kind == "time"]
    assert (request.status, request.decided_by) == ("allowed", "caregiver-phone")
    # The same button again, then "no": refused and answered; the first answer stands.
    press(actions[0])
    press(actions[1])
    answers = ntfy.wait_for(CAREGIVER_TOPIC, 4)
    texts = [message["message"] for message in answers[2:]]
    assert any("đã được dùng" in text for text in texts)
    assert any("đã được trả lời trước đó" in text for text in texts)
    after = seconds_left(agent)
    assert after is not None and 29 * 60 <= after - before <= 31 * 60  # counted once


def test_no_from_the_phone_gives_nothing(agent: Agent, ntfy: NtfyStandIn) -> None:
    before = seconds_left(agent)
    assert before is not None
    press(buttons(ask_for(agent, ntfy, 15))[1])
    answers = ntfy.wait_for(CAREGIVER_TOPIC, 2)
    assert answers[1]["title"] == "Đã không cho An thêm thời gian"
    after = seconds_left(agent)
    assert after is not None and after <= before


def test_a_forged_command_for_a_time_request_is_refused_and_answered(
    agent: Agent, ntfy: NtfyStandIn
) -> None:
    before = seconds_left(agent)
    assert before is not None
    ask_for(agent, ntfy, 60)
    assert agent.store is not None
    [request] = [r for r in agent.store.requests.recent(child="An") if r.kind == "time"]
    forged = CommandSigner(b"guessed key 12345").sign(
        request.id, True, 60, datetime.now(UTC) + timedelta(hours=1)
    )
    posted = requests.post(
        f"{ntfy.url}/{commands_topic(CAREGIVER_TOPIC)}", data=forged.encode(), timeout=5
    )
    assert posted.status_code == 200
    answers = ntfy.wait_for(CAREGIVER_TOPIC, 2)
    assert "chữ ký" in answers[1]["message"]
    [event] = agent.store.events.recent(kind="phone-command")
    assert event.data["refusal"] == "forged"
    assert agent.store.requests.get(request.id).status == "pending"  # type: ignore[union-attr]
    after = seconds_left(agent)
    assert after is not None and after <= before
