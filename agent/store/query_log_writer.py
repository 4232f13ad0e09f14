"""The query log at DNS speed: buffer in memory, write in batches from a background thread.

`log_values()` is what the DNS path calls, once per slice of answers: under a lock it
appends the slice's rows (one flat list of values, `QueryLogValue`) to a bounded buffer
and adds their counts to the counters of the next batch; it never touches SQLite. When the
buffer is full (the disk is slow or the database is locked for long), the oldest rows are
dropped and counted, and the count is logged from the writer thread: losing a few log
lines is better than slowing every answer. Every answer is counted when it is logged, its
row kept or shed, and the counts go to `query_counts` in the same transaction as the next
batch, so the parent's numbers stay exact; a crash loses the unwritten batch and its
counts together, nothing else.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Protocol

from agent.store.models import (
    ROW_WIDTH,
    CountKey,
    QueryLogEntry,
    QueryLogRow,
    QueryLogValue,
    count_key,
    row_of,
)
from agent.store.reasons import encode_reason

logger = logging.getLogger(__name__)


class QueryLogSink(Protocol):
    """Where batches go: the store's query log (`Store.query_log`)."""

    def add_values(
        self, values: Sequence[QueryLogValue], counts: Mapping[CountKey, int]
    ) -> int:
        """Write a batch (`ROW_WIDTH` values a row) and its counts in one transaction;
        returns how many rows were written."""
        ...


class QueryLogWriter:
    """Batches query-log rows into the store every `flush_interval` seconds or every
    `batch_size` rows, whichever comes first. Use as a context manager or call `start()`
    and `close()`; `close()` flushes what is left."""

    def __init__(
        self,
        sink: QueryLogSink,
        *,
        flush_interval: float = 1.0,
        # A commit (and its fsync) per 10,000 rows at most: at full speed a batch of 500
        # was a commit every few ms, and the writer fell behind on its fsyncs.
        batch_size: int = 10_000,
        max_buffer: int = 50_000,
    ) -> None:
        if flush_interval <= 0 or batch_size < 1 or max_buffer < batch_size:
            raise ValueError("need flush_interval > 0, batch_size ≥ 1 and max_buffer ≥ batch_size")
        self._sink = sink
        self._flush_interval = flush_interval
        self._batch_size = batch_size
        self._max_buffer = max_buffer
        # the slices' values in arrival order, never changed in place (a caller may still
        # read its list); `_rows` counts their rows
        self._buffer: deque[Sequence[QueryLogValue]] = deque()
        self._rows = 0
        # every answer logged since the last batch was taken, its row buffered or shed
        self._counts: Counter[CountKey] = Counter()
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

    def log_values(
        self, values: Sequence[QueryLogValue], counts: Mapping[CountKey, int]
    ) -> None:
        """Queue a slice of answers' rows (`ROW_WIDTH` values a row, kept, not copied),
        and count every answer in `counts` (its row kept or not); never blocks on the
        database. A full buffer drops the oldest rows."""
        rows = len(values) // ROW_WIDTH
        with self._lock:
            self._counts.update(counts)
            if self._closed:
                self._shed_locked(rows)
                return
            before = self._rows
            if rows:
                self._buffer.append(values)
                self._rows += rows
            overflow = self._rows - self._max_buffer
            if overflow > 0:
                self._drop_oldest_locked(overflow)
            size = self._rows
        # wake the writer when this slice crossed a multiple of `batch_size`
        if size // self._batch_size > before // self._batch_size or overflow > 0:
            self._wake.set()

    def log_rows(self, rows: Sequence[QueryLogRow], counts: Mapping[CountKey, int]) -> None:
        """`log_values` for rows given as tuples."""
        self.log_values(list(chain.from_iterable(rows)), counts)

    def log(self, entry: QueryLogEntry) -> None:
        """Queue one entry (`log_rows` for one answer)."""
        self.log_rows((row_of(entry, encode_reason(entry.reason)),), {count_key(entry): 1})

    def log_many(self, entries: Sequence[QueryLogEntry]) -> None:
        """Queue entries in order under one lock (`log_rows` for entries)."""
        if entries:
            rows = [row_of(entry, encode_reason(entry.reason)) for entry in entries]
            self.log_rows(rows, Counter(count_key(entry) for entry in entries))

    def _drop_oldest_locked(self, count: int) -> None:
        """Shed the `count` oldest buffered rows (holding `_lock`)."""
        buffer = self._buffer
        left = count
        while left:
            oldest = buffer[0]
            rows = len(oldest) // ROW_WIDTH
            if rows <= left:
                buffer.popleft()
                left -= rows
            else:
                buffer[0] = oldest[left * ROW_WIDTH :]  # a copy: the caller's list stays
                left = 0
        self._rows -= count
        self._shed_locked(count)

    def _shed_locked(self, count: int) -> None:
        """`count` rows dropped (holding `_lock`); their answers are already counted."""
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
        """Rows buffered, not yet written."""
        with self._lock:
            return self._rows

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
        """Write everything buffered now, with the counts; returns rows written. Safe from
        any thread."""
        with self._flush_lock:
            with self._lock:
                slices, self._buffer = self._buffer, deque()
                self._rows = 0
                counts, self._counts = self._counts, Counter()
                dropped_report = self._dropped_unreported
                self._dropped_unreported = 0
            if dropped_report:
                logger.warning(
                    "query log: dropped %d oldest entries, the buffer of %d was full",
                    dropped_report,
                    self._max_buffer,
                )
            if not slices and not counts:
                return 0
            batch: list[QueryLogValue] = []
            for values in slices:
                batch += values
            try:
                written = self._sink.add_values(batch, counts)
            except Exception:
                logger.exception(
                    "query log: writing %d entries failed; will retry", len(batch) // ROW_WIDTH
                )
                self._requeue(batch, counts)
                return 0
            with self._lock:
                self._written += written
            return written

    def _requeue(self, batch: list[QueryLogValue], counts: Counter[CountKey]) -> None:
        """Put a failed batch back in front of newer rows, within the bound, and its
        counts back with the next batch's."""
        rows = len(batch) // ROW_WIDTH
        with self._lock:
            self._counts.update(counts)
            keep = min(rows, max(self._max_buffer - self._rows, 0))
            if keep:
                self._buffer.appendleft(batch[(rows - keep) * ROW_WIDTH :])
                self._rows += keep
            self._shed_locked(rows - keep)

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
