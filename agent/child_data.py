"""A child's data, for the parents' rights of Decree 13/2023 on personal data: a copy of
everything the agent keeps about one child, and its deletion.

The copy is every row of the child's in the store's tables (:data:`CHILD_DATA_TABLES`),
with times as ISO 8601 in UTC; the dashboard writes it as JSON and CSV. Deleting removes
those rows, the per-minute counters and the child's screen-time counters; the policy's
child stays (that is the Children page's remove). Both are events (the parent's record,
kept apart from the child's rows).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from agent.api.types import CHILD_DATA_TABLES, ChildDataDeleted, ChildDataExport
from agent.store import Store
from agent.usage.service import COUNTER_KEY, EXTRA_KEY

log = logging.getLogger(__name__)

EVENT_EXPORTED = "child-data-exported"
EVENT_DELETED = "child-data-deleted"
# Columns that hold a moment as seconds since the epoch.
_TIME_COLUMNS = frozenset(
    {"time", "start", "end", "created_at", "decided_at", "allowed_until", "revoked_at"}
)


def _plain(column: str, value: object) -> object:
    if column in _TIME_COLUMNS and isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC).isoformat()
    return value


class ChildData:
    def __init__(self, store: Store, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now

    def export(self, child: str) -> ChildDataExport:
        """Every row the store keeps about `child` (an exact name: the policy's)."""
        tables: dict[str, tuple[Mapping[str, object], ...]] = {}
        with self._store.database.snapshot() as conn:
            for table in CHILD_DATA_TABLES:
                cursor = conn.execute(
                    f'SELECT * FROM "{table}" WHERE child = ? ORDER BY rowid',
                    (child,),
                )
                columns = [column[0] for column in cursor.description]
                tables[table] = tuple(
                    {
                        column: _plain(column, value)
                        for column, value in zip(columns, row, strict=True)
                    }
                    for row in cursor.fetchall()
                )
        counts = {table: len(rows) for table, rows in tables.items()}
        self._store.events.add(
            EVENT_EXPORTED, f"a parent exported {child}'s data", data={"child": child, **counts}
        )
        return ChildDataExport(child=child, exported_at=self._now(), tables=tables)

    def delete(self, child: str) -> ChildDataDeleted:
        removed = self._store.delete_child_data(child)
        self._store.kv.delete(COUNTER_KEY.format(child=child))
        self._store.kv.delete(EXTRA_KEY.format(child=child))
        counts = {
            "query_log": removed.query_log,
            "usage_intervals": removed.usage_intervals,
            "events": removed.events,
            "access_requests": removed.access_requests,
        }
        self._store.events.add(
            EVENT_DELETED, f"a parent deleted {child}'s data", data={"child": child, **counts}
        )
        log.info("a parent deleted %s's data: %s", child, counts)
        return ChildDataDeleted(child=child, removed=counts)
