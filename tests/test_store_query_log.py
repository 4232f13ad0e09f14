"""The query log as the dashboard and the API read it: newest first, filters, statistics."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from helpers_store import T0, entry

from agent.store import (
    Store,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def test_query_log_is_newest_first_filtered_by_child_and_limited(store: Store) -> None:
    store.query_log.add(
        [
            entry("a.vn", at=T0),
            entry("b.vn", at=T0 + timedelta(seconds=2), child="Bình"),
            entry("c.vn", at=T0 + timedelta(seconds=1), latency_ms=7.25),
        ]
    )
    assert [e.name for e in store.query_log.recent()] == ["b.vn", "c.vn", "a.vn"]
    assert [e.name for e in store.query_log.recent(child="An")] == ["c.vn", "a.vn"]
    assert [e.name for e in store.query_log.recent(limit=1)] == ["b.vn"]
    assert store.query_log.recent(child="An")[0].latency_ms == 7.25
    assert store.query_log.recent(since=T0 + timedelta(seconds=1), child="An")[0].name == "c.vn"
    assert store.query_log.count() == 3 and store.query_log.count("Bình") == 1
    assert store.query_log.recent(child="Bình")[0].as_api() == {
        "time": "2025-09-05T03:00:02+00:00",
        "child": "Bình",
        "client": "127.0.0.1",
        "name": "b.vn",
        "qtype": "A",
        "decision": "resolved",
        "reason": {"kind": "upstream"},
        "category": None,
        "latency_ms": 1.0,
        "count": 1,
    }


def test_naive_times_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.query_log.add([entry("a.vn", at=datetime(2025, 1, 1))])
    assert store.query_log.count() == 0


def test_stats_count_top_blocked_top_allowed_and_categories(store: Store) -> None:
    rows = (
        [entry("porn.example", "blocked", category="adult")] * 5
        + [entry("bet.example", "blocked", category="gambling")] * 3
        + [entry("use-application-dns.net", "bypass", category="bypass")] * 2
        + [entry("zalo.me", "resolved")] * 4
        + [entry("google.com.vn", "rewritten", category="safesearch")] * 6
        + [entry("vnexpress.net", "cached")] * 2
        + [entry("bet.example", "blocked", child="Bình", category="gambling")] * 9
        + [entry("old.example", "blocked", category="adult", at=T0 - timedelta(days=2))]
    )
    store.query_log.add(rows)
    stats = store.query_log.stats(child="An", since=T0 - timedelta(hours=1))
    assert stats.total == 22
    assert stats.blocked == 10
    assert stats.top_blocked == [
        ("porn.example", 5),
        ("bet.example", 3),
        ("use-application-dns.net", 2),
    ]
    assert stats.top_allowed == [("google.com.vn", 6), ("zalo.me", 4), ("vnexpress.net", 2)]
    assert stats.by_category == {"safesearch": 6, "adult": 5, "gambling": 3, "bypass": 2}
    everyone = store.query_log.stats()
    assert everyone.total == 32
    assert everyone.top_blocked[0] == ("bet.example", 12)
    assert everyone.by_category["adult"] == 6
    assert store.query_log.stats(top=1).as_api() == {
        "top_blocked": [["bet.example", 12]],
        "top_allowed": [["google.com.vn", 6]],
        "by_category": {"gambling": 12, "adult": 6, "safesearch": 6, "bypass": 2},
    }
    assert store.query_log.stats(child="Nobody").total == 0


def test_a_failed_lookup_is_no_allowed_site_in_the_statistics(store: Store) -> None:
    failure = {"kind": "failure", "detail": "all upstreams failed: udp://8.8.8.8:53: timed out"}
    store.query_log.add(
        [replace(entry("down.example", "failed"), reason=failure)] * 3
        + [entry("zalo.me", "resolved")]
    )
    stats = store.query_log.stats()
    assert stats.top_allowed == [("zalo.me", 1)]
    assert stats.top_blocked == [] and stats.blocked == 0
    [*_, logged] = store.query_log.recent()
    assert (logged.decision, logged.reason) == ("failed", failure)


def test_a_damaged_stored_reason_reads_back_as_other(store: Store) -> None:
    store.query_log.add([entry("a.vn", "resolved")])
    store.database.connection().execute("UPDATE query_log SET reason = 'not json'")
    assert store.query_log.recent()[0].reason == {"kind": "other", "detail": "not json"}
