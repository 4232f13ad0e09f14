"""Retention across the concerns: each prunes its table; forgetting a child."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers_store import T0, entry

from agent.store import (
    RetentionPolicy,
    Store,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def test_prune_applies_age_limits_and_the_row_cap(tmp_path: Path) -> None:
    policy = RetentionPolicy(
        query_log_days=30,
        query_log_max_rows=50,
        usage_days=10,
        events_days=20,
        access_requests_days=5,
        outbox_delivered_days=3,
    )
    with Store(tmp_path / "r.sqlite3", retention=policy) as store:
        old = T0 - timedelta(days=31)
        store.query_log.add([entry(f"old{i}.vn", at=old) for i in range(40)])
        store.query_log.add(
            [entry(f"new{i}.vn", at=T0 - timedelta(days=1, seconds=-i)) for i in range(80)]
        )
        store.usage.record_heartbeat("An", "app", at=T0 - timedelta(days=11))
        store.usage.record_heartbeat("An", "app2", at=T0 - timedelta(days=9))
        store.events.add("tamper", "cũ", at=T0 - timedelta(days=21))
        store.events.add("tamper", "mới", at=T0 - timedelta(days=19))
        decided = store.requests.create("An", "site", "a.vn", now=T0 - timedelta(days=6))
        store.requests.decide(decided.id, False, now=T0 - timedelta(days=6))
        forever = store.requests.create("An", "site", "b.vn", now=T0 - timedelta(days=6))
        store.requests.decide(forever.id, True, now=T0 - timedelta(days=6))
        pending = store.requests.create("An", "site", "c.vn", now=T0 - timedelta(days=6))
        store.outbox.enqueue("ntfy", {}, key="sent", now=T0 - timedelta(days=5))
        store.outbox.mark_delivered("sent", now=T0 - timedelta(days=4))
        store.outbox.enqueue("ntfy", {}, key="unsent", now=T0 - timedelta(days=5))

        result = store.prune(now=T0)
        # 40 too old, then 30 of the 80 recent ones over the cap of 50.
        assert result.query_log == 70
        assert store.query_log.count() == 50
        assert store.query_log.recent(limit=1)[0].name == "new79.vn"
        assert min(e.name for e in store.query_log.recent(limit=100)) == "new30.vn"
        assert (result.usage_intervals, result.events, result.access_requests, result.outbox) == (
            1,
            1,
            1,
            1,
        )
        assert [i.app_id for i in store.usage.intervals()] == ["app2"]
        assert [e.message for e in store.events.recent()] == ["mới"]
        # An allowance without an end and a pending request are never pruned.
        assert {r.id for r in store.requests.recent()} == {forever.id, pending.id}
        assert store.outbox.get("unsent") is not None
        assert store.prune(now=T0).total == 0

        store.database.set_retention(RetentionPolicy(query_log_days=1))
        assert store.prune(now=T0 + timedelta(hours=1)).query_log == 50
    with pytest.raises(ValueError, match="query_log_days"):
        RetentionPolicy(query_log_days=0)


def test_prune_gives_the_space_back(store: Store) -> None:
    store.query_log.add([entry(f"n{i}.example.com.vn", category="x" * 40) for i in range(20_000)])
    conn = store.database.connection()
    pages_before = conn.execute("PRAGMA page_count").fetchone()[0]
    assert store.prune(now=T0 + timedelta(days=60)).query_log == 20_000
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert conn.execute("PRAGMA page_count").fetchone()[0] < pages_before / 10
    assert store.database.integrity_check() == "ok"


def test_delete_child_data(store: Store) -> None:
    store.query_log.add([entry("a.vn"), entry("b.vn", child="Bình")])
    store.usage.record_heartbeat("An", "app", at=T0)
    store.events.add("tamper", "x", child="An", at=T0)
    store.requests.create("An", "site", "a.vn", now=T0)
    result = store.delete_child_data("An")
    assert (result.query_log, result.usage_intervals, result.events, result.access_requests) == (
        1,
        1,
        1,
        1,
    )
    assert [e.child for e in store.query_log.recent()] == ["Bình"]
