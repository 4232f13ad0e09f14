"""The block page over real HTTP, for every age band and both languages: what it says, why
(in plain words, never a list's file name), 111 and vn-cop.vn always, the ask form, tips."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers_pages import (
    AGES,
    RunningPages,
    make_family,
    page,
    raw_request,
    running_pages,
)

from agent.pages.i18n import AgeBand, band_for_age, choose_language
from agent.pages.strings import BY_BAND, COMMON
from agent.pages.tips import TIPS
from agent.policy.model import Language


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[RunningPages]:
    with running_pages(tmp_path) as running:
        yield running


def visible_text(answer_html: str) -> str:
    without = re.sub(r"<(style|svg)\b.*?</\1>", " ", answer_html, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", without))


CHILD_FOR_BAND = {band_for_age(age): name for name, age in AGES.items()}


@pytest.mark.parametrize("band", list(AgeBand))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_block_page_speaks_to_each_age_band_in_each_language(
    pages: RunningPages, band: AgeBand, language: str
) -> None:
    pages.runtime.child_at_pc = CHILD_FOR_BAND[band]
    # The page's own switch picks the language (the browser's Accept-Language does not).
    answer = page(pages, "casino.example", f"/some/path?x=1&lang={language}")
    assert answer.status == 403
    body = answer.text
    words = visible_text(body)
    assert f'<html lang="{language}">' in body
    assert f'class="band-{band.value}"' in body
    assert BY_BAND[language][band]["heading_blocked"] in words
    assert BY_BAND[language][band]["reassure_blocked"] in words
    assert "casino.example" in words
    # Why, in the band's words: the category's display name for the older children.
    if band is AgeBand.UNDER_6:
        # The youngest browse only the pages their parents picked.
        assert BY_BAND[language][band]["reason_allow_list"] in words
    else:
        category = "Cờ bạc, cá độ" if language == "vi" else "Gambling and betting"
        assert category in words
    # Never the list file nor the rule text.
    for leak in ("ut1-gambling-domains", "||casino.example^", "hostsVN"):
        assert leak not in body
    # 111 always, with its official name and "from any phone" (a PC cannot call);
    # vn-cop.vn, the place to report harm online, from 11.
    assert 'href="tel:111"' in body
    assert 'href="https://tongdai111.vn/"' in body
    assert COMMON[language]["help_hotline_name"] in words
    assert COMMON[language]["help_any_phone"] in words
    older = band in (AgeBand.AGES_11_14, AgeBand.AGES_15_17)
    assert ('href="https://vn-cop.vn/"' in body) is older
    assert ('id="report"' in body) is older
    # The ask form and the help form.
    assert 'action="/__baoan/ask"' in body
    assert 'action="/__baoan/help"' in body
    assert COMMON[language]["ask_button"] in words or BY_BAND[language][band].get("ask_button", "")
    # Tips from the child's own band only.
    own_tips = [tip.in_language(language) for tip in TIPS[band]]
    shown = [tip for tip in own_tips if tip in words]
    assert shown, "no tip for the band"
    other_tips = [
        tip.in_language(language)
        for other, tips in TIPS.items()
        if other is not band
        for tip in tips
    ]
    assert not [tip for tip in other_tips if tip in words]
    # Self-contained: no script, nothing fetched from elsewhere.
    assert "<script" not in body
    assert not re.search(r'(src|href)="(https?:)?//(?!tongdai111\.vn|vn-cop\.vn)', body)


def test_under_six_gets_pictures_and_very_short_sentences(pages: RunningPages) -> None:
    pages.runtime.child_at_pc = "Bi"
    body = page(pages, "casino.example").text
    assert body.count("<svg") >= 3
    heading = re.search(r"<h1>(.*?)</h1>", body)
    assert heading is not None
    assert len(heading.group(1).split()) <= 4
    reason = re.search(r'<p id="reason-text">(.*?)</p>', body)
    assert reason is not None
    assert len(html.unescape(reason.group(1)).split()) <= 8


@pytest.mark.parametrize(
    ("host", "child", "expected_vi", "expected_en"),
    [
        ("casino.example", "Lan", "nhóm “Cờ bạc, cá độ”", "“Gambling and betting” group"),
        ("www.tiktok.com", "Minh", "TikTok bị chặn", "TikTok is blocked"),
        ("parentblocked.example", "Lan", "Bố mẹ đã chặn trang này", "A parent blocked this page"),
        ("vpn-gate.example", "Lan", None, None),
    ],
)
def test_the_reason_is_in_plain_words(
    pages: RunningPages, host: str, child: str, expected_vi: str | None, expected_en: str | None
) -> None:
    pages.runtime.child_at_pc = child
    vi = visible_text(page(pages, host).text)
    en = visible_text(page(pages, host, "/?lang=en").text)
    if expected_vi is None:
        # Not blocked by anything: the page says so rather than inventing a reason.
        assert COMMON["vi"]["reason_not_blocked"] in vi
        return
    assert expected_vi in vi
    assert expected_en is not None and expected_en in en


def test_bedtime_is_explained_with_its_hours(pages: RunningPages) -> None:
    pages.runtime.child_at_pc = "Minh"
    pages.clock.advance(timedelta(hours=10))  # Monday 22:00 in Hồ Chí Minh City
    words = visible_text(page(pages, "vnexpress.net").text)
    assert "Bây giờ là giờ nghỉ (21:30–06:00)" in words
    words_en = visible_text(page(pages, "vnexpress.net", "/?lang=en").text)
    assert "It is rest time now (21:30–06:00)" in words_en


def test_family_setting_english_and_the_switch_back(tmp_path: Path) -> None:
    with running_pages(tmp_path, family=make_family(language=Language.EN)) as pages:
        body = page(pages, "casino.example").text
        assert '<html lang="en">' in body
        assert 'href="/?lang=vi"' in body
        switched = page(pages, "casino.example", "/?lang=vi").text
        assert '<html lang="vi">' in switched


def test_language_choice_rules() -> None:
    # The family's language, unless the page's own switch says another one we speak.
    assert choose_language(None, "vi") == "vi"
    assert choose_language(None, "en") == "en"
    assert choose_language("vi", "en") == "vi"
    assert choose_language("en", "vi") == "en"
    assert choose_language("xx", "vi") == "vi"
    assert choose_language("", "en") == "en"
    assert choose_language(None, "fr") == "vi"


@pytest.mark.parametrize("accept", ["en-US,en;q=0.9", "en", "vi;q=0.2,en;q=0.3"])
def test_the_family_language_wins_over_the_browser(pages: RunningPages, accept: str) -> None:
    body = page(pages, "casino.example", "/some/path", language=accept).text
    assert '<html lang="vi">' in body
    # The switch is on the page, keeps the page, and gives English.
    assert 'href="/some/path?lang=en"' in body
    assert ">English</a>" in body
    switched = page(pages, "casino.example", "/some/path?lang=en", language=accept).text
    assert '<html lang="en">' in switched
    assert 'href="/some/path?lang=vi"' in switched


@pytest.mark.parametrize(
    "path", ["/__baoan/help", "/__baoan/watch", "/__baoan/blocked?site=casino.example"]
)
def test_every_page_has_the_language_switch(pages: RunningPages, path: str) -> None:
    host = f"127.0.0.1:{pages.port}"
    body = page(pages, host, path, language="en-US,en").text
    assert '<html lang="vi">' in body
    switch = re.search(r'<a class="lang" href="([^"]+)" hreflang="en"', body)
    assert switch is not None
    target = html.unescape(switch.group(1))
    assert target.startswith(path.split("?")[0]) and "lang=en" in target
    assert '<html lang="en">' in page(pages, host, target).text


def test_the_tray_link_on_the_agent_host_names_the_site(pages: RunningPages) -> None:
    host = f"127.0.0.1:{pages.port}"
    body = page(pages, host, "/__baoan/blocked?site=CASINO.example.").text
    assert '<strong id="site">casino.example</strong>' in body
    assert 'name="site" value="casino.example"' in body
    # A site that is not a host name is not echoed, and no form asks for it.
    bad = page(pages, host, "/__baoan/blocked?site=%3Cscript%3Ealert(1)%3C/script%3E").text
    assert "<script" not in bad
    assert 'id="site"' not in bad
    assert 'action="/__baoan/ask"' not in bad
    assert 'href="tel:111"' in bad


def test_assets_of_a_blocked_site_get_an_empty_answer(pages: RunningPages) -> None:
    answer = raw_request(
        pages.port, "GET", "/app.js", {"Host": "casino.example", "Sec-Fetch-Dest": "script"}
    )
    assert answer.status == 403
    assert answer.body == b""


def test_pages_are_never_cached_nor_framed(pages: RunningPages) -> None:
    answer = page(pages, "casino.example")
    assert answer.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"


def test_watch_page_for_each_band(pages: RunningPages) -> None:
    for name, age in AGES.items():
        pages.runtime.child_at_pc = name
        for language in ("vi", "en"):
            body = page(pages, "127.0.0.1", f"/__baoan/watch?lang={language}").text
            words = visible_text(body)
            assert f'<html lang="{language}">' in body
            assert BY_BAND[language][band_for_age(age)]["watch_intro"] in words
            assert 'href="tel:111"' in body
            recorded = re.search(r'id="recorded">(.*?)</section>', body, re.S)
            never = re.search(r'id="not-recorded">(.*?)</section>', body, re.S)
            assert recorded and never
            never_words = html.unescape(never.group(1)).lower()
            if language == "en":
                assert "screen" in never_words and "messages" in never_words
                if age >= 6:
                    assert "key" in never_words
            else:
                assert "màn hình" in never_words and "tin nhắn" in never_words
                if age >= 6:
                    assert "phím" in never_words
            assert "30" in words  # the family's retention, in days


def test_an_approval_at_bedtime_is_explained_as_open(pages: RunningPages) -> None:
    pages.runtime.child_at_pc = "Minh"
    pages.clock.advance(timedelta(hours=10))  # Monday 22:00 in Hồ Chí Minh City: Minh's bedtime
    asked = pages.access.request_access("Minh", "vnexpress.net", "bài tập", "127.0.0.1")
    pages.access.decide(asked.id, True, 30)
    # The DNS filter lets the approved site through, and the page agrees with it ...
    words = visible_text(page(pages, "www.vnexpress.net").text)
    assert COMMON["vi"]["reason_not_blocked"] in words
    assert "Bây giờ là giờ nghỉ" not in words
    # ... while every other site keeps its bedtime explanation.
    other = visible_text(page(pages, "tuoitre.vn").text)
    assert "Bây giờ là giờ nghỉ (21:30–06:00)" in other
