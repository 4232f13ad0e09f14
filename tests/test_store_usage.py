"""Usage: heartbeats merged into intervals, minutes per child and per app by local day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from helpers_store import HCM, T0

from agent.store import (
    Store,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def test_heartbeats_merge_into_intervals_and_app_switches_lose_no_time(store: Store) -> None:
    for seconds in range(0, 60, 5):
        store.usage.record_heartbeat(
            "An", "roblox", "C:/Roblox/RobloxPlayer.exe", at=T0 + timedelta(seconds=seconds)
        )
    # Switch app within the pulse time: Roblox closes at 60 s, Minecraft opens at 60 s.
    for seconds in range(60, 120, 5):
        store.usage.record_heartbeat(
            "An", "minecraft", "java.exe", at=T0 + timedelta(seconds=seconds)
        )
    # A long gap (idle) starts afresh.
    store.usage.record_heartbeat("An", "minecraft", "java.exe", at=T0 + timedelta(seconds=400))
    store.usage.record_heartbeat("An", "minecraft", "java.exe", at=T0 + timedelta(seconds=410))
    intervals = store.usage.intervals("An")
    assert [(i.app_id, i.seconds) for i in intervals] == [
        ("roblox", 60.0),
        ("minecraft", 55.0),
        ("minecraft", 10.0),
    ]
    assert intervals[0].exe == "C:/Roblox/RobloxPlayer.exe"
    assert intervals[1].start == T0 + timedelta(seconds=60)
    assert store.usage.minutes_by_app("An", date(2025, 9, 5), HCM) == {
        "minecraft": pytest.approx(65 / 60),
        "roblox": pytest.approx(1.0),
    }
    with pytest.raises(ValueError, match="child and an app"):
        store.usage.record_heartbeat("", "roblox")


def test_usage_minutes_follow_local_midnight_in_the_family_time_zone(store: Store) -> None:
    # 23:50 to 00:20 in Ho Chi Minh City (16:50 to 17:20 UTC): 10 minutes on the 5th,
    # 20 on the 6th. In UTC the same span lies wholly on the 5th.
    start = datetime(2025, 9, 5, 23, 50, tzinfo=HCM)
    for seconds in range(0, 30 * 60 + 1, 10):
        store.usage.record_heartbeat("An", "youtube", at=start + timedelta(seconds=seconds))
    for seconds in range(0, 5 * 60 + 1, 10):
        store.usage.record_heartbeat("Bình", "zalo", at=start + timedelta(seconds=seconds))
    assert store.usage.minutes_by_child(date(2025, 9, 5), "Asia/Ho_Chi_Minh") == {
        "An": pytest.approx(10.0),
        "Bình": pytest.approx(5.0),
    }
    assert store.usage.minutes_by_child(date(2025, 9, 6), HCM) == {"An": pytest.approx(20.0)}
    assert store.usage.minutes_by_child(date(2025, 9, 5), UTC) == {
        "An": pytest.approx(30.0),
        "Bình": pytest.approx(5.0),
    }
    assert store.usage.minutes_by_child(date(2025, 9, 7), HCM) == {}
