"""The category/service block link, against the link itself, with the real hostsVN list."""

from __future__ import annotations

import asyncio
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dnslib import QTYPE, RCODE, RR, DNSRecord
from helpers_dns import AdblockListMatcher, StoppedClock

from dns_filter.chain import AnswerType, Query, Resolver, Result
from dns_filter.policy import (
    BlockMode,
    FilterPolicy,
    Profile,
    ScheduleMode,
    ScheduleRule,
    Service,
    TimeWindow,
)
from dns_filter.reason import Reason, ReasonKind, ScheduleWindow, WindowMode
from dns_filter.resolvers import FilterPolicySlot
from dns_filter.resolvers.block import BlockResolver
from dns_filter.resolvers.rules import RuleBook

BLOCKLISTS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "blocklists"
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # a Monday


@pytest.fixture(scope="module")
def adult() -> AdblockListMatcher:
    # A list that (wrongly) holds the 111 site: the hotline must stay reachable anyway.
    matcher = AdblockListMatcher(
        BLOCKLISTS / "hostsvn" / "adult-filter.txt", extra=("tongdai111.vn", "cdn.example.net")
    )
    assert len(matcher) > 10_000
    return matcher


ADULT_NAME = "pornhub.com"
FACEBOOK_IN_SOCIAL = Reason(
    ReasonKind.CATEGORY, category="social", service="facebook", rule="fbcdn.net"
)
ZONE = {
    "innocent.example": [
        "innocent.example. 60 IN CNAME tracker.pornhub.com.",
        "tracker.pornhub.com. 60 IN A 192.0.2.66",
    ],
    "news.example": [
        "news.example. 60 IN CNAME news.example.cdn.example.net.",
        "news.example.cdn.example.net. 60 IN A 192.0.2.10",
    ],
    "shop.example": [
        "shop.example. 60 IN CNAME shop.denied.example.",
        "shop.denied.example. 60 IN A 192.0.2.11",
    ],
    "clip.example": [
        "clip.example. 60 IN CNAME edge.tiktokcdn.com.",
        "edge.tiktokcdn.com. 60 IN A 192.0.2.12",
    ],
    "plain.example": ["plain.example. 60 IN A 192.0.2.1"],
}


class Upstream(Resolver):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    async def resolve(self, query: Query) -> Result:
        self.seen.append(query.name)
        reply = query.request.reply()
        for line in ZONE.get(query.name, []):
            reply.add_answer(*RR.fromZone(line))
        return Result(reply, AnswerType.RESOLVED, Reason(ReasonKind.UPSTREAM), query.profile)


def make_policy(adult: AdblockListMatcher, **profile_fields: object) -> FilterPolicy:
    fields: dict[str, object] = {"blocked_categories": frozenset({"adult", "social"})}
    fields.update(profile_fields)
    return FilterPolicy(
        profiles={"an": Profile("an", "tieu-hoc", **fields)},  # type: ignore[arg-type]
        categories={"adult": adult},
        services={
            "tiktok": Service("tiktok", "TikTok", "social", ("tiktok.com", "tiktokcdn.com")),
            "facebook": Service("facebook", "Facebook", "social", ("facebook.com", "fbcdn.net")),
            "roblox": Service("roblox", "Roblox", "games", ("roblox.com",)),
        },
        always_allowed=("tongdai111.vn",),
        block_page_ipv4="10.0.0.53",
        block_page_ipv6="fd00::53",
    )


def resolve(
    policy: FilterPolicy, name: str, qtype: str = "A", now: datetime = NOON
) -> tuple[Result, Upstream]:
    upstream = Upstream()
    link = BlockResolver(upstream, RuleBook(FilterPolicySlot(policy)), StoppedClock(now))
    query = Query(DNSRecord.question(name, qtype), name, getattr(QTYPE, qtype), "127.0.0.1",
                  "udp", "an")
    return asyncio.run(link.resolve(query)), upstream


def answers(result: Result) -> list[str]:
    return [str(record.rdata) for record in result.response.rr]


def test_a_category_list_blocks_with_its_list_and_rule(adult: AdblockListMatcher) -> None:
    result, upstream = resolve(make_policy(adult), f"www.{ADULT_NAME}")
    assert result.answer_type is AnswerType.BLOCKED
    assert result.reason == Reason(
        ReasonKind.CATEGORY, category="adult", rule=f"hostsVN adult-filter.txt: ||{ADULT_NAME}^"
    )
    assert answers(result) == ["10.0.0.53"]
    assert upstream.seen == []


def test_a_category_not_blocked_for_this_child_passes(adult: AdblockListMatcher) -> None:
    result, upstream = resolve(make_policy(adult, blocked_categories=frozenset()), ADULT_NAME)
    assert result.answer_type is AnswerType.RESOLVED
    assert upstream.seen == [ADULT_NAME]


def test_blocked_services_and_services_of_blocked_categories(adult: AdblockListMatcher) -> None:
    policy = make_policy(adult, blocked_categories=frozenset({"social"}),
                         blocked_services=frozenset({"roblox", "tiktok"}))
    # A blocked service carries its category too, so that statistics count it.
    assert resolve(policy, "www.tiktok.com")[0].reason == Reason(
        ReasonKind.SERVICE, category="social", service="tiktok", rule="tiktok.com"
    )
    assert resolve(policy, "web.roblox.com")[0].reason == Reason(
        ReasonKind.SERVICE, category="games", service="roblox", rule="roblox.com"
    )
    assert resolve(policy, "static.fbcdn.net")[0].reason == FACEBOOK_IN_SOCIAL
    assert resolve(policy, "plain.example")[0].answer_type is AnswerType.RESOLVED


def test_the_111_site_is_never_blocked_even_when_a_list_holds_it(
    adult: AdblockListMatcher,
) -> None:
    assert adult.match("tongdai111.vn") is not None
    result, upstream = resolve(make_policy(adult), "tongdai111.vn")
    assert result.answer_type is AnswerType.RESOLVED
    assert upstream.seen == ["tongdai111.vn"]


def test_the_allow_list_beats_categories_and_services(adult: AdblockListMatcher) -> None:
    policy = make_policy(adult, allow=(ADULT_NAME, "tiktok.com"))
    assert resolve(policy, ADULT_NAME)[0].answer_type is AnswerType.RESOLVED
    assert resolve(policy, "www.tiktok.com")[0].answer_type is AnswerType.RESOLVED


def test_a_grant_beats_categories_services_and_the_cname_check(
    adult: AdblockListMatcher,
) -> None:
    bedtime = ScheduleRule(
        "*", ScheduleMode.BLOCKED_DURING, (TimeWindow(frozenset(range(7)), time(0), time(0)),)
    )
    policy = make_policy(adult, granted=(ADULT_NAME, "tiktok.com", "news.example"),
                         schedules=(bedtime,))
    for name in (ADULT_NAME, "www.tiktok.com", "news.example"):
        result, upstream = resolve(policy, name)
        assert result.answer_type is AnswerType.RESOLVED, name
        assert upstream.seen == [name]
    # Only the granted names pass: another listed name is still blocked.
    assert resolve(policy, "static.fbcdn.net")[0].reason == FACEBOOK_IN_SOCIAL


def test_cname_cloaking_is_blocked(adult: AdblockListMatcher) -> None:
    result, upstream = resolve(make_policy(adult), "innocent.example")
    assert upstream.seen == ["innocent.example"]
    assert result.answer_type is AnswerType.BLOCKED
    # The CNAME reason names the target and what matched it, category included.
    assert result.reason == Reason(
        ReasonKind.CNAME,
        category="adult",
        rule=f"hostsVN adult-filter.txt: ||{ADULT_NAME}^",
        cname_target="tracker.pornhub.com",
        target_kind=ReasonKind.CATEGORY,
    )
    assert result.reason.target_reason() == Reason(
        ReasonKind.CATEGORY, category="adult", rule=f"hostsVN adult-filter.txt: ||{ADULT_NAME}^"
    )
    assert [str(r.rname) for r in result.response.rr] == ["innocent.example."]
    assert answers(result) == ["10.0.0.53"]


def test_cname_targets_meet_the_deny_list_services_and_schedules(
    adult: AdblockListMatcher,
) -> None:
    policy = make_policy(
        adult,
        deny=("denied.example",),
        blocked_categories=frozenset(),
        schedules=(
            ScheduleRule(
                "service:tiktok",
                ScheduleMode.ALLOWED_ONLY_DURING,
                (TimeWindow(frozenset(range(7)), time(17), time(18)),),
            ),
        ),
    )
    assert resolve(policy, "shop.example")[0].reason == Reason(
        ReasonKind.CNAME,
        rule="denied.example",
        cname_target="shop.denied.example",
        target_kind=ReasonKind.DENY_LIST,
    )
    assert resolve(policy, "clip.example")[0].reason == Reason(
        ReasonKind.CNAME,
        category="social",
        service="tiktok",
        window=ScheduleWindow("service:tiktok", WindowMode.ALLOWED_ONLY, (("17:00", "18:00"),)),
        cname_target="edge.tiktokcdn.com",
        target_kind=ReasonKind.SCHEDULE,
    )
    five_thirty = NOON.replace(hour=17, minute=30)
    assert resolve(policy, "clip.example", now=five_thirty)[0].answer_type is AnswerType.RESOLVED


def test_cname_targets_of_allowed_names_or_to_allowed_names_pass(
    adult: AdblockListMatcher,
) -> None:
    # news.example points at cdn.example.net, which the adult list (wrongly) holds.
    assert resolve(make_policy(adult), "news.example")[0].answer_type is AnswerType.BLOCKED
    allowed_name = make_policy(adult, allow=("news.example",))
    assert resolve(allowed_name, "news.example")[0].answer_type is AnswerType.RESOLVED
    allowed_target = make_policy(adult, allow=("cdn.example.net",))
    assert resolve(allowed_target, "news.example")[0].answer_type is AnswerType.RESOLVED


def test_allow_list_only_does_not_block_an_allowed_sites_cdn(adult: AdblockListMatcher) -> None:
    policy = make_policy(adult, allow_list_only=True, allow=("shop.example",),
                         blocked_categories=frozenset())
    result, _ = resolve(policy, "shop.example")
    assert result.answer_type is AnswerType.RESOLVED
    assert answers(result) == ["shop.denied.example.", "192.0.2.11"]


@pytest.mark.parametrize(
    ("mode", "qtype", "rcode", "expected"),
    [
        (BlockMode.PAGE, "A", RCODE.NOERROR, ["10.0.0.53"]),
        (BlockMode.PAGE, "AAAA", RCODE.NOERROR, ["fd00::53"]),
        (BlockMode.PAGE, "HTTPS", RCODE.NOERROR, []),
        (BlockMode.PAGE, "TXT", RCODE.NOERROR, []),
        (BlockMode.NULL, "A", RCODE.NOERROR, ["0.0.0.0"]),
        (BlockMode.NULL, "AAAA", RCODE.NOERROR, ["::"]),
        (BlockMode.NULL, "HTTPS", RCODE.NOERROR, []),
        (BlockMode.NXDOMAIN, "A", RCODE.NXDOMAIN, []),
        (BlockMode.NXDOMAIN, "AAAA", RCODE.NXDOMAIN, []),
    ],
)
def test_each_block_mode(
    adult: AdblockListMatcher, mode: BlockMode, qtype: str, rcode: int, expected: list[str]
) -> None:
    result, _ = resolve(make_policy(adult, block_mode=mode), ADULT_NAME, qtype)
    assert result.answer_type is AnswerType.BLOCKED
    assert result.response.header.rcode == rcode
    assert answers(result) == expected
    if not expected:
        assert result.response.auth[0].rtype == QTYPE.SOA


def test_cname_cloaking_answer_follows_the_block_mode(adult: AdblockListMatcher) -> None:
    policy = make_policy(adult, block_mode=BlockMode.NXDOMAIN)
    result, _ = resolve(policy, "innocent.example")
    assert result.response.header.rcode == RCODE.NXDOMAIN
    assert answers(result) == []
