"""The cache link, in front of the real upstream link and a stand-in upstream on loopback.

Time inside the cache runs on a hand-driven clock, so TTL expiry is tested without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from dnslib import EDNS0, QTYPE, RCODE, RR, A, DNSRecord
from test_upstreams_standin import NEGATIVE_TTL, ZONE, StandInDns, running_dns

from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.clock import ManualClock
from dns_filter.reason import Reason, ReasonKind
from dns_filter.resolvers.cache import CacheResolver, CacheSettings
from dns_filter.resolvers.upstream import UpstreamResolver
from dns_filter.upstreams import UpstreamGroup

START = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)


def make_query(name: str, qtype: str = "A", *, do_bit: bool = False) -> Query:
    request = DNSRecord.question(name, qtype)
    if do_bit:
        request.add_ar(EDNS0(udp_len=1232, flags="do"))
    normalised = name.lower().rstrip(".")
    return Query(request, normalised, getattr(QTYPE, qtype), "127.0.0.1", "udp", "an")


class Harness:
    """A cache link over the upstream link over one stand-in server."""

    def __init__(self, server: StandInDns, settings: CacheSettings) -> None:
        self.server = server
        self.clock = ManualClock(START)
        self.group = UpstreamGroup.from_urls([server.udp_url], timeout=0.3)
        self.cache = CacheResolver(UpstreamResolver(self.group), settings, clock=self.clock)
        self.loop = asyncio.new_event_loop()

    def ask(self, name: str, qtype: str = "A", *, do_bit: bool = False) -> Result:
        query = make_query(name, qtype, do_bit=do_bit)
        result = self.loop.run_until_complete(self.cache.resolve(query))
        assert result.response.header.id == query.request.header.id
        assert result.profile == "an"
        return result

    def upstream_queries(self) -> int:
        return len([seen for seen in self.server.seen if seen.name != "."])

    def close(self) -> None:
        self.loop.run_until_complete(self.group.aclose())
        self.loop.close()


MakeHarness = Callable[..., Harness]


@pytest.fixture
def harness_for() -> Iterator[MakeHarness]:
    made: list[Harness] = []
    with contextlib.ExitStack() as stack:

        def make(settings: CacheSettings | None = None) -> Harness:
            server = stack.enter_context(running_dns(1))[0]
            made.append(Harness(server, settings or CacheSettings()))
            return made[-1]

        yield make
        for harness in made:
            harness.close()


def ttls(result: Result) -> list[int]:
    response = result.response
    return [rr.ttl for rr in (*response.rr, *response.auth) if rr.rtype != QTYPE.OPT]


def test_second_answer_comes_from_the_cache_with_ttl_counted_down(harness_for: MakeHarness) -> None:
    harness = harness_for()
    first = harness.ask(f"www.{ZONE}")
    assert first.answer_type is AnswerType.RESOLVED
    assert first.reason == Reason(ReasonKind.UPSTREAM, upstream=harness.server.udp_url)
    assert ttls(first) == [300]

    harness.clock.advance(100.4)
    second = harness.ask(f"www.{ZONE}")
    assert second.answer_type is AnswerType.CACHED
    assert second.reason == Reason(ReasonKind.CACHE)
    assert ttls(second) == [200]
    assert [str(rr.rdata) for rr in second.response.rr] == ["192.0.2.10"]
    assert harness.upstream_queries() == 1


def test_cached_answer_echoes_the_new_question(harness_for: MakeHarness) -> None:
    harness = harness_for()
    harness.ask(f"www.{ZONE}")
    again = harness.ask("WWW.Example.TEST")
    assert again.answer_type is AnswerType.CACHED
    assert str(again.response.q.qname) == "WWW.Example.TEST."
    assert harness.upstream_queries() == 1


def test_entry_expires_with_its_ttl(harness_for: MakeHarness) -> None:
    harness = harness_for()
    harness.ask(f"www.{ZONE}")
    harness.clock.advance(300)
    fresh = harness.ask(f"www.{ZONE}")
    assert fresh.answer_type is AnswerType.RESOLVED
    assert harness.upstream_queries() == 2


def test_short_ttls_are_raised_to_the_minimum(harness_for: MakeHarness) -> None:
    harness = harness_for(CacheSettings(min_ttl=60))
    first = harness.ask(f"short.{ZONE}")  # TTL 5 upstream
    assert ttls(first) == [5]  # the fresh answer passes through unchanged
    harness.clock.advance(30)
    cached = harness.ask(f"short.{ZONE}")
    assert cached.answer_type is AnswerType.CACHED
    assert ttls(cached) == [30]
    harness.clock.advance(31)
    assert harness.ask(f"short.{ZONE}").answer_type is AnswerType.RESOLVED
    assert harness.upstream_queries() == 2


def test_long_ttls_are_capped_at_the_maximum(harness_for: MakeHarness) -> None:
    harness = harness_for(CacheSettings(max_ttl=3600))
    harness.ask(f"long.{ZONE}")  # TTL 999999 upstream
    cached = harness.ask(f"long.{ZONE}")
    assert ttls(cached) == [3600]
    harness.clock.advance(3600)
    assert harness.ask(f"long.{ZONE}").answer_type is AnswerType.RESOLVED


def test_nxdomain_is_cached_for_the_soa_negative_ttl(harness_for: MakeHarness) -> None:
    harness = harness_for()
    first = harness.ask(f"missing.{ZONE}")
    assert first.response.header.rcode == RCODE.NXDOMAIN
    harness.clock.advance(NEGATIVE_TTL - 1)
    cached = harness.ask(f"missing.{ZONE}")
    assert cached.answer_type is AnswerType.CACHED
    assert cached.response.header.rcode == RCODE.NXDOMAIN
    assert ttls(cached) == [1]  # the SOA's TTL is the negative TTL, counted down
    harness.clock.advance(1)
    assert harness.ask(f"missing.{ZONE}").answer_type is AnswerType.RESOLVED
    assert harness.upstream_queries() == 2


def test_nodata_is_cached_and_clamped_to_the_negative_maximum(harness_for: MakeHarness) -> None:
    harness = harness_for(CacheSettings(negative_max_ttl=50))
    first = harness.ask(f"short.{ZONE}", "AAAA")
    assert first.response.header.rcode == RCODE.NOERROR and not first.response.rr
    harness.clock.advance(49)
    cached = harness.ask(f"short.{ZONE}", "AAAA")
    assert cached.answer_type is AnswerType.CACHED
    assert not cached.response.rr and ttls(cached) == [1]
    harness.clock.advance(1)
    assert harness.ask(f"short.{ZONE}", "AAAA").answer_type is AnswerType.RESOLVED


def test_dnssec_ok_queries_are_cached_apart(harness_for: MakeHarness) -> None:
    harness = harness_for()
    harness.ask(f"www.{ZONE}")
    assert harness.ask(f"www.{ZONE}", do_bit=True).answer_type is AnswerType.RESOLVED
    assert harness.ask(f"www.{ZONE}", do_bit=True).answer_type is AnswerType.CACHED
    assert harness.ask(f"www.{ZONE}", "AAAA").answer_type is AnswerType.RESOLVED
    assert harness.upstream_queries() == 3


def test_servfail_is_never_cached(harness_for: MakeHarness) -> None:
    harness = harness_for()
    harness.server.behaviour.mode = "servfail"
    assert harness.ask(f"www.{ZONE}").response.header.rcode == RCODE.SERVFAIL
    harness.server.behaviour.mode = "answer"
    answer = harness.ask(f"www.{ZONE}")
    assert answer.answer_type is AnswerType.RESOLVED
    assert answer.response.header.rcode == RCODE.NOERROR


def test_stale_answer_is_served_when_the_upstream_goes_down(harness_for: MakeHarness) -> None:
    harness = harness_for(CacheSettings(max_stale=3600))
    harness.ask(f"www.{ZONE}")
    harness.clock.advance(300 + 1800)  # expired half an hour ago
    harness.server.behaviour.mode = "drop"
    stale = harness.ask(f"www.{ZONE}")
    assert stale.answer_type is AnswerType.CACHED
    assert stale.reason == Reason(ReasonKind.STALE)
    assert stale.response.header.rcode == RCODE.NOERROR
    assert [str(rr.rdata) for rr in stale.response.rr] == ["192.0.2.10"]
    assert ttls(stale) == [30]
    assert harness.upstream_queries() == 2  # it did try the upstream first

    # Within the failure recheck time the stale answer comes at once, without asking.
    harness.clock.advance(29)
    assert harness.ask(f"www.{ZONE}").reason.kind is ReasonKind.STALE
    assert harness.upstream_queries() == 2

    # Back up: after the recheck time it asks again, and the fresh answer replaces the entry.
    harness.clock.advance(1)
    harness.server.behaviour.mode = "answer"
    fresh = harness.ask(f"www.{ZONE}")
    assert fresh.answer_type is AnswerType.RESOLVED and ttls(fresh) == [300]


def test_stale_answer_is_served_on_an_upstream_servfail(harness_for: MakeHarness) -> None:
    harness = harness_for()
    harness.ask(f"missing.{ZONE}")
    harness.clock.advance(NEGATIVE_TTL + 10)
    harness.server.behaviour.mode = "servfail"
    stale = harness.ask(f"missing.{ZONE}")
    assert stale.reason == Reason(ReasonKind.STALE)
    assert stale.response.header.rcode == RCODE.NXDOMAIN
    assert ttls(stale) == [30]


def test_too_old_entry_is_not_served_stale(harness_for: MakeHarness) -> None:
    harness = harness_for(CacheSettings(max_stale=3600))
    harness.ask(f"www.{ZONE}")
    harness.clock.advance(300 + 3601)
    harness.server.behaviour.mode = "drop"
    result = harness.ask(f"www.{ZONE}")
    assert result.response.header.rcode == RCODE.SERVFAIL
    assert result.answer_type is AnswerType.FAILED
    assert result.reason.kind is ReasonKind.FAILURE
    assert "all upstreams failed" in (result.reason.detail or "")
    assert len(harness.cache) == 0  # the dead entry is gone


class BrokenLink(Resolver):
    """A next link that raises, as a bug below the cache would."""

    def __init__(self) -> None:
        super().__init__(None)
        self.broken = False

    async def resolve(self, query: Query) -> Result:
        if self.broken:
            raise RuntimeError("link exploded")
        reply = query.request.reply()
        reply.add_answer(RR(query.request.q.qname, QTYPE.A, rdata=A("192.0.2.99"), ttl=60))
        return Result(reply, AnswerType.RESOLVED, Reason(ReasonKind.UPSTREAM), query.profile)


def test_stale_answer_is_served_when_the_next_link_raises() -> None:
    clock = ManualClock(START)
    below = BrokenLink()
    cache = CacheResolver(below, clock=clock)
    asyncio.run(cache.resolve(make_query("a.test")))
    clock.advance(61)
    below.broken = True
    stale = asyncio.run(cache.resolve(make_query("a.test")))
    assert stale.reason == Reason(ReasonKind.STALE) and ttls(stale) == [30]
    failed = asyncio.run(cache.resolve(make_query("b.test")))
    assert failed.response.header.rcode == RCODE.SERVFAIL
    assert failed.answer_type is AnswerType.FAILED
    assert failed.reason.kind is ReasonKind.FAILURE
    assert "link exploded" in (failed.reason.detail or "")


def test_least_recently_used_entry_is_evicted_at_the_bound(harness_for: MakeHarness) -> None:
    harness = harness_for(CacheSettings(max_entries=2))
    harness.ask(f"www.{ZONE}")
    harness.ask(f"short.{ZONE}")
    assert harness.ask(f"www.{ZONE}").answer_type is AnswerType.CACHED  # www now most recent
    harness.ask(f"long.{ZONE}")  # evicts short
    assert len(harness.cache) == 2
    assert harness.ask(f"www.{ZONE}").answer_type is AnswerType.CACHED
    assert harness.ask(f"long.{ZONE}").answer_type is AnswerType.CACHED
    assert harness.ask(f"short.{ZONE}").answer_type is AnswerType.RESOLVED
    assert harness.upstream_queries() == 4


def test_invalid_settings_are_refused_with_every_problem() -> None:
    with pytest.raises(ValueError, match="max_entries must be at least 1") as error:
        CacheSettings(max_entries=0, min_ttl=100, max_ttl=10)
    assert "max_ttl (10) is below min_ttl (100)" in str(error.value)


def test_entries_are_out_of_the_cyclic_collectors_sight(harness_for: MakeHarness) -> None:
    # Plain tuples of bytes and floats: a full collection does not walk thousands of them.
    harness = harness_for()
    for name in (f"www.{ZONE}", f"mail.{ZONE}", f"missing.{ZONE}"):
        harness.ask(name)
    gc.collect()
    entries = list(harness.cache._entries.values())
    assert entries
    assert not any(gc.is_tracked(entry) for entry in entries)


def test_every_section_is_clamped_on_the_wire_and_the_opt_record_is_left_alone() -> None:
    from dnslib import NS

    class Crafted(Resolver):
        def __init__(self) -> None:
            super().__init__(None)
            self.calls = 0

        async def resolve(self, query: Query) -> Result:
            self.calls += 1
            reply = query.request.reply()
            reply.add_answer(RR(query.request.q.qname, QTYPE.A, rdata=A("192.0.2.1"), ttl=5))
            reply.add_auth(RR(ZONE, QTYPE.NS, rdata=NS(f"ns.{ZONE}"), ttl=999_999))
            reply.add_ar(RR(f"ns.{ZONE}", QTYPE.A, rdata=A("192.0.2.53"), ttl=10))
            reply.add_ar(EDNS0(udp_len=1232, flags="do"))
            return Result(reply, AnswerType.RESOLVED, Reason(ReasonKind.UPSTREAM))

    below = Crafted()
    clock = ManualClock(START)
    cache = CacheResolver(below, CacheSettings(min_ttl=60, max_ttl=3600), clock=clock)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(cache.resolve(make_query(f"www.{ZONE}", do_bit=True)))
        clock.advance(2)
        hit = loop.run_until_complete(cache.resolve(make_query(f"www.{ZONE}", do_bit=True)))
    finally:
        loop.close()
    assert below.calls == 1 and hit.answer_type is AnswerType.CACHED
    response = hit.response
    assert [rr.ttl for rr in (*response.rr, *response.auth)] == [58, 3598]
    additional = [rr for rr in response.ar if rr.rtype != QTYPE.OPT]
    assert [rr.ttl for rr in additional] == [58]
    opt = [rr for rr in response.ar if rr.rtype == QTYPE.OPT]
    assert len(opt) == 1 and opt[0].ttl & 0x8000  # the DO flag, not a TTL
