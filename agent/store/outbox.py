"""The durable alert outbox. It implements `sync.outbox.OutboxQueue`; when to retry is
`sync.outbox.RetryPolicy`'s business, so this module only stores the attempt it is told."""

from __future__ import annotations

import json
import logging
import uuid as uuid_module
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agent.store.core import DAY_SECONDS, Database, Where, json_dumps
from agent.store.migrations import StoreError
from agent.store.models import OutboxItem, RetentionPolicy, from_timestamp, to_timestamp

log = logging.getLogger(__name__)

_MAX_ERROR = 2000
_COLUMNS = (
    "uuid, channel, payload, event_id, created_at, attempts, next_attempt_at,"
    " delivered_at, last_error, failed_at"
)


class OutboxItemNotFoundError(StoreError, LookupError):
    """No outbox item has that key."""


@dataclass(frozen=True)
class ReceiverSummary:
    """How one receiver's copies went (the dashboard's "last delivery results")."""

    last_delivered: datetime | None = None
    last_error: str | None = None  # of the newest copy that failed and is not delivered
    refused_for_good: bool = False  # the newest copy that ended was refused for good
    waiting: int = 0


def _item(row: tuple[Any, ...]) -> OutboxItem:
    return OutboxItem(
        key=row[0],
        channel=row[1],
        payload=json.loads(row[2]),
        event_id=row[3],
        created_at=from_timestamp(row[4]),
        attempts=row[5],
        next_attempt_at=from_timestamp(row[6]),
        delivered_at=None if row[7] is None else from_timestamp(row[7]),
        last_error=row[8],
        failed_at=None if row[9] is None else from_timestamp(row[9]),
    )


class Outbox:
    """The `outbox` table: alerts waiting for their channel, and those delivered."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._listeners: list[Callable[[], None]] = []

    def on_enqueued(self, listener: Callable[[], None]) -> None:
        """Call `listener()` after each new item is stored (delivery wakes up at once)."""
        self._listeners.append(listener)

    def enqueue(
        self,
        channel: str,
        payload: Mapping[str, Any],
        *,
        key: str | None = None,
        event_id: int | None = None,
        now: datetime | None = None,
        due_at: datetime | None = None,
    ) -> OutboxItem:
        """Put an alert in the durable outbox; due at once, or at `due_at` when given.

        `key` is the idempotency key (a new UUID when None): enqueueing the same key again
        returns the stored item and adds nothing.
        """
        if not channel:
            raise ValueError("an outbox item needs a channel")
        encoded = json_dumps(dict(payload), "outbox payload")
        key = key or str(uuid_module.uuid4())
        moment = self._db.timestamp(now)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO outbox (uuid, channel, payload, event_id, created_at,"
                " attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
                (key, channel, encoded, event_id, moment,
                 moment if due_at is None else max(moment, to_timestamp(due_at))),
            )
            row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE uuid = ?", (key,)).fetchone()
        for listener in self._listeners:
            try:
                listener()
            except Exception:
                log.exception("an outbox listener failed")
        return _item(row)

    def get(self, key: str) -> OutboxItem | None:
        row = (
            self._db.connection()
            .execute(f"SELECT {_COLUMNS} FROM outbox WHERE uuid = ?", (key,))
            .fetchone()
        )
        return None if row is None else _item(row)

    def for_event(self, event_id: int) -> list[OutboxItem]:
        """The items queued for one event, delivered or not (the alert and its copies)."""
        rows = self._db.connection().execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE event_id = ? ORDER BY created_at", (event_id,)
        )
        return [_item(r) for r in rows.fetchall()]

    def due(
        self, now: datetime | None = None, limit: int = 50, channel: str | None = None
    ) -> list[OutboxItem]:
        """Undelivered items whose next attempt is due, oldest first."""
        where = Where(
            "delivered_at IS NULL",
            "failed_at IS NULL",
            "next_attempt_at <= ?",
            params=[self._db.timestamp(now)],
        )
        where.add("channel = ?", channel)
        rows = self._db.connection().execute(
            f"SELECT {_COLUMNS} FROM outbox {where.sql}"
            " ORDER BY next_attempt_at, created_at LIMIT ?",
            (*where.params, max(0, int(limit))),
        )
        return [_item(r) for r in rows.fetchall()]

    def pending_count(self) -> int:
        """Items not delivered yet, due or waiting for a retry."""
        row = self._db.connection().execute(
            "SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL"
        )
        return int(row.fetchone()[0])

    def undeliverable(self, limit: int = 50) -> list[OutboxItem]:
        """Items a receiver refused for good, newest first: what the parent is shown."""
        rows = self._db.connection().execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE failed_at IS NOT NULL"
            " ORDER BY failed_at DESC LIMIT ?",
            (max(0, int(limit)),),
        )
        return [_item(r) for r in rows.fetchall()]

    def mark_undeliverable(self, key: str, error: str, now: datetime | None = None) -> OutboxItem:
        """The receiver refused the item for good: it is kept with why, never sent again.
        An item already delivered stays delivered."""
        moment = self._db.timestamp(now)
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET failed_at = ?, attempts = attempts + 1, last_error = ?"
                " WHERE uuid = ? AND delivered_at IS NULL AND failed_at IS NULL",
                (moment, error[:_MAX_ERROR], key),
            )
            row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE uuid = ?", (key,)).fetchone()
        if row is None:
            raise OutboxItemNotFoundError(f"no outbox item with key {key!r}")
        return _item(row)

    def mark_delivered(self, key: str, now: datetime | None = None) -> OutboxItem:
        moment = self._db.timestamp(now)
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL"
                " WHERE uuid = ? AND delivered_at IS NULL",
                (moment, key),
            )
            row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE uuid = ?", (key,)).fetchone()
        if row is None:
            raise OutboxItemNotFoundError(f"no outbox item with key {key!r}")
        return _item(row)

    def mark_failed(self, key: str, error: str, *, retry_at: datetime) -> OutboxItem:
        """Count a failed attempt and make the item due again at `retry_at`. A late report
        for an item already delivered changes nothing."""
        next_attempt = to_timestamp(retry_at)
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT attempts, delivered_at FROM outbox WHERE uuid = ?", (key,)
            ).fetchone()
            if row is None:
                raise OutboxItemNotFoundError(f"no outbox item with key {key!r}")
            attempts, delivered_at = row
            if delivered_at is None:
                conn.execute(
                    "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?"
                    " WHERE uuid = ? AND failed_at IS NULL",
                    (attempts + 1, next_attempt, error[:_MAX_ERROR], key),
                )
            stored = conn.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE uuid = ?", (key,)
            ).fetchone()
        return _item(stored)

    def receiver_summary(self, channel: str) -> ReceiverSummary:
        """The last delivery, the last error still standing and the copies waiting, of one
        receiver's channel ("ntfy:Mẹ"). A copy held by the hourly limit is not an error."""
        conn = self._db.connection()
        delivered = conn.execute(
            "SELECT max(delivered_at) FROM outbox WHERE channel = ?", (channel,)
        ).fetchone()[0]
        waiting = conn.execute(
            "SELECT count(*) FROM outbox WHERE channel = ? AND delivered_at IS NULL"
            " AND failed_at IS NULL",
            (channel,),
        ).fetchone()[0]
        failed = conn.execute(
            "SELECT last_error, failed_at FROM outbox WHERE channel = ? AND delivered_at IS NULL"
            " AND last_error IS NOT NULL AND last_error NOT LIKE 'held:%'"
            " ORDER BY coalesce(failed_at, next_attempt_at) DESC LIMIT 1",
            (channel,),
        ).fetchone()
        ended = conn.execute(
            "SELECT failed_at FROM outbox WHERE channel = ?"
            " AND coalesce(delivered_at, failed_at) IS NOT NULL"
            " ORDER BY coalesce(delivered_at, failed_at) DESC LIMIT 1",
            (channel,),
        ).fetchone()
        return ReceiverSummary(
            last_delivered=None if delivered is None else from_timestamp(delivered),
            last_error=None if failed is None else failed[0],
            refused_for_good=ended is not None and ended[0] is not None,
            waiting=int(waiting),
        )

    # --- retention ------------------------------------------------------------------------

    def prune(self, moment: float, retention: RetentionPolicy) -> int:
        """Delivered (or refused for good) items older than `outbox_delivered_days`;
        undelivered ones are kept."""
        return self._db.delete_chunked(
            "DELETE FROM outbox WHERE rowid IN (SELECT rowid FROM outbox WHERE"
            " coalesce(delivered_at, failed_at) < ? LIMIT ?)",
            (moment - retention.outbox_delivered_days * DAY_SECONDS,),
        )
