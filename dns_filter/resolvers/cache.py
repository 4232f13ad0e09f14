"""The cache link: answers repeated questions from memory and serves stale answers on failure.

- Entries are keyed by (name, type, class, DNSSEC OK bit): a validating client must not get
  an answer cached without signatures.
- Every record's TTL is clamped to ``[min_ttl, max_ttl]`` when stored; the entry lives as
  long as its smallest clamped TTL and answers are served with their TTLs counted down.
- Negative answers (NXDOMAIN, and NOERROR without answers, "NODATA") are cached for the
  SOA's negative TTL, ``min(SOA TTL, SOA minimum)`` (RFC 2308), clamped to
  ``[min_ttl, negative_max_ttl]``; without an SOA they are not cached.
- Only NOERROR and NXDOMAIN answers that are not truncated are stored; never SERVFAIL.
- The cache is bounded: the least recently used entry goes first.
- An entry holds the stored answer as bytes, with where its TTLs are: thousands of entries
  of dnslib records (a dozen objects each) would be walked by every full run of the cyclic
  garbage collector, which stops every thread meanwhile. An answer is read, stored and
  served as bytes (:mod:`dns_filter.answer_wire`); a hit is a copy with the TTLs counted
  down and the query's ID, flags and question.
- Serve-stale (RFC 8767): when the next link answers SERVFAIL or raises, an expired entry
  that expired less than ``max_stale`` seconds ago is served with TTL ``stale_ttl`` (30 s),
  as ``cached`` with a reason of kind ``stale``. For the next ``stale_recheck`` seconds (RFC 8767's
  failure recheck timer) that name is served stale at once instead of waiting for a failing
  upstream again on every query.

Answers served from the cache are :attr:`AnswerType.CACHED` (reason kind ``cache``); fresh
answers keep the type and reason of the link below. A link below that raises gives
:attr:`AnswerType.FAILED` (SERVFAIL, reason kind ``failure``) when nothing stale is there.
"""

from __future__ import annotations

import logging
import math
import struct
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

from dns_filter import answer_wire, wire
from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.clock import Clock, SystemClock
from dns_filter.log_throttle import LogThrottle
from dns_filter.message import Message
from dns_filter.reason import CACHE_REASON, STALE_REASON, failure_reason
from dns_filter.upstreams import servfail_response

log = logging.getLogger(__name__)

CacheKey = tuple[str, int, int, bool]

_CACHEABLE_RCODES = {wire.RCODE_NOERROR, wire.RCODE_NXDOMAIN}


@dataclass(frozen=True)
class CacheSettings:
    """Limits of the cache; all times in seconds."""

    max_entries: int = 10_000
    min_ttl: int = 0
    max_ttl: int = 86_400
    negative_max_ttl: int = 3_600
    max_stale: float = 86_400.0  # how long after expiry an entry may still be served stale
    stale_ttl: int = 30  # RFC 8767 recommends 30 s for stale answers
    stale_recheck: float = 30.0  # after a failure, serve stale without asking for this long

    def __post_init__(self) -> None:
        problems = []
        if self.max_entries < 1:
            problems.append(f"max_entries must be at least 1, got {self.max_entries}")
        if self.min_ttl < 0:
            problems.append(f"min_ttl must not be negative, got {self.min_ttl}")
        if self.max_ttl < self.min_ttl:
            problems.append(f"max_ttl ({self.max_ttl}) is below min_ttl ({self.min_ttl})")
        if self.negative_max_ttl < self.min_ttl:
            problems.append(
                f"negative_max_ttl ({self.negative_max_ttl}) is below min_ttl ({self.min_ttl})"
            )
        if self.max_stale < 0:
            problems.append(f"max_stale must not be negative, got {self.max_stale}")
        if self.stale_recheck < 0:
            problems.append(f"stale_recheck must not be negative, got {self.stale_recheck}")
        if self.stale_ttl < 0:
            problems.append(f"stale_ttl must not be negative, got {self.stale_ttl}")
        if problems:
            raise ValueError("invalid cache settings: " + "; ".join(problems))


# (packed, stored at, expires at, retry after): the answer with ID 0 and its TTLs already
# clamped, and until when a failed refresh is fresh in memory (serve stale until then). A
# plain tuple of bytes and floats, not a dataclass: CPython stops tracking such a tuple,
# so ten thousand entries cost the full collections nothing.
_Entry = tuple[bytes, float, float, float]
_PACKED: Final = 0
_STORED_AT: Final = 1
_EXPIRES_AT: Final = 2
_RETRY_AFTER: Final = 3


@dataclass(frozen=True)
class CacheStats:
    entries: int
    hits: int
    misses: int
    stale_served: int


def cache_key(query: Query) -> CacheKey:
    """(name, qtype, qclass, DO bit) of a query."""
    parsed = wire.parse_query(query.message.wire)
    return (query.name, query.qtype, parsed.qclass, parsed.do_bit)


class CacheResolver(Resolver):
    """Answers from the cache, or asks the next link and remembers its answer."""

    def __init__(
        self,
        next_resolver: Resolver,
        settings: CacheSettings | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(next_resolver)
        self.settings = settings or CacheSettings()
        # Entries age on monotonic time; the bound method costs one call per query.
        clock = clock or SystemClock()
        self._clock = clock.monotonic
        self._entries: OrderedDict[CacheKey, _Entry] = OrderedDict()
        self._hits = 0
        self._misses = 0
        self._stale_served = 0
        self._warnings = LogThrottle(log, clock=clock)

    def __len__(self) -> int:
        return len(self._entries)

    def stats(self) -> CacheStats:
        return CacheStats(len(self._entries), self._hits, self._misses, self._stale_served)

    def clear(self) -> None:
        self._entries.clear()

    async def resolve(self, query: Query) -> Result:
        key = cache_key(query)
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None:
            if now < entry[_EXPIRES_AT]:
                response = self._render(entry, query, int(now - entry[_STORED_AT]), None)
                if response is not None:
                    self._entries.move_to_end(key)
                    self._hits += 1
                    return Result(response, AnswerType.CACHED, CACHE_REASON, query.profile)
            if now - entry[_EXPIRES_AT] > self.settings.max_stale:
                del self._entries[key]
            elif now < entry[_RETRY_AFTER]:
                return self._serve_stale(entry, key, query, now)
        self._misses += 1

        try:
            result = await self.next.resolve(query)
        except Exception as exc:  # the link below broke: stale beats nothing
            log.debug("resolving %s failed below the cache: %s", query.name, exc)
            self._warnings.warning("failed-below", "resolving failed below the cache: %s", exc)
            failure = Result(
                servfail_response(query.request),
                AnswerType.FAILED,
                failure_reason(f"upstream error: {exc}"),
                query.profile,
            )
            return self._stale_or(failure, key, query)

        message = result.message
        rcode = message.rcode
        if rcode == wire.RCODE_SERVFAIL:
            return self._stale_or(result, key, query)
        if rcode in _CACHEABLE_RCODES and not message.truncated:
            self._store(key, message, self._clock())
        return result

    # -- serving

    def _stale_or(self, failure: Result, key: CacheKey, query: Query) -> Result:
        entry = self._entries.get(key)
        if entry is None:
            return failure
        now = self._clock()
        if now - entry[_EXPIRES_AT] > self.settings.max_stale:
            del self._entries[key]
            return failure
        why = failure.reason.detail or failure.reason.kind
        # The name only at DEBUG: at the default level the log holds no browsing history.
        log.debug("serving stale %s: %s", query.name, why)
        self._warnings.info("stale", "serving stale answers: %s", why)
        retry_after = now + self.settings.stale_recheck
        entry = (entry[_PACKED], entry[_STORED_AT], entry[_EXPIRES_AT], retry_after)
        self._entries[key] = entry
        return self._serve_stale(entry, key, query, now)

    def _serve_stale(self, entry: _Entry, key: CacheKey, query: Query, now: float) -> Result:
        # An entry may still be fresh if the next link failed during a race; count it down.
        fresh = now < entry[_EXPIRES_AT]
        age = int(now - entry[_STORED_AT])
        response = self._render(entry, query, age, None if fresh else self.settings.stale_ttl)
        if response is None:
            return Result(
                servfail_response(query.request),
                AnswerType.FAILED,
                failure_reason("the stale answer is for another question"),
                query.profile,
            )
        self._stale_served += 1
        self._entries.move_to_end(key)
        return Result(response, AnswerType.CACHED, STALE_REASON, query.profile)

    @staticmethod
    def _render(entry: _Entry, query: Query, age: int, every_ttl: int | None) -> Message | None:
        """A copy of the stored answer for this query: its ID, RD and CD flags and exact
        question, every TTL counted down by `age` seconds (or set to `every_ttl`). None
        when the stored question's bytes are not the query's (a name only its text shares)."""
        request = query.message.wire
        stored = entry[_PACKED]
        name_end = wire.parse_query(request).name_end
        if stored[12:name_end].lower() != request[12:name_end].lower():
            return None
        ttls = wire.record_ttls(stored)
        if every_ttl is None:
            body = wire.aged(stored, ttls, age)
        else:
            patched = bytearray(stored)
            for offset in ttls.offsets:
                struct.pack_into(">I", patched, offset, every_ttl)
            body = bytes(patched)
        return Message(wire.for_query(body, request, name_end))

    # -- storing

    def _store(self, key: CacheKey, message: Message, now: float) -> None:
        response = message.wire
        try:
            records = message.records
        except ValueError:
            log.debug("the answer for %s cannot be read; not cached", key[0])
            return
        if wire.HEADER.unpack_from(response)[2] != 1:
            return  # a hit is re-addressed to the query's question: it must be there
        settings = self.settings
        negative = response[3] & 0x0F == wire.RCODE_NXDOMAIN or not any(
            record.section == answer_wire.ANSWER for record in records
        )
        lifetime = self._lifetime(response, records, negative)
        if lifetime is None or lifetime <= 0:
            return
        ceiling = settings.negative_max_ttl if negative else settings.max_ttl
        packed = bytearray(response)
        for record in records:
            if record.rtype == wire.TYPE_OPT:
                continue  # its TTL field is flags
            soa = negative and record.section == answer_wire.AUTHORITY
            ttl = (
                self._negative_ttl(response, record)
                if soa and record.rtype == answer_wire.TYPE_SOA
                else record.ttl
            )
            ttl = min(max(ttl, settings.min_ttl), ceiling)
            struct.pack_into(">I", packed, record.ttl_offset, ttl)
        packed[0:2] = b"\x00\x00"
        self._entries[key] = (bytes(packed), now, now + lifetime, -math.inf)
        self._entries.move_to_end(key)
        while len(self._entries) > settings.max_entries:
            self._entries.popitem(last=False)

    @staticmethod
    def _negative_ttl(response: bytes, soa: answer_wire.Record) -> int:
        # RFC 2308: the negative TTL is the smaller of the SOA's own TTL and its MINIMUM,
        # the last of the five numbers that end its data.
        minimum: int = struct.unpack_from(">I", response, soa.data_start + soa.data_length - 4)[0]
        return min(soa.ttl, minimum)

    def _lifetime(
        self, response: bytes, records: tuple[answer_wire.Record, ...], negative: bool
    ) -> int | None:
        """Seconds the answer may be served from the cache, or None when it must not be cached."""
        settings = self.settings
        if negative:
            soas = [
                record
                for record in records
                if record.section == answer_wire.AUTHORITY and record.rtype == answer_wire.TYPE_SOA
            ]
            if not soas:
                return None  # RFC 2308 section 5: no SOA, no negative caching
            ttl = min(self._negative_ttl(response, record) for record in soas)
            return min(max(ttl, settings.min_ttl), settings.negative_max_ttl)
        ttls = [record.ttl for record in records if record.rtype != wire.TYPE_OPT]
        if not ttls:
            return None
        smallest = min(ttls)
        return min(max(smallest, settings.min_ttl), settings.max_ttl)
