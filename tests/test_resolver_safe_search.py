"""The safe-search link, against the link itself, with a stand-in for the rest of the chain."""

from __future__ import annotations

import asyncio

import pytest
from dnslib import QTYPE, RCODE, RR, DNSRecord

from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.policy import FilterPolicy, Profile, Service, YouTubeMode
from dns_filter.reason import Reason, ReasonKind
from dns_filter.resolvers import FilterPolicySlot
from dns_filter.resolvers.rules import RuleBook
from dns_filter.resolvers.safe_search import (
    GOOGLE_TARGET,
    SafeSearchResolver,
    SafeSearchTable,
    google_search_domains,
)

# What the stand-in upstream knows: the safe-search targets' own records.
ZONE = {
    (GOOGLE_TARGET, QTYPE.A): [f"{GOOGLE_TARGET}. 300 IN A 216.239.38.120"],
    (GOOGLE_TARGET, QTYPE.AAAA): [f"{GOOGLE_TARGET}. 300 IN AAAA 2001:4860:4802:32::78"],
    (GOOGLE_TARGET, QTYPE.HTTPS): [f"{GOOGLE_TARGET}. 300 IN HTTPS 1 . alpn=h2,h3"],
    ("restrict.youtube.com", QTYPE.A): ["restrict.youtube.com. 300 IN A 216.239.38.120"],
    ("strict.bing.com", QTYPE.A): [
        "strict.bing.com. 60 IN CNAME strict.bing.com.edgekey.net.",
        "strict.bing.com.edgekey.net. 60 IN A 204.79.197.220",
    ],
}


class Upstream(Resolver):
    def __init__(self, rcode: int = RCODE.NOERROR) -> None:
        super().__init__()
        self.seen: list[tuple[str, int]] = []
        self._rcode = rcode

    async def resolve(self, query: Query) -> Result:
        self.seen.append((query.name, query.qtype))
        reply = query.request.reply()
        reply.header.rcode = self._rcode
        for line in ZONE.get((query.name, query.qtype), []):
            reply.add_answer(*RR.fromZone(line))
        if self._rcode == RCODE.SERVFAIL:
            failure = Reason(ReasonKind.FAILURE, detail="all upstreams failed")
            return Result(reply, AnswerType.FAILED, failure, query.profile)
        return Result(reply, AnswerType.RESOLVED, Reason(ReasonKind.UPSTREAM), query.profile)


def make_policy(**profile_fields: object) -> FilterPolicy:
    return FilterPolicy(
        profiles={"an": Profile("an", "tieu-hoc", **profile_fields)},  # type: ignore[arg-type]
        services={"youtube": Service("youtube", "YouTube", "video", ("youtube.com",))},
    )


def resolve(
    policy: FilterPolicy, name: str, qtype: str = "A", upstream: Upstream | None = None
) -> tuple[Result, Upstream]:
    upstream = upstream or Upstream()
    link = SafeSearchResolver(upstream, RuleBook(FilterPolicySlot(policy)))
    request = DNSRecord.question(name, qtype)
    query = Query(request, name, getattr(QTYPE, qtype), "127.0.0.1", "udp", "an")
    result = asyncio.run(link.resolve(query))
    assert result.response.header.id == request.header.id
    return result, upstream


def records(result: Result) -> list[tuple[str, str, str]]:
    return [
        (str(record.rname).rstrip("."), QTYPE.get(record.rtype), str(record.rdata).rstrip("."))
        for record in result.response.rr
    ]


def test_google_domains_cover_every_country_including_vietnam() -> None:
    domains = google_search_domains()
    for host in ("www.google.com", "www.google.com.vn", "google.com.vn", "www.google.co.uk",
                 "www.google.de", "www.google.co.jp", "www.google.com.au", "www.google.cat"):
        assert host in domains
    assert len(set(domains)) == len(domains) > 350
    table = SafeSearchTable()
    profile = make_policy().profiles["an"]
    for host in domains:
        rewrite = table.rewrite(profile, host)
        assert rewrite is not None and rewrite.target == GOOGLE_TARGET, host
    assert table.rewrite(profile, "mail.google.com") is None
    assert table.rewrite(profile, "www.google.example") is None


@pytest.mark.parametrize(
    ("qtype", "address"),
    [("A", "216.239.38.120"), ("AAAA", "2001:4860:4802:32::78"), ("HTTPS", "1 . alpn=h2,h3")],
)
def test_google_vn_is_answered_with_the_cname_and_the_target_records(
    qtype: str, address: str
) -> None:
    result, upstream = resolve(make_policy(), "www.google.com.vn", qtype)
    assert result.answer_type is AnswerType.REWRITTEN
    assert result.reason == Reason(
        ReasonKind.SAFE_SEARCH, cname_target=GOOGLE_TARGET, detail="Google"
    )
    assert records(result) == [
        ("www.google.com.vn", "CNAME", GOOGLE_TARGET),
        (GOOGLE_TARGET, qtype, address),
    ]
    assert upstream.seen == [(GOOGLE_TARGET, getattr(QTYPE, qtype))]


def test_the_target_chain_of_cnames_is_kept() -> None:
    result, _ = resolve(make_policy(), "www.bing.com")
    assert records(result) == [
        ("www.bing.com", "CNAME", "strict.bing.com"),
        ("strict.bing.com", "CNAME", "strict.bing.com.edgekey.net"),
        ("strict.bing.com.edgekey.net", "A", "204.79.197.220"),
    ]


def test_other_types_get_the_cname_alone() -> None:
    result, upstream = resolve(make_policy(), "www.google.com", "MX")
    assert records(result) == [("www.google.com", "CNAME", GOOGLE_TARGET)]
    assert upstream.seen == []


def test_an_upstream_failure_is_passed_on_not_hidden() -> None:
    result, _ = resolve(make_policy(), "www.google.com", upstream=Upstream(RCODE.SERVFAIL))
    assert result.response.header.rcode == RCODE.SERVFAIL
    assert records(result)[0] == ("www.google.com", "CNAME", GOOGLE_TARGET)
    # A SERVFAIL is a failed answer in the log, with the failure's reason.
    assert result.answer_type is AnswerType.FAILED
    assert result.reason.kind is ReasonKind.FAILURE


@pytest.mark.parametrize(
    ("mode", "target"),
    [(YouTubeMode.STRICT, "restrict.youtube.com"),
     (YouTubeMode.MODERATE, "restrictmoderate.youtube.com")],
)
@pytest.mark.parametrize(
    "host",
    ["www.youtube.com", "m.youtube.com", "youtubei.googleapis.com", "youtube.googleapis.com",
     "www.youtube-nocookie.com"],
)
def test_youtube_strict_or_moderate(mode: YouTubeMode, target: str, host: str) -> None:
    result, _ = resolve(make_policy(youtube_mode=mode), host, "CNAME")
    assert result.answer_type is AnswerType.REWRITTEN
    assert result.reason == Reason(ReasonKind.SAFE_SEARCH, cname_target=target, detail="YouTube")
    assert records(result) == [(host, "CNAME", target)]


def test_youtube_off_passes_even_with_safe_search_on() -> None:
    result, upstream = resolve(make_policy(youtube_mode=YouTubeMode.OFF), "www.youtube.com")
    assert result.answer_type is AnswerType.RESOLVED
    assert upstream.seen == [("www.youtube.com", QTYPE.A)]


def test_youtube_is_restricted_even_when_search_safe_search_is_off() -> None:
    policy = make_policy(safe_search=False, youtube_mode=YouTubeMode.STRICT)
    assert resolve(policy, "www.youtube.com")[0].answer_type is AnswerType.REWRITTEN
    result, upstream = resolve(policy, "www.google.com")
    assert result.answer_type is AnswerType.RESOLVED
    assert upstream.seen == [("www.google.com", QTYPE.A)]


@pytest.mark.parametrize(
    ("host", "target"),
    [
        ("www.bing.com", "strict.bing.com"),
        ("duckduckgo.com", "safe.duckduckgo.com"),
        ("www.duckduckgo.com", "safe.duckduckgo.com"),
        ("www.ecosia.org", "strict-safe-search.ecosia.org"),
        ("pixabay.com", "safesearch.pixabay.com"),
        ("search.brave.com", "safesearch.brave.com"),
    ],
)
def test_other_engines(host: str, target: str) -> None:
    result, _ = resolve(make_policy(), host, "CNAME")
    assert result.answer_type is AnswerType.REWRITTEN
    assert records(result) == [(host, "CNAME", target)]


def test_a_blocked_service_is_left_to_the_block_link() -> None:
    policy = make_policy(blocked_services=frozenset({"youtube"}))
    result, upstream = resolve(policy, "www.youtube.com")
    assert result.answer_type is AnswerType.RESOLVED  # the stand-in is where "block" would be
    assert upstream.seen == [("www.youtube.com", QTYPE.A)]


def test_without_a_profile_nothing_is_rewritten() -> None:
    upstream = Upstream()
    link = SafeSearchResolver(upstream, RuleBook(FilterPolicySlot(make_policy())))
    query = Query(DNSRecord.question("www.google.com"), "www.google.com", QTYPE.A, "10.0.0.9",
                  "udp", None)
    assert asyncio.run(link.resolve(query)).answer_type is AnswerType.RESOLVED
