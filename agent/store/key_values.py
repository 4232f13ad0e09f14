"""A little running state as JSON values under names (the last roll-over, acknowledgements)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from agent.store.core import Database, json_dumps


class KeyValues:
    """The `kv` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def get(self, key: str, default: Any = None) -> Any:
        row = self._db.connection().execute("SELECT value FROM kv WHERE key = ?", (key,))
        found = row.fetchone()
        return default if found is None else json.loads(found[0])

    def set(self, key: str, value: Any, *, now: datetime | None = None) -> None:
        encoded = json_dumps(value, f"kv value for {key!r}")
        moment = self._db.timestamp(now)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key)"
                " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (key, encoded, moment),
            )

    def delete(self, key: str) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute("DELETE FROM kv WHERE key = ?", (key,))
        return cursor.rowcount > 0
