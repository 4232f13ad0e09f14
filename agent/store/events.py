"""Events: alerts, tamper and clock events, notable changes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from agent.store.core import DAY_SECONDS, Database, Where, json_dumps
from agent.store.models import Event, RetentionPolicy, from_timestamp

EVENT_SEVERITIES: tuple[str, ...] = ("info", "warning", "alert", "urgent")


class Events:
    """The `events` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(
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
        encoded = json_dumps(payload, "event data")
        moment = self._db.timestamp(at)
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO events (time, child, kind, severity, message, data)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (moment, child, kind, severity, message, encoded),
            )
            event_id = int(cursor.lastrowid or 0)
        return Event(event_id, from_timestamp(moment), kind, severity, message, child, payload)

    def recent(
        self,
        child: str | None = None,
        kind: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
    ) -> list[Event]:
        """Newest first."""
        where = Where()
        where.add("child = ?", child)
        where.add("kind = ?", kind)
        where.add_time("time >= ?", since)
        rows = self._db.connection().execute(
            f"SELECT id, time, kind, severity, message, child, data FROM events {where.sql}"
            " ORDER BY time DESC, id DESC LIMIT ?",
            (*where.params, max(0, int(limit))),
        )
        return [
            Event(r[0], from_timestamp(r[1]), r[2], r[3], r[4], r[5], json.loads(r[6]))
            for r in rows.fetchall()
        ]

    # --- retention and privacy ----------------------------------------------------------

    def prune(self, moment: float, retention: RetentionPolicy) -> int:
        """Events older than `events_days` (an alert still waiting keeps its outbox item)."""
        return self._db.delete_chunked(
            "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE time < ? LIMIT ?)",
            (moment - retention.events_days * DAY_SECONDS,),
        )

    def delete_child(self, child: str) -> int:
        with self._db.transaction() as conn:
            return int(conn.execute("DELETE FROM events WHERE child = ?", (child,)).rowcount)
