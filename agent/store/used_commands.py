"""The nonces of signed commands already applied: a command is usable once."""

from __future__ import annotations

from datetime import datetime

from agent.store.core import Database
from agent.store.models import to_timestamp


class UsedCommands:
    """The `used_commands` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def use(self, nonce: str, expires: datetime, now: datetime | None = None) -> bool:
        """Record `nonce` as used; False when it was used before (a replay)."""
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO used_commands (nonce, used_at, expires_at)"
                " VALUES (?, ?, ?)",
                (nonce, self._db.timestamp(now), to_timestamp(expires)),
            )
            return cursor.rowcount == 1

    def prune(self, now: datetime | None = None) -> int:
        """Nonces of commands past their expiry (those are refused as expired anyway)."""
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM used_commands WHERE expires_at < ?", (self._db.timestamp(now),)
            )
            return cursor.rowcount
