"""What the store's tests share: a moment, the family's time zone and a query-log entry."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from agent.store import QueryLogEntry

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2025, 9, 5, 3, 0, tzinfo=UTC)  # 10:00 in Ho Chi Minh City


def entry(
    name: str,
    decision: str = "resolved",
    *,
    child: str | None = "An",
    category: str | None = None,
    at: datetime = T0,
    latency_ms: float = 1.0,
) -> QueryLogEntry:
    return QueryLogEntry(
        time=at,
        client="127.0.0.1",
        name=name,
        qtype="A",
        decision=decision,
        reason={"kind": "category", "category": category} if category else {"kind": "upstream"},
        child=child,
        category=category,
        latency_ms=latency_ms,
    )
