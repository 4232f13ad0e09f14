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
from agent.pages.strings import BY_BAND, COMMON, WATCH
from agent.pages.watch import asks_consent, watch_words
from agent.policy.model import Caregiver, Child, FamilyPolicy, Settings
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


# -- consent from 7, by the child's own age (a band is too coarse: 6 and 7 share one) ----------


def twins(age: int) -> FamilyPolicy:
    """One child of `age`, who is also the tray's account."""
    return FamilyPolicy(
        settings=Settings(help_alerts_caregivers=True),
        children=(Child("Minh", age=age, os_users=("minh",)),),
        default_child="Minh",
        caregivers=(Caregiver("Bà ngoại", ntfy_topic="baoan-test-topic"),),
    )


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("age, asked", [(6, False), (7, True)])
def test_the_tray_asks_consent_from_seven(
    tmp_path: Path, language: str, age: int, asked: bool
) -> None:
    with running_tray_api(tmp_path, family=twins(age)) as tray:
        me = tray.call("GET", "/api/tray/me", params={"lang": language}).json()
        assert me["age_band"] == "6-10"
        notice = me["watch"]["notice"]
        assert notice["choice"] is asked
        disagree = COMMON[language]["watch_disagree"]
        assert (notice["disagree_label"] == disagree) is asked
        not_yet = {"vi": "Con chưa đồng ý", "en": "I don't agree yet"}[language]
        # What "not yet" sends leaves the PC only for a child who can say it.
        assert any(not_yet in line for line in notice["leaves"]) is asked
        if asked:
            assert notice["kept"] == COMMON[language]["watch_choice_note"]
        else:
            # Words for a 6-year-old: read it with a parent, and press "I understand".
            assert notice["kept"] == BY_BAND[language][AgeBand.AGES_6_10]["watch_ack_note"]
            assert {"vi": "cùng bố mẹ", "en": "with your parents"}[language] in notice["kept"]
            assert not_yet not in notice["kept"]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("age, asked", [(6, False), (7, True)])
def test_the_page_asks_consent_from_seven(
    tmp_path: Path, language: str, age: int, asked: bool
) -> None:
    with running_pages(tmp_path, family=twins(age)) as pages:
        pages.runtime.child_at_pc = "Minh"
        body = html.unescape(page(pages, "127.0.0.1", f"/__baoan/watch?lang={language}").text)
        choice_note = COMMON[language]["watch_choice_note"]
        six_note = BY_BAND[language][AgeBand.AGES_6_10]["watch_ack_note"]
        assert (choice_note in body) is asked
        assert (six_note in body) is not asked
        not_yet = {"vi": "Con chưa đồng ý", "en": "I don't agree yet"}[language]
        assert (not_yet in section_text(body, "leaves")) is asked


def section_text(body: str, section_id: str) -> str:
    found = re.search(rf'id="{section_id}">(.*?)</section>', body, re.S)
    assert found, f"no section {section_id}"
    return re.sub(r"<[^>]+>", " ", found.group(1))


def test_a_six_year_olds_agree_is_recorded_as_an_acknowledgement(tmp_path: Path) -> None:
    with running_tray_api(tmp_path / "six", family=twins(6)) as tray:
        answer = tray.call("POST", "/api/tray/watch", json={"language": "vi", "answer": "agree"})
        assert answer.status_code == 200 and answer.json()["answer"] == "acknowledged"
    with running_tray_api(tmp_path / "seven", family=twins(7)) as tray:
        answer = tray.call("POST", "/api/tray/watch", json={"language": "vi", "answer": "agree"})
        assert answer.status_code == 200 and answer.json()["answer"] == "agree"
