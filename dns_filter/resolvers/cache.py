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
- An entry holds the stored answer packed, as bytes: thousands of entries of dnslib records
  (a dozen objects each) would be walked by every full run of the cyclic garbage
  collector, which stops every thread meanwhile; a hit parses its bytes back.
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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from dnslib import QTYPE, RCODE, RR, DNSHeader, DNSRecord

from dns_filter import wire
from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.clock import Clock, SystemClock
from dns_filter.log_throttle import LogThrottle
from dns_filter.reason import CACHE_REASON, STALE_REASON, failure_reason
from dns_filter.upstreams import servfail_response

log = logging.getLogger(__name__)

CacheKey = tuple[str, int, int, bool]

_CACHEABLE_RCODES = {RCODE.NOERROR, RCODE.NXDOMAIN}


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


# (packed, stored at, expires at, retry after): the answer with its TTLs already clamped,
# packed (each hit parses a copy), and until when a failed refresh is fresh in memory (serve
# stale until then). A plain tuple of bytes and floats, not a dataclass: CPython stops
# tracking such a tuple, so ten thousand entries cost the full collections nothing.
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
    return (query.name, query.qtype, query.request.q.qclass, _do_bit(query.request))


def _do_bit(request: DNSRecord) -> bool:
    # The DO flag is the top bit of the 16 flag bits in the OPT record's TTL field.
    return any(rr.rtype == QTYPE.OPT and rr.ttl & 0x8000 for rr in request.ar)


def _records(response: DNSRecord) -> list[RR]:
    """Every record whose TTL is a TTL (the OPT pseudo-record's is not)."""
    return [rr for rr in (*response.rr, *response.auth, *response.ar) if rr.rtype != QTYPE.OPT]


def _copy_rr(rr: RR, ttl: int) -> RR:
    return RR(rr.rname, rr.rtype, rr.rclass, ttl, rr.rdata)


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
                self._entries.move_to_end(key)
                self._hits += 1
                age = int(now - entry[_STORED_AT])
                response = self._render(entry, query.request, lambda rr: rr.ttl - age)
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

        rcode = result.response.header.rcode
        if rcode == RCODE.SERVFAIL:
            return self._stale_or(result, key, query)
        if rcode in _CACHEABLE_RCODES and not result.response.header.tc:
            self._store(key, result.response, self._clock())
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
        self._stale_served += 1
        self._entries.move_to_end(key)
        stale_ttl = self.settings.stale_ttl
        # An entry may still be fresh if the next link failed during a race; count it down.
        age = int(now - entry[_STORED_AT])
        fresh = now < entry[_EXPIRES_AT]
        response = self._render(
            entry, query.request, (lambda rr: rr.ttl - age) if fresh else (lambda rr: stale_ttl)
        )
        return Result(response, AnswerType.CACHED, STALE_REASON, query.profile)

    @staticmethod
    def _render(entry: _Entry, request: DNSRecord, ttl_of: Callable[[RR], int]) -> DNSRecord:
        """A copy of the stored answer for this request: its ID, question, RD flag and TTLs."""
        stored = DNSRecord.parse(entry[_PACKED])
        header = DNSHeader(id=request.header.id, bitmap=stored.header.bitmap)
        header.rd = request.header.rd

        def section(records: list[RR]) -> list[RR]:
            return [
                rr if rr.rtype == QTYPE.OPT else _copy_rr(rr, max(ttl_of(rr), 0)) for rr in records
            ]

        return DNSRecord(
            header,
            questions=list(request.questions),
            rr=section(stored.rr),
            auth=section(stored.auth),
            ar=section(stored.ar),
        )

    # -- storing

    def _store(self, key: CacheKey, response: DNSRecord, now: float) -> None:
        lifetime = self._lifetime(response)
        if lifetime is None or lifetime <= 0:
            return
        settings = self.settings
        negative = self._is_negative(response)
        ceiling = settings.negative_max_ttl if negative else settings.max_ttl

        def clamp(ttl: int) -> int:
            return min(max(ttl, settings.min_ttl), ceiling)

        packed = self._packed_clamped(response, negative, clamp)
        if packed is None:
            log.debug("cannot pack the answer for %s; not cached", key[0])
            return
        self._entries[key] = (packed, now, now + lifetime, -math.inf)
        self._entries.move_to_end(key)
        while len(self._entries) > settings.max_entries:
            self._entries.popitem(last=False)

    def _packed_clamped(
        self, response: DNSRecord, negative: bool, clamp: Callable[[int], int]
    ) -> bytes | None:
        """The answer packed once, with ID 0 and every TTL clamped in place on the wire
        (a negative answer's SOA to its negative TTL); None when dnslib cannot write it."""
        try:
            packed = bytearray(response.pack())
            offsets = wire.record_ttls(bytes(packed)).offsets
        except Exception:  # a record dnslib reads but cannot write again: not cached
            return None
        # The wire's order of TTLs: answers, authority, additional, without OPT.
        records = [
            (rr, section is response.auth)
            for section in (response.rr, response.auth, response.ar)
            for rr in section
            if rr.rtype != QTYPE.OPT
        ]
        if len(records) != len(offsets):
            return None
        for (rr, in_authority), offset in zip(records, offsets, strict=True):
            soa = negative and in_authority and rr.rtype == QTYPE.SOA
            ttl = self._negative_ttl(rr) if soa else rr.ttl
            struct.pack_into(">I", packed, offset, clamp(ttl))
        packed[0:2] = b"\x00\x00"
        return bytes(packed)

    @staticmethod
    def _is_negative(response: DNSRecord) -> bool:
        return response.header.rcode == RCODE.NXDOMAIN or not response.rr

    @staticmethod
    def _negative_ttl(rr: RR) -> int:
        # RFC 2308: the negative TTL is the smaller of the SOA's own TTL and its MINIMUM.
        return int(min(rr.ttl, rr.rdata.times[-1]))

    def _lifetime(self, response: DNSRecord) -> int | None:
        """Seconds the answer may be served from the cache, or None when it must not be cached."""
        settings = self.settings
        if self._is_negative(response):
            soas = [rr for rr in response.auth if rr.rtype == QTYPE.SOA]
            if not soas:
                return None  # RFC 2308 section 5: no SOA, no negative caching
            ttl = min(self._negative_ttl(rr) for rr in soas)
            return min(max(ttl, settings.min_ttl), settings.negative_max_ttl)
        ttls = [rr.ttl for rr in _records(response)]
        if not ttls:
            return None
        smallest = min(ttls)
        return min(max(smallest, settings.min_ttl), settings.max_ttl)
