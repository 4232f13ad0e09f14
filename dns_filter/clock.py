"""The one clock of the program: wall time for records and schedules, monotonic time for
counting and throttling.

It lives here because `dns_filter` is the package every other part of ours may import (it
imports nothing of ours). `sync` takes its times as arguments instead.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, time-zone aware (UTC)."""
        ...

    def monotonic(self) -> float:
        """Seconds that only move forward, whatever is done to the PC's clock."""
        ...


class SystemClock:
    """The PC's clocks."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    # The builtin itself, so that a hot path holding `clock.monotonic` pays nothing extra.
    monotonic = staticmethod(time.monotonic)


class ManualClock:
    """A clock that moves only when told to (tests, simulations). `advance` moves both
    times; `set` moves only the wall time, as a person changing the PC's clock would."""

    def __init__(self, start: datetime, monotonic_start: float = 1_000.0) -> None:
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError(
                f"naive datetime {start!r}: the clock needs an aware one (with a time zone)"
            )
        self._now = start.astimezone(UTC)
        self._monotonic = monotonic_start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._monotonic

    def advance(self, by: float | timedelta) -> datetime:
        """Moves both times on by `by` (seconds or a timedelta); returns the new moment."""
        seconds = by.total_seconds() if isinstance(by, timedelta) else float(by)
        if seconds < 0:
            raise ValueError("a monotonic clock cannot go back")
        with self._lock:
            self._now += timedelta(seconds=seconds)
            self._monotonic += seconds
            return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(
                f"naive datetime {moment!r}: the clock needs an aware one (with a time zone)"
            )
        with self._lock:
            self._now = moment.astimezone(UTC)
