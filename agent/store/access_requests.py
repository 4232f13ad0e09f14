"""A child's requests for a site or for more time, a parent's decisions and the grants."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from agent.store.core import DAY_SECONDS, Database, Where
from agent.store.migrations import StoreError
from agent.store.models import (
    REQUEST_KINDS,
    REQUEST_STATUSES,
    AccessRequest,
    RetentionPolicy,
    from_timestamp,
    to_timestamp,
)

_MAX_TARGET = 2048
_MAX_REASON = 1000
_COLUMNS = (
    "id, child, kind, target, reason, status, created_at, decided_at, decided_by,"
    " allowed_until, revoked_at"
)


class AccessRequestNotFoundError(StoreError, LookupError):
    """No access request has that id."""


class AlreadyDecidedError(StoreError):
    """The access request was decided before (the first decision stands)."""


def _request(row: tuple[Any, ...]) -> AccessRequest:
    return AccessRequest(
        id=row[0],
        child=row[1],
        kind=row[2],
        target=row[3],
        reason=row[4],
        status=row[5],
        created_at=from_timestamp(row[6]),
        decided_at=None if row[7] is None else from_timestamp(row[7]),
        decided_by=row[8],
        allowed_until=None if row[9] is None else from_timestamp(row[9]),
        revoked_at=None if row[10] is None else from_timestamp(row[10]),
    )


class AccessRequests:
    """The `access_requests` table: requests, decisions and the allowances in force."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def create(
        self,
        child: str,
        kind: str,
        target: str,
        reason: str = "",
        *,
        now: datetime | None = None,
    ) -> AccessRequest:
        """A child asks for a site or for more time.

        A second identical request while one is pending returns the pending one (with the
        newer reason), so pressing the button again does not flood the parents.
        """
        if kind not in REQUEST_KINDS:
            raise ValueError(f"request kind must be one of {REQUEST_KINDS}, not {kind!r}")
        if not child:
            raise ValueError("a request needs a child")
        target = target.strip()
        if not target or len(target) > _MAX_TARGET:
            raise ValueError(f"request target must be 1 to {_MAX_TARGET} characters")
        reason = reason.strip()[:_MAX_REASON]
        moment = self._db.timestamp(now)
        with self._db.transaction() as conn:
            pending = conn.execute(
                f"SELECT {_COLUMNS} FROM access_requests WHERE child = ? AND"
                " kind = ? AND target = ? AND status = 'pending'",
                (child, kind, target),
            ).fetchone()
            if pending is not None:
                if reason and reason != pending[4]:
                    conn.execute(
                        "UPDATE access_requests SET reason = ? WHERE id = ?", (reason, pending[0])
                    )
                    pending = (*pending[:4], reason, *pending[5:])
                return _request(pending)
            request_id = secrets.token_urlsafe(16)  # unguessable: the id is shown in URLs
            conn.execute(
                "INSERT INTO access_requests (id, child, kind, target, reason, status,"
                " created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)",
                (request_id, child, kind, target, reason, moment),
            )
        return AccessRequest(
            request_id, child, kind, target, reason, "pending", from_timestamp(moment)
        )

    def get(self, request_id: str) -> AccessRequest | None:
        row = (
            self._db.connection()
            .execute(f"SELECT {_COLUMNS} FROM access_requests WHERE id = ?", (request_id,))
            .fetchone()
        )
        return None if row is None else _request(row)

    def recent(
        self, child: str | None = None, status: str | None = None, limit: int = 100
    ) -> list[AccessRequest]:
        """Newest first."""
        if status is not None and status not in REQUEST_STATUSES:
            raise ValueError(f"status must be one of {REQUEST_STATUSES}, not {status!r}")
        where = Where()
        where.add("child = ?", child)
        where.add("status = ?", status)
        rows = self._db.connection().execute(
            f"SELECT {_COLUMNS} FROM access_requests {where.sql}"
            " ORDER BY created_at DESC, rowid DESC LIMIT ?",
            (*where.params, max(0, int(limit))),
        )
        return [_request(r) for r in rows.fetchall()]

    def decide(
        self,
        request_id: str,
        allow: bool,
        *,
        until: datetime | None = None,
        by: str = "parent",
        now: datetime | None = None,
    ) -> AccessRequest:
        """Allow (until `until`, or until revoked when None) or deny a pending request.

        The first decision stands: deciding again raises AlreadyDecidedError, so a
        caregiver's phone and the parent at the PC cannot overwrite each other.
        """
        moment = self._db.timestamp(now)
        allowed_until: float | None = None
        if allow and until is not None:
            allowed_until = to_timestamp(until)
            if allowed_until <= moment:
                raise ValueError("allowed_until must be in the future")
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE access_requests SET status = ?, allowed_until = ?, decided_at = ?,"
                " decided_by = ? WHERE id = ? AND status = 'pending'",
                ("allowed" if allow else "denied", allowed_until, moment, by, request_id),
            )
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM access_requests WHERE id = ?", (request_id,)
            ).fetchone()
        if row is None:
            raise AccessRequestNotFoundError(f"no access request with id {request_id!r}")
        if cursor.rowcount == 0:
            raise AlreadyDecidedError(f"access request {request_id!r} was already {row[5]}")
        return _request(row)

    def revoke(self, request_id: str, now: datetime | None = None) -> AccessRequest:
        """End an allowance now (a parent changed their mind): `allowed_until` becomes now
        and `revoked_at` records it. An allowance that already ended is left as it is."""
        moment = self._db.timestamp(now)
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE access_requests SET allowed_until = ?, revoked_at = ? WHERE id = ?"
                " AND status = 'allowed' AND (allowed_until IS NULL OR allowed_until > ?)",
                (moment, moment, request_id, moment),
            )
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM access_requests WHERE id = ?", (request_id,)
            ).fetchone()
        if row is None:
            raise AccessRequestNotFoundError(f"no access request with id {request_id!r}")
        return _request(row)

    def active_allowances(
        self, child: str | None = None, now: datetime | None = None
    ) -> list[AccessRequest]:
        """Allowed requests still in force at `now` (the policy compiler adds these)."""
        moment = self._db.timestamp(now)
        where = Where(
            "status = 'allowed'", "(allowed_until IS NULL OR allowed_until > ?)", params=[moment]
        )
        where.add("child = ?", child)
        rows = self._db.connection().execute(
            f"SELECT {_COLUMNS} FROM access_requests {where.sql} ORDER BY decided_at",
            where.params,
        )
        return [_request(r) for r in rows.fetchall()]

    # --- retention and privacy ----------------------------------------------------------

    def prune(self, moment: float, retention: RetentionPolicy) -> int:
        """Decided requests older than `access_requests_days` whose allowance has ended;
        pending ones and allowances without an end are kept."""
        return self._db.delete_chunked(
            "DELETE FROM access_requests WHERE rowid IN (SELECT rowid FROM access_requests"
            " WHERE (status = 'denied' OR (status = 'allowed' AND allowed_until < ?))"
            " AND created_at < ? LIMIT ?)",
            (moment, moment - retention.access_requests_days * DAY_SECONDS),
        )

    def delete_child(self, child: str) -> int:
        with self._db.transaction() as conn:
            cursor = conn.execute("DELETE FROM access_requests WHERE child = ?", (child,))
            return int(cursor.rowcount)
