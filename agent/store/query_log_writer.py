"""The query log at DNS speed: buffer in memory, write in batches from a background thread.

`log()` is what the DNS path calls; it only appends to a bounded deque under a lock and
never touches SQLite. When the buffer is full (the disk is slow or the database is
locked for long), the oldest entries are dropped and counted, and the count is logged
from the writer thread: losing a few log lines is better than slowing every answer. A
dropped entry is still counted where the statistics look (`counts`, the store's
`query_counts`), so the parent's numbers stay exact; only its row is lost.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from agent.store.models import CountKey, QueryLogEntry, count_key

logger = logging.getLogger(__name__)


class QueryLogSink(Protocol):
    """Where batches go: the store's query log (`Store.query_log`)."""

    def add(self, entries: Sequence[QueryLogEntry]) -> int:
        """Write a batch in one transaction; returns how many rows were written."""
        ...


class QueryCountSink(Protocol):
    """Where the answers whose rows were dropped are counted (`Store.query_counts`)."""

    def add(self, counts: Mapping[CountKey, int]) -> None: ...


class QueryLogWriter:
    """Batches `QueryLogEntry` values into the store every `flush_interval` seconds or
    every `batch_size` entries, whichever comes first. Use as a context manager or call
    `start()` and `close()`; `close()` flushes what is left."""

    def __init__(
        self,
        sink: QueryLogSink,
        *,
        flush_interval: float = 1.0,
        batch_size: int = 500,
        max_buffer: int = 50_000,
        counts: QueryCountSink | None = None,
    ) -> None:
        if flush_interval <= 0 or batch_size < 1 or max_buffer < batch_size:
            raise ValueError("need flush_interval > 0, batch_size ≥ 1 and max_buffer ≥ batch_size")
        self._sink = sink
        self._counts = counts
        self._shed: Counter[CountKey] = Counter()  # dropped entries, not yet counted
        self._flush_interval = flush_interval
        self._batch_size = batch_size
        self._max_buffer = max_buffer
        self._buffer: deque[QueryLogEntry] = deque()
        self._lock = threading.Lock()  # guards the buffer and the counters
        self._flush_lock = threading.Lock()  # one flush at a time keeps rows in order
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._dropped = 0
        self._dropped_unreported = 0
        self._written = 0

    # --- the DNS path -------------------------------------------------------------------

    def log(self, entry: QueryLogEntry) -> None:
        """Queue one entry; never blocks on the database."""
        with self._lock:
            if self._closed:
                self._shed_locked((entry,))
                return
            if len(self._buffer) >= self._max_buffer:
                self._shed_locked((self._buffer.popleft(),))
            self._buffer.append(entry)
            size = len(self._buffer)
        if size % self._batch_size == 0:
            self._wake.set()

    def log_many(self, entries: Sequence[QueryLogEntry]) -> None:
        """Queue a batch under one lock; the same bound and drop rule as `log`."""
        if not entries:
            return
        with self._lock:
            if self._closed:
                self._shed_locked(entries)
                return
            before = len(self._buffer)
            buffer = self._buffer
            buffer.extend(entries)  # a full buffer drops the oldest, as `log` does
            overflow = len(buffer) - self._max_buffer
            if overflow > 0:
                popleft = buffer.popleft
                self._shed_locked([popleft() for _ in range(overflow)])
            size = len(buffer)
        # wake the writer when this batch crossed a multiple of `batch_size`, as `log` does
        if size // self._batch_size > before // self._batch_size or overflow > 0:
            self._wake.set()

    def _shed_locked(self, entries: Iterable[QueryLogEntry]) -> None:
        """Drop `entries`' rows but keep their counts (holding `_lock`)."""
        shed = self._shed
        count = 0
        for entry in entries:
            shed[count_key(entry)] += 1
            count += 1
        self._dropped += count
        self._dropped_unreported += count

    # --- counters -----------------------------------------------------------------------

    @property
    def dropped(self) -> int:
        """Entries lost because the buffer was full (or the writer closed)."""
        with self._lock:
            return self._dropped

    @property
    def written(self) -> int:
        with self._lock:
            return self._written

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._buffer)

    # --- the writer thread --------------------------------------------------------------

    def start(self) -> QueryLogWriter:
        if self._thread is not None:
            raise RuntimeError("the query-log writer is already started")
        self._thread = threading.Thread(target=self._run, name="baoan-querylog", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._flush_interval)
            self._wake.clear()
            self.flush()

    def flush(self) -> int:
        """Write everything buffered now; returns rows written. Safe from any thread."""
        with self._flush_lock:
            with self._lock:
                batch = list(self._buffer)
                self._buffer.clear()
                dropped_report = self._dropped_unreported
                self._dropped_unreported = 0
                shed, self._shed = self._shed, Counter()
            self._count_shed(shed)
            if dropped_report:
                logger.warning(
                    "query log: dropped %d oldest entries, the buffer of %d was full",
                    dropped_report,
                    self._max_buffer,
                )
            if not batch:
                return 0
            try:
                written = self._sink.add(batch)
            except Exception:
                logger.exception("query log: writing %d entries failed; will retry", len(batch))
                self._requeue(batch)
                return 0
            with self._lock:
                self._written += written
            return written

    def _count_shed(self, shed: Counter[CountKey]) -> None:
        """Count the dropped entries in the store; kept for the next flush if that fails."""
        if not shed or self._counts is None:
            return
        try:
            self._counts.add(shed)
        except Exception:
            logger.exception("query log: counting %d dropped entries failed", shed.total())
            with self._lock:
                self._shed.update(shed)

    def _requeue(self, batch: list[QueryLogEntry]) -> None:
        """Put a failed batch back in front of newer entries, within the bound."""
        with self._lock:
            room = self._max_buffer - len(self._buffer)
            keep = batch[-room:] if room > 0 else []
            self._buffer.extendleft(reversed(keep))
            self._shed_locked(batch[: len(batch) - len(keep)])

    def close(self, timeout: float = 10.0) -> None:
        """Stop the thread and flush what is left. Entries logged later are dropped."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                logger.warning("query log: the writer thread did not stop in %.0f s", timeout)
        with self._lock:
            self._closed = True
        self.flush()

    def __enter__(self) -> QueryLogWriter:
        if self._thread is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
