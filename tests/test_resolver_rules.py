"""The allow/deny + schedule link, against the link itself."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from dnslib import QTYPE, RCODE, DNSRecord
from helpers_dns import SetMatcher, StoppedClock

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
from dns_filter.reason import ALLOW_LIST_ONLY_REASON, Reason, ReasonKind, ScheduleWindow, WindowMode
from dns_filter.resolvers import FilterPolicySlot
from dns_filter.resolvers.rules import RuleBook, RulesResolver, window_is_open

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
SCHOOL_NIGHTS = frozenset({SUN, MON, TUE, WED, THU})


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """2 March 2026 is a Monday: day 0 = Monday ... 6 = Sunday, in the family's zone."""
    return datetime(2026, 3, 2 + day, hour, minute, tzinfo=HCM)


class Terminal(Resolver):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Query] = []

    async def resolve(self, query: Query) -> Result:
        self.seen.append(query)
        reason = Reason(ReasonKind.UPSTREAM)
        return Result(query.request.reply(), AnswerType.RESOLVED, reason, query.profile)


YOUTUBE = Service("youtube", "YouTube", "video", ("youtube.com", "googlevideo.com", "youtu.be"))
ROBLOX = Service("roblox", "Roblox", "games", ("roblox.com", "rbxcdn.com"))

BEDTIME = ScheduleRule(
    "*", ScheduleMode.BLOCKED_DURING, (TimeWindow(SCHOOL_NIGHTS, time(21, 30), time(6, 0)),)
)
YOUTUBE_HOURS = ScheduleRule(
    "service:youtube",
    ScheduleMode.ALLOWED_ONLY_DURING,
    (TimeWindow(frozenset(range(7)), time(17, 0), time(19, 0)),),
)
GAMES_SCHOOL_HOURS = ScheduleRule(
    "category:games",
    ScheduleMode.BLOCKED_DURING,
    (
        TimeWindow(frozenset({MON, TUE, WED, THU, FRI}), time(7, 0), time(11, 0)),
        TimeWindow(frozenset({MON, TUE, WED, THU, FRI}), time(13, 30), time(17, 0)),
    ),
)


def make_policy(**profile_fields: object) -> FilterPolicy:
    profile = Profile(name="an", preset="tieu-hoc", **profile_fields)  # type: ignore[arg-type]
    return FilterPolicy(
        profiles={"an": profile},
        services={"youtube": YOUTUBE, "roblox": ROBLOX},
        categories={"games": SetMatcher("ut1 games", ["minecraft.net", "y8.com"])},
        always_allowed=("tongdai111.vn", "vn-cop.vn"),
        default_profile="an",
    )


def resolve(
    policy: FilterPolicy,
    name: str,
    now: datetime,
    qtype: str = "A",
    profile: str | None = "an",
) -> tuple[Result, Terminal]:
    terminal = Terminal()
    link = RulesResolver(terminal, RuleBook(FilterPolicySlot(policy)), StoppedClock(now))
    query = Query(DNSRecord.question(name, qtype), name, getattr(QTYPE, qtype), "127.0.0.1",
                  "udp", profile)
    return asyncio.run(link.resolve(query)), terminal


def deny(rule: str) -> Reason:
    return Reason(ReasonKind.DENY_LIST, rule=rule)


def schedule(
    target: str, mode: WindowMode, *spans: tuple[str, str], category: str | None = None,
    service: str | None = None,
) -> Reason:
    window = ScheduleWindow(target, mode, spans)
    return Reason(ReasonKind.SCHEDULE, category=category, service=service, window=window)


BEDTIME_REASON = schedule("*", WindowMode.BLOCKED, ("21:30", "06:00"))
YOUTUBE_HOURS_REASON = schedule(
    "service:youtube", WindowMode.ALLOWED_ONLY, ("17:00", "19:00"),
    category="video", service="youtube",
)


def blocked_reason(policy: FilterPolicy, name: str, now: datetime) -> Reason | None:
    result, terminal = resolve(policy, name, now)
    if result.answer_type is AnswerType.BLOCKED:
        assert not terminal.seen
        return result.reason
    assert [query.name for query in terminal.seen] == [name]
    return None


NOON_MONDAY = at(MON, 12)


def test_deny_list_blocks_the_name_and_its_subdomains() -> None:
    policy = make_policy(deny=("Example.com.",))
    assert blocked_reason(policy, "example.com", NOON_MONDAY) == deny("example.com")
    assert blocked_reason(policy, "a.b.example.com", NOON_MONDAY) == deny("example.com")
    assert blocked_reason(policy, "notexample.com", NOON_MONDAY) is None


def test_allow_list_beats_the_deny_list() -> None:
    policy = make_policy(allow=("vnexpress.net",), deny=("vnexpress.net", "net"))
    assert blocked_reason(policy, "vnexpress.net", NOON_MONDAY) is None
    assert blocked_reason(policy, "other.net", NOON_MONDAY) == deny("net")


def test_allow_list_only_blocks_everything_not_allowed() -> None:
    policy = make_policy(allow_list_only=True, allow=("hoc.vn", "khanacademy.org"))
    assert blocked_reason(policy, "www.khanacademy.org", NOON_MONDAY) is None
    assert blocked_reason(policy, "hoc.vn", NOON_MONDAY) is None
    assert blocked_reason(policy, "tiktok.com", NOON_MONDAY) == ALLOW_LIST_ONLY_REASON


def test_the_111_sites_pass_every_rule_for_everyone() -> None:
    policy = make_policy(allow_list_only=True, deny=("vn", "tongdai111.vn"), schedules=(BEDTIME,))
    monday_night = at(MON, 23)
    assert blocked_reason(policy, "tongdai111.vn", monday_night) is None
    assert blocked_reason(policy, "www.vn-cop.vn", NOON_MONDAY) is None
    assert blocked_reason(policy, "other.vn", NOON_MONDAY) == deny("vn")


def test_bedtime_across_midnight_on_school_nights_only() -> None:
    policy = make_policy(schedules=(BEDTIME,))
    reason = BEDTIME_REASON
    # Sunday to Thursday nights: blocked from 21:30 until 06:00 the next morning.
    assert blocked_reason(policy, "vnexpress.net", at(MON, 21, 29)) is None
    assert blocked_reason(policy, "vnexpress.net", at(MON, 21, 30)) == reason
    assert blocked_reason(policy, "vnexpress.net", at(TUE, 0, 30)) == reason
    assert blocked_reason(policy, "vnexpress.net", at(TUE, 5, 59)) == reason
    assert blocked_reason(policy, "vnexpress.net", at(TUE, 6, 0)) is None
    assert blocked_reason(policy, "vnexpress.net", at(SUN, 22)) == reason
    assert blocked_reason(policy, "vnexpress.net", at(MON, 3)) == reason  # Sunday's window
    # Friday and Saturday nights are not school nights: the window belongs to its start day.
    assert blocked_reason(policy, "vnexpress.net", at(FRI, 23)) is None
    assert blocked_reason(policy, "vnexpress.net", at(SAT, 3)) is None
    assert blocked_reason(policy, "vnexpress.net", at(SUN, 3)) is None
    # ... but Thursday's window runs into Friday morning.
    assert blocked_reason(policy, "vnexpress.net", at(FRI, 5)) == reason


def test_schedules_are_evaluated_in_the_family_time_zone() -> None:
    policy = make_policy(schedules=(BEDTIME,))
    # 15:00 UTC on Monday is 22:00 in Hồ Chí Minh City: bedtime there.
    utc_monday = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert blocked_reason(policy, "vnexpress.net", utc_monday) == BEDTIME_REASON
    # 10:00 UTC is 17:00 there: not bedtime, though it would be in a zone 12 hours ahead.
    assert blocked_reason(policy, "vnexpress.net", datetime(2026, 3, 2, 10, tzinfo=UTC)) is None


def test_a_naive_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        resolve(make_policy(schedules=(BEDTIME,)), "vnexpress.net", datetime(2026, 3, 2, 12))


def test_youtube_only_between_five_and_seven() -> None:
    policy = make_policy(schedules=(YOUTUBE_HOURS,))
    reason = YOUTUBE_HOURS_REASON
    assert blocked_reason(policy, "www.youtube.com", at(WED, 16, 59)) == reason
    assert blocked_reason(policy, "rr3.googlevideo.com", at(WED, 16, 59)) == reason
    assert blocked_reason(policy, "www.youtube.com", at(WED, 17)) is None
    assert blocked_reason(policy, "www.youtube.com", at(SAT, 18, 59)) is None
    assert blocked_reason(policy, "www.youtube.com", at(SAT, 19)) == reason
    # Other names are not touched by a service schedule.
    assert blocked_reason(policy, "vnexpress.net", at(WED, 16)) is None


def test_several_windows_a_day_for_a_category_and_its_services() -> None:
    policy = make_policy(schedules=(GAMES_SCHOOL_HOURS,))
    morning = schedule(
        "category:games", WindowMode.BLOCKED, ("07:00", "11:00"), category="games"
    )
    afternoon = schedule(
        "category:games", WindowMode.BLOCKED, ("13:30", "17:00"), category="games"
    )
    assert blocked_reason(policy, "minecraft.net", at(TUE, 8)) == morning
    assert blocked_reason(policy, "www.roblox.com", at(TUE, 8)) == morning  # service in games
    assert blocked_reason(policy, "minecraft.net", at(TUE, 12)) is None  # lunch break
    assert blocked_reason(policy, "minecraft.net", at(TUE, 13, 30)) == afternoon
    assert blocked_reason(policy, "minecraft.net", at(TUE, 17)) is None
    assert blocked_reason(policy, "minecraft.net", at(SAT, 8)) is None  # weekend
    assert blocked_reason(policy, "vnexpress.net", at(TUE, 8)) is None


def test_bedtime_beats_the_allow_list_but_other_schedules_do_not() -> None:
    policy = make_policy(allow=("youtube.com",), schedules=(BEDTIME, YOUTUBE_HOURS))
    assert blocked_reason(policy, "www.youtube.com", at(MON, 23)) == (
        BEDTIME_REASON
    )
    assert blocked_reason(policy, "www.youtube.com", at(MON, 12)) is None


def test_no_profile_is_not_filtered() -> None:
    policy = make_policy(deny=("example.com",), allow_list_only=True)
    result, terminal = resolve(policy, "example.com", NOON_MONDAY, profile=None)
    assert result.answer_type is AnswerType.RESOLVED
    assert terminal.seen


@pytest.mark.parametrize(
    ("mode", "qtype", "rcode", "answer"),
    [
        (BlockMode.PAGE, "A", RCODE.NOERROR, "10.0.0.53"),
        (BlockMode.PAGE, "AAAA", RCODE.NOERROR, "fd00::53"),
        (BlockMode.PAGE, "HTTPS", RCODE.NOERROR, None),
        (BlockMode.NULL, "A", RCODE.NOERROR, "0.0.0.0"),
        (BlockMode.NULL, "AAAA", RCODE.NOERROR, "::"),
        (BlockMode.NXDOMAIN, "A", RCODE.NXDOMAIN, None),
    ],
)
def test_blocked_answers_follow_the_block_mode(
    mode: BlockMode, qtype: str, rcode: int, answer: str | None
) -> None:
    policy = FilterPolicy(
        profiles={"an": Profile("an", "thcs", deny=("example.com",), block_mode=mode)},
        block_page_ipv4="10.0.0.53",
        block_page_ipv6="fd00::53",
        block_ttl=42,
    )
    result, _ = resolve(policy, "example.com", NOON_MONDAY, qtype=qtype)
    response = result.response
    assert result.answer_type is AnswerType.BLOCKED
    assert response.header.rcode == rcode
    assert response.q.qname == "example.com." and response.header.qr == 1
    if answer is None:
        assert response.rr == []
        assert response.auth[0].rtype == QTYPE.SOA and response.auth[0].ttl == 42
    else:
        assert [str(record.rdata) for record in response.rr] == [answer]
        assert response.rr[0].ttl == 42


def test_window_across_midnight_and_whole_day() -> None:
    night = TimeWindow(frozenset({FRI}), time(22), time(2))
    assert window_is_open(night, at(FRI, 22))
    assert window_is_open(night, at(SAT, 1, 59))
    assert not window_is_open(night, at(SAT, 2))
    assert not window_is_open(night, at(THU, 23))
    whole_day = TimeWindow(frozenset({WED}), time(0), time(0))
    assert window_is_open(whole_day, at(WED, 0)) and window_is_open(whole_day, at(WED, 23, 59))
    assert not window_is_open(whole_day, at(THU, 0))


def test_rule_book_compiles_each_snapshot_once_and_follows_swaps() -> None:
    holder = FilterPolicySlot(make_policy(deny=("a.com",)))
    book = RuleBook(holder)
    first = book.current()
    assert book.current() is first
    holder.swap(make_policy(deny=("b.com",)))
    second = book.current()
    assert second is not first
    profile = second.profile("an")
    assert profile is not None
    assert profile.denied("b.com", NOON_MONDAY) == deny("b.com")
    assert profile.denied("a.com", NOON_MONDAY) is None


def test_an_invalid_rule_is_skipped_and_the_rest_still_work() -> None:
    policy = make_policy(deny=("bad..name\udcff", "example.com"))
    assert blocked_reason(policy, "example.com", NOON_MONDAY) == deny("example.com")


def test_a_snapshot_that_cannot_compile_leaves_the_last_good_rules(
    caplog: pytest.LogCaptureFixture,
) -> None:
    holder = FilterPolicySlot(make_policy(deny=("a.com",)))
    book = RuleBook(holder)
    good = book.current()
    broken = Profile("an", "thcs", deny=None)  # type: ignore[arg-type]
    holder.swap(FilterPolicy(profiles={"an": broken}))
    assert book.current() is good
    assert "keeping the last good one" in caplog.text
    holder.swap(make_policy(deny=("b.com",)))
    assert book.current() is not good


def test_a_parents_grant_beats_bedtime_and_every_other_rule() -> None:
    rules = dict(
        allow=("vnexpress.net",),
        deny=("example.com",),
        allow_list_only=True,
        schedules=(BEDTIME, YOUTUBE_HOURS),
    )
    monday_night = at(MON, 23)
    bedtime = BEDTIME_REASON
    without = make_policy(**rules)
    assert blocked_reason(without, "www.example.com", monday_night) == bedtime
    assert blocked_reason(without, "www.example.com", NOON_MONDAY) == deny("example.com")

    granted = make_policy(granted=("example.com", "youtube.com"), **rules)
    # The approved names (and their subdomains) pass bedtime, the deny list, a service's
    # hours and allow-list-only, at night and at noon ...
    for now in (monday_night, NOON_MONDAY, at(TUE, 5)):
        assert blocked_reason(granted, "www.example.com", now) is None
        assert blocked_reason(granted, "example.com", now) is None
        assert blocked_reason(granted, "www.youtube.com", now) is None
    # ... while every other name stays blocked: bedtime still outranks the allow list.
    assert blocked_reason(granted, "vnexpress.net", monday_night) == bedtime
    assert blocked_reason(granted, "notexample.com", monday_night) == bedtime
    assert blocked_reason(granted, "rr3.googlevideo.com", at(WED, 16)) == (
        YOUTUBE_HOURS_REASON
    )
    assert blocked_reason(granted, "tiktok.com", NOON_MONDAY) == ALLOW_LIST_ONLY_REASON
    # The help sites stay open whatever is granted.
    assert blocked_reason(granted, "tongdai111.vn", monday_night) is None


def test_the_compiled_rules_say_why_a_granted_name_passes() -> None:
    policy = make_policy(granted=("Example.com.",), allow=("example.com",), schedules=(BEDTIME,))
    profile = RuleBook(FilterPolicySlot(policy)).current().profile("an")
    assert profile is not None
    granted = Reason(ReasonKind.GRANTED, rule="example.com")
    assert profile.granted("a.example.com") == granted
    assert profile.granted("vnexpress.net") is None
    # At bedtime only the grant exempts the name; the allow list would not.
    assert profile.exempt("a.example.com", at(MON, 23)) == granted
    assert profile.denied("a.example.com", at(MON, 23)) is None
    assert profile.allowed("a.example.com") == granted
    assert profile.exempt("tongdai111.vn", at(MON, 23)) == Reason(
        ReasonKind.HELP_SITE, rule="tongdai111.vn"
    )


def test_a_grant_stops_at_its_end_whenever_the_policy_is_compiled_again() -> None:
    """The filter knows each grant's end: past it the name is blocked at once, whether or
    not the agent has compiled the policy again yet."""
    ends = at(MON, 23)
    policy = make_policy(
        granted=("example.com", "youtube.com"),
        granted_until={"example.com": ends},  # youtube.com: until a parent takes it back
        deny=("example.com", "youtube.com"),
        schedules=(BEDTIME,),
    )
    before, after = at(MON, 22, 59), at(MON, 23)
    assert blocked_reason(policy, "www.example.com", before) is None
    assert blocked_reason(policy, "www.example.com", after) == schedule(
        "*", WindowMode.BLOCKED, ("21:30", "06:00")
    )
    assert blocked_reason(policy, "www.youtube.com", after) is None
    profile = RuleBook(FilterPolicySlot(policy)).current().profile("an")
    assert profile is not None
    assert profile.granted("www.example.com", before) == Reason(
        ReasonKind.GRANTED, rule="example.com"
    )
    assert profile.granted("www.example.com", after) is None
    assert profile.grant_end("www.example.com", before) == ends
    assert profile.grant_end("www.youtube.com", before) is None  # no end


def test_a_name_opened_by_several_grants_ends_with_the_last_one() -> None:
    first, last = at(MON, 20), at(MON, 21)
    policy = make_policy(
        granted=("example.com", "www.example.com"),
        granted_until={"example.com": last, "www.example.com": first},
    )
    profile = RuleBook(FilterPolicySlot(policy)).current().profile("an")
    assert profile is not None
    # The more specific grant is named while it runs; the name stays open until the last.
    assert profile.granted("www.example.com", at(MON, 19)) == Reason(
        ReasonKind.GRANTED, rule="www.example.com"
    )
    assert profile.grant_end("www.example.com", at(MON, 19)) == last
    assert profile.granted("www.example.com", at(MON, 20, 30)) == Reason(
        ReasonKind.GRANTED, rule="example.com"
    )
    assert profile.grant_end("www.example.com", at(MON, 20, 30)) == last
