"""The query-log writer: batches, flush on close, a bounded buffer, retry after failure."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.store import QueryLogEntry, QueryLogWriter, Store
from agent.store.models import ROW_WIDTH, CountKey, QueryLogRow, QueryLogValue

T0 = datetime(2025, 9, 5, 3, 0, tzinfo=UTC)


def entry(i: int) -> QueryLogEntry:
    return QueryLogEntry(
        time=T0 + timedelta(milliseconds=i),
        client="127.0.0.1",
        name=f"n{i}.example",
        qtype="A",
        decision="resolved",
        child="An",
    )


class RecordingSink:
    """Stands in for the store where the test must see each batch or make one fail."""

    def __init__(self) -> None:
        self.batches: list[list[QueryLogEntry]] = []
        self.fail_next = 0
        self.batch_arrived = threading.Event()

    def add_values(
        self, values: Sequence[QueryLogValue], counts: Mapping[CountKey, int]
    ) -> int:
        if self.fail_next:
            self.fail_next -= 1
            raise OSError("disk I/O error")
        rows = [
            tuple(values[start : start + ROW_WIDTH])
            for start in range(0, len(values), ROW_WIDTH)
        ]
        self.batches.append([entry_of(row) for row in rows])  # type: ignore[arg-type]
        self.batch_arrived.set()
        return len(rows)


def entry_of(row: QueryLogRow) -> QueryLogEntry:
    """A row as the entry it was made from (what the store reads back)."""
    child, client, name, qtype, decision, reason, category, time, latency_ms = row
    return QueryLogEntry(
        time=datetime.fromtimestamp(time, UTC),
        client=client,
        name=name,
        qtype=qtype,
        decision=decision,
        reason=json.loads(reason),
        child=child,
        category=category,
        latency_ms=latency_ms,
    )


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def test_a_full_batch_is_written_without_waiting_for_the_interval(tmp_path: Path) -> None:
    with Store(tmp_path / "q.sqlite3") as store:
        writer = QueryLogWriter(store.query_log, flush_interval=60.0, batch_size=10, max_buffer=100)
        with writer:
            for i in range(25):
                writer.log(entry(i))
            # The interval is a minute: only the batch-size wake-up can write these.
            wait_for(lambda: store.query_log.count() >= 20)
            assert store.query_log.count() in (20, 25)
        # Closing flushed the rest, in order.
        assert store.query_log.count() == 25
        assert writer.written == 25 and writer.dropped == 0 and writer.pending == 0
        names = [e.name for e in store.query_log.recent(limit=100)]
        assert names == [f"n{i}.example" for i in reversed(range(25))]


def test_entries_are_written_on_the_interval(tmp_path: Path) -> None:
    sink = RecordingSink()
    with QueryLogWriter(sink, flush_interval=0.05, batch_size=1000) as writer:
        writer.log(entry(1))
        writer.log(entry(2))
        assert sink.batch_arrived.wait(5.0)
        assert sink.batches[0] == [entry(1), entry(2)]


def test_close_flushes_what_is_left_and_later_entries_are_counted_as_dropped() -> None:
    sink = RecordingSink()
    writer = QueryLogWriter(sink, flush_interval=60.0, batch_size=1000).start()
    for i in range(7):
        writer.log(entry(i))
    assert sink.batches == []
    writer.close()
    assert sink.batches == [[entry(i) for i in range(7)]]
    writer.log(entry(99))
    assert writer.dropped == 1 and writer.pending == 0


def test_a_full_buffer_drops_the_oldest_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    sink = RecordingSink()
    writer = QueryLogWriter(sink, flush_interval=60.0, batch_size=10, max_buffer=10)
    # Not started: nothing drains the buffer, as when the disk stalls.
    for i in range(25):
        writer.log(entry(i))
    assert writer.pending == 10 and writer.dropped == 15
    with caplog.at_level(logging.WARNING, logger="agent.store.query_log_writer"):
        assert writer.flush() == 10
    assert sink.batches == [[entry(i) for i in range(15, 25)]]
    assert "dropped 15 oldest entries" in caplog.text


def test_a_failed_write_is_retried_and_loses_nothing(caplog: pytest.LogCaptureFixture) -> None:
    sink = RecordingSink()
    writer = QueryLogWriter(sink, flush_interval=60.0, batch_size=10, max_buffer=100)
    for i in range(5):
        writer.log(entry(i))
    sink.fail_next = 1
    with caplog.at_level(logging.ERROR, logger="agent.store.query_log_writer"):
        assert writer.flush() == 0
    assert "writing 5 entries failed" in caplog.text
    writer.log(entry(5))
    assert writer.flush() == 6
    assert sink.batches == [[entry(i) for i in range(6)]]
    assert writer.dropped == 0


def test_the_writer_refuses_nonsense_settings() -> None:
    with pytest.raises(ValueError):
        QueryLogWriter(RecordingSink(), batch_size=100, max_buffer=10)


def test_many_threads_logging_at_once_lose_nothing(tmp_path: Path) -> None:
    with Store(tmp_path / "q.sqlite3") as store:
        with QueryLogWriter(store.query_log, flush_interval=0.05, batch_size=200) as writer:

            def burst(offset: int) -> None:
                for i in range(500):
                    writer.log(entry(offset + i))

            threads = [threading.Thread(target=burst, args=(n * 1000,)) for n in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        assert store.query_log.count() == 2000
        assert writer.written == 2000 and writer.dropped == 0


def test_log_many_queues_a_batch_in_order_and_wakes_the_writer(tmp_path: Path) -> None:
    with Store(tmp_path / "q.sqlite3") as store:
        writer = QueryLogWriter(store.query_log, flush_interval=60.0, batch_size=10, max_buffer=100)
        with writer:
            writer.log(entry(0))
            writer.log_many([entry(i) for i in range(1, 12)])
            writer.log_many([])
            # The interval is a minute: only crossing `batch_size` can have woken the writer.
            wait_for(lambda: store.query_log.count() >= 10)
            writer.log_many([entry(i) for i in range(12, 15)])
        assert store.query_log.count() == 15
        assert writer.written == 15 and writer.dropped == 0 and writer.pending == 0
        names = [e.name for e in store.query_log.recent(limit=100)]
        assert names == [f"n{i}.example" for i in reversed(range(15))]


def test_log_many_on_a_full_buffer_drops_the_oldest_and_after_close_drops_all() -> None:
    sink = RecordingSink()
    writer = QueryLogWriter(sink, flush_interval=60.0, batch_size=10, max_buffer=10)
    writer.log_many([entry(i) for i in range(4)])
    writer.log_many([entry(i) for i in range(4, 25)])
    assert writer.pending == 10 and writer.dropped == 15
    assert writer.flush() == 10
    assert sink.batches == [[entry(i) for i in range(15, 25)]]
    writer.close()
    writer.log_many([entry(98), entry(99)])
    assert writer.dropped == 17 and writer.pending == 0
