"""Counting heartbeats, as pure functions: one counter and one heartbeat in, the next
counter, the spans that counted and what was noticed out.

The rules (docs/architecture.md, "Screen time"):

- Elapsed time is the difference of the tray's *monotonic* readings of two heartbeats of
  the same tray, credited to the earlier heartbeat's app if that one was active (as
  ActivityWatch credits a heartbeat's app until the next one, within its pulse time).
- A gap of :data:`~agent.usage.model.SLEEP_GAP_SECONDS` or more is sleep: nothing counts.
- A heartbeat no newer than the last one (a replay from the tray's queue, or after the
  agent restarted from saved state) counts nothing and changes nothing, so nothing counts
  twice.
- The family day is taken from the agent's trusted time (:mod:`agent.usage.trusted_clock`)
  in the family's time zone, never from the PC's clock or zone; a span across midnight is
  split. Moving the PC's clock or zone only raises an event.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as wall_time

from agent.usage.model import (
    CLOCK_CHANGE_SECONDS,
    SLEEP_GAP_SECONDS,
    AppUse,
    ChildCounter,
    CountedSpan,
    DayTally,
    Heartbeat,
    LastBeat,
    UsageEvent,
    UsageEventKind,
)


@dataclass(frozen=True)
class CountResult:
    counter: ChildCounter
    spans: tuple[CountedSpan, ...] = ()
    events: tuple[UsageEvent, ...] = ()
    closed_days: tuple[DayTally, ...] = ()  # tallies of days that ended on the way


def family_day(moment: datetime, zone: tzinfo) -> date:
    """The family's calendar day at `moment`."""
    return moment.astimezone(zone).date()


def next_midnight(moment: datetime, zone: tzinfo) -> datetime:
    """The first midnight in `zone` after `moment` (aware; DST-safe: midnight always exists
    in the zones we know, and zoneinfo resolves it)."""
    day = family_day(moment, zone)
    return datetime.combine(day + timedelta(days=1), wall_time(0), tzinfo=zone).astimezone(UTC)


def split_at_midnight(
    start: datetime, end: datetime, zone: tzinfo
) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at each midnight in `zone` between them, in UTC (arithmetic on
    datetimes of one zone is wall-clock arithmetic, wrong across a DST change)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    pieces: list[tuple[datetime, datetime]] = []
    while start < end:
        midnight = next_midnight(start, zone)
        cut = min(end, midnight)
        pieces.append((start, cut))
        start = cut
    return pieces


def new_counter(child: str, at: datetime, zone: tzinfo) -> ChildCounter:
    return ChildCounter(child=child, tally=DayTally(day=family_day(at, zone)))


def roll_over(counter: ChildCounter, at: datetime, zone: tzinfo) -> CountResult:
    """A fresh tally when `at` falls on a later family day than the counter's."""
    today = family_day(at, zone)
    if today <= counter.tally.day:
        return CountResult(counter)
    return CountResult(replace(counter, tally=DayTally(day=today)), closed_days=(counter.tally,))


def count_span(
    counter: ChildCounter,
    app: AppUse,
    start: datetime,
    end: datetime,
    zone: tzinfo,
    *,
    in_front: bool = True,
) -> CountResult:
    """Credit [start, end) of trusted time to `app`, split at midnight; a piece of a later
    day starts that day's tally, a piece of an earlier day (a late replay after a
    roll-over) is kept in the history by its span, not in today's tally. An app running
    behind (`in_front` False) counts for its service and category only."""
    spans: list[CountedSpan] = []
    closed: list[DayTally] = []
    tally = counter.tally
    for piece_start, piece_end in split_at_midnight(start, end, zone):
        span = CountedSpan(counter.child, app, piece_start, piece_end)
        spans.append(span)
        day = family_day(piece_start, zone)
        if day > tally.day:
            closed.append(tally)
            tally = DayTally(day=day)
        if day == tally.day:
            tally = tally.add(app, span.seconds, in_front=in_front)
    return CountResult(replace(counter, tally=tally), tuple(spans), (), tuple(closed))


def count_heartbeat(
    counter: ChildCounter,
    beat: Heartbeat,
    app: AppUse,
    at: datetime,
    zone: tzinfo,
    idle_threshold_seconds: float,
) -> CountResult:
    """Count `beat` (whose app is `app`, received at trusted time `at`) into `counter`."""
    last = counter.last
    at = at.astimezone(UTC)
    events: list[UsageEvent] = []
    wall_minus_monotonic = beat.wall.timestamp() - beat.monotonic
    if last is not None and last.tray_instance == beat.tray_instance:
        if beat.monotonic <= last.monotonic:
            return CountResult(counter)  # a replay: it has been counted already
        elapsed = beat.monotonic - last.monotonic
        events.extend(_clock_events(counter.child, last, beat, wall_minus_monotonic))
        if elapsed >= SLEEP_GAP_SECONDS:
            events.append(UsageEvent(UsageEventKind.SLEEP, counter.child, elapsed))
            elapsed = 0.0
        elif not last.active:
            elapsed = 0.0
    else:
        elapsed = 0.0  # the first heartbeat of a tray: nothing to measure from yet
    counted = CountResult(counter)
    if elapsed > 0.0 and last is not None:
        counted = count_span(counter, last.app, at - timedelta(seconds=elapsed), at, zone)
    rolled = roll_over(counted.counter, at, zone)
    tally = rolled.counter.tally
    spans = list(counted.spans)
    closed = [*counted.closed_days, *rolled.closed_days]
    next_last = LastBeat(
        tray_instance=beat.tray_instance,
        monotonic=beat.monotonic,
        wall_minus_monotonic=wall_minus_monotonic,
        utc_offset_minutes=beat.utc_offset_minutes,
        app=app,
        active=beat.is_active(idle_threshold_seconds),
    )
    return CountResult(
        counter=replace(counter, tally=tally, last=next_last),
        spans=tuple(spans),
        events=tuple(events),
        closed_days=tuple(closed),
    )


def _clock_events(
    child: str, last: LastBeat, beat: Heartbeat, wall_minus_monotonic: float
) -> list[UsageEvent]:
    found: list[UsageEvent] = []
    jump = wall_minus_monotonic - last.wall_minus_monotonic
    if abs(jump) > CLOCK_CHANGE_SECONDS:
        found.append(
            UsageEvent(
                UsageEventKind.CLOCK_CHANGED,
                child,
                jump,
                "forward" if jump > 0 else "back",
            )
        )
    if (
        beat.utc_offset_minutes is not None
        and last.utc_offset_minutes is not None
        and beat.utc_offset_minutes != last.utc_offset_minutes
    ):
        found.append(
            UsageEvent(
                UsageEventKind.TIMEZONE_CHANGED,
                child,
                (beat.utc_offset_minutes - last.utc_offset_minutes) * 60.0,
                f"UTC offset {last.utc_offset_minutes:+d} -> {beat.utc_offset_minutes:+d} min",
            )
        )
    return found
