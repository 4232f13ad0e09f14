"""Each reason has its own heading and reassurance, in both languages and every band: a
page that is not blocked never says it is (nor offers to ask), bedtime speaks of bedtime."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers_pages import RunningPages, page, running_pages

from agent.pages.explain import Explanation, explain
from agent.pages.i18n import AgeBand
from agent.pages.render import PageContext, block_page
from agent.pages.strings import BY_BAND, COMMON, text
from agent.pages.tips import TIPS
from dns_filter.reason import Reason, ReasonKind, ScheduleWindow, WindowMode

GROUPS = ("blocked", "schedule", "bedtime", "bypass", "time_up", "not_blocked")


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[RunningPages]:
    with running_pages(tmp_path) as running:
        yield running


def visible_text(answer_html: str) -> str:
    without = re.sub(r"<(style|svg)\b.*?</\1>", " ", answer_html, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", without))


def heading(body: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", body)
    assert found is not None
    return html.unescape(found.group(1))


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("band", list(AgeBand))
def test_every_group_has_its_own_heading_and_reassurance(language: str, band: AgeBand) -> None:
    headings = {text(language, band, f"heading_{group}") for group in GROUPS}
    assert text(language, band, "heading_not_blocked") not in {
        text(language, band, f"heading_{group}") for group in GROUPS if group != "not_blocked"
    }
    assert len(headings) >= 4  # bypass may share "stop here" with a block for the youngest
    if band is not AgeBand.UNDER_6:
        assert len(headings) == len(GROUPS)
    for group in GROUPS:
        assert text(language, band, f"reassure_{group}")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_page_that_is_not_blocked_says_so_and_offers_no_asking(
    pages: RunningPages, language: str
) -> None:
    for child in ("Lan", "Hoa"):  # 13 and 16: nothing blocks this name for them
        pages.runtime.child_at_pc = child
        body = page(pages, "vpn-gate.example", f"/?lang={language}").text
        band = AgeBand.AGES_11_14 if child == "Lan" else AgeBand.AGES_15_17
        assert heading(body) == BY_BAND[language][band]["heading_not_blocked"]
        words = visible_text(body)
        assert COMMON[language]["reason_not_blocked"] in words
        assert BY_BAND[language][band]["heading_blocked"] not in words
        assert COMMON[language]["title_blocked"] not in words
        assert 'action="/__baoan/ask"' not in body
        assert 'href="tel:111"' in body  # help stays


@pytest.mark.parametrize("language", ["vi", "en"])
def test_bedtime_speaks_of_bedtime_not_of_age(pages: RunningPages, language: str) -> None:
    pages.runtime.child_at_pc = "Minh"  # 9
    pages.clock.advance(timedelta(hours=10))  # Monday 22:00 in Hồ Chí Minh City
    body = page(pages, "vnexpress.net", f"/?lang={language}").text
    words = visible_text(body)
    assert heading(body) == BY_BAND[language][AgeBand.AGES_6_10]["heading_bedtime"]
    assert BY_BAND[language][AgeBand.AGES_6_10]["reassure_bedtime"] in words
    assert "chưa hợp với tuổi" not in words and "not right for your age" not in words


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_blocked_category_keeps_its_heading(pages: RunningPages, language: str) -> None:
    pages.runtime.child_at_pc = "Lan"
    body = page(pages, "casino.example", f"/?lang={language}").text
    assert heading(body) == BY_BAND[language][AgeBand.AGES_11_14]["heading_blocked"]
    assert 'action="/__baoan/ask"' in body


def context(language: str, band: AgeBand) -> PageContext:
    return PageContext(language, band, "/?lang=en", "token", help_alerts=True)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    ("reason", "group"),
    [
        (Reason(ReasonKind.BYPASS, category="bypass", rule="vpn.example"), "bypass"),
        (
            Reason(
                ReasonKind.SCHEDULE,
                window=ScheduleWindow(
                    "service:youtube", WindowMode.ALLOWED_ONLY, (("17:00", "19:00"),)
                ),
            ),
            "schedule",
        ),
        (
            Reason(
                ReasonKind.SCHEDULE,
                window=ScheduleWindow("*", WindowMode.BLOCKED, (("21:30", "06:00"),)),
            ),
            "bedtime",
        ),
        (Reason(ReasonKind.CATEGORY, category="gambling", rule="x"), "blocked"),
        (Reason(ReasonKind.SERVICE, service="tiktok"), "blocked"),
    ],
)
def test_each_reason_picks_its_heading(language: str, reason: Reason, group: str) -> None:
    explanation = explain(reason)
    assert explanation.group == group
    for band in (AgeBand.AGES_6_10, AgeBand.AGES_11_14, AgeBand.AGES_15_17):
        body = block_page(
            context(language, band),
            site_display="example.com",
            reason_sentence=explanation.sentence(language, band),
            group=explanation.group,
            ask_html="",
            tips=(),
        )
        assert heading(body) == BY_BAND[language][band][f"heading_{group}"]
        assert BY_BAND[language][band][f"reassure_{group}"] in visible_text(body)
        # A service without a known category never shows an empty group name.
        assert "“”" not in visible_text(body)


def test_not_blocked_is_its_own_group() -> None:
    assert Explanation("not_blocked").group == "not_blocked"
    assert not Explanation("not_blocked").blocked
    assert Explanation("parent").blocked and Explanation("parent").group == "blocked"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_11_to_14_tips_say_photos_threats_and_blackmail_go_to_111(language: str) -> None:
    for band in (AgeBand.AGES_11_14, AgeBand.AGES_15_17):
        words = [tip.in_language(language) for tip in TIPS[band]]
        said = [tip for tip in words if "111" in tip]
        assert said, f"no 111 tip for {band}"
        photos = "ảnh" if language == "vi" else "photos"
        assert any(photos in tip for tip in said)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_report_something_bad_tells_a_caregiver_only_if_the_child_chooses(
    pages: RunningPages, language: str
) -> None:
    pages.runtime.child_at_pc = "Lan"  # 13
    body = html.unescape(page(pages, "casino.example", f"/?lang={language}").text)
    assert COMMON[language]["report_heading"] in body
    assert 'id="report-link" href="https://vn-cop.vn/"' in body
    assert COMMON[language]["report_tell_too"] in body
    # Seeing it and following the link tell nobody.
    assert pages.store.events.recent(kind="help") == []
    assert pages.store.outbox.pending_count() == 0
