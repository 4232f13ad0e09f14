""""What Bảo An watches" lists what reaches the caregivers, in words for the child's age, in
Vietnamese and English: the PC's name, the dead-man signal, the answers to requests and
each kind of alert (and that no browsing history goes with them)."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import pytest
from helpers_pages import AGES, make_family, page, running_pages

from agent.pages.i18n import AgeBand, band_for_age
from agent.pages.watch import SENT_TO_CAREGIVERS, watch_words
from agent.store.models import RetentionPolicy

# What each band is told, in its own words: the PC's name, the signal, the answers, kinds.
TOLD = {
    "vi": {
        AgeBand.UNDER_6: ("Máy Phòng-khách", "mười phút", "không dành cho trẻ em", "hết giờ"),
        AgeBand.AGES_6_10: ("Phòng-khách", "Bảo An vẫn chạy", "câu trả lời", "trang người lớn",
                            "hết giờ", "tạm dừng"),
        AgeBand.AGES_11_14: ("Phòng-khách", "Bảo An vẫn chạy", "Câu trả lời",
                             "trang người lớn", "hết giờ", "tạm dừng", "nới lỏng"),
        AgeBand.AGES_15_17: ("Phòng-khách", "Bảo An vẫn chạy", "Câu trả lời",
                             "lịch sử duyệt web", "hết giờ", "tạm dừng", "nới lỏng"),
    },
    "en": {
        AgeBand.UNDER_6: ("Phòng-khách", "ten minutes", "not for children", "time is up"),
        AgeBand.AGES_6_10: ("Phòng-khách", "still on", "the answer", "grown-up page",
                            "used up", "paused"),
        AgeBand.AGES_11_14: ("Phòng-khách", "still on", "The answer", "adult page",
                             "used up", "paused", "loosened"),
        AgeBand.AGES_15_17: ("Phòng-khách", "still on", "The answer", "browsing history",
                             "used up", "paused", "loosened"),
    },
}


def leaves_section(body: str) -> str:
    found = re.search(r'id="leaves">(.*?)</section>', body, re.S)
    assert found, "no section leaves"
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_page_lists_what_reaches_the_caregivers_for_each_age(
    tmp_path: Path, language: str
) -> None:
    family = dataclasses.replace(make_family(), pc_name="Phòng-khách")
    with running_pages(tmp_path, family=family) as pages:
        for name, age in AGES.items():
            pages.runtime.child_at_pc = name
            body = page(pages, "127.0.0.1", f"/__baoan/watch?lang={language}").text
            leaves = leaves_section(body)
            for words in TOLD[language][band_for_age(age)]:
                assert words in leaves, (name, words)


def test_every_band_has_the_list_in_both_languages_and_without_a_name_says_this_pc() -> None:
    for language in ("vi", "en"):
        assert set(SENT_TO_CAREGIVERS[language]) == set(AgeBand)
        for band in AgeBand:
            words = watch_words(language, band, RetentionPolicy())
            joined = " ".join(words.leaves)
            assert "{pc}" not in joined
            assert {"vi": "máy", "en": "computer"}[language] in joined.lower()
            if band is not AgeBand.UNDER_6:  # the closing line stays the last one
                assert words.leaves[-1] == watch_words(
                    language, band, RetentionPolicy(), consent=False
                ).leaves[-1]
