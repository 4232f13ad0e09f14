"""Who hears what: each caregiver's `hears` and quiet hours (Help never waits), read from
family.toml and applied when an alert fans out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from helpers_ntfy import NtfyStandIn, ntfy_standin

from agent.alert_delivery import build_delivery
from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import parse_policy
from agent.policy.model import Caregiver, FamilyPolicy, Settings
from agent.secrets import file_secret_store
from agent.store import Store
from sync.delivery import ALERTS_CHANNEL

# 23:30 in Hà Nội (UTC+7): inside quiet hours 22:00–06:30.
NIGHT = datetime(2026, 6, 1, 16, 30, tzinfo=UTC)
MORNING = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # 06:30 the next day, local


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def ntfy() -> Iterator[NtfyStandIn]:
    with ntfy_standin() as standin:
        yield standin


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def test_hears_and_quiet_hours_are_read_from_the_caregiver_table() -> None:
    text = (
        'schema_version = 1\n[[children]]\nname = "An"\nage = 9\n'
        '[[caregivers]]\nname = "Ông"\nntfy_topic = "baoan-ong-8f8f8f8f8f"\n'
        'hears = ["help", "requests"]\nquiet_hours = { start = "22:00", end = "06:30" }\n'
    )
    [grandpa] = parse_policy(text).caregivers
    assert grandpa.hears == ("help", "requests")
    assert (grandpa.quiet_start, grandpa.quiet_end) == (time(22, 0), time(6, 30))
    with pytest.raises(InvalidPolicyError, match="hears"):
        parse_policy(text.replace('"requests"]', '"request"]'))


def test_help_reaches_at_once_at_night_and_a_request_waits_for_the_morning(
    tmp_path: Path, store: Store, ntfy: NtfyStandIn
) -> None:
    grandpa = Caregiver("Ông", ntfy_topic="baoan-ong-8f8f8f8f8f", ntfy_server=ntfy.url,
                        hears=("help", "requests"), quiet_start=time(22), quiet_end=time(6, 30))
    family = FamilyPolicy(settings=Settings(timezone="Asia/Ho_Chi_Minh"), caregivers=(grandpa,))
    clock = Clock(NIGHT)
    service = build_delivery(store, lambda: family, file_secret_store(tmp_path), clock)
    store.outbox.enqueue(ALERTS_CHANNEL, {"kind": "help", "severity": "urgent",
                                          "title": "An vừa bấm nút Trợ giúp / 111"}, now=NIGHT)
    store.outbox.enqueue(ALERTS_CHANNEL, {"kind": "access_request", "severity": "alert",
                                          "title": "An xin mở youtube.com"}, now=NIGHT)
    store.outbox.enqueue(ALERTS_CHANNEL, {"kind": "policy-loosened", "severity": "alert",
                                          "title": "Chính sách gia đình vừa được nới lỏng"},
                         now=NIGHT)
    service.run_once()
    assert [m["title"] for m in ntfy.on(grandpa.ntfy_topic or "")] == [
        "An vừa bấm nút Trợ giúp / 111"
    ]
    assert store.outbox.pending_count() == 1  # the request, waiting; no tamper copy at all
    clock.now = MORNING - timedelta(minutes=1)
    service.run_once()
    assert len(ntfy.on(grandpa.ntfy_topic or "")) == 1
    clock.now = MORNING
    service.run_once()
    assert [m["title"] for m in ntfy.on(grandpa.ntfy_topic or "")][1:] == ["An xin mở youtube.com"]


def test_past_the_hourly_limit_alerts_wait_and_go_as_one_digest_but_help_never_waits(
    tmp_path: Path, store: Store, ntfy: NtfyStandIn
) -> None:
    mum = Caregiver("Mẹ", ntfy_topic="baoan-me-3a3a3a3a3a", ntfy_server=ntfy.url)
    clock = Clock(NIGHT)
    service = build_delivery(store, lambda: FamilyPolicy(caregivers=(mum,)),
                             file_secret_store(tmp_path), clock)
    service.per_hour = 2
    for site in ("a.example", "b.example", "c.example", "d.example", "e.example"):
        store.outbox.enqueue(ALERTS_CHANNEL, {"kind": "access_request", "severity": "alert",
                                              "title": f"An xin mở {site}"}, now=NIGHT)
    service.run_once()
    topic = mum.ntfy_topic or ""
    assert [m["title"] for m in ntfy.on(topic)] == ["An xin mở a.example", "An xin mở b.example"]
    store.outbox.enqueue(ALERTS_CHANNEL, {"kind": "help", "severity": "urgent",
                                          "title": "An vừa bấm nút Trợ giúp / 111"}, now=NIGHT)
    service.run_once()
    assert ntfy.on(topic)[-1]["title"] == "An vừa bấm nút Trợ giúp / 111"
    clock.now = NIGHT + timedelta(minutes=59)
    service.run_once()
    assert len(ntfy.on(topic)) == 3
    clock.now = NIGHT + timedelta(hours=1, seconds=1)
    service.run_once()
    digest = ntfy.on(topic)[3:]
    assert [m["title"] for m in digest] == ["3 cảnh báo trong giờ qua"]
    for site in ("c.example", "d.example", "e.example"):
        assert site in digest[0]["message"]
    assert store.outbox.pending_count() == 0
