"""Every kind of reason is worded from its fields, and no Vietnamese screen shows English.

For one reason of each kind, the block page, the tray's words, the dashboard's query log
and `baoan check` are asked in Vietnamese; none may hold an English word of its own
(words that come from the reason's values, such as a service's or an engine's name, an
upstream's URL or a list's name, are the same in both languages and do not count).
"""

from __future__ import annotations

import re

import pytest

from agent.api.types import ReasonInfo
from agent.pages.explain import explain, reason_in_words
from agent.pages.i18n import AgeBand
from agent.policy.services import load_catalogue
from agent.tray.service import explain_in_words
from dns_filter.reason import Reason, ReasonError, ReasonKind, ScheduleWindow, WindowMode
from gui.api_backend import _reason as dashboard_reason
from gui.backend import QueryLogEntry
from gui.i18n import Translations
from gui.models import QueryLogTableModel

BEDTIME = ScheduleWindow("*", WindowMode.BLOCKED, (("21:30", "06:00"),))
YOUTUBE_HOURS = ScheduleWindow("service:youtube", WindowMode.ALLOWED_ONLY, (("17:00", "19:00"),))
ADULT = Reason(ReasonKind.CATEGORY, category="adult", rule="hostsVN adult: ||x.example^")

ONE_OF_EACH: dict[ReasonKind, Reason] = {
    ReasonKind.CATEGORY: ADULT,
    ReasonKind.SERVICE: Reason(
        ReasonKind.SERVICE, category="social", service="tiktok", rule="tiktok.com"
    ),
    ReasonKind.TIME_UP: Reason(
        ReasonKind.TIME_UP, category="video", service="youtube", rule="youtube.com"
    ),
    ReasonKind.DENY_LIST: Reason(ReasonKind.DENY_LIST, rule="example.com"),
    ReasonKind.ALLOW_LIST_ONLY: Reason(ReasonKind.ALLOW_LIST_ONLY),
    ReasonKind.ALLOW_LIST: Reason(ReasonKind.ALLOW_LIST, rule="wikipedia.org"),
    ReasonKind.HELP_SITE: Reason(ReasonKind.HELP_SITE, rule="tongdai111.vn"),
    ReasonKind.GRANTED: Reason(ReasonKind.GRANTED, rule="example.com"),
    ReasonKind.SCHEDULE: Reason(
        ReasonKind.SCHEDULE, category="video", service="youtube", window=YOUTUBE_HOURS
    ),
    ReasonKind.SAFE_SEARCH: Reason(
        ReasonKind.SAFE_SEARCH, cname_target="forcesafesearch.google.com", detail="Google"
    ),
    ReasonKind.BYPASS: Reason(ReasonKind.BYPASS, category="bypass", service="psiphon"),
    ReasonKind.SIGNAL: Reason(
        ReasonKind.SIGNAL, rule="use-application-dns.net", detail="browser-doh-canary"
    ),
    ReasonKind.CNAME: ADULT.cname("tracker.x.example"),
    ReasonKind.UPSTREAM: Reason(ReasonKind.UPSTREAM, upstream="udp://8.8.8.8:53"),
    ReasonKind.LOCAL: Reason(ReasonKind.LOCAL, rule="localhost", detail="localhost"),
    ReasonKind.CACHE: Reason(ReasonKind.CACHE),
    ReasonKind.STALE: Reason(ReasonKind.STALE),
    ReasonKind.FAILURE: Reason(
        ReasonKind.FAILURE, detail="all upstreams failed: udp://8.8.8.8:53: timed out"
    ),
    ReasonKind.NO_RULE: Reason(ReasonKind.NO_RULE),
    ReasonKind.UNFILTERED: Reason(ReasonKind.UNFILTERED),
    ReasonKind.OTHER: Reason(ReasonKind.OTHER, detail="something we wrote long ago"),
}
# Words that are the same in Vietnamese text: names, and the technical words Vietnamese
# uses as they are.
SHARED = {"dns", "vpn", "proxy", "youtube", "google", "tiktok", "psiphon", "pin"}


def english_words(text: str) -> set[str]:
    return {word.lower() for word in re.findall(r"[A-Za-z]{3,}", text)}


def value_words(reason: Reason) -> set[str]:
    """The words of the reason's own values (names, rules, URLs), shown alike in vi and en."""
    values = [
        reason.category, reason.service, reason.rule, reason.cname_target, reason.upstream,
        reason.detail, reason.window.target if reason.window else None,
    ]
    found = set(SHARED)
    for value in values:
        if value:
            found |= english_words(value)
    return found


def assert_not_english(vietnamese: str, english: str, reason: Reason, where: str) -> None:
    assert vietnamese, where
    leaked = (english_words(vietnamese) & english_words(english)) - value_words(reason)
    assert not leaked, f"{where}: English in the Vietnamese words {vietnamese!r}: {leaked}"


def test_there_is_a_reason_of_every_kind_here() -> None:
    assert set(ONE_OF_EACH) == set(ReasonKind)


@pytest.mark.parametrize("kind", list(ReasonKind))
def test_the_block_page_the_tray_and_baoan_check_speak_vietnamese(kind: ReasonKind) -> None:
    reason = ONE_OF_EACH[kind]
    catalogue = load_catalogue()
    explanation = explain(reason, catalogue)
    for band in AgeBand:
        vi = explanation.sentence("vi", band, catalogue)
        en = explanation.sentence("en", band, catalogue)
        assert_not_english(vi, en, reason, f"block page, {band}")
        tray_vi = explain_in_words(reason.to_json(), "vi", band)
        tray_en = explain_in_words(reason.to_json(), "en", band)
        assert tray_vi is not None and tray_en is not None
        assert_not_english(tray_vi, tray_en, reason, f"tray, {band}")
    check_vi = reason_in_words(reason, "vi", catalogue)
    check_en = reason_in_words(reason, "en", catalogue)
    assert check_vi != check_en
    assert_not_english(check_vi, check_en, reason, "baoan check")
    assert "{" not in check_vi and "{" not in check_en


def _dashboard_words(reason: Reason) -> str:
    entry = QueryLogEntry(
        "2025-05-03T14:05:09+07:00", "An", "x.example", "A", "blocked",
        dashboard_reason(ReasonInfo.from_json(reason.to_json())),
    )
    model = QueryLogTableModel()
    model.set_rows([entry])
    words = model.data(model.index(0, QueryLogTableModel.REASON))
    assert isinstance(words, str)
    return words


def test_the_dashboards_query_log_speaks_vietnamese(
    vietnamese: Translations, qapp: object
) -> None:
    worded = {kind: _dashboard_words(reason) for kind, reason in ONE_OF_EACH.items()}
    assert vietnamese.use("en")
    try:
        in_english = {kind: _dashboard_words(reason) for kind, reason in ONE_OF_EACH.items()}
    finally:
        assert vietnamese.use("vi")
    for kind, reason in ONE_OF_EACH.items():
        assert_not_english(worded[kind], in_english[kind], reason, f"dashboard, {kind}")
        assert str(kind) not in worded[kind]  # never the raw kind
    assert worded[ReasonKind.SCHEDULE] == "youtube: chỉ mở 17:00–19:00"
    assert worded[ReasonKind.CNAME] == "Trỏ tới tracker.x.example: Nội dung người lớn"


def test_block_page_words_come_from_the_fields() -> None:
    catalogue = load_catalogue()
    bedtime = explain(Reason(ReasonKind.SCHEDULE, window=BEDTIME), catalogue)
    assert (bedtime.kind, bedtime.window) == ("bedtime", "21:30–06:00")
    cloaked = explain(ADULT.cname("tracker.x.example"), catalogue)
    assert (cloaked.kind, cloaked.category) == ("category", "adult")
    tiktok = explain(ONE_OF_EACH[ReasonKind.SERVICE], catalogue)
    assert (tiktok.kind, tiktok.service, tiktok.category) == ("service", "tiktok", "social")
    assert "TikTok" in tiktok.sentence("vi", AgeBand.AGES_11_14, catalogue)


@pytest.mark.parametrize("reason", list(ONE_OF_EACH.values()))
def test_json_round_trip(reason: Reason) -> None:
    assert Reason.from_json(reason.to_json()) == reason
    assert ReasonInfo.from_json(reason.to_json()).to_json() == reason.to_json()


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        (None, "expected an object"),
        ("category adult", "expected an object"),
        ([], "expected an object"),
        ({}, "reason.kind: expected text"),
        ({"kind": 3}, "reason.kind: expected text"),
        ({"kind": "nonsense"}, "unknown kind"),
        ({"kind": "category", "category": ["adult"]}, "reason.category: expected text"),
        ({"kind": "category", "category": "x" * 5000}, "longer than"),
        ({"kind": "schedule", "window": "21:30"}, "reason.window: expected an object"),
        ({"kind": "schedule", "window": {"target": "*", "mode": "sometimes"}}, "unknown mode"),
        (
            {"kind": "schedule", "window": {"target": "*", "mode": "blocked", "spans": [[1, 2]]}},
            "HH:MM",
        ),
        ({"kind": "cname", "target_kind": "evil"}, "unknown kind"),
    ],
)
def test_hostile_reasons_are_refused_clearly(value: object, complaint: str) -> None:
    with pytest.raises(ReasonError, match=complaint):
        Reason.from_json(value)


def test_the_api_keeps_unknown_kinds_and_never_fails_on_a_stored_one() -> None:
    assert ReasonInfo.from_json({"kind": "from-the-future", "extra": 1}).kind == "from-the-future"
    assert ReasonInfo.from_stored({"kind": 7}) == ReasonInfo("other")
    assert ReasonInfo.from_stored("text") == ReasonInfo("other")
    # The tray's words never raise on a damaged stored reason.
    assert explain_in_words({"kind": "nonsense"}, "vi", AgeBand.AGES_11_14) is None
