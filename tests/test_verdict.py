"""The synchronous verdict behind `baoan check`: the chain's own links, without an upstream."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from helpers_dns import SetMatcher

from dns_filter.chain import AnswerType
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
from dns_filter.verdict import Verdict, verdict

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_NOON = datetime(2026, 3, 2, 12, tzinfo=HCM)
MONDAY_NIGHT = datetime(2026, 3, 2, 22, tzinfo=HCM)


POLICY = FilterPolicy(
    profiles={
        "an": Profile(
            "an",
            "tieu-hoc",
            blocked_categories=frozenset({"adult"}),
            blocked_services=frozenset({"tiktok"}),
            allow=("wikipedia.org",),
            deny=("example.com",),
            youtube_mode=YouTubeMode.MODERATE,
            schedules=(
                ScheduleRule(
                    "*",
                    ScheduleMode.BLOCKED_DURING,
                    (TimeWindow(frozenset({6, 0, 1, 2, 3}), time(21, 30), time(6)),),
                ),
            ),
        ),
        "binh": Profile("binh", "thpt", safe_search=False, youtube_mode=YouTubeMode.OFF),
    },
    services={"tiktok": Service("tiktok", "TikTok", "social", ("tiktok.com",))},
    categories={
        "adult": SetMatcher("hostsVN adult-filter.txt", ["pornhub.com", "tongdai111.vn"]),
        "bypass": SetMatcher("HaGeZi doh-vpn-proxy-bypass.txt", ["dns.google"]),
    },
    always_allowed=("tongdai111.vn",),
    default_profile="an",
)


ADULT_RULE = "hostsVN adult-filter.txt: ||pornhub.com^"
BEDTIME_REASON = Reason(
    ReasonKind.SCHEDULE, window=ScheduleWindow("*", WindowMode.BLOCKED, (("21:30", "06:00"),))
)


def check(name: str, profile: str | None = "an", qtype: str = "A",
          now: datetime = MONDAY_NOON) -> Verdict:
    return verdict(POLICY, profile, name, qtype, now)


def test_blocked_by_category_with_list_and_rule() -> None:
    result = check("www.PornHub.com.")
    adult = Reason(ReasonKind.CATEGORY, category="adult", rule=ADULT_RULE)
    assert result == Verdict("blocked", adult, AnswerType.BLOCKED, "an")


def test_blocked_by_service_deny_and_schedule() -> None:
    assert check("m.tiktok.com").reason == Reason(
        ReasonKind.SERVICE, category="social", service="tiktok", rule="tiktok.com"
    )
    assert check("example.com").reason == Reason(ReasonKind.DENY_LIST, rule="example.com")
    night = check("vnexpress.net", now=MONDAY_NIGHT)
    assert (night.decision, night.reason) == ("blocked", BEDTIME_REASON)
    assert check("vnexpress.net", now=datetime(2026, 3, 6, 22, tzinfo=HCM)).decision == "allowed"


def test_allowed_with_its_reason() -> None:
    assert check("vnexpress.net") == Verdict("allowed", Reason(ReasonKind.NO_RULE), None, "an")
    assert check("vi.wikipedia.org").reason == Reason(
        ReasonKind.ALLOW_LIST, rule="wikipedia.org"
    )
    hotline = check("tongdai111.vn", now=MONDAY_NIGHT)
    assert (hotline.decision, hotline.reason) == (
        "allowed", Reason(ReasonKind.HELP_SITE, rule="tongdai111.vn")
    )


def test_rewritten_by_safe_search() -> None:
    google = check("www.google.com.vn")
    assert (google.decision, google.answer_type) == ("rewritten", AnswerType.REWRITTEN)
    assert google.reason == Reason(
        ReasonKind.SAFE_SEARCH, cname_target="forcesafesearch.google.com", detail="Google"
    )
    assert check("www.youtube.com", qtype="AAAA").reason == Reason(
        ReasonKind.SAFE_SEARCH, cname_target="restrictmoderate.youtube.com", detail="YouTube"
    )
    assert check("www.google.com.vn", profile="binh").decision == "allowed"


def test_bypass_answers_are_blocked_verdicts() -> None:
    canary = check("use-application-dns.net", profile="binh")
    assert (canary.decision, canary.answer_type) == ("blocked", AnswerType.BYPASS)
    assert canary.reason.kind is ReasonKind.SIGNAL
    doh = check("dns.google").reason
    assert (doh.kind, doh.category) == (ReasonKind.BYPASS, "bypass")
    assert doh.rule is not None and doh.rule.startswith("HaGeZi")


def test_default_child_and_bad_input() -> None:
    assert check("pornhub.com", profile=None).profile == "an"
    with pytest.raises(ValueError, match="no child profile named 'nobody'"):
        check("pornhub.com", profile="nobody")
    with pytest.raises(ValueError, match="unknown DNS query type"):
        check("pornhub.com", qtype="NOPE")
    with pytest.raises(ValueError, match="empty"):
        check(" . ")


def test_the_name_to_check_is_normalised_as_the_lists_are() -> None:
    assert check("*.PornHub.com.").decision == "blocked"
    with pytest.raises(ValueError, match=r"not a domain name: '1\.2\.3\.4'"):
        check("1.2.3.4")


def test_without_a_profile_nothing_is_filtered() -> None:
    bare = FilterPolicy(categories=POLICY.categories)
    result = verdict(bare, None, "pornhub.com", now=MONDAY_NOON)
    assert (result.decision, result.reason) == ("allowed", Reason(ReasonKind.UNFILTERED))


def test_works_inside_a_running_event_loop() -> None:
    async def from_the_agent() -> Verdict:
        return check("pornhub.com")

    assert asyncio.run(from_the_agent()).decision == "blocked"


def test_now_defaults_to_the_current_time() -> None:
    assert verdict(POLICY, "an", "pornhub.com").decision == "blocked"


def test_a_grant_is_allowed_at_bedtime_with_its_reason() -> None:
    an = replace(POLICY.profiles["an"], granted=("tiktok.com", "example.com"))
    granted = replace(POLICY, profiles={**POLICY.profiles, "an": an})
    for now in (MONDAY_NOON, MONDAY_NIGHT):
        result = verdict(granted, "an", "m.tiktok.com", now=now)
        granted_reason = Reason(ReasonKind.GRANTED, rule="tiktok.com")
        assert result == Verdict("allowed", granted_reason, None, "an")
        assert verdict(granted, "an", "example.com", now=now).decision == "allowed"
    # The names nobody approved keep their verdicts, bedtime included.
    night = verdict(granted, "an", "vi.wikipedia.org", now=MONDAY_NIGHT)
    assert (night.decision, night.reason) == ("blocked", BEDTIME_REASON)
    assert verdict(granted, "an", "pornhub.com", now=MONDAY_NOON).decision == "blocked"


def test_a_service_whose_minutes_are_spent_is_time_up_before_the_allow_list() -> None:
    youtube = Service("youtube", "YouTube", "video", ("youtube.com", "youtu.be"))
    profile = replace(
        POLICY.profiles["an"],
        allow=("wikipedia.org", "youtube.com"),
        time_up_services=frozenset({"youtube"}),
    )
    policy = replace(
        POLICY,
        profiles={"an": profile},
        services={**POLICY.services, "youtube": youtube},
    )
    found = verdict(policy, "an", "m.youtube.com", "A", MONDAY_NOON)
    assert found.decision == "blocked"
    assert found.reason == Reason(
        ReasonKind.TIME_UP, category="video", service="youtube", rule="youtube.com"
    )
    # Others stay as they were, and a parent's grant still opens it for now.
    assert verdict(policy, "an", "wikipedia.org", "A", MONDAY_NOON).decision == "allowed"
    granted = replace(profile, granted=("youtube.com",))
    opened = verdict(replace(policy, profiles={"an": granted}), "an", "youtube.com", "A",
                     MONDAY_NOON)
    assert opened.decision == "allowed" and opened.reason.kind is ReasonKind.GRANTED
