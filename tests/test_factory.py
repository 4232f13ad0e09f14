"""The whole chain from the factory: every link in order, a real cache, and the real upstream
link talking UDP to a stand-in DNS server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from dnslib import QTYPE, RCODE, RR, DNSRecord
from helpers_dns import AdblockListMatcher

from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.clock import ManualClock
from dns_filter.factory import CHAIN_ORDER, build_chain, build_chain_from_config
from dns_filter.policy import (
    FilterPolicy,
    Profile,
    ScheduleMode,
    ScheduleRule,
    Service,
    TimeWindow,
    YouTubeMode,
)
from dns_filter.reason import Reason, ReasonKind, ScheduleWindow, WindowMode
from dns_filter.resolvers import FilterPolicySlot
from dns_filter.resolvers.block import BlockResolver
from dns_filter.resolvers.bypass import BypassGuardResolver
from dns_filter.resolvers.cache import CacheResolver
from dns_filter.resolvers.client_profile import ClientProfileResolver
from dns_filter.resolvers.local_zones import LocalZonesResolver
from dns_filter.resolvers.rules import RulesResolver
from dns_filter.resolvers.safe_search import SafeSearchResolver
from dns_filter.resolvers.upstream import UpstreamResolver

BLOCKLISTS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "blocklists"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")

ZONE = {
    ("forcesafesearch.google.com", QTYPE.A): ["forcesafesearch.google.com. 300 A 216.239.38.120"],
    ("forcesafesearch.google.com", QTYPE.AAAA): [
        "forcesafesearch.google.com. 300 AAAA 2001:4860:4802:32::78"
    ],
    ("forcesafesearch.google.com", QTYPE.HTTPS): [
        "forcesafesearch.google.com. 300 HTTPS 1 . alpn=h2,h3"
    ],
    ("restrict.youtube.com", QTYPE.A): ["restrict.youtube.com. 300 A 216.239.38.119"],
    ("tongdai111.vn", QTYPE.A): ["tongdai111.vn. 300 A 203.0.113.111"],
    ("plain.example", QTYPE.A): ["plain.example. 300 A 192.0.2.1"],
    ("pornhub.com", QTYPE.A): ["pornhub.com. 300 A 192.0.2.66"],
    ("innocent.example", QTYPE.A): [
        "innocent.example. 300 CNAME tracker.pornhub.com.",
        "tracker.pornhub.com. 300 A 192.0.2.67",
    ],
}

TERMINAL_REASON = Reason(ReasonKind.UPSTREAM, upstream="terminal")


class StandInDns(asyncio.DatagramProtocol):
    """A tiny authoritative-style server on loopback that answers from ZONE."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: Any) -> None:
        request = DNSRecord.parse(data)
        name, qtype = str(request.q.qname).rstrip(".").lower(), request.q.qtype
        self.asked.append((name, qtype))
        reply = request.reply()
        for line in ZONE.get((name, qtype), []):
            reply.add_answer(*RR.fromZone(line))
        assert self.transport is not None
        self.transport.sendto(reply.pack(), addr)


BEDTIME = ScheduleRule(
    "*",
    ScheduleMode.BLOCKED_DURING,
    (TimeWindow(frozenset({6, 0, 1, 2, 3}), time(21, 30), time(6, 0)),),
)


def make_policy() -> FilterPolicy:
    adult = AdblockListMatcher(
        BLOCKLISTS / "hostsvn" / "adult-filter.txt", extra=("tongdai111.vn",)
    )
    return FilterPolicy(
        profiles={
            "an": Profile("an", "tieu-hoc", blocked_categories=frozenset({"adult"}),
                          schedules=(BEDTIME,), youtube_mode=YouTubeMode.STRICT),
            "binh": Profile("binh", "thpt", blocked_categories=frozenset({"adult"}),
                            blocked_services=frozenset({"tiktok"}), safe_search=False,
                            youtube_mode=YouTubeMode.OFF),
        },
        services={"tiktok": Service("tiktok", "TikTok", "social", ("tiktok.com",))},
        categories={"adult": adult},
        devices={"192.168.1.20": "binh"},
        default_profile="an",
        always_allowed=("tongdai111.vn",),
        block_page_ipv4="10.0.0.53",
    )


def query(name: str, qtype: str = "A", client_ip: str = "127.0.0.1") -> Query:
    return Query(DNSRecord.question(name, qtype), name, getattr(QTYPE, qtype), client_ip, "udp")


def rdata(result: Result) -> list[str]:
    return [str(record.rdata).rstrip(".") for record in result.response.rr]


async def with_stand_in(test: Callable[[StandInDns, int], Any]) -> None:
    loop = asyncio.get_running_loop()
    transport, server = await loop.create_datagram_endpoint(StandInDns, local_addr=("127.0.0.1", 0))
    try:
        await test(server, transport.get_extra_info("sockname")[1])
    finally:
        transport.close()


def test_the_whole_chain_against_a_loopback_upstream() -> None:
    holder = FilterPolicySlot(make_policy())
    clock = ManualClock(datetime(2026, 3, 2, 12, 0, tzinfo=HCM))  # Monday noon

    async def scenario(server: StandInDns, port: int) -> None:
        chain = build_chain_from_config(
            policy_source=holder,
            clock=clock,
            active_child=lambda: None,
            upstream_urls=[f"udp://127.0.0.1:{port}"],
            local_addresses=lambda: frozenset({"192.168.1.10"}),
        )
        assert chain.upstream_group is not None
        assert [type(link) for link in chain.links] == [
            ClientProfileResolver, LocalZonesResolver, BypassGuardResolver, RulesResolver,
            SafeSearchResolver, BlockResolver, CacheResolver, UpstreamResolver,
        ]
        assert len(chain.links) == len(CHAIN_ORDER)
        ask = chain.head.resolve

        canary = await ask(query("use-application-dns.net"))
        assert canary.answer_type is AnswerType.BYPASS
        assert canary.response.header.rcode == RCODE.NXDOMAIN

        for qtype, expected in (("A", "216.239.38.120"), ("AAAA", "2001:4860:4802:32::78"),
                                ("HTTPS", "1 . alpn=h2,h3")):
            google = await ask(query("www.google.com.vn", qtype))
            assert google.answer_type is AnswerType.REWRITTEN
            assert google.profile == "an"
            assert rdata(google) == ["forcesafesearch.google.com", expected]
            assert ("forcesafesearch.google.com", getattr(QTYPE, qtype)) in server.asked

        youtube = await ask(query("www.youtube.com"))
        assert rdata(youtube) == ["restrict.youtube.com", "216.239.38.119"]

        adult = await ask(query("www.pornhub.com"))
        assert adult.answer_type is AnswerType.BLOCKED
        assert adult.reason == Reason(
            ReasonKind.CATEGORY, category="adult", rule="hostsVN adult-filter.txt: ||pornhub.com^"
        )
        assert rdata(adult) == ["10.0.0.53"]

        hotline = await ask(query("tongdai111.vn"))
        assert hotline.answer_type is AnswerType.RESOLVED
        assert rdata(hotline) == ["203.0.113.111"]

        cloaked = await ask(query("innocent.example"))
        assert cloaked.answer_type is AnswerType.BLOCKED
        assert cloaked.reason.kind is ReasonKind.CNAME
        assert cloaked.reason.cname_target == "tracker.pornhub.com"
        assert (cloaked.reason.target_kind, cloaked.reason.category) == (
            ReasonKind.CATEGORY, "adult"
        )

        asked_before = len(server.asked)
        first = await ask(query("plain.example"))
        second = await ask(query("plain.example"))
        assert first.answer_type is AnswerType.RESOLVED
        assert second.answer_type is AnswerType.CACHED
        assert len(server.asked) == asked_before + 1
        # A cached answer whose CNAME leads somewhere blocked is still checked.
        assert (await ask(query("innocent.example"))).answer_type is AnswerType.BLOCKED

        # The LAN device belongs to binh: no safe search, no bedtime, TikTok blocked.
        lan_google = await ask(query("www.google.com.vn", client_ip="192.168.1.20"))
        assert lan_google.answer_type is not AnswerType.REWRITTEN
        tiktok = await ask(query("m.tiktok.com", client_ip="192.168.1.20"))
        assert (tiktok.reason.kind, tiktok.reason.service) == (ReasonKind.SERVICE, "tiktok")

        clock.set(datetime(2026, 3, 2, 22, 0, tzinfo=HCM))  # Monday, bedtime
        bedtime = await ask(query("plain.example"))
        assert bedtime.reason == Reason(
            ReasonKind.SCHEDULE,
            window=ScheduleWindow("*", WindowMode.BLOCKED, (("21:30", "06:00"),)),
        )
        assert (await ask(query("tongdai111.vn"))).answer_type is not AnswerType.BLOCKED
        lan = await ask(query("plain.example", client_ip="192.168.1.20"))
        assert lan.answer_type is AnswerType.CACHED

        # An unknown device has no profile: only the rules for everyone apply.
        stranger = await ask(query("pornhub.com", client_ip="192.168.1.77"))
        assert stranger.answer_type is AnswerType.RESOLVED and stranger.profile is None
        assert (await ask(query("mask.icloud.com", client_ip="192.168.1.77"))).answer_type is (
            AnswerType.BYPASS
        )

        # A new policy snapshot is in force at once.
        holder.swap(FilterPolicy(profiles={"an": Profile("an", "thpt")}, default_profile="an"))
        assert (await ask(query("plain.example"))).answer_type is AnswerType.CACHED
        await chain.upstream_group.aclose()

    asyncio.run(with_stand_in(scenario))


class Terminal(Resolver):
    async def resolve(self, query: Query) -> Result:
        return Result(query.request.reply(), AnswerType.RESOLVED, TERMINAL_REASON, query.profile)


def test_build_chain_wraps_the_given_upstream_with_the_given_cache() -> None:
    wrapped: list[Resolver] = []

    def cache(upstream: Resolver) -> Resolver:
        wrapped.append(upstream)
        return CacheResolver(upstream)

    terminal = Terminal()
    chain = build_chain(
        policy_source=FilterPolicySlot(make_policy()),
        clock=ManualClock(datetime(2026, 3, 2, 12, tzinfo=HCM)),
        active_child=lambda: "an",
        upstream=terminal,
        cache=cache,
        local_addresses=frozenset,
    )
    assert wrapped == [terminal]
    assert chain.links[-1] is terminal and isinstance(chain.links[-2], CacheResolver)
    result = asyncio.run(chain.head.resolve(query("plain.example")))
    assert result.reason is TERMINAL_REASON and result.profile == "an"
    no_cache = build_chain(
        policy_source=FilterPolicySlot(make_policy()),
        clock=ManualClock(datetime(2026, 3, 2, 12, tzinfo=HCM)),
        active_child=lambda: None,
        upstream=terminal,
        local_addresses=frozenset,
    )
    assert len(no_cache.links) == len(CHAIN_ORDER) - 1
