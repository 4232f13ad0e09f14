"""At most one notification per blocked site every few minutes."""

from __future__ import annotations

from collections import OrderedDict

DEFAULT_INTERVAL_SECONDS = 5 * 60


class NotificationThrottle:
    """Decides whether a newly blocked site deserves a notification now.

    A page that keeps retrying a blocked name (ads, trackers, a game's updater) would
    otherwise pop a notification every few seconds. Sites are keyed case-insensitively
    and without a trailing dot; ``www.`` is kept apart on purpose (the block page differs
    little, but the child may have typed either). Memory is bounded: the oldest sites are
    forgotten first.
    """

    def __init__(
        self, interval_seconds: float = DEFAULT_INTERVAL_SECONDS, max_sites: int = 512
    ) -> None:
        if interval_seconds < 0 or max_sites < 1:
            raise ValueError("need interval_seconds >= 0 and max_sites >= 1")
        self.interval = interval_seconds
        self._max_sites = max_sites
        self._last: OrderedDict[str, float] = OrderedDict()

    @staticmethod
    def key(site: str) -> str:
        return site.strip().rstrip(".").casefold()

    def should_notify(self, site: str, now: float) -> bool:
        """True (and the site is remembered as notified at `now`) when it may be shown."""
        key = self.key(site)
        if not key:
            return False
        last = self._last.get(key)
        if last is not None and 0 <= now - last < self.interval:
            return False
        self._last[key] = now
        self._last.move_to_end(key)
        while len(self._last) > self._max_sites:
            self._last.popitem(last=False)
        return True

    def forget(self, site: str) -> None:
        self._last.pop(self.key(site), None)

    def __len__(self) -> int:
        return len(self._last)
