"""The caregivers edited in Settings. Without widgets: the checks as typed, in Vietnamese
and English; the agent's refusals put by their field; what an edit loses; the ticked
kinds as ``hears``; the controller's save, stale edit and refusal over a backend that
answers as the agent does. Then the form itself with the keyboard."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gui.backend import PolicyConflictError, PolicyProblem, PolicyRefusedError
from gui.caregiver_settings import (
    APPRISE,
    CHANNELS,
    EMAIL,
    FORM,
    HEARS,
    NAME,
    NTFY_SERVER,
    NTFY_TOPIC,
    PER_HOUR,
    SMTP,
    SMTP_USER,
    AppriseEntry,
    CaregiverEntry,
    CaregiverList,
    CaregiverSettingsController,
    CaregiverWords,
    EmailEntry,
    NtfyEntry,
    field_of,
    problems_by_field,
    with_hears,
)
from gui.i18n import Translations
from gui.views.caregiver_form import CaregiverDialog
from gui.workers import ApiRunner

TOPIC = "baoan-ba-0a1b2c3d4e5f6a7b"
GRANDMA = CaregiverEntry(
    name="Bà", hears=("help", "adult"), alerts_per_hour=5,
    ntfy=NtfyEntry("https://ntfy.example.org", TOPIC, token_set=True),
    email=EmailEntry("ba@example.com", "smtp.example.com:465", "baoan@example.com", True),
)


def test_the_checks_as_typed_in_vietnamese(vietnamese: Translations) -> None:
    words = CaregiverWords()
    assert words.check(GRANDMA, ["Mẹ"], GRANDMA) == {}
    found = words.check(
        CaregiverEntry(name="mẹ", alerts_per_hour=0, ntfy=NtfyEntry("ntfy.sh", "ab")),
        ["Mẹ"],
    )
    assert set(found) == {NAME, PER_HOUR, NTFY_SERVER, NTFY_TOPIC}
    assert found[NAME] == "mẹ đã là người thân nhận cảnh báo."
    assert "16" in found[NTFY_TOPIC]
    assert words.check(CaregiverEntry(name="Cô"))[CHANNELS].startswith("Hãy chọn")


def test_the_checks_in_english_and_each_channel(english: Translations) -> None:
    words = CaregiverWords()
    assert words.check(CaregiverEntry(name=""), [])[NAME] == "Type the caregiver's name."
    email = CaregiverEntry(name="Bà", email=EmailEntry("ba@", "smtp.example.com", "",
                                                       password="secret"))
    assert set(words.check(email)) == {EMAIL, SMTP, SMTP_USER}
    no_server = CaregiverEntry(name="Bà", email=EmailEntry("ba@example.com"))
    assert "mail server" in words.check(no_server)[SMTP]
    assert words.check(CaregiverEntry(name="Cô", apprise=AppriseEntry()))[APPRISE].startswith(
        "Paste the Apprise URL")
    assert words.check(CaregiverEntry(name="Cô", apprise=AppriseEntry(url="discord")))
    assert not words.check(CaregiverEntry(name="Cô", apprise=AppriseEntry(url_set=True)))
    # An empty topic is Bảo An's to make; a short one the file had already is kept.
    assert not words.check(CaregiverEntry(name="Cô", ntfy=NtfyEntry(topic="")))
    short = CaregiverEntry(name="Cô", ntfy=NtfyEntry(topic="co-topic"))
    assert NTFY_TOPIC in words.check(short)
    assert not words.check(short, old=short)
    assert words.check(CaregiverEntry(name="Cô", ntfy=NtfyEntry(topic="có dấu")))[
        NTFY_TOPIC].startswith("A topic has only letters")


def test_the_agents_refusals_go_by_their_field(english: Translations) -> None:
    assert field_of("caregivers[3].email") == EMAIL
    assert field_of("caregivers[0].hears[1]") == HEARS
    assert field_of("caregivers[0].ntfy_topic") == NTFY_TOPIC
    assert field_of("caregivers[0]") == CHANNELS
    assert field_of("caregivers[0].quiet_hours.start") == FORM
    assert field_of("children[0].deny[1]") == FORM
    problem = PolicyProblem("caregivers[0].email", "an email address", '"ba@"')
    assert problems_by_field([problem]) == {EMAIL: [problem]}
    assert CaregiverWords().refusal(problem) == 'Bảo An expects an email address; it got "ba@".'


def test_what_an_edit_loses_and_what_they_hear(vietnamese: Translations) -> None:
    words = CaregiverWords()
    fewer = replace(GRANDMA, email=None, apprise=None)
    assert words.lost(GRANDMA, fewer) == ["email gửi đến ba@example.com"]
    assert words.lost(GRANDMA, GRANDMA) == []
    every = {topic: True for topic in ("adult", "tamper", "limit", "requests", "paused")}
    assert with_hears(GRANDMA, every).hears == ()  # every kind: every alert, new ones too
    assert with_hears(GRANDMA, {"adult": True}).hears == ("help", "adult")
    assert with_hears(GRANDMA, {}).hears == ("help",)


class FakeBackend:
    """Answers as the agent's caregivers' settings endpoints do."""

    def __init__(self) -> None:
        self.list = CaregiverList('"1"', (GRANDMA,))
        self.fail_next: Exception | None = None
        self.saved: list[tuple[str, str, object]] = []

    def caregiver_settings(self, token: str) -> CaregiverList:
        return self.list

    def _edit(self, etag: str, what: str, entry: object, caregivers: tuple[CaregiverEntry, ...]
              ) -> CaregiverList:
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            if isinstance(error, PolicyConflictError):
                self.list = CaregiverList('"2"', self.list.caregivers)
            raise error
        assert etag == self.list.etag
        self.saved.append((etag, what, entry))
        self.list = CaregiverList(f'"{len(self.saved) + 2}"', caregivers)
        return self.list

    def add_caregiver(self, token: str, etag: str, entry: CaregiverEntry) -> CaregiverList:
        return self._edit(etag, "add", entry, (*self.list.caregivers, entry))

    def update_caregiver(
        self, token: str, etag: str, name: str, entry: CaregiverEntry
    ) -> CaregiverList:
        kept = tuple(c for c in self.list.caregivers if c.name != name)
        return self._edit(etag, "update", entry, (*kept, entry))

    def remove_caregiver(self, token: str, etag: str, name: str) -> CaregiverList:
        kept = tuple(c for c in self.list.caregivers if c.name != name)
        return self._edit(etag, "remove", name, kept)


def test_the_controller_saves_and_a_stale_edit_reads_the_list_again(qtbot: QtBot) -> None:
    backend = FakeBackend()
    runner = ApiRunner(backend)  # type: ignore[arg-type]
    failures: list[object] = []
    controller = CaregiverSettingsController(runner, lambda: "parent", failures.append)
    assert controller.supported
    with qtbot.waitSignal(controller.loaded, timeout=5000):
        controller.load()
    aunt = CaregiverEntry(name="Cô", ntfy=NtfyEntry(topic=""))
    with qtbot.waitSignal(controller.saved, timeout=5000) as saved:
        controller.add(aunt)
    assert saved.args == ["added", "Cô"]
    assert controller.caregivers is not None and controller.caregivers.find("cô") == aunt
    backend.fail_next = PolicyConflictError()
    with qtbot.waitSignals([controller.save_conflict, controller.loaded], timeout=5000):
        controller.remove("Bà")
    assert controller.caregivers is not None and controller.caregivers.etag == '"2"'
    with qtbot.waitSignal(controller.saved, timeout=5000):
        controller.remove("Bà")  # again, over the version read since
    assert backend.saved[-1] == ('"2"', "remove", "Bà")
    problem = PolicyProblem("caregivers[1].email", "an email address", '"x"')
    backend.fail_next = PolicyRefusedError((problem,))
    with qtbot.waitSignal(controller.save_refused, timeout=5000) as refused:
        controller.update("Cô", aunt)
    assert refused.args == [(problem,)]
    assert failures == []
    runner.shutdown()


def test_the_form_with_the_keyboard_and_its_problems_as_typed(
    qtbot: QtBot, english: Translations
) -> None:
    dialog = CaregiverDialog(None, ["Mẹ"])
    qtbot.addWidget(dialog)
    dialog.show()
    form = dialog.form
    assert not dialog.save_button().isEnabled()  # no name yet
    form.name_edit.setFocus()
    qtbot.keyClicks(form.name_edit, "Co Lan")
    assert form.hears_checks["help"].isChecked() and not form.hears_checks["help"].isEnabled()
    # Tab walks the form: the kinds heard, the cap, then ntfy's server.
    seen = []
    for _ in range(12):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        seen.append(dialog.focusWidget())
    assert form.hears_checks["adult"] in seen and form.per_hour_spin in seen
    assert form.ntfy_server_edit in seen and form.ntfy_topic_edit in seen
    form.hears_checks["tamper"].setChecked(False)
    form.ntfy_topic_edit.setText("short")
    assert form.problem_labels[NTFY_TOPIC].isVisibleTo(dialog)
    assert not dialog.save_button().isEnabled()
    form.ntfy_topic_edit.clear()
    form.ntfy_token_edit.setText("tk_secret")
    assert form.ntfy_token_edit.echoMode() == form.ntfy_token_edit.EchoMode.Password
    form.email_box.setChecked(True)
    assert not dialog.save_button().isEnabled()  # the email's fields are empty
    form.email_box.setChecked(False)
    assert dialog.save_button().isEnabled()
    entry = form.entry()
    assert entry.name == "Co Lan" and entry.ntfy == NtfyEntry(topic="", token="tk_secret")
    assert "tamper" not in entry.hears and "help" in entry.hears
    for control in (form.name_edit, form.per_hour_spin, form.ntfy_topic_edit,
                    form.ntfy_token_edit, form.smtp_password_edit, form.apprise_edit,
                    *form.hears_checks.values()):
        assert control.accessibleName(), control.objectName()


def test_the_form_shows_the_agents_refusal_by_its_field(
    qtbot: QtBot, vietnamese: Translations
) -> None:
    draft = CaregiverEntry(name="Bà", email=EmailEntry("ba@x", "smtp.example.com:465"))
    problem = PolicyProblem("caregivers[0].email", "an email address", '"ba@x"')
    dialog = CaregiverDialog(None, [], draft=draft, refused=[problem])
    qtbot.addWidget(dialog)
    label = dialog.form.problem_labels[EMAIL]
    assert label.isVisibleTo(dialog) and "an email address" in label.text()
    assert label.text().startswith("Bảo An cần")
    assert dialog.form.email_edit.accessibleDescription() == label.text()
    assert dialog.form.email_edit.text() == "ba@x"  # what the parent typed, kept
    dialog.form.email_edit.setText("ba@example.com")
    assert not label.isVisibleTo(dialog)


def test_a_caregiver_edit_is_worded_as_an_event(vietnamese: Translations) -> None:
    from gui.event_words import edit_phrase

    assert edit_phrase({"field": "caregiver", "change": "added", "value": "Bà"}) == (
        "thêm Bà vào những người thân nhận cảnh báo")
    assert edit_phrase({"field": "caregiver", "change": "removed", "value": "Bà"}) == (
        "bỏ Bà khỏi những người thân nhận cảnh báo")
    assert edit_phrase({"field": "caregiver", "change": "changed", "value": "Bà"}) == (
        "đổi cách Bà nhận cảnh báo")
