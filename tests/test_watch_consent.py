""""What Bảo An watches", true and for each age, and a real choice from 7: each record's
own retention read from the store, what leaves the PC and to whom, who sees what, how to
see or delete it; "agree" or "not yet, let's talk" recorded with the child's own key,
telling the parents, with protection on either way."""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_pages import AGES, RunningPages, page, running_pages
from helpers_tray import TrayApi, running_tray_api

from agent.access import InvalidInputError
from agent.pages.i18n import AgeBand, band_for_age
from agent.pages.strings import COMMON, WATCH
from agent.pages.watch import asks_consent, watch_words
from agent.store.models import RetentionPolicy

RETENTION = RetentionPolicy(
    query_log_days=21, usage_days=123, events_days=77, access_requests_days=45
)


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[RunningPages]:
    with running_pages(tmp_path) as running:
        running.store.database.set_retention(RETENTION)
        yield running


def section(body: str, section_id: str) -> str:
    found = re.search(rf'id="{section_id}">(.*?)</section>', body, re.S)
    assert found, f"no section {section_id}"
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_page_tells_each_band_the_truth(pages: RunningPages, language: str) -> None:
    for name, age in AGES.items():
        band = band_for_age(age)
        pages.runtime.child_at_pc = name
        body = page(pages, "127.0.0.1", f"/__baoan/watch?lang={language}").text
        recorded = section(body, "recorded")
        # The store's own retention, not one number for everything.
        assert "21" in recorded and "123" in recorded
        if band is not AgeBand.UNDER_6:
            assert "45" in recorded and "77" in recorded
        # What leaves the PC and to whom; who sees what (caregivers too, at every age).
        leaves = section(body, "leaves")
        assert leaves.strip()
        who = section(body, "who")
        family = {"vi": "người thân", "en": "family"}[language]
        assert family in who.lower() or family in leaves.lower()
        if band is not AgeBand.UNDER_6:
            written = {"vi": "lời con viết", "en": "what you wrote"}[language]
            assert written in leaves
        # Every child is told how to see or delete their records.
        rights = section(body, "rights")
        assert {"vi": "xóa", "en": "delete"}[language] in rights
        # From 7, a real choice; the youngest acknowledge with a parent.
        note_key = "watch_choice_note" if asks_consent(age) else "watch_ack_note"
        assert html.escape(COMMON[language][note_key], quote=True) in body
        assert "30 days" not in body and "30 ngày" not in body


def test_the_words_fill_every_days_placeholder() -> None:
    for language in ("vi", "en"):
        for band in AgeBand:
            words = watch_words(language, band, RETENTION)
            for item in (*words.recorded, *words.leaves, *words.who, words.rights):
                assert "{" not in item, item
            assert len(WATCH[language][band]) == 5


def test_consent_is_asked_from_seven_by_the_childs_own_age() -> None:
    assert not asks_consent(4) and not asks_consent(5) and not asks_consent(6)
    assert all(asks_consent(age) for age in range(7, 18))
    # Both 6 and 7 are in the 6–10 band: the band alone cannot tell them apart.
    assert band_for_age(6) is band_for_age(7) is AgeBand.AGES_6_10


@pytest.fixture
def tray(tmp_path: Path) -> Iterator[TrayApi]:
    with running_tray_api(tmp_path) as running:
        yield running


def test_the_tray_notice_offers_the_choice_and_the_true_retention(tray: TrayApi) -> None:
    notice = tray.call("GET", "/api/tray/me").json()["watch"]["notice"]  # Minh, 9
    assert notice["choice"] is True
    assert notice["agree_label"] == "Con đồng ý"
    assert notice["disagree_label"] == "Con chưa đồng ý / con muốn nói chuyện với bố mẹ"
    retention = tray.access.retention()
    joined = " ".join(notice["recorded"])
    for days in (retention.query_log_days, retention.usage_days, retention.events_days):
        assert f"{days} ngày" in joined
    assert notice["leaves"] and notice["rights"]


@pytest.mark.parametrize("answer", ["agree", "disagree"])
def test_the_answer_is_recorded_with_the_childs_own_key(tray: TrayApi, answer: str) -> None:
    response = tray.call("POST", "/api/tray/watch", json={"language": "en", "answer": answer})
    assert response.status_code == 200, response.text
    assert response.json()["child"] == "Minh" and response.json()["answer"] == answer
    ack = tray.access.watch_acknowledgement("Minh")
    assert ack is not None and ack.answer == answer and ack.current
    assert tray.access.watch_acknowledgement("Lan") is None
    disagreed = tray.store.events.recent(kind="watch_disagreed")
    agreed = tray.store.events.recent(kind="watch_acknowledged")
    if answer == "disagree":
        assert [event.child for event in disagreed] == ["Minh"] and not agreed
        assert tray.store.outbox.pending_count() == 1  # the caregivers are told
    else:
        assert [event.child for event in agreed] == ["Minh"] and not disagreed
        assert tray.store.outbox.pending_count() == 0
    bad = tray.call("POST", "/api/tray/watch", json={"language": "vi", "answer": "maybe"})
    assert bad.status_code == 400


def test_not_agreeing_keeps_protection_on(tmp_path: Path) -> None:
    with running_pages(tmp_path) as pages:
        pages.access.acknowledge_watch("Lan", "vi", "disagree")
        pages.runtime.child_at_pc = "Lan"
        assert page(pages, "casino.example").status == 403  # still blocked
        with pytest.raises(InvalidInputError):
            pages.access.acknowledge_watch("Lan", "vi", "whatever")


def test_an_old_acknowledgement_asks_again(tmp_path: Path) -> None:
    with running_pages(tmp_path) as pages:
        ack = pages.access.acknowledge_watch("Minh")
        pages.store.kv.set(
            "watch_ack:minh",
            {"child": "Minh", "at": ack.acknowledged_at.isoformat(), "version": 1},
            now=ack.acknowledged_at,
        )
        old = pages.access.watch_acknowledgement("Minh")
        assert old is not None and not old.current and old.answer == "acknowledged"
        info = dataclasses.asdict(old.info())
        assert info["answer"] == "acknowledged"


def test_the_dashboard_shows_each_childs_answer(tmp_path: Path) -> None:
    from gui.api_backend import ApiBackend

    with running_pages(tmp_path) as pages:
        pages.access.acknowledge_watch("Lan", "vi", "disagree")
        backend = ApiBackend(pages.url)
        try:
            children = {child.name: child for child in backend.children(pages.parent_token)}
        finally:
            backend.close()
        assert children["Lan"].watch_answer == "disagree"
        assert children["Minh"].watch_answer is None
