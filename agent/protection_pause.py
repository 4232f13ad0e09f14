"""A parent pauses protection for some minutes: the DNS filter stops blocking for that
time only, and protection comes back by itself.

The pause is running state (the store's ``kv``, so a restart keeps its end, never makes
it longer), not policy. Starting one is an event and an alert to the caregivers who hear
``paused`` (the same outbox path as every alert); its end, on time or by a parent, is an
event too. The DNS service asks :meth:`ProtectionPause.paused_until` at each compile,
compiles open profiles while paused, and compiles again at the pause's end (the one-off
job that ends grants, armed for the earlier of the two).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from agent.access import ALERTS_CHANNEL
from agent.api.types import ProtectionPauseInfo
from agent.policy.model import FamilyPolicy

log = logging.getLogger(__name__)

PAUSE_KEY = "protection.paused"
EVENT_PAUSED = "protection-paused"
EVENT_RESUMED = "protection-resumed"
MIN_PAUSE_MINUTES = 1
MAX_PAUSE_MINUTES = 24 * 60


class KeyValueStore(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, *, now: datetime | None = None) -> None: ...

    def delete(self, key: str) -> bool: ...


class EventSink(Protocol):
    def add(
        self,
        kind: str,
        message: str,
        *,
        child: str | None = ...,
        severity: str = ...,
        data: Any = ...,
        at: datetime | None = ...,
    ) -> Any: ...


class AlertOutbox(Protocol):
    def enqueue(
        self, channel: str, payload: Any, *, event_id: int | None = ..., now: datetime | None = ...
    ) -> Any: ...


class ProtectionPause:
    """Thread-safe; `on_change` (the DNS recompile) runs after a pause starts or is ended
    by a parent."""

    def __init__(
        self,
        kv: KeyValueStore,
        events: EventSink,
        outbox: AlertOutbox,
        family: Callable[[], FamilyPolicy],
        now: Callable[[], datetime],
        *,
        minute: timedelta = timedelta(minutes=1),
    ) -> None:
        self._minute = minute  # tests make a pause's minutes short
        self._kv = kv
        self._events = events
        self._outbox = outbox
        self._family = family
        self._now = now
        self._lock = threading.Lock()
        self._on_change: Callable[[], None] = lambda: None

    def on_change(self, callback: Callable[[], None]) -> None:
        self._on_change = callback

    def state(self) -> ProtectionPauseInfo:
        with self._lock:
            return self._current()

    def paused_until(self) -> datetime | None:
        """The end of the pause in force, else None (a pause that ran out is ended here)."""
        return self.state().paused_until

    def pause(self, minutes: int) -> ProtectionPauseInfo:
        """Pause for `minutes` from now (a pause in force is replaced): an event and an
        alert. Raises ValueError outside 1 to 1440 minutes."""
        if not MIN_PAUSE_MINUTES <= minutes <= MAX_PAUSE_MINUTES:
            raise ValueError(
                f"minutes must be from {MIN_PAUSE_MINUTES} to {MAX_PAUSE_MINUTES}, not {minutes}"
            )
        with self._lock:
            start = self._now()
            until = start + minutes * self._minute
            self._kv.set(PAUSE_KEY, {"at": start.isoformat(), "until": until.isoformat()})
            self._announce(start, until, minutes)
            state = ProtectionPauseInfo(paused_until=until, paused_at=start)
        log.warning("protection paused by a parent for %d minutes", minutes)
        self._on_change()
        return state

    def resume(self) -> ProtectionPauseInfo:
        """End a pause now (nothing happens when none is in force)."""
        with self._lock:
            was = self._current()
            if was.paused:
                self._end("a parent turned protection back on")
        if was.paused:
            self._on_change()
        return ProtectionPauseInfo()

    # -- inside the lock ----------------------------------------------------------------------

    def _current(self) -> ProtectionPauseInfo:
        raw = self._kv.get(PAUSE_KEY)
        if not isinstance(raw, dict):
            return ProtectionPauseInfo()
        try:
            start = datetime.fromisoformat(str(raw["at"]))
            until = datetime.fromisoformat(str(raw["until"]))
        except (KeyError, ValueError):
            log.warning("the stored protection pause is damaged; protection is on")
            self._kv.delete(PAUSE_KEY)
            return ProtectionPauseInfo()
        now = self._now()
        # A clock set back must not make the pause longer than it was given.
        if until <= now or now < start:
            self._end("the pause ended by itself")
            return ProtectionPauseInfo()
        return ProtectionPauseInfo(paused_until=until, paused_at=start)

    def _end(self, how: str) -> None:
        self._kv.delete(PAUSE_KEY)
        self._events.add(EVENT_RESUMED, f"protection is on again: {how}", at=self._now())
        log.info("protection is on again: %s", how)

    def _announce(self, start: datetime, until: datetime, minutes: int) -> None:
        event = self._events.add(
            EVENT_PAUSED,
            f"a parent paused protection for {minutes} minutes, until {until:%H:%M}",
            severity="alert",
            data={"minutes": minutes, "until": until.isoformat()},
            at=start,
        )
        if not self._family().caregivers:
            return
        payload = {
            "kind": EVENT_PAUSED,
            "severity": "alert",
            "child": None,
            "minutes": minutes,
            "until": until.isoformat(),
            "title": f"Bảo An tạm dừng bảo vệ {minutes} phút",
            "title_en": f"Bảo An's protection is paused for {minutes} minutes",
            "message": "Các trang bị chặn mở được cho đến khi hết thời gian tạm dừng.",
            "message_en": "Blocked sites open until the pause ends.",
            "event_id": event.id,
            "time": event.time.isoformat(),
        }
        self._outbox.enqueue(ALERTS_CHANNEL, payload, event_id=event.id, now=event.time)
