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

from dns_filter.message import Message
from dns_filter.reason import Reason


class AnswerType(StrEnum):
    RESOLVED = "resolved"  # answered by an upstream (or, reason `local`, by this filter)
    CACHED = "cached"  # answered from the cache
    BLOCKED = "blocked"  # a rule blocked the name
    REWRITTEN = "rewritten"  # safe search and similar rewrites
    BYPASS = "bypass"  # an anti-bypass rule answered (NXDOMAIN / NODATA)
    FAILED = "failed"  # SERVFAIL: every upstream failed, refused or timed out, or the chain broke


@dataclass(frozen=True, init=False)
class Query:
    """One question, normalised: `name` is lower-case punycode without the trailing dot.

    `message` is the request as the client sent it (bytes, from the server) or as a link
    built it (a record); `request` is its record, parsed when a link first asks."""

    message: Message
    name: str
    qtype: int
    client_ip: str
    transport: str  # "udp" or "tcp"
    profile: str | None = None  # set by the client -> profile link

    def __init__(
        self,
        message: DNSRecord | Message,
        name: str,
        qtype: int,
        client_ip: str,
        transport: str,
        profile: str | None = None,
    ) -> None:
        _set = object.__setattr__
        _set(self, "message", Message.of(message))
        _set(self, "name", name)
        _set(self, "qtype", qtype)
        _set(self, "client_ip", client_ip)
        _set(self, "transport", transport)
        _set(self, "profile", profile)

    @property
    def request(self) -> DNSRecord:
        return self.message.record

    def for_profile(self, profile: str | None) -> Query:
        """This query, asked for `profile` (`dataclasses.replace` costs more per query)."""
        return Query(self.message, self.name, self.qtype, self.client_ip, self.transport, profile)


@dataclass(frozen=True, init=False)
class Result:
    """A link's answer: the full response plus its type and why (a :class:`Reason`).

    `message` is the response as an upstream sent it (bytes) or as a link built it (a
    record); `response` is its record, parsed when a link first asks."""

    message: Message
    answer_type: AnswerType
    reason: Reason
    profile: str | None = None
    # Wall-clock time (epoch seconds) after which this answer must not be served again
    # (a parent's approval ends then); None: its TTL says how long it lives.
    valid_until: float | None = None

    def __init__(
        self,
        message: DNSRecord | Message,
        answer_type: AnswerType,
        reason: Reason,
        profile: str | None = None,
        valid_until: float | None = None,
    ) -> None:
        _set = object.__setattr__
        _set(self, "message", Message.of(message))
        _set(self, "answer_type", answer_type)
        _set(self, "reason", reason)
        _set(self, "profile", profile)
        _set(self, "valid_until", valid_until)

    @property
    def response(self) -> DNSRecord:
        return self.message.record

    def for_profile(self, profile: str | None) -> Result:
        """This answer, given for `profile`."""
        return Result(self.message, self.answer_type, self.reason, profile, self.valid_until)


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
