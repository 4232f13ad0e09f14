"""Full runs of the cyclic garbage collector at quiet moments, not in the middle of a burst.

CPython starts a full collection (the oldest generation) whenever the objects that
survived into it since the last one reach a quarter of those already there. It stops
every thread while it walks all of them: on a server that remembers tens of thousands of
answers that is tens to hundreds of milliseconds, and at 1,000 queries a second every
query that arrives meanwhile waits for it. Almost nothing a DNS server keeps is cyclic
garbage (its answers are freed by reference counting), so the full collections can wait
for a moment without queries.

:class:`QuietCollector` takes the automatic full collections away (the threshold of the
oldest generation is set out of reach; the young generations are collected as before,
they are small) and runs one itself when the server has been quiet for `quiet_seconds`
and at least `interval` seconds have passed since the last, and only when something
survived into the oldest generation since. Under load that never pauses it still runs
one every `longest` seconds, so cyclic garbage cannot pile up without bound. After each
it hands the freed heap back to the system (:mod:`dns_filter.heap`).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable

from dns_filter.heap import return_freed_heap

logger = logging.getLogger(__name__)

# Out of reach: gen 2 counts the young collections since the last full one.
_NEVER = 2**30


class QuietCollector:
    """Runs the full collections of the cyclic garbage collector when `activity` (a
    counter of work done, e.g. the DNS server's query count) has stood still for
    `quiet_seconds`."""

    def __init__(
        self,
        activity: Callable[[], int],
        *,
        quiet_seconds: float = 1.0,
        interval: float = 60.0,
        longest: float = 600.0,
        monotonic: Callable[[], float] = time.monotonic,
        collect: Callable[[], object] = gc.collect,
        pending: Callable[[], int] = lambda: gc.get_count()[2],
        release: Callable[[], object] = return_freed_heap,
    ) -> None:
        if quiet_seconds <= 0 or interval < 0 or longest < interval:
            raise ValueError("need quiet_seconds > 0 and 0 <= interval <= longest")
        self._activity = activity
        self.quiet_seconds = quiet_seconds
        self._interval = interval
        self._longest = longest
        self._monotonic = monotonic
        self._collect = collect
        self._pending = pending
        self._release = release
        self._last_activity: int | None = None
        self._last_full = monotonic()
        self.collections = 0
        self._previous_threshold: tuple[int, int, int] | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> bool:
        """Look once (every `quiet_seconds`); collect when it is time. True if it did."""
        now = self._monotonic()
        try:
            activity: int | None = self._activity()
        except Exception:  # unknown: taken as busy, so only `longest` collects
            logger.debug("reading the activity counter failed", exc_info=True)
            activity = None
        quiet = activity is not None and activity == self._last_activity
        self._last_activity = activity
        since = now - self._last_full
        due = (quiet and since >= self._interval) or since >= self._longest
        if not due or self._pending() == 0:
            return False
        started = time.perf_counter()
        self._collect()
        self._release()  # what the collection freed leaves the RSS too
        self._last_full = self._monotonic()
        self.collections += 1
        logger.debug(
            "full collection at a quiet moment: %.1f ms", (time.perf_counter() - started) * 1000
        )
        return True

    def start(self) -> None:
        """Take the automatic full collections away and look every `quiet_seconds`."""
        if self._thread is not None:
            return
        first, second, third = gc.get_threshold()
        self._previous_threshold = (first, second, third)
        gc.set_threshold(first, second, _NEVER)
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="baoan-quiet-gc", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Give the collector its own thresholds back."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        thread.join(5)
        if self._previous_threshold is not None:
            gc.set_threshold(*self._previous_threshold)
            self._previous_threshold = None

    def _run(self) -> None:
        while not self._stopping.wait(self.quiet_seconds):
            try:
                self.tick()
            except Exception:  # never let the loop die: the thresholds stay raised
                logger.exception("a quiet-moment collection failed")
