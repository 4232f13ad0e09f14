"""The agent's SQLite store: one database, one object per concern.

`Store` opens the connection core (`agent.store.core.Database`, migrated on open) and
hands each concern its own small object: `store.query_log` (and its counters,
`store.query_counts`), `store.usage`,
`store.events`, `store.requests`, `store.outbox`, `store.lists` and `store.kv`. What
spans the concerns lives here: retention (each concern prunes its own table) and
forgetting a child.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path

from agent.store.access_requests import AccessRequests
from agent.store.core import Database, Synchronous
from agent.store.events import Events
from agent.store.key_values import KeyValues
from agent.store.list_state import ListStates
from agent.store.models import PruneResult, RetentionPolicy
from agent.store.outbox import Outbox
from agent.store.query_counts import QueryCounts
from agent.store.query_log import QueryLog
from agent.store.usage import Usage
from agent.store.used_commands import UsedCommands
from dns_filter.clock import Clock

logger = logging.getLogger(__name__)


class Store:
    """One SQLite file in WAL mode (see `Database`), with a typed attribute per concern."""

    def __init__(
        self,
        path: str | Path,
        *,
        retention: RetentionPolicy | None = None,
        synchronous: Synchronous = "FULL",
        busy_timeout_ms: int = 10_000,
        clock: Clock | None = None,
    ) -> None:
        self.database = Database(
            path,
            retention=retention,
            synchronous=synchronous,
            busy_timeout_ms=busy_timeout_ms,
            clock=clock,
        )
        self.query_log = QueryLog(self.database)
        self.query_counts = QueryCounts(self.database)
        self.usage = Usage(self.database)
        self.events = Events(self.database)
        self.requests = AccessRequests(self.database)
        self.outbox = Outbox(self.database)
        self.lists = ListStates(self.database)
        self.kv = KeyValues(self.database)
        self.used_commands = UsedCommands(self.database)

    @property
    def path(self) -> Path:
        return self.database.path

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """Group calls on several concerns into one write transaction."""
        return self.database.transaction()

    def prune(self, now: datetime | None = None) -> PruneResult:
        """Apply the retention policy; returns how many rows each table lost."""
        moment = self.database.timestamp(now)
        retention = self.database.retention
        result = PruneResult(
            query_log=self.query_log.prune(moment, retention),
            usage_intervals=self.usage.prune(moment, retention),
            events=self.events.prune(moment, retention),
            access_requests=self.requests.prune(moment, retention),
            outbox=self.outbox.prune(moment, retention),
        )
        # The per-minute counters go with the query log's days (a few rows a minute).
        self.query_counts.prune(moment, retention)
        if result.total:
            self.database.vacuum()
            logger.info("retention removed %d rows: %s", result.total, result)
        return result

    def delete_child_data(self, child: str) -> PruneResult:
        """Forget one child's query log, usage, events and requests (privacy), at once."""
        with self.database.transaction():
            self.query_counts.delete_child(child)
            return PruneResult(
                query_log=self.query_log.delete_child(child),
                usage_intervals=self.usage.delete_child(child),
                events=self.events.delete_child(child),
                access_requests=self.requests.delete_child(child),
            )

    def close(self) -> None:
        """Close every connection. Call once no other thread uses the store."""
        self.database.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
