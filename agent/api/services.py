"""What the API needs from the rest of the agent, as a small typed interface.

The agent runtime implements :class:`AgentServices` with the real policy, store and DNS
server; the API only calls these methods and turns their answers into JSON. Every method
is called from an HTTP worker thread, so implementations must be thread-safe (read a
snapshot, or use the store's own connection per thread).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from agent.api.types import (
    ChildProfile,
    DnsCounters,
    ListInfo,
    PolicyState,
    QueryLogEntry,
    Stats,
    UsageToday,
)


class AgentServices(Protocol):
    def dns_listening(self) -> Sequence[str]:
        """Where the DNS filter answers, as URLs: ``udp://127.0.0.1:5353``, ``tcp://[::1]:53``."""
        ...

    def dns_counters(self) -> DnsCounters:
        """Answers whose query-log rows were shed under load, and queries refused by the
        rate limit."""
        ...

    def policy_state(self) -> PolicyState:
        """The family.toml in force and the error of the newest one, if it was refused."""
        ...

    def language(self) -> str:
        """The family's language setting: ``vi`` or ``en``."""
        ...

    def timezone(self) -> str:
        """The family's IANA time zone (``Asia/Ho_Chi_Minh``): the dashboard shows times and
        ends "today" in it."""
        ...

    def lists(self) -> Sequence[ListInfo]:
        """Every blocklist source with its entry count."""
        ...

    def children(self) -> Sequence[ChildProfile]:
        """The children in the policy, in its order."""
        ...

    def usage_today(self) -> UsageToday:
        """Counted minutes per child on the family's current day (its time zone)."""
        ...

    def query_log(self, child: str | None, limit: int) -> Sequence[QueryLogEntry]:
        """The newest `limit` queries, newest first; of one child when `child` is given."""
        ...

    def stats(self, child: str | None) -> Stats:
        """Top blocked and allowed names and blocks per category; of one child if given."""
        ...
