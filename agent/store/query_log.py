"""The DNS query log: batches written by `QueryLogWriter`, read by the API and the tray."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from itertools import chain
from typing import Any

from agent.store.core import DAY_SECONDS, Database, Where
from agent.store.migrations import QUERY_COUNTS_UPSERT
from agent.store.models import (
    BLOCKED_DECISIONS,
    NOT_ALLOWED_DECISIONS,
    QUERY_LOG_ROW_COLUMNS,
    ROW_WIDTH,
    CountKey,
    QueryLogEntry,
    QueryLogRow,
    QueryLogValue,
    QueryStats,
    RetentionPolicy,
    count_key,
    from_timestamp,
    minute_of,
    row_of,
)
from agent.store.reasons import decode_reason, encode_reason

_COLUMNS = "time, child, client, name, qtype, decision, reason, category, latency_ms, count"
# Rows per INSERT of many VALUES, at most: one statement binds them all and SQLite inserts
# them in one step, without the GIL, instead of one step (and one hand-over of the GIL to
# the DNS loop and back) per row. 20,480 parameters, below SQLite's 32,766.
_MOST_ROWS_PER_INSERT = 2048


@lru_cache(maxsize=16)
def _insert_sql(rows: int) -> str:
    """An INSERT of `rows` rows (a power of two: a dozen statements, each prepared once)."""
    marks = ", ".join([f"({', '.join(['?'] * ROW_WIDTH)})"] * rows)
    return f"INSERT INTO query_log ({QUERY_LOG_ROW_COLUMNS}) VALUES {marks}"


def _insert_values(conn: sqlite3.Connection, values: Sequence[QueryLogValue]) -> None:
    rows = len(values) // ROW_WIDTH
    start, size = 0, _MOST_ROWS_PER_INSERT
    while start < rows:
        while size > rows - start:
            size //= 2
        conn.execute(_insert_sql(size), values[start * ROW_WIDTH : (start + size) * ROW_WIDTH])
        start += size


def _entry(row: Sequence[Any]) -> QueryLogEntry:
    return QueryLogEntry(
        time=from_timestamp(row[0]),
        child=row[1],
        client=row[2],
        name=row[3],
        qtype=row[4],
        decision=row[5],
        reason=decode_reason(row[6]),
        category=row[7],
        latency_ms=round(row[8], 3),  # written unrounded: one step less per answer
        count=int(row[9]),
    )


def _filter(child: str | None, since: datetime | None) -> Where:
    where = Where()
    where.add("child = ?", child)
    where.add_time("time >= ?", since)
    return where


def _counted(
    conn: sqlite3.Connection, child: str | None, since: datetime | None
) -> tuple[int, int, dict[str, int]]:
    """Answers, blocks and blocks per category from `query_counts` (every answer, its
    row kept or not), to the minute that holds `since`."""
    where = Where()
    where.add("child = ?", child)
    where.add("minute >= ?", None if since is None else minute_of(since))
    marks = ", ".join("?" for _ in BLOCKED_DECISIONS)
    rows = conn.execute(
        f"SELECT decision IN ({marks}), category, sum(count) FROM query_counts {where.sql}"
        " GROUP BY 1, 2",
        (*BLOCKED_DECISIONS, *where.params),
    ).fetchall()
    total = blocked = 0
    by_category: dict[str, int] = {}
    for is_block, category, count in rows:
        total += int(count)
        blocked += int(count) if is_block else 0
        if category:
            by_category[str(category)] = by_category.get(str(category), 0) + int(count)
    ordered = sorted(by_category.items(), key=lambda item: (-item[1], item[0]))
    return total, blocked, dict(ordered)


class QueryLog:
    """The `query_log` table, and the counters (`query_counts`) of the rows it writes."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, entries: Iterable[QueryLogEntry]) -> int:
        """Write a batch, and count it (`query_counts`), in one transaction; returns how
        many rows were written."""
        counts: Counter[CountKey] = Counter()
        rows = []
        for entry in entries:
            rows.append(row_of(entry, encode_reason(entry.reason)))
            counts[count_key(entry)] += entry.count
        return self.add_rows(rows, counts)

    def add_rows(self, rows: Sequence[QueryLogRow], counts: Mapping[CountKey, int]) -> int:
        """`add_values` for rows given as tuples."""
        return self.add_values(list(chain.from_iterable(rows)), counts)

    def add_values(
        self, values: Sequence[QueryLogValue], counts: Mapping[CountKey, int]
    ) -> int:
        """Write the rows of `values` (`ROW_WIDTH` a row, `QUERY_LOG_ROW_COLUMNS` order)
        and add `counts` to the counters in one transaction; returns how many rows were
        written. `counts` are the writer's: every answer since its last batch, these
        rows' and those it shed, so the counters stay exact."""
        if len(values) % ROW_WIDTH:
            raise ValueError(f"{len(values)} values are not whole rows of {ROW_WIDTH}")
        counted = [(*key, int(count)) for key, count in counts.items() if count]
        if not values and not counted:
            return 0
        with self._db.transaction() as conn:
            if values:
                _insert_values(conn, values)
            if counted:
                conn.executemany(QUERY_COUNTS_UPSERT, counted)
        return len(values) // ROW_WIDTH

    def recent(
        self,
        child: str | None = None,
        limit: int = 100,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[QueryLogEntry]:
        """The newest entries first."""
        where = _filter(child, since)
        where.add_time("time < ?", until)
        rows = (
            self._db.connection()
            .execute(
                f"SELECT {_COLUMNS} FROM query_log {where.sql} ORDER BY time DESC, id DESC LIMIT ?",
                (*where.params, max(0, int(limit))),
            )
            .fetchall()
        )
        return [_entry(r) for r in rows]

    def blocked_since(
        self, child: str, after_id: int = 0, limit: int = 100, *, since: datetime | None = None
    ) -> list[tuple[int, QueryLogEntry]]:
        """Blocked query-log rows of `child` with a row id above `after_id` (and a time from
        `since` on), as (row id, entry), oldest first. At most `limit` rows: the newest ones
        when there are more."""
        where = Where(
            "id > ?",
            # `+child`: walk the row ids above the cursor, not all of the child's rows.
            "+child = ?" if since is None else "child = ?",
            f"decision IN ({', '.join('?' for _ in BLOCKED_DECISIONS)})",
            params=(max(0, int(after_id)), child, *BLOCKED_DECISIONS),
        )
        where.add_time("time >= ?", since)
        rows = self._db.connection().execute(
            f"SELECT id, {_COLUMNS} FROM query_log {where.sql} ORDER BY id DESC LIMIT ?",
            (*where.params, max(0, int(limit))),
        )
        return [(r[0], _entry(r[1:])) for r in reversed(rows.fetchall())]

    def last_id(self) -> int:
        """The newest query-log row id (0 for an empty log): where a cursor starts."""
        row = self._db.connection().execute("SELECT coalesce(max(id), 0) FROM query_log")
        return int(row.fetchone()[0])

    def count(self, child: str | None = None) -> int:
        """The answers the rows kept stand for (a row may merge several, `count`)."""
        where = _filter(child, None)
        row = self._db.connection().execute(
            f"SELECT coalesce(sum(count), 0) FROM query_log {where.sql}", where.params
        )
        return int(row.fetchone()[0])

    def row_count(self, child: str | None = None) -> int:
        """The rows kept."""
        where = _filter(child, None)
        row = self._db.connection().execute(
            f"SELECT count(*) FROM query_log {where.sql}", where.params
        )
        return int(row.fetchone()[0])

    def stats(
        self, child: str | None = None, since: datetime | None = None, top: int = 10
    ) -> QueryStats:
        """Top blocked and allowed names and counts per category, for the dashboard.

        The totals, blocks and categories come from the counters (exact, to the minute,
        even when rows were shed under load); the top names from the rows kept."""
        where = _filter(child, since)
        base, params = where.conditions, where.params
        marks = ", ".join("?" for _ in BLOCKED_DECISIONS)
        with self._db.snapshot() as conn:
            total, blocked, by_category = _counted(conn, child, since)
            top_blocked = conn.execute(
                f"SELECT name, sum(count) AS n FROM query_log WHERE {base} AND decision IN"
                f" ({marks}) GROUP BY name ORDER BY n DESC, name LIMIT ?",
                (*params, *BLOCKED_DECISIONS, top),
            ).fetchall()
            top_allowed = conn.execute(
                f"SELECT name, sum(count) AS n FROM query_log WHERE {base} AND decision NOT IN"
                f" ({', '.join('?' for _ in NOT_ALLOWED_DECISIONS)}) GROUP BY name"
                " ORDER BY n DESC, name LIMIT ?",
                (*params, *NOT_ALLOWED_DECISIONS, top),
            ).fetchall()
        return QueryStats(
            total=total,
            blocked=blocked,
            top_blocked=[(str(n), int(c)) for n, c in top_blocked],
            top_allowed=[(str(n), int(c)) for n, c in top_allowed],
            by_category=by_category,
        )

    # --- retention and privacy ----------------------------------------------------------

    def prune(self, moment: float, retention: RetentionPolicy) -> int:
        """Rows older than `query_log_days`, then the oldest beyond `query_log_max_rows`."""
        removed = self._db.delete_chunked(
            "DELETE FROM query_log WHERE id IN (SELECT id FROM query_log WHERE time < ? LIMIT ?)",
            (moment - retention.query_log_days * DAY_SECONDS,),
        )
        row = (
            self._db.connection()
            .execute(
                "SELECT id FROM query_log ORDER BY id DESC LIMIT 1 OFFSET ?",
                (retention.query_log_max_rows,),
            )
            .fetchone()
        )
        if row is not None:
            removed += self._db.delete_chunked(
                "DELETE FROM query_log WHERE id IN (SELECT id FROM query_log WHERE id <= ?"
                " LIMIT ?)",
                (row[0],),
            )
        return removed

    def delete_child(self, child: str) -> int:
        with self._db.transaction() as conn:
            return int(conn.execute("DELETE FROM query_log WHERE child = ?", (child,)).rowcount)
