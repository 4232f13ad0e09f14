"""The agent's SQLite store (WAL, versioned migrations, bounded retention).

It imports neither Qt nor the DNS filter: the agent, the API and the scheduler call it.
"""

from agent.store.migrations import (
    LATEST_VERSION,
    MIGRATIONS,
    Migration,
    NotOurDatabaseError,
    SchemaTooNewError,
    StoreError,
    migrate,
)
from agent.store.models import (
    BLOCKED_DECISIONS,
    AccessRequest,
    Event,
    ListState,
    OutboxItem,
    PruneResult,
    QueryLogEntry,
    QueryStats,
    RetentionPolicy,
    UsageInterval,
)
from agent.store.querylog import QueryLogSink, QueryLogWriter
from agent.store.store import (
    AccessRequestNotFoundError,
    AlreadyDecidedError,
    Backoff,
    Clock,
    OutboxItemNotFoundError,
    Store,
)

__all__ = [
    "BLOCKED_DECISIONS",
    "LATEST_VERSION",
    "MIGRATIONS",
    "AccessRequest",
    "AccessRequestNotFoundError",
    "AlreadyDecidedError",
    "Backoff",
    "Clock",
    "Event",
    "ListState",
    "Migration",
    "NotOurDatabaseError",
    "OutboxItem",
    "OutboxItemNotFoundError",
    "PruneResult",
    "QueryLogEntry",
    "QueryLogSink",
    "QueryLogWriter",
    "QueryStats",
    "RetentionPolicy",
    "SchemaTooNewError",
    "Store",
    "StoreError",
    "UsageInterval",
    "migrate",
]
