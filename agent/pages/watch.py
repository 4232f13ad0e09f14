""""What Bảo An watches", made true for one child: each kind of record with the store's own
retention, what leaves the PC and to whom, who can see what, and how to see or delete it.

The pages and the tray show the same words (`watch_words`), so the notice a child agrees
to in the tray is the page they can open any time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from agent.access import CONSENT_AGE
from agent.pages.i18n import AgeBand
from agent.pages.strings import WATCH, WATCH_CONSENT_LEAVES
from agent.store.models import RetentionPolicy

U6, B6, B11, B15 = AgeBand.UNDER_6, AgeBand.AGES_6_10, AgeBand.AGES_11_14, AgeBand.AGES_15_17

# What else reaches the caregivers (docs/alerts.md): the PC's name on every message, the
# dead-man signal, the answers to requests, and each kind of alert with what it carries.
# `{pc}` is the PC's name. Shown before the closing "apart from those messages" line.
SENT_TO_CAREGIVERS: Mapping[str, Mapping[AgeBand, tuple[str, ...]]] = {
    "vi": {
        U6: (
            "Khi con gặp trang không dành cho trẻ em, hay hết giờ dùng máy, bố mẹ nhận tin báo.",
            "Máy {pc} cứ mười phút lại báo cho bố mẹ rằng Bảo An vẫn đang chạy.",
        ),
        B6: (
            "Mỗi tin báo có tên máy này ({pc}), để người thân biết tin đến từ máy nào.",
            "Người thân nhận tin báo khi con định mở trang người lớn (tên trang bị chặn và "
            "số trang, không có các trang khác con mở), khi con dùng hết giờ máy hôm nay, "
            "và khi Bảo An bị tạm dừng hay luật được nới lỏng.",
            "Khi bố mẹ trả lời yêu cầu của con bằng điện thoại, người thân nhận câu trả lời: "
            "cho phép hay không, và bao lâu.",
            "Cứ 10 phút, máy {pc} gửi một tín hiệu “Bảo An vẫn chạy” (chỉ có tên máy). Khi "
            "tín hiệu ngừng, người thân biết máy đã tắt hay Bảo An bị dừng.",
        ),
        B11: (
            "Mỗi tin báo ghi tên máy này ({pc}).",
            "Tin báo về trang người lớn bị chặn: tên con, trang đầu tiên bị chặn và số tên "
            "miền bị chặn cùng lúc — không bao giờ danh sách các trang con đã mở.",
            "Tin báo khi con dùng hết giờ máy hôm nay, khi Bảo An bị tạm dừng, và khi luật "
            "được nới lỏng.",
            "Câu trả lời cho yêu cầu của con khi bố mẹ trả lời bằng điện thoại (cho phép "
            "hay không, trong bao lâu).",
            "Tín hiệu “Bảo An vẫn chạy” mỗi 10 phút, chỉ có tên máy {pc}: nếu nó ngừng 30 "
            "phút, người thân biết máy đã tắt, mất mạng hay Bảo An bị dừng.",
        ),
        B15: (
            "Mỗi tin báo ghi tên máy này ({pc}).",
            "Tin báo về trang người lớn bị chặn: tên con, trang đầu tiên bị chặn và số tên "
            "miền bị chặn cùng lúc — không bao giờ lịch sử duyệt web.",
            "Tin báo khi con dùng hết giờ máy trong ngày, khi Bảo An bị tạm dừng, và khi "
            "luật được nới lỏng.",
            "Câu trả lời cho yêu cầu của con khi bố mẹ trả lời bằng điện thoại (cho phép "
            "hay không, trong bao lâu).",
            "Tín hiệu “Bảo An vẫn chạy” mỗi 10 phút, chỉ có tên máy {pc}: nếu nó ngừng 30 "
            "phút, người thân biết máy đã tắt, mất mạng hay Bảo An bị dừng.",
        ),
    },
    "en": {
        U6: (
            "When you meet a page that is not for children, or your computer time is up, "
            "your parents get a message.",
            "Every ten minutes, {pc} tells your parents that Bảo An is still on.",
        ),
        B6: (
            "Every message has this computer's name ({pc}), so your family knows where it "
            "came from.",
            "Your family gets a message when you try to open a grown-up page (the blocked "
            "page and how many, not the other pages you open), when your computer time for "
            "today is used up, and when Bảo An is paused or the rules are loosened.",
            "When your parents answer your request on their phone, your family gets the "
            "answer: yes or no, and for how long.",
            "Every 10 minutes {pc} sends a “Bảo An is still on” signal (only the computer's "
            "name). When it stops, your family knows the computer is off or Bảo An was "
            "stopped.",
        ),
        B11: (
            "Every message names this computer ({pc}).",
            "A message about a blocked adult page: your name, the first page blocked and "
            "how many names were blocked with it — never a list of the pages you opened.",
            "A message when today's computer time is used up, when Bảo An is paused, and "
            "when the rules are loosened.",
            "The answer to your request when your parents answer on their phone (yes or "
            "no, and for how long).",
            "A “Bảo An is still on” signal every 10 minutes, with only the name {pc}: if it "
            "stops for 30 minutes, your family knows the computer is off, offline or Bảo An "
            "was stopped.",
        ),
        B15: (
            "Every message names this computer ({pc}).",
            "A message about a blocked adult page: your name, the first page blocked and "
            "how many names were blocked with it — never your browsing history.",
            "A message when the day's computer time is used up, when Bảo An is paused, and "
            "when the rules are loosened.",
            "The answer to your request when your parents answer on their phone (yes or "
            "no, and for how long).",
            "A “Bảo An is still on” signal every 10 minutes, with only the name {pc}: if it "
            "stops for 30 minutes, your family knows the computer is off, offline or Bảo An "
            "was stopped.",
        ),
    },
}
THIS_PC = {"vi": "máy này", "en": "this computer"}


@dataclass(frozen=True)
class WatchWords:
    recorded: tuple[str, ...]
    not_recorded: tuple[str, ...]
    leaves: tuple[str, ...]  # what leaves the PC, and to whom
    who: tuple[str, ...]
    rights: str  # how to see or delete the records




def asks_consent(age: int | None) -> bool:
    """Whether the child answers for themselves — "agree", or "not yet, I want to talk
    with my parents" — rather than acknowledge it: from 7, by the child's own age (a band
    is too coarse: a 6-year-old is in the 6–10 band). A child of unknown age is asked, as
    the band they are spoken to in (6–10) mostly is."""
    return age is None or age >= CONSENT_AGE


def watch_words(
    language: str,
    band: AgeBand,
    retention: RetentionPolicy,
    *,
    consent: bool = True,
    pc: str | None = None,
) -> WatchWords:
    """The notice for `band` in `language`, with the store's retention filled in. With
    `consent` (:func:`asks_consent`), what "not yet" sends is among what leaves the PC;
    `pc` is the PC's name as the caregivers see it."""
    recorded, not_recorded, leaves, who, rights = WATCH.get(language, WATCH["vi"])[band]
    consent_line = WATCH_CONSENT_LEAVES.get(language, WATCH_CONSENT_LEAVES["vi"]).get(band)
    name = pc or THIS_PC.get(language, THIS_PC["vi"])
    sent = tuple(
        line.format(pc=name)
        for line in SENT_TO_CAREGIVERS.get(language, SENT_TO_CAREGIVERS["vi"])[band]
    )
    extra = (consent_line,) if consent and consent_line else ()
    # Before the closing "apart from those messages, nothing leaves".
    leaves = (*leaves[:-1], *sent, *extra, *leaves[-1:])
    days = {
        "query_log_days": retention.query_log_days,
        "usage_days": retention.usage_days,
        "requests_days": retention.access_requests_days,
        "events_days": retention.events_days,
    }
    return WatchWords(
        recorded=tuple(item.format(**days) for item in recorded),
        not_recorded=not_recorded,
        leaves=leaves,
        who=who,
        rights=rights,
    )
