"""A child's data, for the parents' rights of Decree 13/2023 on personal data: a copy of
everything the agent keeps about one child, and its deletion.

The copy is every row of the child's in the store's tables (:data:`CHILD_DATA_TABLES`),
with times as ISO 8601 in UTC; the dashboard writes it as JSON and CSV. It comes in
pages of at most :data:`EXPORT_PAGE_MAX` rows, table after table in row order, each with
the cursor of the next (a year of records is never one answer); a cursor names the child
it was made for, so it never reads another child's rows. Deleting removes
those rows, the per-minute counters and the child's screen-time counters; the policy's
child stays (that is the Children page's remove). Both are events (the parent's record,
kept apart from the child's rows).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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


EXPORT_PAGE_MAX = 5000  # rows in one answer: a few MB of JSON at most
_CURSOR = re.compile(r"^v1\.(\d{1,2})\.(\d{1,19})\.([0-9a-f]{16})$")


def _child_tag(child: str) -> str:
    return hashlib.sha256(child.casefold().encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class ExportCursor:
    """Where the next page starts: the table (its place in :data:`CHILD_DATA_TABLES`) and
    the last row id given, for one child."""

    table: int
    after_row: int
    child_tag: str

    def encode(self) -> str:
        return f"v1.{self.table}.{self.after_row}.{self.child_tag}"

    @classmethod
    def decode(cls, value: str, child: str) -> ExportCursor:
        """ValueError for a cursor that is not one of ours, or is another child's."""
        found = _CURSOR.match(value)
        if found is None or int(found.group(1)) >= len(CHILD_DATA_TABLES):
            raise ValueError(f"not an export cursor: {value[:40]!r}")
        if found.group(3) != _child_tag(child):
            raise ValueError("this cursor belongs to another child's export")
        return cls(int(found.group(1)), int(found.group(2)), found.group(3))


def _plain(column: str, value: object) -> object:
    if column in _TIME_COLUMNS and isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC).isoformat()
    return value


class ChildData:
    def __init__(self, store: Store, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now

    def export(
        self, child: str, cursor: str | None = None, limit: int = EXPORT_PAGE_MAX
    ) -> ChildDataExport:
        """One page of the rows the store keeps about `child` (an exact name: the
        policy's): at most `limit` rows from `cursor` on (None: the first page, with the
        count of every table's rows, and an event for the parents' record). The answer's
        `next_cursor` is None on the last page. ValueError for a cursor that is not this
        child's."""
        limit = max(1, min(limit, EXPORT_PAGE_MAX))
        start = ExportCursor.decode(cursor, child) if cursor else None
        first_table, after = (start.table, start.after_row) if start else (0, 0)
        tables: dict[str, tuple[Mapping[str, object], ...]] = {t: () for t in CHILD_DATA_TABLES}
        totals: dict[str, int] | None = None
        left, next_cursor = limit, None
        with self._store.database.snapshot() as conn:
            if start is None:
                totals = {
                    table: int(conn.execute(
                        f'SELECT COUNT(*) FROM "{table}" WHERE child = ?', (child,)
                    ).fetchone()[0])
                    for table in CHILD_DATA_TABLES
                }
            for index in range(first_table, len(CHILD_DATA_TABLES)):
                table = CHILD_DATA_TABLES[index]
                if left == 0:
                    next_cursor = ExportCursor(index, 0, _child_tag(child)).encode()
                    break
                # `+child`: walk the row ids from the cursor on; the child's index would
                # sort all of the child's rows again for every page.
                found = conn.execute(
                    f'SELECT rowid, * FROM "{table}" WHERE +child = ? AND rowid > ? '
                    "ORDER BY rowid LIMIT ?",
                    (child, after if index == first_table else 0, left + 1),
                )
                columns = [column[0] for column in found.description][1:]
                rows = found.fetchall()
                more = len(rows) > left
                rows = rows[:left]
                tables[table] = tuple(
                    {
                        column: _plain(column, value)
                        for column, value in zip(columns, row[1:], strict=True)
                    }
                    for row in rows
                )
                left -= len(rows)
                if more:
                    last = int(rows[-1][0])
                    next_cursor = ExportCursor(index, last, _child_tag(child)).encode()
                    break
        if totals is not None:
            self._store.events.add(
                EVENT_EXPORTED, f"a parent exported {child}'s data",
                data={"child": child, **totals},
            )
        return ChildDataExport(
            child=child, exported_at=self._now(), tables=tables, next_cursor=next_cursor,
            totals=totals,
        )

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
