"""The answers' counters (`query_counts`): every answer is counted, its row kept or shed,
so the statistics stay exact after a burst and after retention by count."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from helpers_store import T0, entry

from agent.store import QueryLogEntry, QueryLogWriter, RetentionPolicy, Store
from agent.store.models import CountKey, QueryLogValue


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def burst() -> list[QueryLogEntry]:
    """300 answers in two minutes: 200 resolved, 60 adult blocks, 40 bypass blocks of Bình."""
    answers = [entry(f"site{i}.example", at=T0 + timedelta(seconds=i % 90)) for i in range(200)]
    answers += [
        entry(f"x{i}.example", "blocked", category="adult", at=T0 + timedelta(seconds=61))
        for i in range(60)
    ]
    answers += [
        entry(f"vpn{i}.example", "bypass", child="Bình", category="bypass", at=T0)
        for i in range(40)
    ]
    return answers


def test_rows_shed_by_a_full_buffer_are_still_counted(store: Store) -> None:
    writer = QueryLogWriter(store.query_log, batch_size=10, max_buffer=25)
    answers = burst()
    for start in range(0, len(answers), 50):  # faster than the writer ever flushes
        writer.log_many(answers[start : start + 50])
    writer.log(entry("last.example", at=T0 + timedelta(seconds=100)))
    writer.close()
    assert writer.dropped == 301 - 25
    assert store.query_log.count() == 25  # only the newest rows were kept
    stats = store.query_log.stats()
    assert (stats.total, stats.blocked) == (301, 100)
    assert stats.by_category == {"adult": 60, "bypass": 40}
    an = store.query_log.stats(child="An")
    assert (an.total, an.blocked, an.by_category) == (261, 60, {"adult": 60})
    # Counted to the minute: from T0 + 60 s on, the second minute's answers.
    later = store.query_log.stats(since=T0 + timedelta(seconds=60))
    assert later.total == sum(1 for e in answers if e.time >= T0 + timedelta(seconds=60)) + 1
    assert store.query_counts.total() == 301


def test_a_failing_write_keeps_its_counts_for_the_next_flush(store: Store) -> None:
    class Flaky:
        """The store's query log, failing its first batch (rows and counts together)."""

        def __init__(self) -> None:
            self.calls = 0

        def add_values(
            self, values: Sequence[QueryLogValue], counts: Mapping[CountKey, int]
        ) -> int:
            self.calls += 1
            if self.calls == 1:
                raise OSError("disk full")
            return store.query_log.add_values(values, counts)

    flaky = Flaky()
    writer = QueryLogWriter(flaky, batch_size=1, max_buffer=1)
    writer.log_many([entry("a.example"), entry("b.example"), entry("c.example")])
    assert writer.flush() == 0  # the batch, and the count of the two dropped ones, failed
    assert store.query_log.stats().total == 0
    assert writer.flush() == 1  # tried again: the row kept and all three counts
    assert store.query_log.stats().total == 3
    writer.log_many([entry("d.example"), entry("e.example")])
    writer.close()
    assert store.query_log.stats().total == 5
    assert writer.dropped == 3 and store.query_log.count() == 2


def test_every_answer_is_counted_exactly_after_a_burst_that_sheds_rows(store: Store) -> None:
    """Slices faster than any flush, on a small buffer, and the writer flushing meanwhile
    on its own thread: rows are shed, counts never."""
    writer = QueryLogWriter(store.query_log, flush_interval=0.01, batch_size=50, max_buffer=60)
    answers = [
        entry(f"n{i}.example", "blocked" if i % 3 == 0 else "cached",
              category="adult" if i % 3 == 0 else None,
              child="An" if i % 2 else "Bình", at=T0 + timedelta(seconds=i % 150))
        for i in range(20_000)
    ]
    with writer:
        for start in range(0, len(answers), 500):
            writer.log_many(answers[start : start + 500])
    assert writer.dropped > 0
    assert store.query_log.count() + writer.dropped == len(answers)
    stats = store.query_log.stats()
    assert stats.total == len(answers) == store.query_counts.total()
    assert stats.blocked == sum(1 for e in answers if e.decision == "blocked")
    assert stats.by_category == {"adult": stats.blocked}
    for child in ("An", "Bình"):
        assert store.query_log.stats(child=child).total == sum(
            1 for e in answers if e.child == child
        )
    later = store.query_log.stats(since=T0 + timedelta(seconds=120))
    assert later.total == sum(1 for e in answers if e.time >= T0 + timedelta(seconds=120))


def test_retention_by_count_keeps_the_totals_and_age_prunes_them(store: Store) -> None:
    store.query_log.add(burst())
    store.database.set_retention(RetentionPolicy(query_log_days=1, query_log_max_rows=10))
    store.prune(now=T0 + timedelta(hours=1))
    assert store.query_log.count() == 10
    assert store.query_log.stats().total == 300
    store.prune(now=T0 + timedelta(days=2))
    assert store.query_log.stats().total == 0 and store.query_counts.total() == 0


def test_forgetting_a_child_forgets_its_counts(store: Store) -> None:
    store.query_log.add(burst())
    store.delete_child_data("Bình")
    assert store.query_log.stats(child="Bình").total == 0
    assert store.query_log.stats().total == 260
