"""The limit decision, as a pure function of the limits, today's tally and the time.

Every decision carries a typed reason (:class:`LimitReason`): the kind of limit that is
nearest and its fields; words for people are made from them, never parsed back.

Decree 147/2024/NĐ-CP caps games for players under 18 at 60 minutes per game and 180
minutes a day in all; a parent may set stricter limits but never looser ones for a child.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as wall_time
from enum import StrEnum

from agent.policy.model import ScreenTimeLimits
from agent.policy.presets import DECREE_147_GAME_MINUTES_PER_DAY, DECREE_147_MINUTES_PER_GAME
from agent.usage.model import AppUse, DayTally
from dns_filter.policy import TimeWindow

GAMES_CATEGORY = "games"
DECREE_147_AGE = 18


class LimitKind(StrEnum):
    NONE = "none"  # nothing limits this now
    ALWAYS_ALLOWED = "always_allowed"  # a school app, the tray, Help / 111
    DAILY = "daily"  # the day's minutes (with any extra minutes)
    ALLOWED_HOURS = "allowed_hours"  # outside the allowed hours (bedtime) or until they end
    SERVICE = "service"  # the service's own minutes
    CATEGORY = "category"  # the category's minutes
    GAME = "game"  # minutes per game a day


@dataclass(frozen=True)
class LimitReason:
    kind: LimitKind
    limit_minutes: int | None = None
    service: str | None = None
    category: str | None = None
    decree_147: bool = False  # the cap is the Decree's, not only the parent's
    window_ends: datetime | None = None  # for ALLOWED_HOURS while inside a window

    def to_json(self) -> dict[str, object]:
        return {
            "kind": str(self.kind),
            "limit_minutes": self.limit_minutes,
            "service": self.service,
            "category": self.category,
            "decree_147": self.decree_147,
            "window_ends": None if self.window_ends is None else self.window_ends.isoformat(),
        }


@dataclass(frozen=True)
class LimitDecision:
    """May the child go on now, and for how long. `seconds_left` is None when nothing
    limits (always-allowed apps, or no limit at all)."""

    allowed: bool
    seconds_left: float | None
    reason: LimitReason


@dataclass(frozen=True)
class _Candidate:
    seconds_left: float
    reason: LimitReason


def effective_game_caps(limits: ScreenTimeLimits, age: int) -> tuple[int | None, int | None]:
    """(minutes per game, minutes of games a day) with the Decree's caps for under-18s."""
    per_game = limits.per_game_minutes
    per_day = limits.category_minutes.get(GAMES_CATEGORY)
    if age < DECREE_147_AGE:
        per_game = (
            min(per_game, DECREE_147_MINUTES_PER_GAME)
            if per_game is not None
            else (DECREE_147_MINUTES_PER_GAME)
        )
        per_day = (
            min(per_day, DECREE_147_GAME_MINUTES_PER_DAY)
            if per_day is not None
            else (DECREE_147_GAME_MINUTES_PER_DAY)
        )
    return per_game, per_day


def _window_span(window: TimeWindow, day_start: datetime) -> tuple[datetime, datetime]:
    start = datetime.combine(day_start.date(), window.start, tzinfo=day_start.tzinfo)
    end_day = day_start.date() + (timedelta(days=1) if window.end <= window.start else timedelta())
    end = datetime.combine(end_day, window.end, tzinfo=day_start.tzinfo)
    return start, end


def allowed_window_end(windows: tuple[TimeWindow, ...], now_local: datetime) -> datetime | None:
    """The end of the allowed-hours window `now_local` is in, or None outside them all. A
    window crossing midnight belongs to the weekday it starts on."""
    ends: list[datetime] = []
    for days_back in (0, 1):
        start_day = datetime.combine(
            now_local.date() - timedelta(days=days_back), wall_time(0), tzinfo=now_local.tzinfo
        )
        for window in windows:
            if start_day.weekday() not in window.days:
                continue
            start, end = _window_span(window, start_day)
            if start <= now_local < end:
                ends.append(end)
    return max(ends) if ends else None


def decide(
    limits: ScreenTimeLimits,
    age: int,
    tally: DayTally,
    now_local: datetime,
    app: AppUse | None = None,
    extra_minutes: int = 0,
) -> LimitDecision:
    """What the limits say at `now_local` (the family's zone) for `app` in front (None: the
    child's time in general). The nearest limit wins; at zero or below it is not allowed."""
    if app is not None and app.always_allowed:
        return LimitDecision(True, None, LimitReason(LimitKind.ALWAYS_ALLOWED))
    candidates: list[_Candidate] = []
    if limits.allowed_hours:
        window_end = allowed_window_end(limits.allowed_hours, now_local)
        if window_end is None:
            return LimitDecision(False, 0.0, LimitReason(LimitKind.ALLOWED_HOURS))
        candidates.append(
            _Candidate(
                (window_end - now_local).total_seconds(),
                LimitReason(LimitKind.ALLOWED_HOURS, window_ends=window_end),
            )
        )
    daily = limits.daily_minutes.get(now_local.weekday())
    if daily is not None:
        minutes = daily + max(0, extra_minutes)
        candidates.append(
            _Candidate(
                minutes * 60.0 - tally.counted_seconds,
                LimitReason(LimitKind.DAILY, limit_minutes=minutes),
            )
        )
    if app is not None:
        candidates.extend(_app_candidates(limits, age, tally, app))
    if not candidates:
        return LimitDecision(True, None, LimitReason(LimitKind.NONE))
    nearest = min(candidates, key=lambda candidate: candidate.seconds_left)
    left = max(0.0, nearest.seconds_left)
    return LimitDecision(left > 0.0, left, nearest.reason)


def _app_candidates(
    limits: ScreenTimeLimits, age: int, tally: DayTally, app: AppUse
) -> list[_Candidate]:
    found: list[_Candidate] = []
    service, category = app.service, app.category
    if service is not None and service in limits.service_minutes:
        minutes = limits.service_minutes[service]
        used = tally.service_seconds.get(service, 0.0)
        found.append(
            _Candidate(minutes * 60.0 - used, LimitReason(LimitKind.SERVICE, minutes, service))
        )
    if category == GAMES_CATEGORY:
        per_game, per_day = effective_game_caps(limits, age)
        decree = age < DECREE_147_AGE
        if per_game is not None and service is not None:
            used = tally.service_seconds.get(service, 0.0)
            found.append(
                _Candidate(
                    per_game * 60.0 - used,
                    LimitReason(
                        LimitKind.GAME,
                        per_game,
                        service,
                        category,
                        decree_147=decree and per_game == DECREE_147_MINUTES_PER_GAME,
                    ),
                )
            )
        if per_day is not None:
            used = tally.category_seconds.get(GAMES_CATEGORY, 0.0)
            found.append(
                _Candidate(
                    per_day * 60.0 - used,
                    LimitReason(
                        LimitKind.CATEGORY,
                        per_day,
                        category=category,
                        decree_147=decree and per_day == DECREE_147_GAME_MINUTES_PER_DAY,
                    ),
                )
            )
    elif category is not None and category in limits.category_minutes:
        minutes = limits.category_minutes[category]
        used = tally.category_seconds.get(category, 0.0)
        found.append(
            _Candidate(
                minutes * 60.0 - used, LimitReason(LimitKind.CATEGORY, minutes, category=category)
            )
        )
    return found


def spent_services(
    limits: ScreenTimeLimits,
    age: int,
    tally: DayTally,
    services_in: Callable[[str], tuple[str, ...]],
) -> frozenset[str]:
    """The services whose own minutes are spent today: a service's minutes, a game's
    (Decree 147/2024 for under-18s) and every service of a category whose minutes are
    spent. Their websites are blocked for the child until the next day."""
    return frozenset(spent_reasons(limits, age, tally, services_in))


def spent_reasons(
    limits: ScreenTimeLimits,
    age: int,
    tally: DayTally,
    services_in: Callable[[str], tuple[str, ...]],
) -> dict[str, str]:
    """:func:`spent_services` with why, for the child's words: ``service`` (its own
    minutes, or a game's cap), ``games`` (the games' minutes of the day), ``category``
    (the minutes of another category it belongs to). The service's own reason wins."""
    spent: dict[str, str] = {}
    caps = dict(limits.category_minutes)
    per_game, games_per_day = effective_game_caps(limits, age)
    if games_per_day is not None:
        caps[GAMES_CATEGORY] = games_per_day
    for category, minutes in caps.items():
        if tally.category_seconds.get(category, 0.0) >= minutes * 60.0:
            why = "games" if category == GAMES_CATEGORY else "category"
            spent.update(dict.fromkeys(services_in(category), why))
    for service, minutes in limits.service_minutes.items():
        if tally.service_seconds.get(service, 0.0) >= minutes * 60.0:
            spent[service] = "service"
    if per_game is not None:
        for service in services_in(GAMES_CATEGORY):
            if tally.service_seconds.get(service, 0.0) >= per_game * 60.0:
                spent[service] = "service"
    return spent
