"""The limit decision: pure, with typed reasons (Decree 147/2024 caps for under-18s)."""

from __future__ import annotations

from datetime import date, datetime, time
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from agent.policy.model import ScreenTimeLimits
from agent.usage.limits import LimitKind, allowed_window_end, decide, effective_game_caps
from agent.usage.model import AppUse, DayTally
from dns_filter.policy import TimeWindow

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
ALL_DAYS = frozenset(range(7))
GAME = AppUse("robloxplayerbeta.exe", "roblox", "games")
SCHOOL = AppUse("olm.exe", None, None, always_allowed=True)


def limits(**kwargs: object) -> ScreenTimeLimits:
    base: dict[str, object] = {
        "daily_minutes": MappingProxyType(dict.fromkeys(range(7), 120)),
        "allowed_hours": (),
    }
    base.update(kwargs)
    return ScreenTimeLimits(**base)  # type: ignore[arg-type]


def tally(counted: float = 0.0, **per: float) -> DayTally:
    return DayTally(
        day=date(2026, 3, 2),
        counted_seconds=counted,
        service_seconds=MappingProxyType({"roblox": per.get("roblox", 0.0)}),
        category_seconds=MappingProxyType({"games": per.get("games", 0.0)}),
    )


NOON = datetime(2026, 3, 2, 12, 0, tzinfo=HCM)  # a Monday


def test_the_daily_minutes_and_extra_minutes() -> None:
    decision = decide(limits(), 10, tally(100 * 60), NOON)
    assert decision.allowed and decision.seconds_left == pytest.approx(20 * 60)
    assert decision.reason.kind is LimitKind.DAILY and decision.reason.limit_minutes == 120
    over = decide(limits(), 10, tally(121 * 60), NOON)
    assert not over.allowed and over.seconds_left == 0
    extra = decide(limits(), 10, tally(121 * 60), NOON, extra_minutes=15)
    assert extra.allowed and extra.seconds_left == pytest.approx(14 * 60)


def test_decree_147_caps_a_game_at_60_minutes_for_under_18s() -> None:
    loose = limits(per_game_minutes=120, category_minutes=MappingProxyType({"games": 300}))
    assert effective_game_caps(loose, 15) == (60, 180)
    assert effective_game_caps(loose, 18) == (120, 300)
    decision = decide(loose, 15, tally(50 * 60, roblox=55 * 60, games=55 * 60), NOON, GAME)
    assert decision.seconds_left == pytest.approx(5 * 60)
    assert decision.reason.kind is LimitKind.GAME and decision.reason.decree_147
    assert decision.reason.service == "roblox"


def test_decree_147_caps_games_at_180_minutes_a_day() -> None:
    loose = limits(daily_minutes=MappingProxyType(dict.fromkeys(range(7), 600)))
    decision = decide(loose, 12, tally(179 * 60, roblox=10 * 60, games=180 * 60), NOON, GAME)
    assert not decision.allowed
    assert decision.reason.kind is LimitKind.CATEGORY and decision.reason.decree_147


def test_a_parent_may_be_stricter_than_the_decree() -> None:
    strict = limits(per_game_minutes=30)
    decision = decide(strict, 12, tally(10 * 60, roblox=25 * 60, games=25 * 60), NOON, GAME)
    assert decision.seconds_left == pytest.approx(5 * 60)
    assert decision.reason.kind is LimitKind.GAME and not decision.reason.decree_147


def test_service_minutes() -> None:
    video = AppUse("youtube", "youtube", "video")
    rule = limits(service_minutes=MappingProxyType({"youtube": 30}))
    t = DayTally(date(2026, 3, 2), 10 * 60, service_seconds=MappingProxyType({"youtube": 1500.0}))
    decision = decide(rule, 12, t, NOON, video)
    assert decision.reason.kind is LimitKind.SERVICE and decision.seconds_left == pytest.approx(300)


def test_always_allowed_apps_are_never_limited() -> None:
    decision = decide(limits(), 10, tally(500 * 60), NOON, SCHOOL)
    assert decision.allowed and decision.seconds_left is None
    assert decision.reason.kind is LimitKind.ALWAYS_ALLOWED


def test_allowed_hours_across_midnight() -> None:
    windows = (TimeWindow(frozenset({4}), time(18, 0), time(1, 0)),)  # Friday 18:00-01:00
    friday_night = datetime(2026, 3, 6, 23, 0, tzinfo=HCM)
    saturday_early = datetime(2026, 3, 7, 0, 30, tzinfo=HCM)
    saturday_late = datetime(2026, 3, 7, 1, 30, tzinfo=HCM)
    assert allowed_window_end(windows, friday_night) == datetime(2026, 3, 7, 1, 0, tzinfo=HCM)
    assert allowed_window_end(windows, saturday_early) is not None
    assert allowed_window_end(windows, saturday_late) is None
    rule = limits(allowed_hours=windows)
    near_end = decide(rule, 10, tally(0), saturday_early)
    assert near_end.reason.kind is LimitKind.ALLOWED_HOURS
    assert near_end.seconds_left == pytest.approx(30 * 60)
    bedtime = decide(rule, 10, tally(0), saturday_late)
    assert not bedtime.allowed and bedtime.reason.kind is LimitKind.ALLOWED_HOURS


def test_several_windows_a_day() -> None:
    windows = (
        TimeWindow(ALL_DAYS, time(7, 0), time(8, 0)),
        TimeWindow(ALL_DAYS, time(17, 0), time(20, 0)),
    )
    rule = limits(allowed_hours=windows)
    assert decide(rule, 10, tally(0), NOON).allowed is False
    evening = decide(rule, 10, tally(0), datetime(2026, 3, 2, 19, 0, tzinfo=HCM))
    assert evening.allowed and evening.seconds_left == pytest.approx(3600)


def test_no_limit_at_all() -> None:
    rule = ScreenTimeLimits(daily_minutes=MappingProxyType({}), allowed_hours=())
    decision = decide(rule, 10, tally(0), NOON)
    assert decision.allowed and decision.reason.kind is LimitKind.NONE


def test_spent_services_by_service_game_and_category() -> None:
    from agent.usage.limits import spent_services

    games = {"games": ("roblox", "minecraft")}
    rule = limits(service_minutes=MappingProxyType({"youtube": 30}))
    t = DayTally(
        date(2026, 3, 2),
        service_seconds=MappingProxyType({"youtube": 1800.0, "roblox": 3600.0}),
        category_seconds=MappingProxyType({"games": 3600.0}),
    )
    assert spent_services(rule, 12, t, lambda c: games.get(c, ())) == {"youtube", "roblox"}
    # an adult's games are not capped by the Decree
    assert spent_services(rule, 30, t, lambda c: games.get(c, ())) == {"youtube"}
    all_games = DayTally(
        date(2026, 3, 2), category_seconds=MappingProxyType({"games": 180 * 60.0})
    )
    assert spent_services(rule, 12, all_games, lambda c: games.get(c, ())) == {
        "roblox",
        "minecraft",
    }
