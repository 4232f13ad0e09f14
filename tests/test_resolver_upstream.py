"""The upstream link: resolved answers pass through; total failure is SERVFAIL, never NXDOMAIN."""

from __future__ import annotations

import asyncio
import time

from dnslib import EDNS0, QTYPE, RCODE, DNSRecord
from test_upstreams_standin import ZONE, dead_port, running_dns

from dns_filter.chain import AnswerType, Query, Result
from dns_filter.reason import Reason, ReasonKind
from dns_filter.resolvers.upstream import UpstreamResolver
from dns_filter.upstreams import UpstreamGroup


def make_query(name: str, qtype: str = "A", *, edns: bool = False) -> Query:
    request = DNSRecord.question(name, qtype)
    if edns:
        request.add_ar(EDNS0(udp_len=1232))
    return Query(request, name.lower(), getattr(QTYPE, qtype), "127.0.0.1", "udp", "an")


def resolve(urls: list[str], query: Query) -> Result:
    async def run() -> Result:
        group = UpstreamGroup.from_urls(urls)
        try:
            return await UpstreamResolver(group).resolve(query)
        finally:
            await group.aclose()

    return asyncio.run(run())


def test_upstream_answer_is_resolved_with_the_upstream_named() -> None:
    query = make_query(f"www.{ZONE}")
    with running_dns(1) as (server,):
        result = resolve([server.udp_url], query)
    assert result.answer_type is AnswerType.RESOLVED
    assert result.reason == Reason(ReasonKind.UPSTREAM, upstream=server.udp_url)
    assert result.profile == "an"
    assert result.response.header.id == query.request.header.id
    assert result.response.header.rcode == RCODE.NOERROR
    assert [str(rr.rdata) for rr in result.response.rr] == ["192.0.2.10"]


def test_upstream_nxdomain_is_passed_through_as_is() -> None:
    with running_dns(1) as (server,):
        result = resolve([server.udp_url], make_query(f"missing.{ZONE}"))
    assert result.response.header.rcode == RCODE.NXDOMAIN
    assert result.reason == Reason(ReasonKind.UPSTREAM, upstream=server.udp_url)


def test_all_upstreams_failing_is_servfail_with_the_reason() -> None:
    query = make_query(f"www.{ZONE}", edns=True)
    with running_dns(1) as (black_hole,):
        black_hole.behaviour.mode = "drop"
        refused = f"udp://127.0.0.1:{dead_port()}"
        started = time.monotonic()
        result = resolve([refused, black_hole.tcp_url], query)
        elapsed = time.monotonic() - started
    response = result.response
    assert response.header.rcode == RCODE.SERVFAIL  # not NXDOMAIN, and not silence
    assert response.header.id == query.request.header.id
    assert response.q.qname == query.request.q.qname
    assert any(rr.rtype == QTYPE.OPT for rr in response.ar)  # EDNS query, EDNS answer
    assert result.answer_type is AnswerType.FAILED
    assert result.reason.kind is ReasonKind.FAILURE
    detail = result.reason.detail or ""
    assert "all upstreams failed" in detail
    assert f"{refused}: connection refused" in detail
    assert f"{black_hole.tcp_url}: timed out" in detail
    assert elapsed < 1.5


def test_servfail_from_every_upstream_is_servfail_naming_them() -> None:
    with running_dns(2) as servers:
        for server in servers:
            server.behaviour.mode = "servfail"
        result = resolve([s.udp_url for s in servers], make_query(f"www.{ZONE}"))
    assert result.response.header.rcode == RCODE.SERVFAIL
    assert result.answer_type is AnswerType.FAILED
    for server in servers:
        assert f"{server.udp_url}: answered SERVFAIL" in (result.reason.detail or "")


def test_no_upstream_configured_is_servfail_saying_so() -> None:
    result = resolve([], make_query(f"www.{ZONE}"))
    assert result.response.header.rcode == RCODE.SERVFAIL
    assert result.answer_type is AnswerType.FAILED
    assert result.reason == Reason(
        ReasonKind.FAILURE, detail="all upstreams failed: no upstream configured"
    )
