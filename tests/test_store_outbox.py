"""The alert outbox as storage: idempotent keys, due items, attempts and delivery."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers_store import T0

from agent.store import OutboxItemNotFoundError, Store
from sync.outbox import RetryPolicy


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def test_outbox_is_idempotent_and_backs_off_exponentially(store: Store) -> None:
    item = store.outbox.enqueue("ntfy", {"title": "Yêu cầu mới", "child": "An"}, key="k-1", now=T0)
    assert item.attempts == 0 and item.next_attempt_at == T0
    duplicate = store.outbox.enqueue("ntfy", {"title": "something else"}, key="k-1", now=T0)
    assert duplicate.payload == {"title": "Yêu cầu mới", "child": "An"}
    assert store.outbox.pending_count() == 1
    assert [i.key for i in store.outbox.due(now=T0)] == ["k-1"]

    policy = RetryPolicy(base=10, factor=2, maximum=60)
    delays = []
    moment = T0
    for attempt in range(1, 6):
        retry_at = policy.retry_at(attempt, moment)
        failed = store.outbox.mark_failed("k-1", "connection refused", retry_at=retry_at)
        assert failed.attempts == attempt
        delays.append((failed.next_attempt_at - moment).total_seconds())
        assert store.outbox.due(now=moment) == []  # not due again before its time
        moment = failed.next_attempt_at
        assert [i.key for i in store.outbox.due(now=moment)] == ["k-1"]
    assert delays == [10, 20, 40, 60, 60]  # base 10 s doubling, capped at 60 s
    assert store.outbox.get("k-1").last_error == "connection refused"  # type: ignore[union-attr]

    delivered = store.outbox.mark_delivered("k-1", now=moment)
    assert delivered.delivered_at == moment and delivered.attempts == 6
    assert delivered.last_error is None
    assert store.outbox.due(now=moment + timedelta(days=1)) == []
    assert store.outbox.pending_count() == 0
    # A late failure report for a delivered item changes nothing.
    assert store.outbox.mark_failed("k-1", "late", retry_at=moment).delivered_at == moment

    with pytest.raises(OutboxItemNotFoundError):
        store.outbox.mark_failed("nope", "x", retry_at=T0)
    with pytest.raises(ValueError, match="JSON"):
        store.outbox.enqueue("ntfy", {"when": T0})
    generated = store.outbox.enqueue("email", {"n": 1}, now=T0)
    assert len(generated.key) == 36


def test_outbox_due_orders_by_time_and_filters_channel(store: Store) -> None:
    store.outbox.enqueue("email", {"n": 1}, key="late", now=T0 + timedelta(seconds=5))
    store.outbox.enqueue("ntfy", {"n": 2}, key="early", now=T0)
    assert [i.key for i in store.outbox.due(now=T0 + timedelta(minutes=1))] == ["early", "late"]
    assert [i.key for i in store.outbox.due(now=T0 + timedelta(minutes=1), channel="email")] == [
        "late"
    ]
    assert [i.key for i in store.outbox.due(now=T0 + timedelta(minutes=1), limit=1)] == ["early"]


def test_outbox_keeps_its_item_when_the_event_is_pruned(store: Store) -> None:
    event = store.events.add("request", "An xin mở trang", child="An", at=T0 - timedelta(days=400))
    store.outbox.enqueue("ntfy", {"n": 1}, key="linked", event_id=event.id, now=T0)
    result = store.prune(now=T0)
    assert result.events == 1
    item = store.outbox.get("linked")
    assert item is not None and item.event_id is None  # foreign key: ON DELETE SET NULL
