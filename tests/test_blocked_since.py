"""Blocked rows of one child after a row id: the store's query and the tray's cursor on it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers_tray import NOW, TrayApi, entry, running_tray_api

from agent.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "baoan.sqlite3") as opened:
        yield opened


def test_blocked_rows_of_one_child_after_an_id_oldest_first(store: Store) -> None:
    assert store.query_log.last_id() == 0
    assert store.query_log.blocked_since("Minh") == []
    store.query_log.add(
        [
            entry("one.example", seconds_ago=50),
            entry("fine.example", seconds_ago=40, decision="resolved"),
            entry("lan.example", seconds_ago=30, child="Lan"),
            entry("two.example", seconds_ago=20),
            entry("three.example", seconds_ago=10, decision="bypass"),
        ]
    )
    assert store.query_log.last_id() == 5
    rows = store.query_log.blocked_since("Minh")
    assert [(row_id, row.name) for row_id, row in rows] == [
        (1, "one.example"),
        (4, "two.example"),
        (5, "three.example"),
    ]
    assert rows[0][1].category == "adult" and rows[0][1].client == "127.0.0.1"
    # After a row id, and from a time on.
    assert [row.name for _, row in store.query_log.blocked_since("Minh", after_id=1)] == [
        "two.example",
        "three.example",
    ]
    since = NOW - timedelta(seconds=15)
    assert [row.name for _, row in store.query_log.blocked_since("Minh", since=since)] == [
        "three.example"
    ]
    assert store.query_log.blocked_since("Minh", after_id=5) == []
    assert [row.name for _, row in store.query_log.blocked_since("Lan")] == ["lan.example"]


def test_a_bound_keeps_the_newest_rows_still_oldest_first(store: Store) -> None:
    store.query_log.add([entry(f"site{n}.example", seconds_ago=100 - n) for n in range(10)])
    rows = store.query_log.blocked_since("Minh", limit=3)
    assert [row.name for _, row in rows] == ["site7.example", "site8.example", "site9.example"]
    assert [row_id for row_id, _ in rows] == [8, 9, 10]
    assert store.query_log.blocked_since("Minh", limit=0) == []


@pytest.fixture
def tray(tmp_path: Path) -> Iterator[TrayApi]:
    with running_tray_api(tmp_path) as running:
        yield running


def test_a_block_logged_late_with_an_older_time_is_still_given(tray: TrayApi) -> None:
    tray.store.query_log.add([entry("first.example", seconds_ago=5)])
    first = tray.blocked()
    assert [item["name"] for item in first["items"]] == ["first.example"]
    # The log's writer hands rows over in batches: a later row may carry an earlier time.
    tray.store.query_log.add([entry("late.example", seconds_ago=30)])
    second = tray.blocked(first["cursor"])
    assert [item["name"] for item in second["items"]] == ["late.example"]
    assert tray.blocked(second["cursor"])["items"] == []


def test_a_cursor_past_the_end_of_the_log_starts_afresh(tray: TrayApi) -> None:
    # A cursor from a log this agent no longer has (a new database): the first look again,
    # rather than silence until the row ids catch up.
    tray.store.query_log.add([entry("old.example", seconds_ago=600), entry("new.example")])
    body = tray.blocked("v2.999999")
    assert [item["name"] for item in body["items"]] == ["new.example"]
    assert tray.blocked(body["cursor"])["items"] == []


def test_the_cursor_moves_past_rows_that_are_not_this_childs_blocks(tray: TrayApi) -> None:
    tray.store.query_log.add(
        [entry("news.example", decision="resolved"), entry("lan.example", child="Lan")]
    )
    cursor = tray.blocked()["cursor"]
    assert cursor == f"v2.{tray.store.query_log.last_id()}"
