"""Versioned schema migrations, numbered from 1, tracked in `PRAGMA user_version`.

Each step runs in its own `BEGIN IMMEDIATE` transaction together with the version bump,
so a crash leaves the file at the previous version or the next, never in between. Steps
are append-only: a released step is never edited, a change is a new step.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from agent.store.reasons import encode_reason, legacy_reason

logger = logging.getLogger(__name__)

# "BaoA" in ASCII: marks the file as ours, so a stranger's database is never migrated.
APPLICATION_ID = 0x42616F41


class StoreError(Exception):
    """The store cannot be opened or used as asked."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer Bảo An than this one."""


class NotOurDatabaseError(StoreError):
    """The file is an SQLite database that does not belong to Bảo An."""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


_V1_STATEMENTS: tuple[str, ...] = (
    # v1 kept query-log times as ISO-8601 text; v2 turns them into epoch seconds.
    """CREATE TABLE query_log (
        id INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        child TEXT,
        client TEXT NOT NULL,
        name TEXT NOT NULL,
        qtype TEXT NOT NULL,
        decision TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        category TEXT,
        latency_ms REAL NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX query_log_time ON query_log(time)",
    """CREATE TABLE usage_intervals (
        id INTEGER PRIMARY KEY,
        child TEXT NOT NULL,
        app_id TEXT NOT NULL,
        exe TEXT NOT NULL DEFAULT '',
        start REAL NOT NULL,
        "end" REAL NOT NULL,
        CHECK ("end" >= start)
    )""",
    'CREATE INDEX usage_child_end ON usage_intervals(child, "end")',
    """CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        time REAL NOT NULL,
        child TEXT,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL DEFAULT 'info'
            CHECK (severity IN ('info', 'warning', 'alert', 'urgent')),
        message TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}'
    )""",
    "CREATE INDEX events_time ON events(time)",
    """CREATE TABLE access_requests (
        id TEXT PRIMARY KEY,
        child TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('site', 'time')),
        target TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'allowed', 'denied')),
        allowed_until REAL,
        created_at REAL NOT NULL,
        decided_at REAL,
        decided_by TEXT
    )""",
    "CREATE INDEX access_requests_child_status ON access_requests(child, status)",
    """CREATE TABLE outbox (
        uuid TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        payload TEXT NOT NULL,
        event_id INTEGER REFERENCES events(id) ON DELETE SET NULL,
        created_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,
        delivered_at REAL,
        last_error TEXT
    )""",
    "CREATE INDEX outbox_due ON outbox(delivered_at, next_attempt_at)",
    "CREATE INDEX outbox_event ON outbox(event_id)",
    """CREATE TABLE list_state (
        category TEXT NOT NULL,
        source TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        count INTEGER NOT NULL DEFAULT 0,
        bad_lines INTEGER NOT NULL DEFAULT 0,
        updated_at REAL,
        error TEXT,
        PRIMARY KEY (category, source)
    )""",
    """CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at REAL NOT NULL
    )""",
)


def _v1(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for statement in _V1_STATEMENTS:
        conn.execute(statement)


def _iso_to_epoch(text: str) -> float:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"query_log time {text!r} has no time zone")
    return moment.timestamp()


def _v2_query_log_epoch(conn: sqlite3.Connection) -> None:
    """Query-log times become epoch seconds (REAL), indexed with the child.

    Retention and the dashboard's range queries compare numbers instead of text, rows get
    smaller, and per-child views use the (child, time) index. SQLite cannot change a
    column's type in place, so the table is rebuilt and its rows converted.
    """
    conn.execute(
        """CREATE TABLE query_log_v2 (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            child TEXT,
            client TEXT NOT NULL,
            name TEXT NOT NULL,
            qtype TEXT NOT NULL,
            decision TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            category TEXT,
            latency_ms REAL NOT NULL DEFAULT 0
        )"""
    )
    select = conn.execute(
        "SELECT id, time, child, client, name, qtype, decision, reason, category, latency_ms"
        " FROM query_log ORDER BY id"
    )
    skipped = 0
    while rows := select.fetchmany(5000):
        converted = []
        for row in rows:
            try:
                epoch = _iso_to_epoch(row[1])
            except (TypeError, ValueError):
                skipped += 1  # an unreadable time cannot be placed in history; drop the row
                continue
            converted.append((row[0], epoch, *row[2:]))
        conn.executemany(
            "INSERT INTO query_log_v2 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", converted
        )
    if skipped:
        logger.warning("migration v2: dropped %d query-log rows with unreadable times", skipped)
    conn.execute("DROP TABLE query_log")
    conn.execute("ALTER TABLE query_log_v2 RENAME TO query_log")
    conn.execute("CREATE INDEX query_log_time ON query_log(time)")
    conn.execute("CREATE INDEX query_log_child_time ON query_log(child, time)")


# Approvals last a whole number of minutes after the decision (1 to 1440); v2 recorded a
# revoke only by moving `allowed_until` to the moment of the revoke.
_V3_NOT_WHOLE_MINUTES = """
    status = 'allowed' AND decided_at IS NOT NULL AND allowed_until IS NOT NULL
    AND allowed_until <= (julianday('now') - 2440587.5) * 86400.0
    AND (
        allowed_until - decided_at < 59.999
        OR abs((allowed_until - decided_at)
               - round((allowed_until - decided_at) / 60.0) * 60.0) > 0.001
    )
"""


def _v3_access_requests_revoked_at(conn: sqlite3.Connection) -> None:
    """`access_requests.revoked_at`: when a parent took a grant back, so that the API can
    tell a revoked grant from one whose time ran out.

    Rows from v2 get it where only a revoke can explain their end: a grant that ended, not
    a whole number of minutes after its approval (the v2 revoke set `allowed_until` to the
    moment of the revoke, so that moment is the revoke's).
    """
    conn.execute("ALTER TABLE access_requests ADD COLUMN revoked_at REAL")
    cursor = conn.execute(
        f"UPDATE access_requests SET revoked_at = allowed_until WHERE {_V3_NOT_WHOLE_MINUTES}"
    )
    if cursor.rowcount:
        logger.info("migration v3: %d earlier revoke(s) recognised", cursor.rowcount)


def _v4_query_log_typed_reasons(conn: sqlite3.Connection) -> None:
    """`query_log.reason` holds the typed reason's JSON object (``{"kind": ...}`` and its
    fields) instead of English text.

    Each distinct old text is converted once (`legacy_reason`) and the rows are updated in
    one pass. Lookups that failed but were logged ``resolved`` (every upstream down, a
    chain error) become ``failed``; blocked rows without a category get the one their old
    text named (CNAME-cloaked and bypass blocks), so statistics count them.
    """
    conn.execute(
        "CREATE TEMP TABLE v4_reasons (old TEXT PRIMARY KEY, new TEXT NOT NULL,"
        " category TEXT, failed INTEGER NOT NULL)"
    )
    select = conn.execute("SELECT DISTINCT reason FROM query_log")
    while rows := select.fetchmany(5000):
        converted = []
        for (old,) in rows:
            reason = legacy_reason(old or "")
            category = reason.get("category")
            converted.append(
                (
                    old,
                    encode_reason(reason),
                    category if isinstance(category, str) else None,
                    int(reason["kind"] == "failure"),
                )
            )
        conn.executemany("INSERT OR IGNORE INTO v4_reasons VALUES (?, ?, ?, ?)", converted)
    found = "(SELECT {} FROM v4_reasons WHERE old = query_log.reason)"
    conn.execute(
        "UPDATE query_log SET"
        f" decision = CASE WHEN decision = 'resolved' AND {found.format('failed')}"
        "  THEN 'failed' ELSE decision END,"
        " category = CASE WHEN (category IS NULL OR category = '')"
        f"  AND decision IN ('blocked', 'bypass') THEN {found.format('category')}"
        "  ELSE category END,"
        f" reason = coalesce({found.format('new')}, '{{\"kind\":\"other\"}}')"
    )
    conn.execute("DROP TABLE v4_reasons")


def _v5_outbox_undeliverable(conn: sqlite3.Connection) -> None:
    # An item a receiver refused for good (an HTTP 4xx) is kept, with why, for the parent.
    conn.execute("ALTER TABLE outbox ADD COLUMN failed_at REAL")
    conn.execute("DROP INDEX outbox_due")
    conn.execute("CREATE INDEX outbox_due ON outbox(delivered_at, failed_at, next_attempt_at)")
    # The nonces of signed commands already applied: each is usable once.
    conn.execute(
        """CREATE TABLE used_commands (
        nonce TEXT PRIMARY KEY,
        used_at REAL NOT NULL,
        expires_at REAL NOT NULL
    )"""
    )


# Adds to one minute's counter of `query_counts` (v6); the query log counts the rows it
# writes with it, and the counters' own module the answers whose rows were shed.
QUERY_COUNTS_UPSERT = (
    "INSERT INTO query_counts (minute, child, decision, category, count)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (minute, child, decision, category)"
    " DO UPDATE SET count = count + excluded.count"
)


def _v6_query_counts(conn: sqlite3.Connection) -> None:
    # Answers counted per minute, child, decision and category, for every answer: the
    # statistics stay exact when query-log rows are shed under load or pruned by count.
    conn.execute(
        """CREATE TABLE query_counts (
        minute INTEGER NOT NULL,
        child TEXT NOT NULL DEFAULT '',
        decision TEXT NOT NULL,
        category TEXT NOT NULL DEFAULT '',
        count INTEGER NOT NULL,
        PRIMARY KEY (minute, child, decision, category)
    ) WITHOUT ROWID"""
    )
    # The rows kept so far are all there is to count them from.
    conn.execute(
        "INSERT INTO query_counts (minute, child, decision, category, count)"
        " SELECT CAST(time AS INTEGER) / 60 * 60, coalesce(child, ''), decision,"
        " coalesce(category, ''), count(*) FROM query_log GROUP BY 1, 2, 3, 4"
    )


def _v7_query_log_count(conn: sqlite3.Connection) -> None:
    """`query_log.count`: the answers a row stands for (the writer merges repeats); every
    row written before stands for one."""
    conn.execute("ALTER TABLE query_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _v1),
    Migration(2, "query-log times as epoch seconds, (child, time) index", _v2_query_log_epoch),
    Migration(3, "access_requests.revoked_at", _v3_access_requests_revoked_at),
    Migration(4, "query-log reasons as typed JSON objects", _v4_query_log_typed_reasons),
    Migration(5, "outbox.failed_at (refused for good), used_commands", _v5_outbox_undeliverable),
    Migration(6, "query_counts: answers counted per minute", _v6_query_counts),
    Migration(7, "query_log.count: repeated answers merged into one row", _v7_query_log_count),
)

LATEST_VERSION = MIGRATIONS[-1].version


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def _check_ours(conn: sqlite3.Connection, where: str) -> None:
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    if app_id == APPLICATION_ID:
        return
    has_tables = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchone()
    if app_id != 0 or has_tables:
        raise NotOurDatabaseError(
            f"{where} is an SQLite database of another program (application_id {app_id:#x});"
            " Bảo An will not change it. Choose another data directory."
        )


def migrate(
    conn: sqlite3.Connection,
    where: str = "the database",
    migrations: tuple[Migration, ...] = MIGRATIONS,
    target: int | None = None,
) -> int:
    """Bring `conn` (autocommit mode) up to `target` (default: the latest); returns it.

    Raises SchemaTooNewError when the file is newer than this code knows.
    """
    known = migrations[-1].version
    target = known if target is None else target
    if [m.version for m in migrations] != list(range(1, known + 1)):
        raise StoreError("migrations must be numbered 1, 2, 3… without gaps")
    _check_ours(conn, where)
    current = schema_version(conn)
    if current > known:
        raise SchemaTooNewError(
            f"{where} has schema version {current}, but this Bảo An knows only up to"
            f" version {known}. It was written by a newer Bảo An: update Bảo An, or restore"
            " a backup made by this version."
        )
    for step in migrations:
        if step.version > target:
            break
        if step.version <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            now_at = schema_version(conn)
            if now_at >= step.version:
                conn.execute("ROLLBACK")
                current = now_at
                continue
            step.apply(conn)
            conn.execute(f"PRAGMA user_version = {step.version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        logger.info("%s: migrated to schema v%d (%s)", where, step.version, step.description)
        current = step.version
    return current
