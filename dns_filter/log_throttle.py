"""Log lines that would come once per query, at most once per interval per kind.

A dead upstream fails every query: one warning each would fill the log and bury what
matters. :class:`LogThrottle` lets the first line of a kind through, counts the ones in
the next `interval` seconds, and says how many it held back on the next line it lets
through. The lines it carries name no domain (a query log in the system log is browsing
history); callers log the name at DEBUG, for every query, beside it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dns_filter.clock import Clock, SystemClock

DEFAULT_INTERVAL_SECONDS = 60.0


@dataclass
class _Kind:
    last_logged: float
    suppressed: int = 0


class LogThrottle:
    """At most one line per kind per `interval` seconds, with a count of those held back."""

    def __init__(
        self,
        logger: logging.Logger,
        interval: float = DEFAULT_INTERVAL_SECONDS,
        clock: Clock | None = None,
    ) -> None:
        self._logger = logger
        self._interval = interval
        self._clock = (clock or SystemClock()).monotonic
        self._kinds: dict[str, _Kind] = {}

    def warning(self, kind: str, message: str, *args: object, exc_info: bool = False) -> bool:
        return self.log(logging.WARNING, kind, message, *args, exc_info=exc_info)

    def error(self, kind: str, message: str, *args: object, exc_info: bool = False) -> bool:
        return self.log(logging.ERROR, kind, message, *args, exc_info=exc_info)

    def info(self, kind: str, message: str, *args: object) -> bool:
        return self.log(logging.INFO, kind, message, *args)

    def log(
        self, level: int, kind: str, message: str, *args: object, exc_info: bool = False
    ) -> bool:
        """Log the line unless one of its kind was logged less than `interval` ago; True
        when it was logged."""
        if not self._logger.isEnabledFor(level):
            return False
        now = self._clock()
        seen = self._kinds.get(kind)
        if seen is not None and now - seen.last_logged < self._interval:
            seen.suppressed += 1
            return False
        held_back = 0 if seen is None else seen.suppressed
        self._kinds[kind] = _Kind(last_logged=now)
        if held_back:
            message += " (and %d more like this since the last one)"
            args = (*args, held_back)
        self._logger.log(level, message, *args, exc_info=exc_info)
        return True

    def suppressed(self, kind: str) -> int:
        """Lines of `kind` held back since the last one logged."""
        seen = self._kinds.get(kind)
        return 0 if seen is None else seen.suppressed
