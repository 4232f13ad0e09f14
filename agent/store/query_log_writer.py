"""The query log at DNS speed: merge in memory, write in batches from a background thread.

`log_answers()` is what the DNS path calls, once per slice of answers: under a lock it
merges the slice into the rows of the next batch and never touches SQLite. Answers that
repeat a row but for its time and latency (the same child, PC, name, type, decision,
reason and category) within one batch and one minute are one row, with their number
(`count`), the first one's time and their mean latency: a page asking the same names
again, or a flood of one name, writes a row per name and second, not per answer, so the
writer keeps pace with the DNS loop instead of fighting it for the CPU.

When the rows waiting reach `max_buffer` (the disk is slow or the database is locked for
long), the oldest are dropped and their answers counted, and the count is logged from
the writer thread: losing a few log lines is better than slowing every answer. Every
answer is counted in `query_counts` in the same transaction as the batch it came with,
its row kept or shed, so the parent's numbers stay exact; a crash loses the unwritten
batch and its counts together, nothing else.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from itertools import islice
from typing import Protocol

from agent.store.models import (
    ROW_COUNT,
    ROW_WIDTH,
    CountKey,
    QueryLogEntry,
    QueryLogValue,
    RowPrefix,
    counted_as,
    minute_at,
    prefix_of,
    to_timestamp,
)
from agent.store.reasons import encode_reason

logger = logging.getLogger(__name__)

Merged = list[float]
"""A row waiting in the writer: [first answer's time, answers, their latencies summed in
seconds]; a list, changed in place, because a repeat is the commonest answer."""

BatchWatcher = Callable[[Sequence[QueryLogValue], Mapping[CountKey, int]], None]
"""Called with each new batch's rows (`ROW_WIDTH` values a row) and their answers' counts,
on the writer thread before they are written, and with rows shed by a full buffer, on the
thread that logged past the bound (e.g. `AdultAttempts.note`: cheap work only)."""


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
        # Written early only when this many different rows wait (a flood of new names),
        # half the bound so that nothing is shed for it; otherwise once a second, so that
        # a second's repeats are merged: a family's few thousand names asked over and over
        # would reach 10,000 rows in a tenth of a second and merge next to nothing.
        batch_size: int = 25_000,
        max_buffer: int = 50_000,
        watchers: Sequence[BatchWatcher] = (),
    ) -> None:
        if flush_interval <= 0 or batch_size < 1 or max_buffer < batch_size:
            raise ValueError("need flush_interval > 0, batch_size ≥ 1 and max_buffer ≥ batch_size")
        self._sink = sink
        self._flush_interval = flush_interval
        self._batch_size = batch_size
        self._max_buffer = max_buffer
        self._watchers = tuple(watchers)
        # the rows of the next batch by minute (of their answers' time) and row, each in
        # the order its first answer came; `_rows` counts them
        self._minutes: dict[int, dict[RowPrefix, Merged]] = {}
        self._rows = 0
        # a batch whose write failed, written before the next; its counts are in `_counts`
        self._retry: list[QueryLogValue] = []
        # answers counted but not in a waiting row: shed, or of the batch to retry
        self._counts: Counter[CountKey] = Counter()
        self._lock = threading.Lock()  # guards the rows, the retry and the counters
        self._flush_lock = threading.Lock()  # one flush at a time keeps rows in order
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._dropped = 0
        self._dropped_unreported = 0
        self._written = 0

    # --- the DNS path -------------------------------------------------------------------

    def log_answers(
        self, prefixes: Sequence[RowPrefix], latencies: Sequence[float], time: float
    ) -> None:
        """Merge a slice of answers, all at `time` (epoch seconds), each a row's prefix and
        its latency in seconds, into the next batch; never blocks on the database. Rows
        past `max_buffer` drop the oldest."""
        with self._lock:
            minute = minute_at(time)
            if self._closed:
                for prefix in prefixes:
                    self._shed_locked(counted_as(prefix, minute), 1)
                return
            rows = self._minutes.setdefault(minute, {})
            before = len(rows)
            find = rows.get
            # `_merge_locked` for each answer, inline: this runs for every answer
            for prefix, latency in zip(prefixes, latencies, strict=True):
                merged = find(prefix)
                if merged is None:
                    rows[prefix] = [time, 1, latency]
                else:
                    merged[1] += 1
                    merged[2] += latency
            self._grew_locked(len(rows) - before)

    def log(self, entry: QueryLogEntry) -> None:
        """Queue one entry (`log_many` of one)."""
        self.log_many((entry,))

    def log_many(self, entries: Sequence[QueryLogEntry]) -> None:
        """Queue entries in order under one lock, each at its own time, merged as
        `log_answers` merges answers."""
        with self._lock:
            for entry in entries:
                self._merge_locked(
                    prefix_of(entry, encode_reason(entry.reason)),
                    to_timestamp(entry.time),
                    entry.count,
                    entry.latency_ms / 1000.0 * entry.count,
                )

    def _merge_locked(self, prefix: RowPrefix, time: float, answers: int, latency: float) -> None:
        """`answers` at `time` with their latencies summed (seconds) into their row (holding
        `_lock`); shed, and counted, once the writer is closed."""
        minute = minute_at(time)
        if self._closed:
            self._shed_locked(counted_as(prefix, minute), answers)
            return
        rows = self._minutes.setdefault(minute, {})
        merged = rows.get(prefix)
        if merged is None:
            rows[prefix] = [time, answers, latency]
            self._grew_locked(1)
        else:
            merged[1] += answers
            merged[2] += latency

    def _grew_locked(self, added: int) -> None:
        """`added` new rows (holding `_lock`): drop the oldest past the bound, and wake the
        writer when a multiple of `batch_size` was crossed."""
        if not added:
            return
        before = self._rows
        self._rows += added
        overflow = self._rows - self._max_buffer
        if overflow > 0:
            self._drop_oldest_locked(overflow)
        if self._rows // self._batch_size > before // self._batch_size or overflow > 0:
            self._wake.set()

    def _drop_oldest_locked(self, count: int) -> None:
        """Shed the `count` oldest waiting rows (holding `_lock`), their answers counted.
        The watchers see them now, as they would have in their batch: a flood of other
        names cannot hide one blocked name from the adult-content alert."""
        left = count
        shed: dict[int, dict[RowPrefix, Merged]] = {}
        while left:
            minute, rows = next(iter(self._minutes.items()))
            if len(rows) <= left:
                del self._minutes[minute]
                left -= len(rows)
            else:
                items = iter(rows.items())
                kept_back = dict(islice(items, left))
                self._minutes[minute] = dict(items)  # a new dict: no holes left at its front
                rows, left = kept_back, 0
            shed.setdefault(minute, {}).update(rows)
        self._rows -= count
        values, counts = _batch(shed)
        for key, answers in counts.items():
            self._shed_locked(key, answers)
        self._tell_watchers(values, counts)

    def _shed_locked(self, key: CountKey, answers: int) -> None:
        """`answers` dropped from the log (holding `_lock`), still counted."""
        self._counts[key] += answers
        self._dropped += answers
        self._dropped_unreported += answers

    # --- counters -----------------------------------------------------------------------

    @property
    def dropped(self) -> int:
        """Answers whose row was lost because the buffer was full (or the writer closed)."""
        with self._lock:
            return self._dropped

    @property
    def written(self) -> int:
        """Rows written."""
        with self._lock:
            return self._written

    @property
    def pending(self) -> int:
        """Rows waiting, not yet written."""
        with self._lock:
            return self._rows + len(self._retry) // ROW_WIDTH

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
        """Write everything waiting now, with the counts; returns rows written. Safe from
        any thread."""
        with self._flush_lock:
            with self._lock:
                minutes, self._minutes = self._minutes, {}
                self._rows = 0
                counts, self._counts = self._counts, Counter()
                retry, self._retry = self._retry, []
                dropped_report = self._dropped_unreported
                self._dropped_unreported = 0
            if dropped_report:
                logger.warning(
                    "query log: dropped %d oldest entries, the buffer of %d rows was full",
                    dropped_report,
                    self._max_buffer,
                )
            fresh, fresh_counts = _batch(minutes)
            if not retry and not fresh and not counts:
                return 0
            self._tell_watchers(fresh, fresh_counts)
            counts.update(fresh_counts)
            batch = retry + fresh
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

    def _tell_watchers(
        self, values: Sequence[QueryLogValue], counts: Mapping[CountKey, int]
    ) -> None:
        """Each row goes to the watchers once: in its batch, or when it is shed."""
        if not values:
            return
        for watcher in self._watchers:
            try:
                watcher(values, counts)
            except Exception:
                logger.exception("a query-log watcher failed")

    def _requeue(self, batch: list[QueryLogValue], counts: Counter[CountKey]) -> None:
        """Keep a failed batch to write first next time, within the bound (the newest of
        it kept), and its counts to go with the next batch."""
        rows = len(batch) // ROW_WIDTH
        with self._lock:
            self._counts.update(counts)
            keep = min(rows, max(self._max_buffer - self._rows, 0))
            self._retry = batch[(rows - keep) * ROW_WIDTH :]
            shed = sum(int(batch[row * ROW_WIDTH + ROW_COUNT] or 0) for row in range(rows - keep))
            self._dropped += shed  # already counted, in `counts`
            self._dropped_unreported += shed

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


def _batch(
    minutes: Mapping[int, Mapping[RowPrefix, Merged]],
) -> tuple[list[QueryLogValue], Counter[CountKey]]:
    """The waiting rows as values (`ROW_WIDTH` a row) and their answers' counts."""
    values: list[QueryLogValue] = []
    counts: Counter[CountKey] = Counter()
    for minute, rows in minutes.items():
        for prefix, (first, answers, latency) in rows.items():
            count = int(answers)
            values += prefix
            values += (first, latency * 1000.0 / count, count)
            counts[counted_as(prefix, minute)] += count
    return values, counts
