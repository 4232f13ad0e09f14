"""The access service on a real SQLite store: limits per child, grants with their service's
domains, revoking, alerts only when someone can receive them; and the pieces the pages use
(host-name and reason hygiene, CSRF tokens, reasons in plain words)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers_pages import make_access, make_family

from agent.access import (
    ALERTS_CHANNEL,
    AccessLimits,
    InvalidInputError,
    RateLimitedError,
    SlidingWindowLimiter,
    UnknownChildError,
    clean_reason,
    display_site,
    normalise_site,
)
from agent.pages.csrf import CsrfSigner, same_origin
from agent.pages.explain import explain
from agent.pages.i18n import AgeBand
from agent.pages.tips import TIPS, tips_for
from agent.policy.services import load_catalogue
from dns_filter.clock import ManualClock
from dns_filter.reason import Reason, ReasonKind, ScheduleWindow, WindowMode


def test_per_child_limit_holds_across_devices(tmp_path: Path) -> None:
    limits = AccessLimits(requests_per_child=3, requests_per_address=100)
    _, access, store = make_access(tmp_path, limits=limits)
    for number in range(3):
        access.request_access("Minh", f"site{number}.example", "", f"192.168.1.{number}")
    with pytest.raises(RateLimitedError) as raised:
        access.request_access("Minh", "site9.example", "", "192.168.1.50")
    assert raised.value.retry_after > 0
    # Another child is not held back by Minh's requests.
    access.request_access("Lan", "site9.example", "", "192.168.1.50")
    assert len(store.requests.recent()) == 4


def test_bad_input_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    _, access, store = make_access(tmp_path)
    with pytest.raises(InvalidInputError):
        access.request_access("Minh", "not a host", "", "127.0.0.1")
    with pytest.raises(UnknownChildError):
        access.request_access("Nobody", "casino.example", "", "127.0.0.1")
    request = access.request_access("minh", "casino.example", "", "127.0.0.1")
    assert request.child == "Minh"  # spelled as the policy spells it
    for minutes in (0, -5, 1441, None, True):
        with pytest.raises(InvalidInputError):
            access.decide(request.id, True, minutes)
    assert store.requests.get(request.id).status == "pending"  # type: ignore[union-attr]


def test_a_grant_opens_every_domain_of_its_service(tmp_path: Path) -> None:
    runtime, access, _ = make_access(tmp_path)
    request = access.request_access("Lan", "www.tiktok.com", "nhóm con làm bài tập", "127.0.0.1")
    access.decide(request.id, True, 30)
    (grant,) = access.grants("Lan")
    assert access.active_grants("Lan") == grant.names
    assert grant.site == "www.tiktok.com"
    assert {"www.tiktok.com", "tiktok.com", "tiktokcdn.com"} <= set(grant.names)
    assert access.allow_lists()["Lan"] == grant.names
    assert grant.until == runtime.clock.now() + timedelta(minutes=30)
    assert access.next_expiry() == grant.until


def test_revoke_ends_a_grant_now(tmp_path: Path) -> None:
    runtime, access, _ = make_access(tmp_path)
    request = access.request_access("Minh", "casino.example", "", "127.0.0.1")
    access.decide(request.id, True, 120)
    assert runtime.recompiles == 1
    runtime.clock.advance(timedelta(seconds=1))
    access.revoke(request.id)
    assert access.active_grants("Minh") == ()
    assert runtime.recompiles == 2
    assert access.request_state(request.id).state == "expired"


def test_no_caregivers_means_events_but_no_outbox(tmp_path: Path) -> None:
    _, access, store = make_access(tmp_path, family=make_family(caregivers=False))
    access.request_access("Minh", "casino.example", "", "127.0.0.1")
    # Nobody could be told, and the answer says so (it used to claim an alert went).
    pressed = access.help_pressed("Minh", "127.0.0.1")
    assert pressed.alerted is False and pressed.alerts_enabled and pressed.receivers == 0
    assert len(store.events.recent(kind="access_request")) == 1
    assert len(store.events.recent(kind="help")) == 1
    assert store.outbox.due(channel=ALERTS_CHANNEL, now=access.now()) == []


def test_help_alerts_again_after_the_quiet_time(tmp_path: Path) -> None:
    runtime, access, store = make_access(tmp_path)
    access.help_pressed("Minh", "127.0.0.1")
    access.help_pressed("Minh", "127.0.0.1")
    assert len(store.events.recent(kind="help")) == 1
    runtime.clock.advance(timedelta(minutes=6))
    access.help_pressed("Minh", "127.0.0.1")
    assert len(store.events.recent(kind="help")) == 2


def test_a_failing_recompile_does_not_lose_the_decision(tmp_path: Path) -> None:
    _, access, store = make_access(tmp_path)

    def broken() -> None:
        raise RuntimeError("the DNS policy could not be compiled")

    access._grants_changed = broken
    request = access.request_access("Minh", "casino.example", "", "127.0.0.1")
    decided = access.decide(request.id, True, 10)
    assert decided.status == "allowed"
    assert access.active_grants("Minh") == ("casino.example",)
    assert store.requests.get(request.id).status == "allowed"  # type: ignore[union-attr]


def test_sliding_window_limiter() -> None:
    limiter = SlidingWindowLimiter(2, 60)
    assert limiter.retry_after("a", 0) == 0
    limiter.hit("a", 0)
    limiter.hit("a", 10)
    assert limiter.retry_after("a", 20) == 40
    assert limiter.retry_after("b", 20) == 0
    assert limiter.retry_after("a", 60.5) == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Casino.Example.", "casino.example"),
        ("café.example", "xn--caf-dma.example"),
        ("localhost", None),
        ("<script>.example", None),
        ("a..b", None),
        ("-bad.example", None),
        ("x" * 64 + ".example", None),
        ("", None),
    ],
)
def test_normalise_site(raw: str, expected: str | None) -> None:
    assert normalise_site(raw) == expected


def test_display_and_reason_hygiene() -> None:
    assert display_site("xn--caf-dma.example") == "café.example"
    assert clean_reason("  a\r\nb\u202e\x00c  ") == "a\nb  c"
    assert len(clean_reason("x" * 10_000)) == 500


def test_csrf_tokens_are_bound_to_purpose_host_client_and_time() -> None:
    clock = ManualClock(datetime.fromtimestamp(1_000_000, tz=UTC))
    signer = CsrfSigner(clock)
    token = signer.token("ask:casino.example", "casino.example", "192.168.1.5")
    assert signer.verify(token, "ask:casino.example", "casino.example", "192.168.1.5")
    assert signer.verify(token, "ask:casino.example", "CASINO.example", "192.168.1.5")
    assert not signer.verify(token, "ask:bet.example", "casino.example", "192.168.1.5")
    assert not signer.verify(token, "ask:casino.example", "bet.example", "192.168.1.5")
    assert not signer.verify(token, "ask:casino.example", "casino.example", "192.168.1.6")
    assert not signer.verify(token, "help", "casino.example", "192.168.1.5")
    assert not CsrfSigner(clock).verify(
        token, "ask:casino.example", "casino.example", "192.168.1.5"
    )  # another run of the agent: another key
    clock.advance(timedelta(hours=5))
    assert not signer.verify(token, "ask:casino.example", "casino.example", "192.168.1.5")
    for bad in (None, "", "x", "1.2.3", "abc.def", "9" * 300):
        assert not signer.verify(bad, "help", "h", "c")


def test_same_origin() -> None:
    assert same_origin({}, "casino.example")
    assert same_origin({"origin": "http://casino.example"}, "casino.example")
    assert same_origin({"referer": "http://casino.example/x?y"}, "casino.example")
    assert not same_origin({"origin": "http://evil.example"}, "casino.example")
    assert not same_origin({"origin": "null"}, "casino.example")
    assert not same_origin({"sec-fetch-site": "cross-site"}, "casino.example")


def schedule(target: str, mode: WindowMode, *spans: tuple[str, str]) -> Reason:
    return Reason(ReasonKind.SCHEDULE, window=ScheduleWindow(target, mode, spans))


@pytest.mark.parametrize(
    ("reason", "kind", "detail"),
    [
        (
            Reason(ReasonKind.CATEGORY, category="adult", rule="hostsVN-adult.txt: ||x.example^"),
            "category",
            "adult",
        ),
        (Reason(ReasonKind.CATEGORY, category="social", service="tiktok"), "service", "tiktok"),
        (Reason(ReasonKind.SERVICE, service="roblox"), "service", "roblox"),
        (
            Reason(
                ReasonKind.CATEGORY, category="gambling", rule="list: ||cdn.example^"
            ).cname("cdn.example"),
            "category",
            "gambling",
        ),
        (schedule("*", WindowMode.BLOCKED, ("21:30", "06:00")), "bedtime", "21:30–06:00"),
        (
            schedule("service:youtube", WindowMode.ALLOWED_ONLY, ("17:00", "19:00")),
            "schedule_only",
            "17:00–19:00",
        ),
        (
            schedule("category:games", WindowMode.BLOCKED, ("13:00", "17:00")),
            "schedule_blocked",
            "13:00–17:00",
        ),
        (schedule("category:games", WindowMode.ALLOWED_ONLY), "schedule_closed", None),
        (Reason(ReasonKind.DENY_LIST, rule="example.com"), "parent", None),
        (Reason(ReasonKind.ALLOW_LIST_ONLY), "allow_list", None),
        (
            Reason(ReasonKind.BYPASS, category="bypass", rule="vpn list: ||vpn.example^"),
            "bypass",
            "bypass",
        ),
        (Reason(ReasonKind.OTHER, detail="something new"), "generic", None),
    ],
)
def test_reasons_in_plain_words(reason: Reason, kind: str, detail: str | None) -> None:
    catalogue = load_catalogue()
    explanation = explain(reason, catalogue)
    assert explanation.kind == kind
    if detail is not None:
        assert detail in (
            explanation.category,
            explanation.service,
            explanation.window,
        )
    for language in ("vi", "en"):
        for band in AgeBand:
            sentence = explanation.sentence(language, band, catalogue)
            assert sentence and "{" not in sentence
            for leak in ("hostsVN", "||", ".txt", "list"):
                assert leak not in sentence
    youtube = explain(
        schedule("service:youtube", WindowMode.ALLOWED_ONLY, ("17:00", "19:00")), catalogue
    )
    assert youtube.sentence("vi", AgeBand.AGES_11_14, catalogue) == (
        "YouTube chỉ mở trong khung giờ 17:00–19:00."
    )


def test_two_tips_a_day_from_the_band() -> None:
    from datetime import date

    for band in AgeBand:
        shown = tips_for(band, date(2026, 3, 2))
        assert len(shown) == 2 and len(set(shown)) == 2
        assert all(tip in TIPS[band] for tip in shown)
        assert all(tip.vi and tip.en for tip in TIPS[band])
    themes = {tip.theme for tips in TIPS.values() for tip in tips}
    assert themes == {"share", "fakes", "secrets", "kind", "talk"}
