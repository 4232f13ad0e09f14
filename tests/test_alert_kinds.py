"""Who hears what, through a real agent and the ntfy stand-in: adult-content attempts (a page
of thirty blocked names is one alert), screen time at zero, protection paused, quiet hours
that never hold back Help, and an hourly limit whose count survives a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers_ntfy import NtfyStandIn, ntfy_standin
from helpers_usage import beats, call, tray_headers
from test_agent_end_to_end import ask, wait_for

from agent.alert_delivery import build_delivery
from agent.policy.model import Caregiver, FamilyPolicy
from agent.policy_alerts import alert_protection_paused
from agent.runtime import Agent, AgentSettings
from agent.secrets import file_secret_store
from agent.store import Store
from sync.delivery import ALERTS_CHANNEL, rate_key

MUM = "baoan-me-5d5d5d5d5d5d"
GRANDPA = "baoan-ong-6e6e6e6e6e6e"


def family_text(ntfy_url: str, *, grandpa: str = "", screen_time: str = "") -> str:
    text = (
        'schema_version = 1\ndefault_child = "An"\n'
        '[settings]\nupstreams = ["udp://127.0.0.1:9"]\n'
        '[[children]]\nname = "An"\nage = 9\nos_users = ["an"]\n'
    )
    if screen_time:
        text += "[children.screen_time]\n" + screen_time + "\n"
    text += f'[[caregivers]]\nname = "Mẹ"\nntfy_topic = "{MUM}"\nntfy_server = "{ntfy_url}"\n'
    text += (
        f'[[caregivers]]\nname = "Ông"\nntfy_topic = "{GRANDPA}"\nntfy_server = "{ntfy_url}"\n'
        + grandpa
    )
    return text


@contextmanager
def running_agent(tmp_path: Path, text: str) -> Iterator[Agent]:
    config = tmp_path / "family.toml"
    config.write_text(text, encoding="utf-8")
    agent = Agent(
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
    agent.start()
    try:
        yield agent
    finally:
        agent.stop()


@pytest.fixture
def ntfy() -> Iterator[NtfyStandIn]:
    with ntfy_standin() as standin:
        yield standin


def of_kind(ntfy: NtfyStandIn, topic: str, kind: str) -> list[dict[str, Any]]:
    return [m for m in ntfy.on(topic) if f"baoan-{kind}" in m.get("tags", [])]


def test_a_page_of_thirty_adult_names_is_one_alert_to_those_who_hear_adult(
    tmp_path: Path, ntfy: NtfyStandIn
) -> None:
    text = family_text(ntfy.url, grandpa='hears = ["help", "requests"]\n')
    with running_agent(tmp_path, text) as agent:
        assert agent.adult_attempts is not None
        agent.adult_attempts.burst = timedelta(seconds=3)
        for index in range(30):
            ask(agent, f"img{index}.example.xxx")  # the starter adult list's *.xxx
        [alert] = wait_for(lambda: of_kind(ntfy, MUM, "adult-attempt"), timeout=20)
        time.sleep(6)  # two more passes of the job: nothing more comes
        assert len(of_kind(ntfy, MUM, "adult-attempt")) == 1
        assert of_kind(ntfy, GRANDPA, "adult-attempt") == []  # he does not hear "adult"
        assert alert["title"] == "An vừa định mở trang người lớn"
        assert "img0.example.xxx" in alert["message"]
        assert "29" in alert["message"]  # how many, not which: no browsing history
        assert "img7.example.xxx" not in alert["message"]
        assert agent.store is not None
        [event] = agent.store.events.recent(kind="adult-attempt")
        assert event.data["blocked_count"] == 30


def test_screen_time_at_zero_is_one_alert_a_day(tmp_path: Path, ntfy: NtfyStandIn) -> None:
    screen_time = (
        "daily_minutes = 1\n"
        'allowed_hours = [{ start = "00:00", end = "00:00" }]\n'  # never bedtime in the test
    )
    text = family_text(ntfy.url, screen_time=screen_time)
    with running_agent(tmp_path, text) as agent:
        headers = tray_headers(agent)
        answer = call(agent, "POST", "/api/usage/heartbeat", headers,
                      json=beats(90).to_json()).json()
        assert answer["allowed"] is False
        [alert] = wait_for(lambda: of_kind(ntfy, MUM, "limit-reached"), timeout=20)
        assert alert["title"] == "An đã dùng hết giờ máy tính hôm nay"
        # Everyone hears it by default (his copy goes after hers: wait for it too).
        assert wait_for(lambda: of_kind(ntfy, GRANDPA, "limit-reached"), timeout=20)
        call(agent, "POST", "/api/usage/heartbeat", headers, json=beats(30).to_json())
        time.sleep(2)
        assert len(of_kind(ntfy, MUM, "limit-reached")) == 1


def test_protection_paused_is_told_to_those_who_hear_paused(
    tmp_path: Path, ntfy: NtfyStandIn
) -> None:
    text = family_text(ntfy.url, grandpa='hears = ["help", "paused"]\n').replace(
        f'ntfy_topic = "{MUM}"', f'ntfy_topic = "{MUM}"\nhears = ["help", "limit"]', 1
    )
    with running_agent(tmp_path, text) as agent:
        assert agent.store is not None
        now = datetime.now(UTC)
        event = alert_protection_paused(
            agent.store, agent.policy_holder.policy, at=now, until=now + timedelta(minutes=30)
        )
        assert event.kind == "protection-paused"
        [alert] = wait_for(lambda: of_kind(ntfy, GRANDPA, "protection-paused"), timeout=20)
        assert alert["title"] == "Bảo An tạm dừng bảo vệ trên máy này"
        time.sleep(1.5)
        assert of_kind(ntfy, MUM, "protection-paused") == []


def test_quiet_hours_hold_an_adult_alert_but_never_help(
    tmp_path: Path, ntfy: NtfyStandIn
) -> None:
    quiet = 'quiet_hours = { start = "00:00", end = "23:59" }\n'
    text = family_text(ntfy.url, grandpa=quiet)
    with running_agent(tmp_path, text) as agent:
        assert agent.access is not None and agent.adult_attempts is not None
        agent.adult_attempts.burst = timedelta(0)
        ask(agent, "night.example.xxx")
        wait_for(lambda: of_kind(ntfy, MUM, "adult-attempt"), timeout=20)
        agent.access.help_pressed("An", "127.0.0.1")
        [help_alert] = wait_for(lambda: of_kind(ntfy, GRANDPA, "help"), timeout=20)
        assert help_alert["priority"] == 5
        assert of_kind(ntfy, GRANDPA, "adult-attempt") == []  # waits for the morning
        assert agent.store is not None
        store = agent.store

        def waiting() -> list[str]:
            later = datetime.now(UTC) + timedelta(days=1)
            return [item.payload["alert"]["kind"]
                    for item in store.outbox.due(later, channel="ntfy:Ông")]

        wait_for(lambda: waiting() == ["adult-attempt"])  # Help went; the rest waits


def test_the_hourly_count_survives_a_restart_of_the_agent(
    tmp_path: Path, ntfy: NtfyStandIn
) -> None:
    text = family_text(ntfy.url, grandpa='hears = ["help"]\n')  # requests reach Mẹ only
    with running_agent(tmp_path, text) as agent:
        assert agent.store is not None
        for index in range(10):
            agent.store.outbox.enqueue(ALERTS_CHANNEL, {
                "kind": "access_request", "severity": "alert", "title": f"An xin mở {index}"})
        wait_for(lambda: len(ntfy.on(MUM)) == 10, timeout=20)
    with running_agent(tmp_path, text) as agent:
        assert agent.store is not None
        saved = agent.store.kv.get(rate_key("ntfy:Mẹ"))
        assert len(saved["sent"]) == 10
        agent.store.outbox.enqueue(ALERTS_CHANNEL, {
            "kind": "access_request", "severity": "alert", "title": "An xin mở thêm"})
        time.sleep(2)
        assert len(ntfy.on(MUM)) == 10  # the eleventh of the hour waits for the digest
        assert "An xin mở thêm" in str(agent.store.kv.get(rate_key("ntfy:Mẹ"))["held"])


T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_a_digest_held_before_a_restart_goes_as_one_message_after_it(
    tmp_path: Path, ntfy: NtfyStandIn
) -> None:
    mum = Caregiver("Mẹ", ntfy_topic=MUM, ntfy_server=ntfy.url)
    family = FamilyPolicy(caregivers=(mum,))
    secrets = file_secret_store(tmp_path)
    clock = Clock()
    with Store(tmp_path / "baoan.sqlite3") as store:
        service = build_delivery(store, lambda: family, secrets, clock)
        service.per_hour = 2
        for site in ("a", "b", "c", "d"):
            store.outbox.enqueue(ALERTS_CHANNEL, {"kind": "access_request",
                                                  "title": f"An xin mở {site}"}, now=T0)
        service.run_once()
        assert len(ntfy.on(MUM)) == 2
    with Store(tmp_path / "baoan.sqlite3") as store:  # the agent restarted
        service = build_delivery(store, lambda: family, secrets, clock)
        service.per_hour = 2
        clock.now = T0 + timedelta(minutes=30)
        store.outbox.enqueue(ALERTS_CHANNEL, {"kind": "access_request",
                                              "title": "An xin mở e"}, now=clock.now)
        service.run_once()
        assert len(ntfy.on(MUM)) == 2  # still two this hour
        clock.now = T0 + timedelta(hours=1, seconds=1)
        service.run_once()
        [digest] = ntfy.on(MUM)[2:]
        assert digest["title"] == "3 cảnh báo trong giờ qua"
        for site in ("c", "d", "e"):
            assert f"An xin mở {site}" in digest["message"]
        assert store.outbox.pending_count() == 0
