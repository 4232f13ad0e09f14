"""The query-log writer: batches, repeats merged, flush on close, a bounded buffer, retry
after failure, watchers."""

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
from agent.store.models import ROW_WIDTH, CountKey, QueryLogRow, QueryLogValue, RowPrefix

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
        self.counts: list[dict[CountKey, int]] = []
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
        self.counts.append(dict(counts))
        self.batch_arrived.set()
        return len(rows)


def entry_of(row: QueryLogRow) -> QueryLogEntry:
    """A row as the entry it was made from (what the store reads back)."""
    child, client, name, qtype, decision, reason, category, time, latency_ms, count = row
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
        count=count,
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


# --- repeats merged -----------------------------------------------------------------------

MINUTE = 1_757_041_200  # a minute's start, epoch seconds


def prefix(name: str, *, child: str | None = "An", client: str = "192.168.1.20",
           decision: str = "cached") -> RowPrefix:
    return (child, client, name, "A", decision, '{"kind":"cache"}', None)


def test_repeats_within_a_batch_and_a_minute_are_one_row_with_their_count() -> None:
    sink = RecordingSink()
    writer = QueryLogWriter(sink, flush_interval=60.0)
    a, b = prefix("a.test"), prefix("b.test")
    writer.log_answers([a, b, a], [0.001, 0.004, 0.003], MINUTE + 5.0)
    writer.log_answers([a], [0.002], MINUTE + 5.5)
    assert writer.pending == 2
    assert writer.flush() == 2
    first, second = sink.batches[0]
    # the first answer's time, the mean latency, every answer counted
    assert (first.name, first.count, first.time.timestamp()) == ("a.test", 3, MINUTE + 5.0)
    assert first.latency_ms == pytest.approx(2.0)
    assert (second.name, second.count, second.latency_ms) == ("b.test", 1, pytest.approx(4.0))
    assert sink.counts[0] == {(MINUTE, "An", "cached", ""): 4}


def test_a_sibling_another_pc_or_another_decision_is_a_row_of_its_own() -> None:
    sink = RecordingSink()
    writer = QueryLogWriter(sink, flush_interval=60.0)
    rows = [
        prefix("x.test"),
        prefix("x.test", child="Bình"),  # the sibling asking the same name
        prefix("x.test", client="192.168.1.21"),
        prefix("x.test", decision="blocked"),
        prefix("x.test", child=None),
    ]
    writer.log_answers(rows * 3, [0.0] * 15, MINUTE + 1.0)
    writer.flush()
    kept = sink.batches[0]
    assert [(e.child, e.client, e.decision, e.count) for e in kept] == [
        ("An", "192.168.1.20", "cached", 3),
        ("Bình", "192.168.1.20", "cached", 3),
        ("An", "192.168.1.21", "cached", 3),
        ("An", "192.168.1.20", "blocked", 3),
        (None, "192.168.1.20", "cached", 3),
    ]
    assert sink.counts[0] == {
        (MINUTE, "An", "cached", ""): 6,
        (MINUTE, "Bình", "cached", ""): 3,
        (MINUTE, "An", "blocked", ""): 3,
        (MINUTE, "", "cached", ""): 3,
    }


def test_repeats_in_another_minute_or_batch_are_new_rows(tmp_path: Path) -> None:
    with Store(tmp_path / "q.sqlite3") as store:
        writer = QueryLogWriter(store.query_log, flush_interval=60.0)
        a = prefix("a.test")
        writer.log_answers([a, a], [0.0, 0.0], MINUTE + 59.5)
        writer.log_answers([a, a, a], [0.0, 0.0, 0.0], MINUTE + 60.2)  # the next minute
        writer.flush()
        writer.log_answers([a], [0.0], MINUTE + 61.0)  # the next batch
        writer.close()
        rows = [(e.time.timestamp(), e.count) for e in reversed(store.query_log.recent())]
        assert rows == [(MINUTE + 59.5, 2), (MINUTE + 60.2, 3), (MINUTE + 61.0, 1)]
        assert store.query_log.count() == 6 and store.query_log.row_count() == 3
        # the counters keep each answer in its own minute
        counted = dict(store.database.connection().execute(
            "SELECT minute, count FROM query_counts").fetchall())
        assert counted == {MINUTE: 2, MINUTE + 60: 4}


def test_a_child_hammering_one_blocked_name_is_one_row_and_counted_in_full(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "q.sqlite3") as store:
        writer = QueryLogWriter(store.query_log, flush_interval=60.0, batch_size=10, max_buffer=10)
        blocked = ("An", "192.168.1.20", "porn.test", "A", "blocked",
                   '{"kind":"category","category":"adult"}', "adult")
        for _ in range(50):
            writer.log_answers([blocked] * 2000, [0.0001] * 2000, MINUTE + 3.0)
        # it fills nothing: one row, so nobody's other rows are shed for it
        assert writer.pending == 1 and writer.dropped == 0
        writer.close()
        assert store.query_log.row_count() == 1
        stats = store.query_log.stats()
        assert stats.total == stats.blocked == 100_000
        assert stats.top_blocked == [("porn.test", 100_000)]
        assert stats.by_category == {"adult": 100_000}


def test_shed_rows_count_every_answer_they_stood_for() -> None:
    sink = RecordingSink()
    writer = QueryLogWriter(sink, flush_interval=60.0, batch_size=2, max_buffer=2)
    old, a, b = prefix("old.test"), prefix("a.test"), prefix("b.test")
    writer.log_answers([old] * 5, [0.0] * 5, MINUTE + 1.0)
    writer.log_answers([a, b, a], [0.0] * 3, MINUTE + 2.0)
    assert writer.pending == 2 and writer.dropped == 5
    writer.flush()
    assert [(e.name, e.count) for e in sink.batches[0]] == [("a.test", 2), ("b.test", 1)]
    assert sink.counts[0] == {(MINUTE, "An", "cached", ""): 8}


def test_a_retried_batch_is_written_once_before_the_next_and_counted_once() -> None:
    sink = RecordingSink()
    writer = QueryLogWriter(sink, flush_interval=60.0)
    a = prefix("a.test")
    writer.log_answers([a, a], [0.0, 0.0], MINUTE + 1.0)
    sink.fail_next = 1
    assert writer.flush() == 0
    assert writer.pending == 1
    writer.log_answers([a], [0.0], MINUTE + 2.0)  # a new batch: not merged into the retry
    assert writer.flush() == 2
    assert [(e.name, e.count) for e in sink.batches[0]] == [("a.test", 2), ("a.test", 1)]
    assert sink.counts == [{(MINUTE, "An", "cached", ""): 3}]
    assert writer.dropped == 0


def test_watchers_see_each_batch_once_with_its_counts_and_a_failing_one_harms_none(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[tuple[list[QueryLogValue], dict[CountKey, int]]] = []

    def broken(values: Sequence[QueryLogValue], counts: Mapping[CountKey, int]) -> None:
        raise RuntimeError("watcher bug")

    def watcher(values: Sequence[QueryLogValue], counts: Mapping[CountKey, int]) -> None:
        seen.append((list(values), dict(counts)))

    sink = RecordingSink()
    writer = QueryLogWriter(sink, flush_interval=60.0, watchers=[broken, watcher])
    a = prefix("a.test")
    writer.log_answers([a, a, a], [0.0] * 3, MINUTE + 1.0)
    sink.fail_next = 1
    with caplog.at_level(logging.ERROR, logger="agent.store.query_log_writer"):
        writer.flush()  # fails: the batch is kept, and is not shown to the watchers again
        writer.flush()
    assert "a query-log watcher failed" in caplog.text
    assert len(seen) == 1
    values, counts = seen[0]
    assert values[:7] == list(a) and values[9] == 3 and len(values) == ROW_WIDTH
    assert counts == {(MINUTE, "An", "cached", ""): 3}
    assert [e.count for e in sink.batches[0]] == [3]


def test_answers_after_close_are_counted_as_dropped(tmp_path: Path) -> None:
    with Store(tmp_path / "q.sqlite3") as store:
        writer = QueryLogWriter(store.query_log, flush_interval=60.0)
        writer.close()
        writer.log_answers([prefix("late.test")] * 4, [0.0] * 4, MINUTE + 1.0)
        assert writer.dropped == 4 and writer.pending == 0


def test_a_flood_of_other_names_cannot_hide_a_blocked_one_from_the_watchers() -> None:
    # A child asks for an adult site, then floods the log with other names so that its
    # row is shed before the batch: the watchers (the adult-content alert) still see it.
    seen: list[tuple[list[QueryLogValue], dict[CountKey, int]]] = []

    def watcher(values: Sequence[QueryLogValue], counts: Mapping[CountKey, int]) -> None:
        seen.append((list(values), dict(counts)))

    writer = QueryLogWriter(
        RecordingSink(), flush_interval=60.0, batch_size=10, max_buffer=10, watchers=[watcher]
    )
    adult = ("An", "192.168.1.20", "porn.test", "A", "blocked",
             '{"kind":"category","category":"adult"}', "adult")
    writer.log_answers([adult, adult], [0.0, 0.0], MINUTE + 1.0)
    writer.log_answers([prefix(f"n{i}.test") for i in range(40)], [0.0] * 40, MINUTE + 2.0)
    assert writer.dropped == 2 + 30
    writer.flush()
    names = [str(values[row + 2]) for values, _ in seen for row in range(0, len(values), 10)]
    assert names.count("porn.test") == 1 and len(names) == len(set(names)) == 41
    watched: dict[CountKey, int] = {}
    for _, counts in seen:
        for key, answers in counts.items():
            watched[key] = watched.get(key, 0) + answers
    assert watched == {(MINUTE, "An", "blocked", "adult"): 2, (MINUTE, "An", "cached", ""): 40}
