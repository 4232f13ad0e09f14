"""Plain data the store takes and gives back. All times are aware datetimes (UTC inside)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal

# Decisions that count as "blocked" in the statistics. The DNS filter's answer types are
# resolved, cached, blocked, rewritten, bypass and failed; `baoan check` also says "allowed".
BLOCKED_DECISIONS: tuple[str, ...] = ("blocked", "bypass")
# A failed lookup (SERVFAIL) opened nothing: it is neither blocked nor an allowed site.
NOT_ALLOWED_DECISIONS: tuple[str, ...] = (*BLOCKED_DECISIONS, "failed")

RequestKind = Literal["site", "time"]
RequestStatus = Literal["pending", "allowed", "denied"]
REQUEST_KINDS: tuple[str, ...] = ("site", "time")
REQUEST_STATUSES: tuple[str, ...] = ("pending", "allowed", "denied")  # as stored
# What a request is at a given moment (AccessRequest.state): an allowed one is in force,
# taken back by a parent, or ran out.
REQUEST_STATES: tuple[str, ...] = ("pending", "allowed", "denied", "expired", "revoked")


def to_timestamp(moment: datetime) -> float:
    """Seconds since the epoch; a naive datetime is refused rather than guessed at."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: give it a time zone")
    return moment.timestamp()


def from_timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True, slots=True)
class QueryLogEntry:
    """One answered DNS query, as the filter hands it to the query log."""

    time: datetime
    client: str
    name: str
    qtype: str
    decision: str
    # The reason's JSON object (dns_filter.reason.Reason.to_json(): "kind" and its fields);
    # the store keeps it as it is given and does not look inside.
    reason: Mapping[str, object] = field(default_factory=lambda: {"kind": "other"})
    child: str | None = None
    category: str | None = None
    # the mean of the merged answers' latencies (see `count`)
    latency_ms: float = 0.0
    # How many answers the row stands for: the query log merges repeated answers (the
    # same row but for time and latency) within one batch and minute; `time` is the
    # first one's.
    count: int = 1

    def as_api(self) -> dict[str, Any]:
        """One row of `GET /api/querylog` in docs/api.md (plus client and category)."""
        return {
            "time": self.time.isoformat(),
            "child": self.child,
            "client": self.client,
            "name": self.name,
            "qtype": self.qtype,
            "decision": self.decision,
            "reason": dict(self.reason),
            "category": self.category,
            "latency_ms": self.latency_ms,
            "count": self.count,
        }


CountKey = tuple[int, str, str, str]
"""Where one answer is counted (`query_counts`): (minute as epoch seconds, child or "",
decision, category or "")."""


def count_key(entry: QueryLogEntry) -> CountKey:
    return _count_key(minute_of(entry.time), entry.child, entry.decision, entry.category)


def _count_key(minute: int, child: str | None, decision: str, category: str | None) -> CountKey:
    return (minute, child or "", decision, category or "")


QueryLogRow = tuple[str | None, str, str, str, str, str, str | None, float, float, int]
"""One row as the query log writes it, in `QUERY_LOG_ROW_COLUMNS` order: (child, client,
name, qtype, decision, the reason's JSON text, category, time as epoch seconds, latency in
ms, answers merged into it)."""

RowPrefix = tuple[str | None, str, str, str, str, str, str | None]
"""A `QueryLogRow` without its time, latency and count: what every row of one remembered
answer to one client holds, made once and kept (the DNS path answers tens of thousands a
second), and what the writer merges repeated answers by."""

QueryLogValue = str | float | int | None
"""The query log's rows go to SQLite as one flat list of values, `ROW_WIDTH` a row in
`QUERY_LOG_ROW_COLUMNS` order, which SQLite binds as it is."""

QUERY_LOG_ROW_COLUMNS = (
    "child, client, name, qtype, decision, reason, category, time, latency_ms, count"
)
ROW_WIDTH: Final = 10
# positions in a `QueryLogRow` and `RowPrefix` (Final: the type checker then knows each
# field's type)
ROW_CHILD: Final = 0
ROW_NAME: Final = 2
ROW_DECISION: Final = 4
ROW_CATEGORY: Final = 6
ROW_COUNT: Final = 9


def prefix_of(entry: QueryLogEntry, reason_text: str) -> RowPrefix:
    """`entry`'s row but for time, latency and count, with its reason already encoded
    (`reasons.encode_reason`)."""
    return (
        entry.child,
        entry.client,
        entry.name,
        entry.qtype,
        entry.decision,
        reason_text,
        entry.category,
    )


def row_of(entry: QueryLogEntry, reason_text: str) -> QueryLogRow:
    """`entry` as a row (`prefix_of`, then time, latency and count)."""
    return (
        *prefix_of(entry, reason_text),
        to_timestamp(entry.time),
        float(entry.latency_ms),
        int(entry.count),
    )


def counted_as(prefix: RowPrefix, minute: int) -> CountKey:
    """Where the answers of a row in `minute` are counted."""
    return _count_key(minute, prefix[ROW_CHILD], prefix[ROW_DECISION], prefix[ROW_CATEGORY])


def minute_at(seconds: float) -> int:
    """The start of the counters' minute that holds `seconds` (since the epoch)."""
    return int(seconds) // 60 * 60


def minute_of(moment: datetime) -> int:
    """The start of the counters' minute that holds `moment`."""
    return minute_at(to_timestamp(moment))


@dataclass(frozen=True, slots=True)
class QueryStats:
    total: int
    blocked: int
    top_blocked: list[tuple[str, int]]
    top_allowed: list[tuple[str, int]]
    by_category: dict[str, int]

    def as_api(self) -> dict[str, Any]:
        """The shape of `GET /api/stats` in docs/api.md."""
        return {
            "top_blocked": [[name, count] for name, count in self.top_blocked],
            "top_allowed": [[name, count] for name, count in self.top_allowed],
            "by_category": dict(self.by_category),
        }


@dataclass(frozen=True, slots=True)
class UsageInterval:
    """A span of counted foreground use of one app (no window titles are ever stored)."""

    id: int
    child: str
    app_id: str
    exe: str
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    time: datetime
    kind: str
    severity: str
    message: str
    child: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """A child's request for a site or for more time. `id` is random and unguessable."""

    id: str
    child: str
    kind: str
    target: str
    reason: str
    status: str
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    allowed_until: datetime | None = None  # a revoke moves it to the moment of the revoke
    revoked_at: datetime | None = None  # when a parent took the grant back

    def is_active(self, now: datetime) -> bool:
        """Allowed and not yet expired (no `allowed_until` means until revoked)."""
        if self.status != "allowed":
            return False
        return self.allowed_until is None or self.allowed_until > now

    def state(self, now: datetime) -> str:
        """What the request is at `now`: one of :data:`REQUEST_STATES` — ``pending``,
        ``denied``, ``allowed`` (a grant in force), ``revoked`` (a parent took it back) or
        ``expired`` (its time ran out)."""
        if self.status != "allowed":
            return self.status
        if self.revoked_at is not None:
            return "revoked"
        return "allowed" if self.is_active(now) else "expired"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    key: str
    channel: str
    payload: Mapping[str, Any]
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None = None
    last_error: str | None = None
    event_id: int | None = None
    failed_at: datetime | None = None  # refused for good: never sent again


@dataclass(frozen=True, slots=True)
class ListState:
    """What the last refresh of one list source found."""

    category: str
    source: str
    etag: str | None = None
    last_modified: str | None = None
    count: int = 0
    bad_lines: int = 0
    updated_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How much history is kept. The parent sets `query_log_days` (default 30)."""

    query_log_days: int = 30
    query_log_max_rows: int = 2_000_000
    usage_days: int = 400
    events_days: int = 365
    access_requests_days: int = 90
    outbox_delivered_days: int = 14

    def __post_init__(self) -> None:
        for name in (
            "query_log_days",
            "query_log_max_rows",
            "usage_days",
            "events_days",
            "access_requests_days",
            "outbox_delivered_days",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"retention {name} must be a whole number ≥ 1, not {value!r}")


@dataclass(frozen=True, slots=True)
class PruneResult:
    """Rows removed by one `Store.prune` run, per table."""

    query_log: int = 0
    usage_intervals: int = 0
    events: int = 0
    access_requests: int = 0
    outbox: int = 0

    @property
    def total(self) -> int:
        return (
            self.query_log + self.usage_intervals + self.events + self.access_requests + self.outbox
        )
