"""Every DNS answer counted per minute, child, decision and category (`query_counts`).

The query log keeps one row per answer, but it may shed rows under load (the writer's
buffer is bounded) and lose rows to retention by count. The DNS path counts every answer
as it comes, and each batch the writer stores adds those counts here in the same
transaction as its rows (`QueryLog.add_rows`), shed rows' counts included; the counters
are pruned by age only, so the statistics' totals, blocks and categories
(`QueryLog.stats`) stay exact, to the minute. This module reads and prunes them.
"""

from __future__ import annotations

from agent.store.core import DAY_SECONDS, Database
from agent.store.models import (
    BLOCKED_DECISIONS,
    RetentionPolicy,
)


class QueryCounts:
    """The `query_counts` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

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
