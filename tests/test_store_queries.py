"""What the dashboard and the API ask of the store: query log, stats, usage, requests,
outbox, events, list state, key/value, retention, and use from several threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agent.store import (
    AccessRequestNotFoundError,
    AlreadyDecidedError,
    Backoff,
    ListState,
    OutboxItemNotFoundError,
    QueryLogEntry,
    RetentionPolicy,
    Store,
    StoreError,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2025, 9, 5, 3, 0, tzinfo=UTC)  # 10:00 in Ho Chi Minh City


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "baoan.sqlite3", outbox_backoff=Backoff(base=10, factor=2, maximum=60))
    yield s
    s.close()


def entry(
    name: str,
    decision: str = "resolved",
    *,
    child: str | None = "An",
    category: str | None = None,
    at: datetime = T0,
    latency_ms: float = 1.0,
) -> QueryLogEntry:
    return QueryLogEntry(
        time=at,
        client="127.0.0.1",
        name=name,
        qtype="A",
        decision=decision,
        reason={"kind": "category", "category": category} if category else {"kind": "upstream"},
        child=child,
        category=category,
        latency_ms=latency_ms,
    )


# --- query log and statistics ----------------------------------------------------------


def test_query_log_is_newest_first_filtered_by_child_and_limited(store: Store) -> None:
    store.add_query_log(
        [
            entry("a.vn", at=T0),
            entry("b.vn", at=T0 + timedelta(seconds=2), child="Bình"),
            entry("c.vn", at=T0 + timedelta(seconds=1), latency_ms=7.25),
        ]
    )
    assert [e.name for e in store.query_log()] == ["b.vn", "c.vn", "a.vn"]
    assert [e.name for e in store.query_log(child="An")] == ["c.vn", "a.vn"]
    assert [e.name for e in store.query_log(limit=1)] == ["b.vn"]
    assert store.query_log(child="An")[0].latency_ms == 7.25
    assert store.query_log(since=T0 + timedelta(seconds=1), child="An")[0].name == "c.vn"
    assert store.query_log_count() == 3 and store.query_log_count("Bình") == 1
    assert store.query_log(child="Bình")[0].as_api() == {
        "time": "2025-09-05T03:00:02+00:00",
        "child": "Bình",
        "client": "127.0.0.1",
        "name": "b.vn",
        "qtype": "A",
        "decision": "resolved",
        "reason": {"kind": "upstream"},
        "category": None,
        "latency_ms": 1.0,
    }


def test_naive_times_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.add_query_log([entry("a.vn", at=datetime(2025, 1, 1))])
    assert store.query_log_count() == 0


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
    store.add_query_log(rows)
    stats = store.stats(child="An", since=T0 - timedelta(hours=1))
    assert stats.total == 22
    assert stats.blocked == 10
    assert stats.top_blocked == [
        ("porn.example", 5),
        ("bet.example", 3),
        ("use-application-dns.net", 2),
    ]
    assert stats.top_allowed == [("google.com.vn", 6), ("zalo.me", 4), ("vnexpress.net", 2)]
    assert stats.by_category == {"safesearch": 6, "adult": 5, "gambling": 3, "bypass": 2}
    everyone = store.stats()
    assert everyone.total == 32
    assert everyone.top_blocked[0] == ("bet.example", 12)
    assert everyone.by_category["adult"] == 6
    assert store.stats(top=1).as_api() == {
        "top_blocked": [["bet.example", 12]],
        "top_allowed": [["google.com.vn", 6]],
        "by_category": {"gambling": 12, "adult": 6, "safesearch": 6, "bypass": 2},
    }
    assert store.stats(child="Nobody").total == 0


def test_a_failed_lookup_is_no_allowed_site_in_the_statistics(store: Store) -> None:
    failure = {"kind": "failure", "detail": "all upstreams failed: udp://8.8.8.8:53: timed out"}
    store.add_query_log(
        [replace(entry("down.example", "failed"), reason=failure)] * 3
        + [entry("zalo.me", "resolved")]
    )
    stats = store.stats()
    assert stats.top_allowed == [("zalo.me", 1)]
    assert stats.top_blocked == [] and stats.blocked == 0
    [*_, logged] = store.query_log()
    assert (logged.decision, logged.reason) == ("failed", failure)


def test_a_damaged_stored_reason_reads_back_as_other(store: Store) -> None:
    store.add_query_log([entry("a.vn", "resolved")])
    store._connection().execute("UPDATE query_log SET reason = 'not json'")
    assert store.query_log()[0].reason == {"kind": "other", "detail": "not json"}


# --- usage ------------------------------------------------------------------------------


def test_heartbeats_merge_into_intervals_and_app_switches_lose_no_time(store: Store) -> None:
    for seconds in range(0, 60, 5):
        store.record_heartbeat(
            "An", "roblox", "C:/Roblox/RobloxPlayer.exe", at=T0 + timedelta(seconds=seconds)
        )
    # Switch app within the pulse time: Roblox closes at 60 s, Minecraft opens at 60 s.
    for seconds in range(60, 120, 5):
        store.record_heartbeat("An", "minecraft", "java.exe", at=T0 + timedelta(seconds=seconds))
    # A long gap (idle) starts afresh.
    store.record_heartbeat("An", "minecraft", "java.exe", at=T0 + timedelta(seconds=400))
    store.record_heartbeat("An", "minecraft", "java.exe", at=T0 + timedelta(seconds=410))
    intervals = store.usage_intervals("An")
    assert [(i.app_id, i.seconds) for i in intervals] == [
        ("roblox", 60.0),
        ("minecraft", 55.0),
        ("minecraft", 10.0),
    ]
    assert intervals[0].exe == "C:/Roblox/RobloxPlayer.exe"
    assert intervals[1].start == T0 + timedelta(seconds=60)
    assert store.usage_minutes_by_app("An", date(2025, 9, 5), HCM) == {
        "minecraft": pytest.approx(65 / 60),
        "roblox": pytest.approx(1.0),
    }
    with pytest.raises(ValueError, match="child and an app"):
        store.record_heartbeat("", "roblox")


def test_usage_minutes_follow_local_midnight_in_the_family_time_zone(store: Store) -> None:
    # 23:50 to 00:20 in Ho Chi Minh City (16:50 to 17:20 UTC): 10 minutes on the 5th,
    # 20 on the 6th. In UTC the same span lies wholly on the 5th.
    start = datetime(2025, 9, 5, 23, 50, tzinfo=HCM)
    for seconds in range(0, 30 * 60 + 1, 10):
        store.record_heartbeat("An", "youtube", at=start + timedelta(seconds=seconds))
    for seconds in range(0, 5 * 60 + 1, 10):
        store.record_heartbeat("Bình", "zalo", at=start + timedelta(seconds=seconds))
    assert store.usage_minutes_by_child(date(2025, 9, 5), "Asia/Ho_Chi_Minh") == {
        "An": pytest.approx(10.0),
        "Bình": pytest.approx(5.0),
    }
    assert store.usage_minutes_by_child(date(2025, 9, 6), HCM) == {"An": pytest.approx(20.0)}
    assert store.usage_minutes_by_child(date(2025, 9, 5), UTC) == {
        "An": pytest.approx(30.0),
        "Bình": pytest.approx(5.0),
    }
    assert store.usage_minutes_by_child(date(2025, 9, 7), HCM) == {}


# --- access requests --------------------------------------------------------------------


def test_access_request_flow(store: Store) -> None:
    request = store.create_access_request("An", "site", " wikipedia.org ", "bài tập", now=T0)
    assert request.status == "pending" and request.target == "wikipedia.org"
    assert len(request.id) >= 20  # unguessable: it is shown in the block page's URL
    # Pressing again does not create a second request; the newer reason is kept.
    again = store.create_access_request("An", "site", "wikipedia.org", "bài tập về nhà", now=T0)
    assert again.id == request.id and again.reason == "bài tập về nhà"
    other = store.create_access_request("An", "time", "30", "xem nốt phim", now=T0)
    assert other.id != request.id
    assert {r.id for r in store.access_requests(status="pending")} == {request.id, other.id}

    until = T0 + timedelta(hours=1)
    allowed = store.decide_access_request(
        request.id, True, until=until, by="mẹ", now=T0 + timedelta(minutes=2)
    )
    assert (allowed.status, allowed.allowed_until, allowed.decided_by) == ("allowed", until, "mẹ")
    assert allowed.is_active(T0 + timedelta(minutes=30))
    assert not allowed.is_active(until)
    assert store.get_access_request(request.id) == allowed
    # The first decision stands.
    with pytest.raises(AlreadyDecidedError, match="already allowed"):
        store.decide_access_request(request.id, False, now=T0 + timedelta(minutes=3))
    denied = store.decide_access_request(other.id, False, now=T0 + timedelta(minutes=3))
    assert denied.status == "denied" and denied.allowed_until is None

    assert [r.id for r in store.active_allowances("An", now=T0 + timedelta(minutes=5))] == [
        request.id
    ]
    assert store.active_allowances("An", now=until + timedelta(seconds=1)) == []
    assert store.access_requests(child="An", status="pending") == []
    # A new request for the same site once the first was decided is a new request.
    third = store.create_access_request("An", "site", "wikipedia.org", now=T0 + timedelta(hours=2))
    assert third.id != request.id


def test_access_request_errors_and_revocation(store: Store) -> None:
    with pytest.raises(ValueError, match="kind"):
        store.create_access_request("An", "everything", "x")
    with pytest.raises(ValueError, match="target"):
        store.create_access_request("An", "site", "   ")
    with pytest.raises(AccessRequestNotFoundError):
        store.decide_access_request("no-such-id", True)
    request = store.create_access_request("An", "site", "khanacademy.org", now=T0)
    with pytest.raises(ValueError, match="future"):
        store.decide_access_request(request.id, True, until=T0 - timedelta(minutes=1), now=T0)
    assert store.get_access_request(request.id).status == "pending"  # type: ignore[union-attr]
    forever = store.decide_access_request(request.id, True, now=T0)
    assert forever.allowed_until is None and forever.is_active(T0 + timedelta(days=365))
    revoked = store.revoke_access_request(request.id, now=T0 + timedelta(hours=1))
    assert not revoked.is_active(T0 + timedelta(hours=1))
    assert store.active_allowances(now=T0 + timedelta(hours=2)) == []


def test_a_revoke_is_told_apart_from_a_grant_that_ran_out(store: Store) -> None:
    first = store.create_access_request("An", "site", "khanacademy.org", now=T0)
    second = store.create_access_request("An", "site", "wikipedia.org", now=T0)
    waiting = store.create_access_request("An", "site", "vnexpress.net", now=T0)
    until = T0 + timedelta(minutes=30)
    for request in (first, second):
        granted = store.decide_access_request(request.id, True, until=until, now=T0)
        assert granted.state(T0 + timedelta(minutes=1)) == "allowed"
    revoke_at = T0 + timedelta(minutes=10, seconds=7)
    revoked = store.revoke_access_request(first.id, now=revoke_at)
    assert (revoked.revoked_at, revoked.allowed_until) == (revoke_at, revoke_at)
    assert revoked.state(revoke_at) == "revoked"
    assert store.get_access_request(first.id) == revoked
    # The other grant runs out by itself: expired, never revoked, and revoking it after its
    # end changes nothing.
    after = until + timedelta(minutes=1)
    assert store.revoke_access_request(second.id, now=after).revoked_at is None
    ran_out = store.get_access_request(second.id)
    assert ran_out is not None and ran_out.state(after) == "expired"
    # Revoking a request that was never allowed changes nothing either.
    assert store.revoke_access_request(waiting.id, now=after).state(after) == "pending"
    denied = store.decide_access_request(waiting.id, False, now=after)
    assert denied.state(after) == "denied" and denied.revoked_at is None


# --- outbox -----------------------------------------------------------------------------


def test_outbox_is_idempotent_and_backs_off_exponentially(store: Store) -> None:
    item = store.enqueue("ntfy", {"title": "Yêu cầu mới", "child": "An"}, key="k-1", now=T0)
    assert item.attempts == 0 and item.next_attempt_at == T0
    duplicate = store.enqueue("ntfy", {"title": "something else"}, key="k-1", now=T0)
    assert duplicate.payload == {"title": "Yêu cầu mới", "child": "An"}
    assert store.outbox_pending_count() == 1
    assert [i.key for i in store.outbox_due(now=T0)] == ["k-1"]

    delays = []
    moment = T0
    for _ in range(5):
        failed = store.mark_failed("k-1", "connection refused", now=moment)
        delays.append((failed.next_attempt_at - moment).total_seconds())
        assert store.outbox_due(now=moment) == []  # not due again before its time
        moment = failed.next_attempt_at
        assert [i.key for i in store.outbox_due(now=moment)] == ["k-1"]
    assert delays == [10, 20, 40, 60, 60]  # base 10 s doubling, capped at 60 s
    assert store.get_outbox_item("k-1").last_error == "connection refused"  # type: ignore[union-attr]

    delivered = store.mark_delivered("k-1", now=moment)
    assert delivered.delivered_at == moment and delivered.attempts == 6
    assert delivered.last_error is None
    assert store.outbox_due(now=moment + timedelta(days=1)) == []
    assert store.outbox_pending_count() == 0
    # A late failure report for a delivered item changes nothing.
    assert store.mark_failed("k-1", "late", now=moment).delivered_at == moment

    with pytest.raises(OutboxItemNotFoundError):
        store.mark_failed("nope", "x")
    with pytest.raises(ValueError, match="JSON"):
        store.enqueue("ntfy", {"when": T0})
    generated = store.enqueue("email", {"n": 1}, now=T0)
    assert len(generated.key) == 36


def test_outbox_due_orders_by_time_and_filters_channel(store: Store) -> None:
    store.enqueue("email", {"n": 1}, key="late", now=T0 + timedelta(seconds=5))
    store.enqueue("ntfy", {"n": 2}, key="early", now=T0)
    assert [i.key for i in store.outbox_due(now=T0 + timedelta(minutes=1))] == ["early", "late"]
    assert [i.key for i in store.outbox_due(now=T0 + timedelta(minutes=1), channel="email")] == [
        "late"
    ]
    assert [i.key for i in store.outbox_due(now=T0 + timedelta(minutes=1), limit=1)] == ["early"]


def test_outbox_keeps_its_item_when_the_event_is_pruned(store: Store) -> None:
    event = store.add_event("request", "An xin mở trang", child="An", at=T0 - timedelta(days=400))
    store.enqueue("ntfy", {"n": 1}, key="linked", event_id=event.id, now=T0)
    result = store.prune(now=T0)
    assert result.events == 1
    item = store.get_outbox_item("linked")
    assert item is not None and item.event_id is None  # foreign key: ON DELETE SET NULL


# --- events, list state, kv -------------------------------------------------------------


def test_events_add_and_list(store: Store) -> None:
    store.add_event(
        "clock_changed", "Giờ máy bị đổi", severity="alert", at=T0, data={"delta": -3600}
    )
    store.add_event(
        "tamper", "Khay bị tắt", child="An", severity="warning", at=T0 + timedelta(seconds=1)
    )
    store.add_event("tamper", "Khay bị tắt", child="Bình", at=T0 + timedelta(seconds=2))
    assert [e.child for e in store.events(kind="tamper")] == ["Bình", "An"]
    [clock] = store.events(kind="clock_changed")
    assert clock.data == {"delta": -3600} and clock.time == T0 and clock.severity == "alert"
    assert [e.kind for e in store.events(child="An")] == ["tamper"]
    assert len(store.events(since=T0 + timedelta(seconds=1))) == 2
    with pytest.raises(ValueError, match="severity"):
        store.add_event("x", "y", severity="catastrophic")


def test_list_state_upsert_keeps_last_good_on_error(store: Store) -> None:
    good = ListState(
        "adult",
        "https://lists.example/adult.txt",
        etag='"abc"',
        count=120_000,
        bad_lines=3,
        updated_at=T0,
    )
    store.upsert_list_state(good)
    assert store.get_list_state("adult", good.source) == good
    failed = store.record_list_error("adult", good.source, "timeout after 30 s")
    assert (failed.count, failed.etag, failed.updated_at) == (120_000, '"abc"', T0)
    assert failed.error == "timeout after 30 s"
    store.upsert_list_state(ListState("adult", good.source, count=121_000, updated_at=T0))
    refreshed = store.get_list_state("adult", good.source)
    assert refreshed is not None and refreshed.count == 121_000 and refreshed.error is None
    store.record_list_error("gambling", "/srv/gambling.txt", "no such file")
    assert [s.category for s in store.list_states()] == ["adult", "gambling"]
    assert store.delete_list_state("gambling", "/srv/gambling.txt")
    assert store.get_list_state("gambling", "/srv/gambling.txt") is None


def test_kv_round_trips_json(store: Store) -> None:
    assert store.kv_get("missing", "default") == "default"
    store.kv_set("last_rollover", {"day": "2025-09-05", "children": ["An", "Bình"]})
    store.kv_set("last_rollover", {"day": "2025-09-06", "children": ["An"]})
    assert store.kv_get("last_rollover") == {"day": "2025-09-06", "children": ["An"]}
    assert store.kv_delete("last_rollover") and not store.kv_delete("last_rollover")
    with pytest.raises(ValueError, match="JSON"):
        store.kv_set("bad", object())


# --- retention --------------------------------------------------------------------------


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
        store.add_query_log([entry(f"old{i}.vn", at=old) for i in range(40)])
        store.add_query_log(
            [entry(f"new{i}.vn", at=T0 - timedelta(days=1, seconds=-i)) for i in range(80)]
        )
        store.record_heartbeat("An", "app", at=T0 - timedelta(days=11))
        store.record_heartbeat("An", "app2", at=T0 - timedelta(days=9))
        store.add_event("tamper", "cũ", at=T0 - timedelta(days=21))
        store.add_event("tamper", "mới", at=T0 - timedelta(days=19))
        decided = store.create_access_request("An", "site", "a.vn", now=T0 - timedelta(days=6))
        store.decide_access_request(decided.id, False, now=T0 - timedelta(days=6))
        forever = store.create_access_request("An", "site", "b.vn", now=T0 - timedelta(days=6))
        store.decide_access_request(forever.id, True, now=T0 - timedelta(days=6))
        pending = store.create_access_request("An", "site", "c.vn", now=T0 - timedelta(days=6))
        store.enqueue("ntfy", {}, key="sent", now=T0 - timedelta(days=5))
        store.mark_delivered("sent", now=T0 - timedelta(days=4))
        store.enqueue("ntfy", {}, key="unsent", now=T0 - timedelta(days=5))

        result = store.prune(now=T0)
        # 40 too old, then 30 of the 80 recent ones over the cap of 50.
        assert result.query_log == 70
        assert store.query_log_count() == 50
        assert store.query_log(limit=1)[0].name == "new79.vn"
        assert min(e.name for e in store.query_log(limit=100)) == "new30.vn"
        assert (result.usage_intervals, result.events, result.access_requests, result.outbox) == (
            1,
            1,
            1,
            1,
        )
        assert [i.app_id for i in store.usage_intervals()] == ["app2"]
        assert [e.message for e in store.events()] == ["mới"]
        # An allowance without an end and a pending request are never pruned.
        assert {r.id for r in store.access_requests()} == {forever.id, pending.id}
        assert store.get_outbox_item("unsent") is not None
        assert store.prune(now=T0).total == 0

        store.set_retention(RetentionPolicy(query_log_days=1))
        assert store.prune(now=T0 + timedelta(hours=1)).query_log == 50
    with pytest.raises(ValueError, match="query_log_days"):
        RetentionPolicy(query_log_days=0)


def test_prune_gives_the_space_back(store: Store) -> None:
    store.add_query_log([entry(f"n{i}.example.com.vn", category="x" * 40) for i in range(20_000)])
    conn = store._connection()
    pages_before = conn.execute("PRAGMA page_count").fetchone()[0]
    assert store.prune(now=T0 + timedelta(days=60)).query_log == 20_000
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert conn.execute("PRAGMA page_count").fetchone()[0] < pages_before / 10
    assert store.integrity_check() == "ok"


def test_delete_child_data(store: Store) -> None:
    store.add_query_log([entry("a.vn"), entry("b.vn", child="Bình")])
    store.record_heartbeat("An", "app", at=T0)
    store.add_event("tamper", "x", child="An", at=T0)
    store.create_access_request("An", "site", "a.vn", now=T0)
    result = store.delete_child_data("An")
    assert (result.query_log, result.usage_intervals, result.events, result.access_requests) == (
        1,
        1,
        1,
        1,
    )
    assert [e.child for e in store.query_log()] == ["Bình"]


# --- threads ----------------------------------------------------------------------------


def test_many_threads_write_and_read_at_once(store: Store) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(20):
                store.add_query_log([entry(f"w{worker}-{i}.vn", child=f"c{worker}")])
                store.record_heartbeat(f"c{worker}", "app", at=T0 + timedelta(seconds=i))
                store.kv_set(f"worker{worker}", i)
                store.stats(child=f"c{worker}")
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.query_log_count() == 120
    assert all(store.kv_get(f"worker{n}") == 19 for n in range(6))
    assert all(len(store.usage_intervals(f"c{n}")) == 1 for n in range(6))
    # Connections of finished threads are closed when the next thread opens one.
    opened = threading.Thread(target=store.kv_get, args=("worker0",))
    opened.start()
    opened.join()
    assert len(store._connections) <= 2


def test_a_closed_store_refuses_work(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.kv_get("x")
