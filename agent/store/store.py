"""The agent's SQLite store: what happens (queries, usage, events, requests, outbox).

Concurrency: one connection per thread. The DNS asyncio thread, the HTTP server's
threads and the scheduler's threads each get their own connection on first use; WAL lets
readers run beside the single writer, and every write is a short `BEGIN IMMEDIATE`
transaction, so writers queue on SQLite's lock (busy timeout) instead of failing or
dead-locking on a read-to-write upgrade. Connections of threads that have ended are
closed on the next connection opened, so a thread-per-request HTTP server does not leak.
The DNS path itself never waits on SQLite: it hands entries to `QueryLogWriter`.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import sqlite3
import threading
import uuid as uuid_module
import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as wall_time
from pathlib import Path
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from agent.store.migrations import StoreError, migrate, schema_version
from agent.store.models import (
    BLOCKED_DECISIONS,
    NOT_ALLOWED_DECISIONS,
    REQUEST_KINDS,
    REQUEST_STATUSES,
    AccessRequest,
    Event,
    ListState,
    OutboxItem,
    PruneResult,
    QueryLogEntry,
    QueryStats,
    RetentionPolicy,
    UsageInterval,
    from_timestamp,
    to_timestamp,
)
from agent.store.reasons import decode_reason, encode_reason

logger = logging.getLogger(__name__)

Synchronous = Literal["NORMAL", "FULL"]
EVENT_SEVERITIES: tuple[str, ...] = ("info", "warning", "alert", "urgent")
_PRUNE_CHUNK = 20_000  # rows per delete transaction: keeps the write lock short
_MAX_TARGET = 2048
_MAX_REASON = 1000


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, time-zone aware."""
        ...


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class AccessRequestNotFoundError(StoreError, LookupError):
    """No access request has that id."""


class AlreadyDecidedError(StoreError):
    """The access request was decided before (the first decision stands)."""


class OutboxItemNotFoundError(StoreError, LookupError):
    """No outbox item has that key."""


@dataclass(frozen=True)
class Backoff:
    """Outbox retry delays: `base * factor ** (attempts - 1)`, capped at `maximum` seconds."""

    base: float = 15.0
    factor: float = 2.0
    maximum: float = 3600.0

    def delay(self, attempts: int) -> float:
        exponent = max(attempts - 1, 0)
        # Cap the exponent first: a long outage must not overflow the float.
        if exponent > 64:
            return self.maximum
        return float(min(self.maximum, self.base * self.factor**exponent))


def _json_dumps(value: Any, what: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what} must be JSON data: {error}") from error


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _day_bounds(day: date, tz: str | tzinfo) -> tuple[float, float]:
    """Epoch seconds of local midnight at the start and end of `day` in `tz`."""
    zone = _zone(tz)
    start = datetime.combine(day, wall_time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), wall_time(0), tzinfo=zone)
    return start.timestamp(), end.timestamp()


class _Where:
    """A WHERE clause of optional conditions, each one `?` with its parameter."""

    def __init__(self, *clauses: str, params: Iterable[Any] = ()) -> None:
        self.clauses = list(clauses)
        self.params = list(params)

    def add(self, clause: str, value: Any) -> None:
        """Add `clause` with `value`, unless the value is None (no such filter)."""
        if value is not None:
            self.clauses.append(clause)
            self.params.append(value)

    def add_time(self, clause: str, moment: datetime | None) -> None:
        self.add(clause, None if moment is None else to_timestamp(moment))

    @property
    def sql(self) -> str:
        return f"WHERE {self.conditions}" if self.clauses else ""

    @property
    def conditions(self) -> str:
        """The conditions joined, or "1" (true) when there are none."""
        return " AND ".join(self.clauses) if self.clauses else "1"


def _union_seconds(spans: list[tuple[float, float]]) -> float:
    """Length of the union of [start, end) spans, so overlaps never count twice."""
    total = 0.0
    current_start = current_end = -math.inf
    for start, end in sorted(spans):
        if start > current_end:
            if current_end > current_start:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end > current_start:
        total += current_end - current_start
    return total


class Store:
    """One SQLite file in WAL mode, migrated to the latest schema on open.

    `synchronous` defaults to FULL: each commit is fsynced to the WAL, so even a power cut
    (a child pulling the plug to erase a tamper event or the evening's minutes) loses no
    committed write. Writes are batched (the query log once a second, heartbeats every
    few seconds), so the extra fsyncs cost little. NORMAL is allowed for slow disks; it is
    just as safe against a killed process, and only a power cut can lose the newest
    commits (never corrupt the file).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        retention: RetentionPolicy | None = None,
        synchronous: Synchronous = "FULL",
        busy_timeout_ms: int = 10_000,
        clock: Clock | None = None,
        outbox_backoff: Backoff | None = None,
    ) -> None:
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be NORMAL or FULL, not {synchronous!r}")
        self._path = Path(path)
        self._synchronous = synchronous
        self._busy_timeout_ms = busy_timeout_ms
        self._clock: Clock = clock or _SystemClock()
        self._retention = retention or RetentionPolicy()
        self._backoff = outbox_backoff or Backoff()
        self._local = threading.local()
        self._connections: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = []
        self._connections_lock = threading.Lock()
        self._closed = False
        self._path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connection()
        try:
            migrate(conn, where=str(self._path))
        except BaseException:
            self.close()
            raise

    # --- connections and transactions -------------------------------------------------

    @property
    def path(self) -> Path:
        return self._path

    @property
    def retention(self) -> RetentionPolicy:
        return self._retention

    def set_retention(self, retention: RetentionPolicy) -> None:
        """Apply the parent's new retention settings (used by the next `prune`)."""
        self._retention = retention

    def _open_connection(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self._path,
                timeout=self._busy_timeout_ms / 1000,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,  # closed by another thread once its owner ended
            )
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the database {self._path}: {error}") from error
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            if conn.execute("PRAGMA page_count").fetchone()[0] == 0:
                # Only possible on an empty file, and only before WAL is switched on.
                conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{self._path}: cannot switch to WAL mode (got {mode!r})")
            conn.execute(f"PRAGMA synchronous = {self._synchronous}")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as error:
            conn.close()
            raise StoreError(f"{self._path} is not a usable SQLite database: {error}") from error
        except BaseException:
            conn.close()
            raise
        return conn

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if self._closed:
            raise StoreError(f"the store {self._path} is closed")
        conn = self._open_connection()
        current = threading.current_thread()
        with self._connections_lock:
            alive = []
            for owner_ref, other in self._connections:
                owner = owner_ref()
                if owner is None or not owner.is_alive():
                    other.close()  # its thread has ended; nobody else uses it
                else:
                    alive.append((owner_ref, other))
            alive.append((weakref.ref(current), conn))
            self._connections = alive
        self._local.conn = conn
        self._local.depth = 0
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (`BEGIN IMMEDIATE`); nested calls join the outer one."""
        conn = self._connection()
        depth: int = self._local.depth
        if depth:
            self._local.depth = depth + 1
            try:
                yield conn
            finally:
                self._local.depth = depth
            return
        conn.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
        finally:
            self._local.depth = 0

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: several SELECTs see one consistent state."""
        conn = self._connection()
        if self._local.depth:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def close(self) -> None:
        """Close every connection. Call once no other thread uses the store."""
        self._closed = True
        with self._connections_lock:
            for _owner, conn in self._connections:
                try:
                    conn.close()
                except sqlite3.Error as error:  # closing must never raise on shutdown
                    logger.warning("closing a store connection failed: %s", error)
            self._connections = []
        self._local = threading.local()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _now(self, now: datetime | None) -> float:
        return to_timestamp(now if now is not None else self._clock.now())

    # --- health -------------------------------------------------------------------------

    def schema_version(self) -> int:
        return schema_version(self._connection())

    def journal_mode(self) -> str:
        return str(self._connection().execute("PRAGMA journal_mode").fetchone()[0])

    def integrity_check(self) -> str:
        """`ok`, or SQLite's description of what is broken."""
        rows = self._connection().execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)

    # --- query log ----------------------------------------------------------------------

    def add_query_log(self, entries: Iterable[QueryLogEntry]) -> int:
        """Write a batch in one transaction; returns how many rows were written."""
        rows = [
            (
                to_timestamp(e.time),
                e.child,
                e.client,
                e.name,
                e.qtype,
                e.decision,
                encode_reason(e.reason),
                e.category,
                float(e.latency_ms),
            )
            for e in entries
        ]
        if not rows:
            return 0
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO query_log (time, child, client, name, qtype, decision, reason,"
                " category, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def query_log(
        self,
        child: str | None = None,
        limit: int = 100,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[QueryLogEntry]:
        """The newest entries first."""
        where = self._query_filter(child, since)
        where.add_time("time < ?", until)
        rows = (
            self._connection()
            .execute(
                f"SELECT {self._QUERY_LOG_COLUMNS}"
                f" FROM query_log {where.sql} ORDER BY time DESC, id DESC LIMIT ?",
                (*where.params, max(0, int(limit))),
            )
            .fetchall()
        )
        return [self._query_log_entry(r) for r in rows]

    _QUERY_LOG_COLUMNS = "time, child, client, name, qtype, decision, reason, category, latency_ms"

    @staticmethod
    def _query_log_entry(row: Sequence[Any]) -> QueryLogEntry:
        return QueryLogEntry(
            time=from_timestamp(row[0]),
            child=row[1],
            client=row[2],
            name=row[3],
            qtype=row[4],
            decision=row[5],
            reason=decode_reason(row[6]),
            category=row[7],
            latency_ms=row[8],
        )

    def blocked_since(
        self, child: str, after_id: int = 0, limit: int = 100, *, since: datetime | None = None
    ) -> list[tuple[int, QueryLogEntry]]:
        """Blocked query-log rows of `child` with a row id above `after_id` (and a time from
        `since` on), as (row id, entry), oldest first. At most `limit` rows: the newest ones
        when there are more."""
        where = _Where(
            "id > ?",
            # `+child`: walk the row ids above the cursor, not all of the child's rows.
            "+child = ?" if since is None else "child = ?",
            f"decision IN ({', '.join('?' for _ in BLOCKED_DECISIONS)})",
            params=(max(0, int(after_id)), child, *BLOCKED_DECISIONS),
        )
        where.add_time("time >= ?", since)
        rows = self._connection().execute(
            f"SELECT id, {self._QUERY_LOG_COLUMNS} FROM query_log {where.sql}"
            " ORDER BY id DESC LIMIT ?",
            (*where.params, max(0, int(limit))),
        )
        return [(r[0], self._query_log_entry(r[1:])) for r in reversed(rows.fetchall())]

    def last_query_log_id(self) -> int:
        """The newest query-log row id (0 for an empty log): where a cursor starts."""
        row = self._connection().execute("SELECT coalesce(max(id), 0) FROM query_log")
        return int(row.fetchone()[0])

    @staticmethod
    def _query_filter(child: str | None, since: datetime | None) -> _Where:
        where = _Where()
        where.add("child = ?", child)
        where.add_time("time >= ?", since)
        return where

    def query_log_count(self, child: str | None = None) -> int:
        where = self._query_filter(child, None)
        row = self._connection().execute(
            f"SELECT count(*) FROM query_log {where.sql}", where.params
        )
        return int(row.fetchone()[0])

    def stats(
        self, child: str | None = None, since: datetime | None = None, top: int = 10
    ) -> QueryStats:
        """Top blocked and allowed names and counts per category, for the dashboard."""
        where = self._query_filter(child, since)
        base, params = where.conditions, where.params
        marks = ", ".join("?" for _ in BLOCKED_DECISIONS)
        with self._snapshot() as conn:
            total, blocked = conn.execute(
                f"SELECT count(*), coalesce(sum(decision IN ({marks})), 0)"
                f" FROM query_log WHERE {base}",
                (*BLOCKED_DECISIONS, *params),
            ).fetchone()
            top_blocked = conn.execute(
                f"SELECT name, count(*) AS n FROM query_log WHERE {base} AND decision IN"
                f" ({marks}) GROUP BY name ORDER BY n DESC, name LIMIT ?",
                (*params, *BLOCKED_DECISIONS, top),
            ).fetchall()
            top_allowed = conn.execute(
                f"SELECT name, count(*) AS n FROM query_log WHERE {base} AND decision NOT IN"
                f" ({', '.join('?' for _ in NOT_ALLOWED_DECISIONS)}) GROUP BY name"
                " ORDER BY n DESC, name LIMIT ?",
                (*params, *NOT_ALLOWED_DECISIONS, top),
            ).fetchall()
            categories = conn.execute(
                f"SELECT category, count(*) AS n FROM query_log WHERE {base} AND category IS"
                " NOT NULL AND category != '' GROUP BY category ORDER BY n DESC, category",
                params,
            ).fetchall()
        return QueryStats(
            total=int(total),
            blocked=int(blocked),
            top_blocked=[(str(n), int(c)) for n, c in top_blocked],
            top_allowed=[(str(n), int(c)) for n, c in top_allowed],
            by_category={str(cat): int(c) for cat, c in categories},
        )

    # --- usage ----------------------------------------------------------------------------

    def record_heartbeat(
        self,
        child: str,
        app_id: str,
        exe: str = "",
        *,
        at: datetime | None = None,
        pulsetime: float = 15.0,
    ) -> UsageInterval:
        """Merge one foreground-app heartbeat into the child's usage intervals.

        As in ActivityWatch: the same app seen again within `pulsetime` seconds extends
        the open interval; another app within `pulsetime` closes the previous interval at
        this moment and opens a new one, so switching apps loses no time; a longer gap
        (idle, locked, tray gone) starts afresh. Send heartbeats only while time counts.
        """
        if not child or not app_id:
            raise ValueError("a heartbeat needs a child and an app id")
        moment = self._now(at)
        with self.transaction() as conn:
            last = conn.execute(
                'SELECT id, app_id, exe, start, "end" FROM usage_intervals WHERE child = ?'
                ' ORDER BY "end" DESC, id DESC LIMIT 1',
                (child,),
            ).fetchone()
            if last is not None:
                last_id, last_app, last_exe, last_start, last_end = last
                within = last_start <= moment and moment - last_end <= pulsetime
                if within and last_app == app_id and last_exe == exe:
                    new_end = max(last_end, moment)
                    conn.execute(
                        'UPDATE usage_intervals SET "end" = ? WHERE id = ?', (new_end, last_id)
                    )
                    return UsageInterval(
                        last_id,
                        child,
                        app_id,
                        exe,
                        from_timestamp(last_start),
                        from_timestamp(new_end),
                    )
                if within and moment > last_end:
                    conn.execute(
                        'UPDATE usage_intervals SET "end" = ? WHERE id = ?', (moment, last_id)
                    )
            cursor = conn.execute(
                'INSERT INTO usage_intervals (child, app_id, exe, start, "end")'
                " VALUES (?, ?, ?, ?, ?)",
                (child, app_id, exe, moment, moment),
            )
            new_id = int(cursor.lastrowid or 0)
        when = from_timestamp(moment)
        return UsageInterval(new_id, child, app_id, exe, when, when)

    def usage_intervals(
        self,
        child: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[UsageInterval]:
        """Intervals overlapping [start, end), oldest first."""
        where = _Where()
        where.add("child = ?", child)
        where.add_time('"end" > ?', start)
        where.add_time("start < ?", end)
        rows = self._connection().execute(
            f'SELECT id, child, app_id, exe, start, "end" FROM usage_intervals {where.sql}'
            " ORDER BY start, id",
            where.params,
        )
        return [
            UsageInterval(r[0], r[1], r[2], r[3], from_timestamp(r[4]), from_timestamp(r[5]))
            for r in rows.fetchall()
        ]

    def _usage_spans(
        self, day: date, tz: str | tzinfo, child: str | None
    ) -> list[tuple[str, str, float, float]]:
        day_start, day_end = _day_bounds(day, tz)
        where = _Where('"end" > ?', "start < ?", params=(day_start, day_end))
        where.add("child = ?", child)
        rows = self._connection().execute(
            f'SELECT child, app_id, start, "end" FROM usage_intervals {where.sql}',
            where.params,
        )
        return [
            (c, app, max(start, day_start), min(end, day_end))
            for c, app, start, end in rows.fetchall()
        ]

    def usage_minutes_by_child(
        self, day: date, tz: str | tzinfo = "Asia/Ho_Chi_Minh"
    ) -> dict[str, float]:
        """Minutes of counted use per child on `day`, midnight to midnight in `tz`."""
        spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for child, _app, start, end in self._usage_spans(day, tz, None):
            spans[child].append((start, end))
        return {child: _union_seconds(s) / 60.0 for child, s in sorted(spans.items())}

    def usage_minutes_by_app(
        self, child: str, day: date, tz: str | tzinfo = "Asia/Ho_Chi_Minh"
    ) -> dict[str, float]:
        """Minutes per app id for one child on `day` (for per-service limits)."""
        spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for _child, app, start, end in self._usage_spans(day, tz, child):
            spans[app].append((start, end))
        return {app: _union_seconds(s) / 60.0 for app, s in sorted(spans.items())}

    # --- events -------------------------------------------------------------------------

    def add_event(
        self,
        kind: str,
        message: str,
        *,
        child: str | None = None,
        severity: str = "info",
        data: Mapping[str, Any] | None = None,
        at: datetime | None = None,
    ) -> Event:
        """Record an alert, a tamper or clock event, or a notable change."""
        if not kind:
            raise ValueError("an event needs a kind")
        if severity not in EVENT_SEVERITIES:
            raise ValueError(f"event severity must be one of {EVENT_SEVERITIES}, not {severity!r}")
        payload = dict(data or {})
        encoded = _json_dumps(payload, "event data")
        moment = self._now(at)
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO events (time, child, kind, severity, message, data)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (moment, child, kind, severity, message, encoded),
            )
            event_id = int(cursor.lastrowid or 0)
        return Event(event_id, from_timestamp(moment), kind, severity, message, child, payload)

    def events(
        self,
        child: str | None = None,
        kind: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
    ) -> list[Event]:
        """Newest first."""
        where = _Where()
        where.add("child = ?", child)
        where.add("kind = ?", kind)
        where.add_time("time >= ?", since)
        rows = self._connection().execute(
            f"SELECT id, time, kind, severity, message, child, data FROM events {where.sql}"
            " ORDER BY time DESC, id DESC LIMIT ?",
            (*where.params, max(0, int(limit))),
        )
        return [
            Event(r[0], from_timestamp(r[1]), r[2], r[3], r[4], r[5], json.loads(r[6]))
            for r in rows.fetchall()
        ]

    # --- access requests ----------------------------------------------------------------

    @staticmethod
    def _access_request(row: tuple[Any, ...]) -> AccessRequest:
        return AccessRequest(
            id=row[0],
            child=row[1],
            kind=row[2],
            target=row[3],
            reason=row[4],
            status=row[5],
            created_at=from_timestamp(row[6]),
            decided_at=None if row[7] is None else from_timestamp(row[7]),
            decided_by=row[8],
            allowed_until=None if row[9] is None else from_timestamp(row[9]),
            revoked_at=None if row[10] is None else from_timestamp(row[10]),
        )

    _REQUEST_COLUMNS = (
        "id, child, kind, target, reason, status, created_at, decided_at, decided_by,"
        " allowed_until, revoked_at"
    )

    def create_access_request(
        self,
        child: str,
        kind: str,
        target: str,
        reason: str = "",
        *,
        now: datetime | None = None,
    ) -> AccessRequest:
        """A child asks for a site or for more time.

        A second identical request while one is pending returns the pending one (with the
        newer reason), so pressing the button again does not flood the parents.
        """
        if kind not in REQUEST_KINDS:
            raise ValueError(f"request kind must be one of {REQUEST_KINDS}, not {kind!r}")
        if not child:
            raise ValueError("a request needs a child")
        target = target.strip()
        if not target or len(target) > _MAX_TARGET:
            raise ValueError(f"request target must be 1 to {_MAX_TARGET} characters")
        reason = reason.strip()[:_MAX_REASON]
        moment = self._now(now)
        with self.transaction() as conn:
            pending = conn.execute(
                f"SELECT {self._REQUEST_COLUMNS} FROM access_requests WHERE child = ? AND"
                " kind = ? AND target = ? AND status = 'pending'",
                (child, kind, target),
            ).fetchone()
            if pending is not None:
                if reason and reason != pending[4]:
                    conn.execute(
                        "UPDATE access_requests SET reason = ? WHERE id = ?", (reason, pending[0])
                    )
                    pending = (*pending[:4], reason, *pending[5:])
                return self._access_request(pending)
            request_id = secrets.token_urlsafe(16)  # unguessable: the id is shown in URLs
            conn.execute(
                "INSERT INTO access_requests (id, child, kind, target, reason, status,"
                " created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)",
                (request_id, child, kind, target, reason, moment),
            )
        return AccessRequest(
            request_id, child, kind, target, reason, "pending", from_timestamp(moment)
        )

    def get_access_request(self, request_id: str) -> AccessRequest | None:
        row = (
            self._connection()
            .execute(
                f"SELECT {self._REQUEST_COLUMNS} FROM access_requests WHERE id = ?", (request_id,)
            )
            .fetchone()
        )
        return None if row is None else self._access_request(row)

    def access_requests(
        self, child: str | None = None, status: str | None = None, limit: int = 100
    ) -> list[AccessRequest]:
        """Newest first."""
        if status is not None and status not in REQUEST_STATUSES:
            raise ValueError(f"status must be one of {REQUEST_STATUSES}, not {status!r}")
        where = _Where()
        where.add("child = ?", child)
        where.add("status = ?", status)
        rows = self._connection().execute(
            f"SELECT {self._REQUEST_COLUMNS} FROM access_requests {where.sql}"
            " ORDER BY created_at DESC, rowid DESC LIMIT ?",
            (*where.params, max(0, int(limit))),
        )
        return [self._access_request(r) for r in rows.fetchall()]

    def decide_access_request(
        self,
        request_id: str,
        allow: bool,
        *,
        until: datetime | None = None,
        by: str = "parent",
        now: datetime | None = None,
    ) -> AccessRequest:
        """Allow (until `until`, or until revoked when None) or deny a pending request.

        The first decision stands: deciding again raises AlreadyDecidedError, so a
        caregiver's phone and the parent at the PC cannot overwrite each other.
        """
        moment = self._now(now)
        allowed_until: float | None = None
        if allow and until is not None:
            allowed_until = to_timestamp(until)
            if allowed_until <= moment:
                raise ValueError("allowed_until must be in the future")
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE access_requests SET status = ?, allowed_until = ?, decided_at = ?,"
                " decided_by = ? WHERE id = ? AND status = 'pending'",
                ("allowed" if allow else "denied", allowed_until, moment, by, request_id),
            )
            row = conn.execute(
                f"SELECT {self._REQUEST_COLUMNS} FROM access_requests WHERE id = ?", (request_id,)
            ).fetchone()
        if row is None:
            raise AccessRequestNotFoundError(f"no access request with id {request_id!r}")
        if cursor.rowcount == 0:
            raise AlreadyDecidedError(f"access request {request_id!r} was already {row[5]}")
        return self._access_request(row)

    def revoke_access_request(self, request_id: str, now: datetime | None = None) -> AccessRequest:
        """End an allowance now (a parent changed their mind): `allowed_until` becomes now
        and `revoked_at` records it. An allowance that already ended is left as it is."""
        moment = self._now(now)
        with self.transaction() as conn:
            conn.execute(
                "UPDATE access_requests SET allowed_until = ?, revoked_at = ? WHERE id = ?"
                " AND status = 'allowed' AND (allowed_until IS NULL OR allowed_until > ?)",
                (moment, moment, request_id, moment),
            )
            row = conn.execute(
                f"SELECT {self._REQUEST_COLUMNS} FROM access_requests WHERE id = ?", (request_id,)
            ).fetchone()
        if row is None:
            raise AccessRequestNotFoundError(f"no access request with id {request_id!r}")
        return self._access_request(row)

    def active_allowances(
        self, child: str | None = None, now: datetime | None = None
    ) -> list[AccessRequest]:
        """Allowed requests still in force at `now` (the policy compiler adds these)."""
        moment = self._now(now)
        where = _Where(
            "status = 'allowed'", "(allowed_until IS NULL OR allowed_until > ?)", params=[moment]
        )
        where.add("child = ?", child)
        rows = self._connection().execute(
            f"SELECT {self._REQUEST_COLUMNS} FROM access_requests {where.sql} ORDER BY decided_at",
            where.params,
        )
        return [self._access_request(r) for r in rows.fetchall()]

    # --- outbox -------------------------------------------------------------------------

    @staticmethod
    def _outbox_item(row: tuple[Any, ...]) -> OutboxItem:
        return OutboxItem(
            key=row[0],
            channel=row[1],
            payload=json.loads(row[2]),
            event_id=row[3],
            created_at=from_timestamp(row[4]),
            attempts=row[5],
            next_attempt_at=from_timestamp(row[6]),
            delivered_at=None if row[7] is None else from_timestamp(row[7]),
            last_error=row[8],
        )

    _OUTBOX_COLUMNS = (
        "uuid, channel, payload, event_id, created_at, attempts, next_attempt_at,"
        " delivered_at, last_error"
    )

    def enqueue(
        self,
        channel: str,
        payload: Mapping[str, Any],
        *,
        key: str | None = None,
        event_id: int | None = None,
        now: datetime | None = None,
    ) -> OutboxItem:
        """Put an alert in the durable outbox; due at once.

        `key` is the idempotency key (a new UUID when None): enqueueing the same key again
        returns the stored item and adds nothing.
        """
        if not channel:
            raise ValueError("an outbox item needs a channel")
        encoded = _json_dumps(dict(payload), "outbox payload")
        key = key or str(uuid_module.uuid4())
        moment = self._now(now)
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO outbox (uuid, channel, payload, event_id, created_at,"
                " attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
                (key, channel, encoded, event_id, moment, moment),
            )
            row = conn.execute(
                f"SELECT {self._OUTBOX_COLUMNS} FROM outbox WHERE uuid = ?", (key,)
            ).fetchone()
        return self._outbox_item(row)

    def get_outbox_item(self, key: str) -> OutboxItem | None:
        row = (
            self._connection()
            .execute(f"SELECT {self._OUTBOX_COLUMNS} FROM outbox WHERE uuid = ?", (key,))
            .fetchone()
        )
        return None if row is None else self._outbox_item(row)

    def outbox_due(
        self, now: datetime | None = None, limit: int = 50, channel: str | None = None
    ) -> list[OutboxItem]:
        """Undelivered items whose next attempt is due, oldest first."""
        where = _Where("delivered_at IS NULL", "next_attempt_at <= ?", params=[self._now(now)])
        where.add("channel = ?", channel)
        rows = self._connection().execute(
            f"SELECT {self._OUTBOX_COLUMNS} FROM outbox {where.sql}"
            " ORDER BY next_attempt_at, created_at LIMIT ?",
            (*where.params, max(0, int(limit))),
        )
        return [self._outbox_item(r) for r in rows.fetchall()]

    def outbox_pending_count(self) -> int:
        row = self._connection().execute("SELECT count(*) FROM outbox WHERE delivered_at IS NULL")
        return int(row.fetchone()[0])

    def mark_delivered(self, key: str, now: datetime | None = None) -> OutboxItem:
        moment = self._now(now)
        with self.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL"
                " WHERE uuid = ? AND delivered_at IS NULL",
                (moment, key),
            )
            row = conn.execute(
                f"SELECT {self._OUTBOX_COLUMNS} FROM outbox WHERE uuid = ?", (key,)
            ).fetchone()
        if row is None:
            raise OutboxItemNotFoundError(f"no outbox item with key {key!r}")
        return self._outbox_item(row)

    def mark_failed(self, key: str, error: str, now: datetime | None = None) -> OutboxItem:
        """Count a failed attempt and schedule the next one with exponential back-off."""
        moment = self._now(now)
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT attempts, delivered_at FROM outbox WHERE uuid = ?", (key,)
            ).fetchone()
            if row is None:
                raise OutboxItemNotFoundError(f"no outbox item with key {key!r}")
            attempts, delivered_at = row
            if delivered_at is None:
                attempts += 1
                conn.execute(
                    "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?"
                    " WHERE uuid = ?",
                    (attempts, moment + self._backoff.delay(attempts), error[:2000], key),
                )
            stored = conn.execute(
                f"SELECT {self._OUTBOX_COLUMNS} FROM outbox WHERE uuid = ?", (key,)
            ).fetchone()
        return self._outbox_item(stored)

    # --- list state ---------------------------------------------------------------------

    def upsert_list_state(self, state: ListState) -> None:
        updated = None if state.updated_at is None else to_timestamp(state.updated_at)
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO list_state (category, source, etag, last_modified, count,"
                " bad_lines, updated_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (category, source) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, count = excluded.count,"
                " bad_lines = excluded.bad_lines, updated_at = excluded.updated_at,"
                " error = excluded.error",
                (
                    state.category,
                    state.source,
                    state.etag,
                    state.last_modified,
                    state.count,
                    state.bad_lines,
                    updated,
                    state.error,
                ),
            )

    def record_list_error(self, category: str, source: str, error: str) -> ListState:
        """A refresh failed: note why, keep the last good copy's counts and validators."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO list_state (category, source, error) VALUES (?, ?, ?)"
                " ON CONFLICT (category, source) DO UPDATE SET error = excluded.error",
                (category, source, error),
            )
        state = self.get_list_state(category, source)
        assert state is not None  # just written in this thread
        return state

    @staticmethod
    def _list_state(row: tuple[Any, ...]) -> ListState:
        return ListState(
            category=row[0],
            source=row[1],
            etag=row[2],
            last_modified=row[3],
            count=row[4],
            bad_lines=row[5],
            updated_at=None if row[6] is None else from_timestamp(row[6]),
            error=row[7],
        )

    _LIST_COLUMNS = "category, source, etag, last_modified, count, bad_lines, updated_at, error"

    def get_list_state(self, category: str, source: str) -> ListState | None:
        row = (
            self._connection()
            .execute(
                f"SELECT {self._LIST_COLUMNS} FROM list_state WHERE category = ? AND source = ?",
                (category, source),
            )
            .fetchone()
        )
        return None if row is None else self._list_state(row)

    def list_states(self) -> list[ListState]:
        rows = self._connection().execute(
            f"SELECT {self._LIST_COLUMNS} FROM list_state ORDER BY category, source"
        )
        return [self._list_state(r) for r in rows.fetchall()]

    def delete_list_state(self, category: str, source: str) -> bool:
        with self.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM list_state WHERE category = ? AND source = ?", (category, source)
            )
        return cursor.rowcount > 0

    # --- key/value ----------------------------------------------------------------------

    def kv_get(self, key: str, default: Any = None) -> Any:
        row = self._connection().execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def kv_set(self, key: str, value: Any, *, now: datetime | None = None) -> None:
        encoded = _json_dumps(value, f"kv value for {key!r}")
        moment = self._now(now)
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key)"
                " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (key, encoded, moment),
            )

    def kv_delete(self, key: str) -> bool:
        with self.transaction() as conn:
            cursor = conn.execute("DELETE FROM kv WHERE key = ?", (key,))
        return cursor.rowcount > 0

    # --- retention ----------------------------------------------------------------------

    def _delete_chunked(self, sql: str, params: tuple[Any, ...]) -> int:
        """Run a `DELETE ... WHERE id IN (SELECT ... LIMIT ?)` until nothing is left."""
        removed = 0
        while True:
            with self.transaction() as conn:
                count = conn.execute(sql, (*params, _PRUNE_CHUNK)).rowcount
            removed += count
            if count < _PRUNE_CHUNK:
                return removed

    def prune(self, now: datetime | None = None) -> PruneResult:
        """Apply the retention policy; returns how many rows each table lost."""
        moment = self._now(now)
        policy = self._retention
        day = 86_400.0
        query_log = self._delete_chunked(
            "DELETE FROM query_log WHERE id IN (SELECT id FROM query_log WHERE time < ? LIMIT ?)",
            (moment - policy.query_log_days * day,),
        )
        # Row cap: the oldest rows beyond the newest `query_log_max_rows` go.
        row = (
            self._connection()
            .execute(
                "SELECT id FROM query_log ORDER BY id DESC LIMIT 1 OFFSET ?",
                (policy.query_log_max_rows,),
            )
            .fetchone()
        )
        if row is not None:
            query_log += self._delete_chunked(
                "DELETE FROM query_log WHERE id IN (SELECT id FROM query_log WHERE id <= ?"
                " LIMIT ?)",
                (row[0],),
            )
        usage = self._delete_chunked(
            'DELETE FROM usage_intervals WHERE id IN (SELECT id FROM usage_intervals WHERE "end"'
            " < ? LIMIT ?)",
            (moment - policy.usage_days * day,),
        )
        events = self._delete_chunked(
            "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE time < ? LIMIT ?)",
            (moment - policy.events_days * day,),
        )
        requests = self._delete_chunked(
            "DELETE FROM access_requests WHERE rowid IN (SELECT rowid FROM access_requests"
            " WHERE (status = 'denied' OR (status = 'allowed' AND allowed_until < ?))"
            " AND created_at < ? LIMIT ?)",
            (moment, moment - policy.access_requests_days * day),
        )
        outbox = self._delete_chunked(
            "DELETE FROM outbox WHERE rowid IN (SELECT rowid FROM outbox WHERE delivered_at"
            " IS NOT NULL AND delivered_at < ? LIMIT ?)",
            (moment - policy.outbox_delivered_days * day,),
        )
        result = PruneResult(query_log, usage, events, requests, outbox)
        if result.total and not self._local.depth:
            # Give freed pages back to the file system (auto_vacuum is INCREMENTAL).
            # execute() would step this pragma once and free a single page; executescript
            # runs it to the end (and there is no open transaction for it to commit).
            self._connection().executescript("PRAGMA incremental_vacuum;")
            logger.info("retention removed %d rows: %s", result.total, result)
        return result

    def delete_child_data(self, child: str) -> PruneResult:
        """Forget one child's query log, usage, events and requests (privacy)."""
        with self.transaction() as conn:
            counts = [
                conn.execute(f"DELETE FROM {table} WHERE child = ?", (child,)).rowcount
                for table in ("query_log", "usage_intervals", "events", "access_requests")
            ]
        return PruneResult(*counts)
