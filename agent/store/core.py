"""The store's connection and transaction core: one SQLite file, nothing about any table.

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
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from agent.private_files import create_private_file, make_private_dir
from agent.store.migrations import StoreError, migrate, schema_version
from agent.store.models import RetentionPolicy, to_timestamp
from dns_filter.clock import Clock, SystemClock

logger = logging.getLogger(__name__)

Synchronous = Literal["NORMAL", "FULL"]
PRUNE_CHUNK = 20_000  # rows per delete transaction: keeps the write lock short
DAY_SECONDS = 86_400.0


def json_dumps(value: Any, what: str) -> str:
    """Compact JSON for a column; anything that is not JSON data is a ValueError."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what} must be JSON data: {error}") from error



PAGE_CACHE_KIB = 256  # per connection (SQLite counts a negative cache_size in KiB)

class Where:
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


class Database:
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
    ) -> None:
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be NORMAL or FULL, not {synchronous!r}")
        self._path = Path(path)
        self._synchronous = synchronous
        self._busy_timeout_ms = busy_timeout_ms
        self._clock: Clock = clock or SystemClock()
        self._retention = retention or RetentionPolicy()
        self._local = threading.local()
        self._connections: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = []
        self._connections_lock = threading.Lock()
        self._closed = False
        if self._is_file():
            # Created 0600 before SQLite opens it: its WAL and SHM take the file's mode.
            make_private_dir(self._path.parent)
            create_private_file(self._path)
        conn = self.connection()
        try:
            migrate(conn, where=str(self._path))
        except BaseException:
            self.close()
            raise

    @property
    def path(self) -> Path:
        return self._path

    def _is_file(self) -> bool:
        return str(self._path) not in ("", ":memory:") and not str(self._path).startswith(
            "file:"
        )

    # --- retention settings -------------------------------------------------------------

    @property
    def retention(self) -> RetentionPolicy:
        return self._retention

    def set_retention(self, retention: RetentionPolicy) -> None:
        """Apply the parent's new retention settings (used by the next prune)."""
        self._retention = retention

    # --- time -----------------------------------------------------------------------------

    def timestamp(self, moment: datetime | None) -> float:
        """Epoch seconds of `moment`, or of the clock's now when None."""
        return to_timestamp(moment if moment is not None else self._clock.now())

    # --- connections and transactions -------------------------------------------------

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
            # Each thread has its own connection, and SQLite's default page cache is 2 MiB
            # each; the OS's file cache serves the rereads as well, so keep each small.
            conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as error:
            conn.close()
            raise StoreError(f"{self._path} is not a usable SQLite database: {error}") from error
        except BaseException:
            conn.close()
            raise
        return conn

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
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

    @property
    def in_transaction(self) -> bool:
        """Whether this thread is inside `transaction()`."""
        return bool(getattr(self._local, "depth", 0))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (`BEGIN IMMEDIATE`); nested calls join the outer one."""
        conn = self.connection()
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
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: several SELECTs see one consistent state."""
        conn = self.connection()
        if self._local.depth:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def delete_chunked(self, sql: str, params: tuple[Any, ...]) -> int:
        """Run a `DELETE ... WHERE id IN (SELECT ... LIMIT ?)` until nothing is left, each
        chunk its own short transaction so the DNS writer is never held up for long."""
        removed = 0
        while True:
            with self.transaction() as conn:
                count = conn.execute(sql, (*params, PRUNE_CHUNK)).rowcount
            removed += count
            if count < PRUNE_CHUNK:
                return removed

    def vacuum(self) -> None:
        """Give freed pages back to the file system (auto_vacuum is INCREMENTAL)."""
        if self.in_transaction:
            return  # the pragma cannot run inside a transaction; the next prune does it
        # execute() would step this pragma once and free a single page; executescript runs
        # it to the end (and there is no open transaction for it to commit).
        self.connection().executescript("PRAGMA incremental_vacuum;")

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

    # --- health -------------------------------------------------------------------------

    def schema_version(self) -> int:
        return schema_version(self.connection())

    def journal_mode(self) -> str:
        return str(self.connection().execute("PRAGMA journal_mode").fetchone()[0])

    def integrity_check(self) -> str:
        """`ok`, or SQLite's description of what is broken."""
        rows = self.connection().execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)
