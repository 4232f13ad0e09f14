"""The agent's SQLite store (WAL, versioned migrations, bounded retention).

`Store` composes a connection core (`core.Database`) and one module per concern. It
imports neither Qt nor the DNS filter (only the program's clock, `dns_filter.clock`): the
agent, the API and the scheduler call it.
"""

from agent.store.access_requests import (
    AccessRequestNotFoundError,
    AccessRequests,
    AlreadyDecidedError,
)
from agent.store.core import Database
from agent.store.events import EVENT_SEVERITIES, Events
from agent.store.key_values import KeyValues
from agent.store.list_state import ListStates
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
from agent.store.outbox import Outbox, OutboxItemNotFoundError
from agent.store.query_log import QueryLog
from agent.store.query_log_writer import QueryLogSink, QueryLogWriter
from agent.store.store import Store
from agent.store.usage import Usage

__all__ = [
    "BLOCKED_DECISIONS",
    "EVENT_SEVERITIES",
    "LATEST_VERSION",
    "MIGRATIONS",
    "AccessRequest",
    "AccessRequestNotFoundError",
    "AccessRequests",
    "AlreadyDecidedError",
    "Database",
    "Event",
    "Events",
    "KeyValues",
    "ListState",
    "ListStates",
    "Migration",
    "NotOurDatabaseError",
    "Outbox",
    "OutboxItem",
    "OutboxItemNotFoundError",
    "PruneResult",
    "QueryLog",
    "QueryLogEntry",
    "QueryLogSink",
    "QueryLogWriter",
    "QueryStats",
    "RetentionPolicy",
    "SchemaTooNewError",
    "Store",
    "StoreError",
    "Usage",
    "UsageInterval",
    "migrate",
]
