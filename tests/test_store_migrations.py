"""Store opening: WAL and pragmas, migrations from empty and from a real v1 file, refusals."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.store import (
    LATEST_VERSION,
    MIGRATIONS,
    Migration,
    NotOurDatabaseError,
    SchemaTooNewError,
    Store,
    StoreError,
    migrate,
)
from dns_filter.reason import Reason


def _make_v1(path: Path) -> None:
    """A database exactly as a v1 Bảo An left it: only the v1 step, then v1-shaped rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    assert migrate(conn, where=str(path), target=1) == 1
    conn.executemany(
        "INSERT INTO query_log (time, child, client, name, qtype, decision, reason, category,"
        " latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                "2025-06-01T08:00:00+00:00",
                "An",
                "127.0.0.1",
                "old.example",
                "A",
                "resolved",
                "",
                None,
                3.5,
            ),
            (
                "2025-06-01T15:30:00.250000+07:00",
                "Bình",
                "192.168.1.20",
                "bad.example",
                "AAAA",
                "blocked",
                "người lớn",
                "adult",
                0.4,
            ),
            ("not a time", "An", "127.0.0.1", "broken.example", "A", "resolved", "", None, 1.0),
        ],
    )
    conn.execute(
        "INSERT INTO kv (key, value, updated_at) VALUES ('last_rollover', '\"2025-06-01\"', 1.0)"
    )
    conn.execute(
        "INSERT INTO events (time, child, kind, severity, message, data)"
        " VALUES (1748764800.0, 'An', 'tamper', 'alert', 'khay bị tắt', '{\"pid\": 42}')"
    )
    conn.close()


def test_new_database_is_created_at_the_latest_version_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "data" / "baoan.sqlite3"
    with Store(path) as store:
        assert store.database.schema_version() == LATEST_VERSION == len(MIGRATIONS)
        assert store.database.journal_mode() == "wal"
        assert store.database.integrity_check() == "ok"
        conn = store.database.connection()
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    assert {
        "query_log",
        "usage_intervals",
        "events",
        "access_requests",
        "outbox",
        "list_state",
        "kv",
    } <= tables
    # A second open of the same file migrates nothing and keeps it as it is.
    with Store(path, synchronous="NORMAL") as again:
        assert again.database.schema_version() == LATEST_VERSION
        assert again.database.connection().execute("PRAGMA synchronous").fetchone()[0] == 1


def test_a_real_v1_file_is_migrated_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    _make_v1(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT typeof(time) FROM query_log LIMIT 1").fetchone()[0] == "text"
    conn.close()

    with Store(path) as store:
        assert store.database.schema_version() == LATEST_VERSION
        assert store.database.integrity_check() == "ok"
        entries = store.query_log.recent(limit=10)
        # The unreadable time could not be placed and was dropped; the others converted
        # (newest first: 15:30 in Vietnam is 08:30 UTC).
        assert [e.name for e in entries] == ["bad.example", "old.example"]
        bad, old = entries
        assert old.time == datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
        assert old.latency_ms == 3.5 and old.child == "An" and old.category is None
        assert bad.time == datetime(2025, 6, 1, 8, 30, 0, 250000, tzinfo=UTC)
        assert (bad.child, bad.client, bad.qtype, bad.decision, bad.reason, bad.category) == (
            "Bình",
            "192.168.1.20",
            "AAAA",
            "blocked",
            {"kind": "other", "detail": "người lớn"},  # v4: text it cannot read is kept
            "adult",
        )
        conn2 = store.database.connection()
        assert conn2.execute("SELECT typeof(time) FROM query_log LIMIT 1").fetchone()[0] == "real"
        indexes = {r[1] for r in conn2.execute("PRAGMA index_list(query_log)")}
        assert {"query_log_time", "query_log_child_time"} <= indexes
        # Untouched tables keep their rows.
        assert store.kv.get("last_rollover") == "2025-06-01"
        [event] = store.events.recent()
        assert (event.kind, event.severity, event.data) == ("tamper", "alert", {"pid": 42})
        # And the migrated table takes new rows.
        assert store.query_log.stats(child="Bình").top_blocked == [("bad.example", 1)]
        # v6 counted the rows kept so far, so the statistics' totals start from them.
        counted = store.query_log.stats(child="Bình")
        assert (counted.total, counted.blocked, counted.by_category) == (1, 1, {"adult": 1})
        assert store.query_log.stats().total == 2


def test_a_database_newer_than_the_code_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with Store(path) as store:
        store.kv.set("keep", "me")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 3}")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaTooNewError) as info:
        Store(path)
    message = str(info.value)
    assert str(path) in message
    assert f"version {LATEST_VERSION + 3}" in message
    assert f"up to version {LATEST_VERSION}" in message
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION + 3
    assert conn.execute("SELECT value FROM kv WHERE key = 'keep'").fetchone()[0] == '"me"'
    conn.close()


def test_a_stranger_database_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(NotOurDatabaseError, match="another program"):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["photos"]
    conn.close()


def test_a_file_that_is_not_sqlite_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"this is not a database at all, just some text " * 200)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        Store(path)


def test_a_failing_step_leaves_the_previous_version_whole(tmp_path: Path) -> None:
    path = tmp_path / "atomic.sqlite3"
    with Store(path) as store:
        store.kv.set("a", 1)

    def broken_step(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        conn.execute("UPDATE kv SET value = '2'")
        raise RuntimeError("step failed midway")

    steps = (*MIGRATIONS, Migration(LATEST_VERSION + 1, "broken", broken_step))
    conn = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(RuntimeError, match="midway"):
        migrate(conn, migrations=steps)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    assert (
        conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0]
        == 0
    )
    assert conn.execute("SELECT value FROM kv WHERE key = 'a'").fetchone()[0] == "1"
    conn.close()


def test_migration_steps_must_be_numbered_without_gaps(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "gaps.sqlite3", isolation_level=None)
    steps = (MIGRATIONS[0], Migration(3, "skips 2", lambda c: None))
    with pytest.raises(StoreError, match="without gaps"):
        migrate(conn, migrations=steps)
    conn.close()


def test_the_store_imports_neither_qt_nor_the_dns_filter() -> None:
    # The program's one clock lives in `dns_filter.clock` (a package of its own and no more);
    # the store takes that and nothing else of the DNS filter.
    code = (
        "import sys, agent.store, agent.scheduler; "
        "clock = {'dns_filter', 'dns_filter.clock'}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'dns_filter')"
        " and m not in clock); "
        "print(','.join(bad))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1])),
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == ""


def test_a_v2_file_gets_revoked_at_and_its_earlier_revokes_recognised(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, where=str(path), target=2) == 2
    decided = datetime(2025, 6, 1, 20, tzinfo=UTC).timestamp()
    now = datetime.now(UTC).timestamp()
    rows = [
        # id, status, allowed_until, decided_at: as a v2 Bảo An wrote them
        ("ran-out", "allowed", decided + 30 * 60, decided),  # 30 minutes, ended on time
        ("taken-back", "allowed", decided + 17 * 60 + 21.5, decided),  # revoked at 20:17:21.5
        ("taken-back-at-once", "allowed", decided + 20, decided),  # revoked within a minute
        ("in-force", "allowed", now + 3600, now - 60.25),  # not whole minutes, but not ended
        ("refused", "denied", None, decided),
        ("waiting", "pending", None, None),
    ]
    conn.executemany(
        "INSERT INTO access_requests (id, child, kind, target, status, allowed_until,"
        " created_at, decided_at) VALUES (?, 'An', 'site', 'casino.example', ?, ?, ?, ?)",
        [(rid, status, until, decided - 60, at) for rid, status, until, at in rows],
    )
    conn.close()

    with Store(path) as store:
        assert store.database.schema_version() == LATEST_VERSION >= 3
        columns = {
            r[1] for r in store.database.connection().execute("PRAGMA table_info(access_requests)")
        }
        assert "revoked_at" in columns
        found = {rid: store.requests.get(rid) for rid, *_ in rows}
        moment = datetime.now(UTC)
        states = {rid: request.state(moment) for rid, request in found.items() if request}
        assert states == {
            "ran-out": "expired",
            "taken-back": "revoked",
            "taken-back-at-once": "revoked",
            "in-force": "allowed",
            "refused": "denied",
            "waiting": "pending",
        }
        taken_back = found["taken-back"]
        assert taken_back is not None and taken_back.revoked_at == taken_back.allowed_until
        assert found["ran-out"] is not None and found["ran-out"].revoked_at is None
        # A revoke from now on records its moment; the grant ends then.
        revoked = store.requests.revoke("in-force")
        assert revoked.revoked_at is not None and revoked.allowed_until == revoked.revoked_at
        assert revoked.state(datetime.now(UTC)) == "revoked"
        assert [r.id for r in store.requests.active_allowances()] == []


V3_REASONS = [
    # (decision, old reason text, old category) -> what v4 makes of it
    ("blocked", "category adult (hostsVN adult-filter.txt: ||pornhub.com^)", "adult"),
    ("blocked", "service tiktok", None),
    ("blocked", "CNAME tracker.pornhub.com: category adult (hostsVN: ||pornhub.com^)", None),
    ("bypass", "bypass category bypass (service psiphon)", None),
    ("bypass", "bypass canary use-application-dns.net (browser DoH off)", None),
    ("blocked", "schedule * blocked 21:30–06:00", None),
    ("blocked", "schedule service:youtube allowed only 17:00–19:00, 20:00–21:00", None),
    ("rewritten", "safe search YouTube strict → restrict.youtube.com", None),
    ("resolved", "upstream udp://8.8.8.8:53", None),
    ("cached", "cache", None),
    ("resolved", "all upstreams failed: udp://8.8.8.8:53: timed out", None),
    ("resolved", "server error: RuntimeError: boom", None),
    ("blocked", "rule deny example.com", None),
    ("blocked", "allow list only", None),
]


def test_v4_turns_text_reasons_into_typed_ones_and_failed_lookups_into_failed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v3.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, where=str(path), target=3) == 3
    conn.executemany(
        "INSERT INTO query_log (time, child, client, name, qtype, decision, reason, category)"
        " VALUES (?, 'An', '127.0.0.1', ?, 'A', ?, ?, ?)",
        [
            (1_748_764_800.0 + index, f"n{index}.example", decision, reason, category)
            for index, (decision, reason, category) in enumerate(V3_REASONS)
        ],
    )
    conn.close()

    with Store(path) as store:
        assert store.database.schema_version() == LATEST_VERSION
        rows = list(reversed(store.query_log.recent(limit=100)))
        stats = store.query_log.stats()
    kinds = [(row.decision, row.reason["kind"], row.category) for row in rows]
    assert kinds == [
        ("blocked", "category", "adult"),
        ("blocked", "service", None),  # the old text did not name the service's category
        ("blocked", "cname", "adult"),
        ("bypass", "bypass", "bypass"),
        ("bypass", "signal", None),
        ("blocked", "schedule", None),
        ("blocked", "schedule", None),
        ("rewritten", "safe_search", None),
        ("resolved", "upstream", None),
        ("cached", "cache", None),
        ("failed", "failure", None),
        ("failed", "failure", None),
        ("blocked", "deny_list", None),
        ("blocked", "allow_list_only", None),
    ]
    assert rows[2].reason == {
        "kind": "cname",
        "category": "adult",
        "rule": "hostsVN: ||pornhub.com^",
        "cname_target": "tracker.pornhub.com",
        "target_kind": "category",
    }
    assert rows[3].reason == {"kind": "bypass", "category": "bypass", "service": "psiphon"}
    assert rows[6].reason == {
        "kind": "schedule",
        "service": "youtube",
        "window": {
            "target": "service:youtube",
            "mode": "allowed_only",
            "spans": [["17:00", "19:00"], ["20:00", "21:00"]],
        },
    }
    assert rows[7].reason == {
        "kind": "safe_search", "cname_target": "restrict.youtube.com", "detail": "YouTube"
    }
    assert rows[8].reason == {"kind": "upstream", "upstream": "udp://8.8.8.8:53"}
    # Every converted reason is one the DNS filter's own type reads back.
    for row in rows:
        assert Reason.from_json(row.reason).to_json() == row.reason
    # The failed lookups are no longer counted as allowed sites; old blocks count their
    # categories.
    allowed = {name for name, _count in stats.top_allowed}
    assert allowed == {"n7.example", "n8.example", "n9.example"}
    assert stats.by_category == {"adult": 2, "bypass": 1}
