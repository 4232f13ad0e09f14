"""What the last refresh of each block-list source found (mirrored from the list files)."""

from __future__ import annotations

from typing import Any

from agent.store.core import Database
from agent.store.models import ListState, from_timestamp, to_timestamp

_COLUMNS = "category, source, etag, last_modified, count, bad_lines, updated_at, error"


def _state(row: tuple[Any, ...]) -> ListState:
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


class ListStates:
    """The `list_state` table, one row per (category, source)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def upsert(self, state: ListState) -> None:
        updated = None if state.updated_at is None else to_timestamp(state.updated_at)
        with self._db.transaction() as conn:
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

    def record_error(self, category: str, source: str, error: str) -> ListState:
        """A refresh failed: note why, keep the last good copy's counts and validators."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO list_state (category, source, error) VALUES (?, ?, ?)"
                " ON CONFLICT (category, source) DO UPDATE SET error = excluded.error",
                (category, source, error),
            )
        state = self.get(category, source)
        assert state is not None  # just written in this thread
        return state

    def get(self, category: str, source: str) -> ListState | None:
        row = (
            self._db.connection()
            .execute(
                f"SELECT {_COLUMNS} FROM list_state WHERE category = ? AND source = ?",
                (category, source),
            )
            .fetchone()
        )
        return None if row is None else _state(row)

    def all(self) -> list[ListState]:
        """Every source's state, by category and source."""
        rows = self._db.connection().execute(
            f"SELECT {_COLUMNS} FROM list_state ORDER BY category, source"
        )
        return [_state(r) for r in rows.fetchall()]

    def delete(self, category: str, source: str) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM list_state WHERE category = ? AND source = ?", (category, source)
            )
        return cursor.rowcount > 0
