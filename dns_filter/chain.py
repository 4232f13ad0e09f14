"""The resolver chain's common types: each link answers or passes the query to the next.

Like Blocky's chain, every link is small and every answer says what it is and why (a typed
:class:`~dns_filter.reason.Reason`, never text to parse). The factory that lists the order
of the links lives in :mod:`dns_filter.factory`.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from enum import StrEnum

from dnslib import DNSRecord

from dns_filter.reason import Reason


class AnswerType(StrEnum):
    RESOLVED = "resolved"  # answered by an upstream (or, reason `local`, by this filter)
    CACHED = "cached"  # answered from the cache
    BLOCKED = "blocked"  # a rule blocked the name
    REWRITTEN = "rewritten"  # safe search and similar rewrites
    BYPASS = "bypass"  # an anti-bypass rule answered (NXDOMAIN / NODATA)
    FAILED = "failed"  # SERVFAIL: every upstream failed, refused or timed out, or the chain broke


@dataclass(frozen=True)
class Query:
    """One question, normalised: `name` is lower-case punycode without the trailing dot."""

    request: DNSRecord
    name: str
    qtype: int
    client_ip: str
    transport: str  # "udp" or "tcp"
    profile: str | None = None  # set by the client -> profile link


@dataclass(frozen=True)
class Result:
    """A link's answer: the full response plus its type and why (a :class:`Reason`)."""

    response: DNSRecord
    answer_type: AnswerType
    reason: Reason
    profile: str | None = None
    # Wall-clock time (epoch seconds) after which this answer must not be served again
    # (a parent's approval ends then); None: its TTL says how long it lives.
    valid_until: float | None = None


class Resolver(abc.ABC):
    """A link of the chain. Links that do not answer call `self.next.resolve(query)`."""

    def __init__(self, next_resolver: Resolver | None = None) -> None:
        self._next = next_resolver

    @property
    def next(self) -> Resolver:
        if self._next is None:
            raise RuntimeError(f"{type(self).__name__} is the last link and cannot pass on")
        return self._next

    @abc.abstractmethod
    async def resolve(self, query: Query) -> Result:
        """Answer `query`, or pass it to the next link."""
