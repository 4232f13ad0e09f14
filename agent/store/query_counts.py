"""Every DNS answer counted per minute, child, decision and category (`query_counts`).

The query log keeps one row per answer and counts each row it writes here in the same
transaction; but it may shed rows under load (the writer's buffer is bounded) and lose
rows to retention by count. This concern counts the answers whose rows were shed, and
keeps the counters by age only, so the statistics' totals, blocks and categories
(`QueryLog.stats`) stay exact, to the minute.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from agent.store.core import DAY_SECONDS, Database
from agent.store.migrations import QUERY_COUNTS_UPSERT
from agent.store.models import (
    BLOCKED_DECISIONS,
    CountKey,
    QueryLogEntry,
    RetentionPolicy,
    count_key,
)


def count_entries(entries: Iterable[QueryLogEntry]) -> Counter[CountKey]:
    return Counter(count_key(entry) for entry in entries)


class QueryCounts:
    """The `query_counts` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, counts: Mapping[CountKey, int]) -> None:
        """Count answers whose rows were not written (shed under load), in one transaction."""
        rows = [(*key, int(count)) for key, count in counts.items() if count]
        if not rows:
            return
        with self._db.transaction() as conn:
            conn.executemany(QUERY_COUNTS_UPSERT, rows)

    def total(self) -> int:
        """Every answer counted, of every child and time kept."""
        row = self._db.connection().execute("SELECT coalesce(sum(count), 0) FROM query_counts")
        return int(row.fetchone()[0])

    def blocked_by_minute(
        self, child: str | None, start: float, end: float
    ) -> list[tuple[int, str, int]]:
        """Blocked answers as (minute, category or "", count) from `start` to `end` (epoch
        seconds), every answer counted whether its row was kept or not; oldest first."""
        marks = ", ".join("?" for _ in BLOCKED_DECISIONS)
        where = "minute >= ? AND minute < ? AND decision IN (" + marks + ")"
        params: list[object] = [int(start) // 60 * 60, end, *BLOCKED_DECISIONS]
        if child is not None:
            where += " AND child = ?"
            params.append(child)
        rows = self._db.connection().execute(
            f"SELECT minute, category, sum(count) FROM query_counts WHERE {where}"
            " GROUP BY minute, category ORDER BY minute",
            params,
        )
        return [(int(m), str(c or ""), int(n)) for m, c, n in rows.fetchall()]

    def prune(self, moment: float, retention: RetentionPolicy) -> int:
        """Minutes older than the query log's days (never by count: that is their point)."""
        cutoff = moment - retention.query_log_days * DAY_SECONDS
        with self._db.transaction() as conn:
            deleted = conn.execute("DELETE FROM query_counts WHERE minute < ?", (cutoff,))
            return int(deleted.rowcount)

    def delete_child(self, child: str) -> int:
        with self._db.transaction() as conn:
            deleted = conn.execute("DELETE FROM query_counts WHERE child = ?", (child,))
            return int(deleted.rowcount)
