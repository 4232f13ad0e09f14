"""Alerts about what a child met or reached: adult-content attempts and screen time at zero.

Both go the way every alert goes (an event in the store, then one outbox item on the
`alerts` channel when someone could receive it; `sync.delivery` fans it out by each
caregiver's `hears`). Both are throttled here, before the outbox, so that one page that
asks for thirty blocked names is one alert and a child out of time is told about once a
day, not at every heartbeat.

An alert carries what a caregiver needs to act and no browsing history: for adult content
the child, how many names were blocked and the first of them (the site the child tried),
never the list of names.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.access import ALERTS_CHANNEL
from agent.alert_receivers import alert_receivers
from agent.policy.model import FamilyPolicy
from agent.store import Store
from agent.store.models import (
    ROW_CATEGORY,
    ROW_CHILD,
    ROW_DECISION,
    ROW_NAME,
    ROW_WIDTH,
    CountKey,
    Event,
    QueryLogValue,
)

log = logging.getLogger(__name__)

EVENT_ADULT_ATTEMPT = "adult-attempt"
EVENT_LIMIT_REACHED = "limit-reached"
ADULT_CATEGORY = "adult"
BLOCKED_DECISIONS = frozenset({"blocked"})
# One alert per child at most this often; what is blocked meanwhile goes in the next one.
ADULT_ALERT_EVERY = timedelta(minutes=10)
# A page asks for its names within seconds: an alert waits this long after the first
# blocked name, so that the whole page is one alert.
ADULT_BURST = timedelta(seconds=15)
ADULT_FLUSH_SECONDS = 5  # how often the scheduler job looks for attempts to tell
LIMIT_ALERTED_KEY = "alerts.limit_reached.{child}"  # the family day last told, per child


def raise_alert(
    store: Store,
    family: FamilyPolicy,
    *,
    kind: str,
    severity: str,
    event_message: str,
    payload: Mapping[str, Any],
    child: str | None,
    at: datetime,
    data: Mapping[str, Any] | None = None,
) -> Event:
    """The event, and the outbox item when any caregiver could receive it (the path every
    alert of the agent takes)."""
    event = store.events.add(
        kind, event_message, child=child, severity=severity, data=dict(data or {}), at=at
    )
    if alert_receivers(family):
        body = {
            "kind": kind,
            "severity": severity,
            "child": child,
            **payload,
            "event_id": event.id,
            "time": event.time.isoformat(),
        }
        store.outbox.enqueue(ALERTS_CHANNEL, body, event_id=event.id, now=event.time)
    return event


@dataclass
class _Attempts:
    count: int
    first_name: str
    first_at: datetime


class AdultAttempts:
    """Counts a child's lookups blocked for adult content (`note`, called with each batch
    of query-log entries) and, in a scheduler job (`flush`), raises at most one alert per
    child every `every`, `burst` after the first name blocked, with the count of names
    blocked since the last one."""

    def __init__(
        self,
        store: Store,
        family: Callable[[], FamilyPolicy],
        now: Callable[[], datetime],
        *,
        every: timedelta = ADULT_ALERT_EVERY,
        burst: timedelta = ADULT_BURST,
    ) -> None:
        self._store = store
        self._family = family
        self._now = now
        self.every = every
        self.burst = burst
        self._lock = threading.Lock()
        self._pending: dict[str, _Attempts] = {}
        self._last_alert: dict[str, datetime] = {}

    def note(self, values: Sequence[QueryLogValue], counts: Mapping[CountKey, int]) -> None:
        """A batch of the query log's rows (`ROW_WIDTH` values a row; a
        `QueryLogWriter` watcher, on its thread).
        `counts` (a few keys) gives how many adult blocks each child had; the rows are
        read only for the first name of a child with no attempts pending, so a page of
        blocked names costs a few steps."""
        blocked: dict[str, int] = {}
        for (_minute, child, decision, category), count in counts.items():
            if child and decision in BLOCKED_DECISIONS and category == ADULT_CATEGORY:
                blocked[child] = blocked.get(child, 0) + count
        if not blocked:
            return
        now: datetime | None = None
        with self._lock:
            for child, count in blocked.items():
                attempts = self._pending.get(child)
                if attempts is not None:
                    attempts.count += count
                    continue
                first = next(
                    (
                        str(values[row + ROW_NAME])
                        for row in range(0, len(values), ROW_WIDTH)
                        if values[row + ROW_CHILD] == child
                        and values[row + ROW_CATEGORY] == ADULT_CATEGORY
                        and values[row + ROW_DECISION] in BLOCKED_DECISIONS
                    ),
                    "",
                )
                now = now or self._now()
                self._pending[child] = _Attempts(count, first, now)

    def flush(self) -> list[Event]:
        """Raise the alerts that are due; returns their events."""
        now = self._now()
        due: list[tuple[str, _Attempts]] = []
        with self._lock:
            for child, attempts in list(self._pending.items()):
                last = self._last_alert.get(child)
                if now - attempts.first_at < self.burst or (
                    last is not None and now - last < self.every
                ):
                    continue
                due.append((child, attempts))
                del self._pending[child]
                self._last_alert[child] = now
        raised = []
        for child, attempts in due:
            try:
                raised.append(self._raise(child, attempts, now))
            except Exception:
                log.exception("the adult-content alert for %s could not be raised", child)
        return raised

    def _raise(self, child: str, attempts: _Attempts, now: datetime) -> Event:
        count, site = attempts.count, attempts.first_name
        more_vi = f" (và {count - 1} tên miền khác cùng lúc)" if count > 1 else ""
        more_en = f" ({count - 1} more names with it)" if count > 1 else ""
        return raise_alert(
            self._store,
            self._family(),
            kind=EVENT_ADULT_ATTEMPT,
            severity="alert",
            event_message=f"{child} tried to open adult content: {count} name(s) blocked",
            payload={
                "title": f"{child} vừa định mở trang người lớn",
                "title_en": f"{child} tried to open adult content",
                "message": f"Bảo An đã chặn {site}{more_vi}. Hãy nói chuyện nhẹ nhàng với con.",
                "message_en": f"Bảo An blocked {site}{more_en}. Talk it over gently.",
                "site": site,
                "blocked_count": count,
            },
            child=child,
            at=now,
            data={"site": site, "blocked_count": count},
        )


class LimitReachedAlerts:
    """`UsageService`'s `on_limit_reached`: the first time in a family day that a child's
    screen time is at zero, an event and an alert; the day told is kept in the store, so a
    restart does not tell it again."""

    def __init__(
        self, store: Store, family: Callable[[], FamilyPolicy], now: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._family = family
        self._now = now
        self._lock = threading.Lock()
        self._told: dict[str, str] = {}

    def __call__(self, child: str, limit_minutes: int | None) -> Event | None:
        family = self._family()
        try:
            zone = ZoneInfo(family.settings.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        now = self._now()
        day = now.astimezone(zone).date().isoformat()
        key = LIMIT_ALERTED_KEY.format(child=child.casefold())
        with self._lock:
            if self._told.get(child) == day:
                return None
            if self._store.kv.get(key) == day:
                self._told[child] = day
                return None
            self._store.kv.set(key, day, now=now)
            self._told[child] = day
        minutes = f" ({limit_minutes} phút)" if limit_minutes is not None else ""
        minutes_en = f" ({limit_minutes} minutes)" if limit_minutes is not None else ""
        return raise_alert(
            self._store,
            family,
            kind=EVENT_LIMIT_REACHED,
            severity="info",
            event_message=f"{child} used all of today's screen time",
            payload={
                "title": f"{child} đã dùng hết giờ máy tính hôm nay",
                "title_en": f"{child} has used all of today's screen time",
                "message": f"Thời gian hôm nay{minutes} đã hết.",
                "message_en": f"Today's time{minutes_en} is up.",
                "limit_minutes": limit_minutes,
            },
            child=child,
            at=now,
            data={"limit_minutes": limit_minutes, "day": day},
        )
