"""Wall time that the PC's clock cannot move: read once, then carried on by the monotonic
clock.

At start the trusted time is the PC's clock, but never earlier than the last trusted time
saved before (so setting the clock back while the agent is stopped gives no new day). While
running, a change of the PC's clock is seen (the two disagree by more than the tolerance)
and reported once per change; the trusted time goes on unmoved.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from dns_filter.clock import Clock, SystemClock

DEFAULT_TOLERANCE_SECONDS = 120.0


@dataclass(frozen=True)
class ClockJump:
    seconds: float  # the PC's clock minus the trusted time; > 0 moved forward
    pc_time: datetime
    trusted_time: datetime


def elapsed_clock_for(clock: Clock) -> Callable[[], float]:
    """A monotonic clock that goes on while the PC sleeps: Linux's CLOCK_MONOTONIC stops
    during suspend, which would make the trusted time fall behind by every sleep, so the
    system clock's is CLOCK_BOOTTIME there. (Windows' and macOS's monotonic clocks count
    sleep.) An injected clock is used as it is."""
    if isinstance(clock, SystemClock) and sys.platform.startswith("linux"):
        return lambda: time.clock_gettime(time.CLOCK_BOOTTIME)
    return clock.monotonic


class TrustedClock:
    def __init__(
        self,
        clock: Clock,
        floor: datetime | None = None,
        tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    ) -> None:
        self._clock = clock
        self._elapsed = elapsed_clock_for(clock)
        start = clock.now()
        self.started_behind_floor = floor is not None and start < floor
        self._anchor_wall = max(start, floor) if floor is not None else start
        self._anchor_monotonic = self._elapsed()
        self._tolerance = tolerance_seconds
        # Behind the floor at start is reported by `started_behind_floor`, not as a jump.
        self._reported_offset = (start - self._anchor_wall).total_seconds()

    def now(self) -> datetime:
        return self._anchor_wall + timedelta(seconds=self._elapsed() - self._anchor_monotonic)

    def check(self) -> ClockJump | None:
        """A change of the PC's clock since the last one reported, or None."""
        trusted = self.now()
        pc_time = self._clock.now()
        offset = (pc_time - trusted).total_seconds()
        if abs(offset - self._reported_offset) <= self._tolerance:
            return None
        jump = offset - self._reported_offset
        self._reported_offset = offset
        return ClockJump(jump, pc_time, trusted)
