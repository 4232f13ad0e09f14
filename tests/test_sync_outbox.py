"""Alert delivery over the store's outbox: the retry policy, one delivery pass, and that
nothing is lost when a send fails or the process dies between sending and marking."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers_store import T0

from agent.store import Outbox, Store
from sync.outbox import OutboxEntry, OutboxQueue, RetryPolicy, deliver_due


class ProcessKilled(BaseException):
    """Stands in for the process dying mid-pass (not an `Exception`: nothing catches it)."""


class Channel:
    """A channel that records what it accepted and fails while `down` is set."""

    def __init__(self) -> None:
        self.accepted: list[str] = []
        self.down = False

    def __call__(self, item: OutboxEntry) -> None:
        if self.down:
            raise ConnectionError("ntfy.sh unreachable")
        self.accepted.append(item.key)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def test_the_retry_delay_doubles_up_to_its_cap_and_never_gives_up() -> None:
    policy = RetryPolicy(base=15, factor=2, maximum=3600)
    assert [policy.delay(n) for n in range(1, 10)] == [15, 30, 60, 120, 240, 480, 960, 1920, 3600]
    assert policy.delay(10_000) == 3600  # a week offline: still trying, an hour apart
    assert policy.retry_at(2, T0) == T0 + timedelta(seconds=30)
    assert RetryPolicy() == RetryPolicy(base=15.0, factor=2.0, maximum=3600.0)
    with pytest.raises(ValueError):
        RetryPolicy(base=0)
    with pytest.raises(ValueError):
        RetryPolicy(base=60, maximum=30)


def test_the_store_outbox_is_an_outbox_queue(store: Store) -> None:
    assert isinstance(store.outbox, OutboxQueue)
    for name in ("due", "mark_delivered", "mark_failed", "mark_undeliverable"):
        wanted = inspect.signature(getattr(OutboxQueue, name)).parameters
        offered = inspect.signature(getattr(Outbox, name)).parameters
        for parameter in wanted.values():
            assert parameter.name in offered, f"Outbox.{name} lacks {parameter.name}"
            assert offered[parameter.name].kind == parameter.kind, f"Outbox.{name}"
        extra = [p for p in offered.values() if p.name not in wanted]
        assert all(p.default is not inspect.Parameter.empty for p in extra), f"Outbox.{name}"
    item = store.outbox.enqueue("alerts", {"n": 1}, now=T0)
    assert isinstance(item, OutboxEntry)


def test_a_failed_send_is_retried_at_the_policys_delay_then_delivered(store: Store) -> None:
    policy = RetryPolicy(base=10, factor=2, maximum=60)
    queue: OutboxQueue = store.outbox
    channel = Channel()
    store.outbox.enqueue("alerts", {"title": "An xin mở trang"}, key="a-1", now=T0)

    channel.down = True
    first = deliver_due(queue, channel, policy, T0)
    assert first.delivered == () and first.retries == (("a-1", T0 + timedelta(seconds=10)),)
    item = store.outbox.get("a-1")
    assert item is not None and item.attempts == 1 and item.delivered_at is None
    assert item.next_attempt_at == T0 + timedelta(seconds=10)
    assert item.last_error == "ConnectionError: ntfy.sh unreachable"
    # Not due before its time: a pass in between sends nothing.
    assert deliver_due(queue, channel, policy, T0 + timedelta(seconds=9)).retries == ()

    second = deliver_due(queue, channel, policy, T0 + timedelta(seconds=10))
    assert second.retries == (("a-1", T0 + timedelta(seconds=30)),)  # 10 s, then 20 s

    channel.down = False
    moment = T0 + timedelta(seconds=30)
    third = deliver_due(queue, channel, policy, moment)
    assert third.delivered == ("a-1",) and channel.accepted == ["a-1"]
    delivered = store.outbox.get("a-1")
    assert delivered is not None and delivered.delivered_at == moment
    assert delivered.attempts == 3 and delivered.last_error is None
    assert store.outbox.pending_count() == 0
    assert deliver_due(queue, channel, policy, moment + timedelta(days=1)).delivered == ()


def test_a_crash_between_send_and_mark_leaves_the_alert_due(tmp_path: Path) -> None:
    path = tmp_path / "baoan.sqlite3"
    with Store(path) as store:
        store.outbox.enqueue("alerts", {"title": "Cần giúp đỡ"}, key="help-1", now=T0)
        sent: list[str] = []

        def send_then_die(item: OutboxEntry) -> None:
            sent.append(item.key)  # the channel has it ...
            raise ProcessKilled  # ... and the process dies before marking it

        with pytest.raises(ProcessKilled):
            deliver_due(store.outbox, send_then_die, RetryPolicy(), T0)
        assert sent == ["help-1"]
    with Store(path) as reopened:
        [item] = reopened.outbox.due(now=T0)
        assert item.key == "help-1" and item.attempts == 0 and item.delivered_at is None
        channel = Channel()
        assert deliver_due(reopened.outbox, channel, RetryPolicy(), T0).delivered == ("help-1",)


def test_one_pass_sends_every_due_item_and_one_failure_does_not_stop_the_rest(
    store: Store,
) -> None:
    for n in range(3):
        store.outbox.enqueue("alerts", {"n": n}, key=f"k{n}", now=T0 + timedelta(seconds=n))

    def flaky(item: OutboxEntry) -> None:
        if item.key == "k1":
            raise TimeoutError("timed out")

    result = deliver_due(store.outbox, flaky, RetryPolicy(base=5), T0 + timedelta(seconds=5))
    assert result.delivered == ("k0", "k2")
    assert [key for key, _ in result.retries] == ["k1"]
    assert store.outbox.pending_count() == 1
