"""Fair counting of heartbeats: pure functions with an injected clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from agent.usage.counting import (
    ChildCounter,
    count_heartbeat,
    family_day,
    new_counter,
    split_at_midnight,
)
from agent.usage.model import AppIdentity, AppUse, DayTally, Heartbeat, UsageEventKind
from agent.usage.trusted_clock import TrustedClock
from dns_filter.clock import ManualClock

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
BERLIN = ZoneInfo("Europe/Berlin")
GAME = AppUse("robloxplayerbeta.exe", "roblox", "games")
IDLE = 180.0


def beat(
    mono: float,
    wall: datetime,
    *,
    idle: float = 0.0,
    locked: bool = False,
    full_screen: bool = False,
    media: bool = False,
    instance: str = "tray-1",
    offset: int | None = 420,
) -> Heartbeat:
    return Heartbeat(
        child="Minh",
        tray_instance=instance,
        monotonic=mono,
        wall=wall,
        app=AppIdentity(exe_path="C:/Games/RobloxPlayerBeta.exe", title="Roblox"),
        idle_seconds=idle,
        locked=locked,
        full_screen=full_screen,
        media_playing=media,
        utc_offset_minutes=offset,
    )


def run(
    counter: ChildCounter,
    start: datetime,
    seconds: int,
    step: int = 5,
    zone: ZoneInfo = HCM,
    mono0: float = 1000.0,
    **kwargs: Any,
) -> tuple[ChildCounter, list[object]]:
    events: list[object] = []
    for t in range(0, seconds + 1, step):
        at = start + timedelta(seconds=t)
        result = count_heartbeat(
            counter,
            beat(mono0 + t, at, **kwargs),
            GAME,
            at,
            zone,
            IDLE,
        )
        counter = result.counter
        events.extend(result.events)
    return counter, events


START = datetime(2026, 3, 2, 10, 0, tzinfo=HCM)


def test_active_time_counts_from_the_monotonic_clock() -> None:
    counter, events = run(new_counter("Minh", START, HCM), START, 600)
    assert counter.tally.counted_seconds == pytest.approx(600)
    assert counter.tally.service_seconds["roblox"] == pytest.approx(600)
    assert counter.tally.category_seconds["games"] == pytest.approx(600)
    assert counter.tally.app_seconds["robloxplayerbeta.exe"] == pytest.approx(600)
    assert events == []


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"idle": 200.0}, 0.0),
        ({"idle": 200.0, "full_screen": True}, 300.0),
        ({"idle": 200.0, "media": True}, 300.0),
        ({"locked": True, "media": True}, 0.0),
        ({"idle": 179.0}, 300.0),
    ],
)
def test_idle_locked_full_screen_and_media(kwargs: dict[str, Any], expected: float) -> None:
    counter, _ = run(new_counter("Minh", START, HCM), START, 300, **kwargs)
    assert counter.tally.counted_seconds == pytest.approx(expected)


def test_a_gap_of_45_seconds_is_sleep_and_counts_nothing() -> None:
    counter, _ = run(new_counter("Minh", START, HCM), START, 60)
    # the tray's clock counts suspended time (CLOCK_BOOTTIME on Linux)
    after = START + timedelta(seconds=60 + 7200)
    result = count_heartbeat(counter, beat(1000 + 60 + 7200, after), GAME, after, HCM, IDLE)
    assert result.counter.tally.counted_seconds == pytest.approx(60)
    assert [e.kind for e in result.events] == [UsageEventKind.SLEEP]
    after = START + timedelta(seconds=60 + 45)
    result = count_heartbeat(counter, beat(1000 + 60 + 45, after), GAME, after, HCM, IDLE)
    assert result.counter.tally.counted_seconds == pytest.approx(60)
    # 44 s is not sleep
    after = START + timedelta(seconds=60 + 44)
    result = count_heartbeat(counter, beat(1000 + 60 + 44, after), GAME, after, HCM, IDLE)
    assert result.counter.tally.counted_seconds == pytest.approx(104)


def test_replayed_heartbeats_count_once() -> None:
    counter, _ = run(new_counter("Minh", START, HCM), START, 60)
    again, _ = run(counter, START, 60)
    assert again == counter


def test_a_new_tray_instance_starts_without_counting_the_gap() -> None:
    counter, _ = run(new_counter("Minh", START, HCM), START, 60)
    later = START + timedelta(seconds=70)
    counter, _ = run(counter, later, 60, instance="tray-2", mono0=5.0)
    assert counter.tally.counted_seconds == pytest.approx(120)


@pytest.mark.parametrize("zone", [HCM, BERLIN])
def test_midnight_splits_the_count_between_days(zone: ZoneInfo) -> None:
    before = datetime(2026, 3, 2, 23, 58, tzinfo=zone)
    counter = new_counter("Minh", before, zone)
    closed: list[DayTally] = []
    for t in range(0, 241, 5):
        at = before + timedelta(seconds=t)
        result = count_heartbeat(counter, beat(1000 + t, at), GAME, at, zone, IDLE)
        counter = result.counter
        closed.extend(result.closed_days)
    assert counter.tally.day == date(2026, 3, 3)
    assert counter.tally.counted_seconds == pytest.approx(120)
    assert len(closed) == 1 and closed[0].day == date(2026, 3, 2)
    assert closed[0].counted_seconds == pytest.approx(120)


def test_midnight_in_berlin_across_the_dst_change() -> None:
    # 2026-03-29: clocks go from 02:00 to 03:00 in Berlin; the day still ends at midnight.
    start = datetime(2026, 3, 28, 23, 0, tzinfo=BERLIN)
    end = datetime(2026, 3, 29, 4, 0, tzinfo=BERLIN)
    pieces = split_at_midnight(start.astimezone(UTC), end.astimezone(UTC), BERLIN)
    assert [(b - a).total_seconds() for a, b in pieces] == [3600, 3 * 3600]
    assert family_day(pieces[1][0], BERLIN) == date(2026, 3, 29)
    # and in October the day has 25 hours: a span of it is counted whole
    autumn = datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN).astimezone(UTC)
    pieces = split_at_midnight(autumn, autumn + timedelta(hours=25), BERLIN)
    assert [(b - a).total_seconds() for a, b in pieces] == [25 * 3600]


@pytest.mark.parametrize("jump_days", [1, -1])
def test_moving_the_pcs_clock_a_day_neither_grants_a_day_nor_loses_time(jump_days: int) -> None:
    counter, _ = run(new_counter("Minh", START, HCM), START, 300)
    moved = START + timedelta(days=jump_days)
    trusted = START + timedelta(seconds=305)
    # the tray's wall clock jumps a day, its monotonic clock goes on; the agent's
    # trusted time also goes on
    result = count_heartbeat(counter, beat(1305, moved), GAME, trusted, HCM, IDLE)
    assert result.counter.tally.day == START.date()
    assert result.counter.tally.counted_seconds == pytest.approx(305)
    kinds = [event.kind for event in result.events]
    assert kinds == [UsageEventKind.CLOCK_CHANGED]
    assert result.events[0].detail == ("forward" if jump_days > 0 else "back")


def test_a_time_zone_change_raises_an_event_and_changes_nothing() -> None:
    counter, _ = run(new_counter("Minh", START, HCM), START, 30)
    at = START + timedelta(seconds=35)
    result = count_heartbeat(counter, beat(1035, at, offset=-300), GAME, at, HCM, IDLE)
    assert [e.kind for e in result.events] == [UsageEventKind.TIMEZONE_CHANGED]
    assert result.counter.tally.counted_seconds == pytest.approx(35)
    assert result.counter.tally.day == START.date()


def test_a_counter_survives_a_round_trip_through_json() -> None:
    counter, _ = run(new_counter("Minh", START, HCM), START, 60)
    assert ChildCounter.from_json(counter.to_json()) == counter


class TestTrustedClock:
    def test_the_pcs_clock_moved_is_reported_once_and_ignored(self) -> None:
        clock = ManualClock(datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
        trusted = TrustedClock(clock)
        clock.advance(10)
        assert trusted.check() is None
        clock.set(clock.now() + timedelta(days=1))
        jump = trusted.check()
        assert jump is not None and jump.seconds == pytest.approx(86400)
        assert trusted.check() is None
        assert trusted.now() == datetime(2026, 3, 2, 3, 0, 10, tzinfo=UTC)
        clock.set(clock.now() - timedelta(days=2))
        jump = trusted.check()
        assert jump is not None and jump.seconds == pytest.approx(-2 * 86400)

    def test_a_clock_set_back_while_stopped_never_goes_behind_the_saved_time(self) -> None:
        saved = datetime(2026, 3, 2, 16, 59, tzinfo=UTC)
        clock = ManualClock(saved - timedelta(days=1))
        trusted = TrustedClock(clock, floor=saved)
        assert trusted.started_behind_floor
        assert trusted.now() == saved
        assert trusted.check() is None
