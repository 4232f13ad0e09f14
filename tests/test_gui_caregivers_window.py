"""The caregivers edited in the real window, against a real agent on random ports and the
ntfy stand-in: a caregiver added in the form (with Bảo An's access token for a server
that wants one) reaches family.toml, and their channel then really receives "send a test
alert"; a channel removed and the caregiver removed, each only when confirmed; a hand
edit made meanwhile is said, the parent's change kept and saved with "Save again"; the
agent's refusal shown in the form by the field it concerns."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from helpers_dashboard import WAIT_MS
from helpers_ntfy import NtfyStandIn, ntfy_standin
from helpers_policy_agent import (
    HAND_COMMENT,
    RunningFamily,
    running_family,
    set_first_pin,
)
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from agent.alert_delivery import ntfy_token_secret
from agent.policy import load_policy
from agent.policy.seal import strip_seal
from agent.secrets import open_secret_store
from gui.backend import PolicyProblem
from gui.caregiver_settings import NTFY_TOPIC, CaregiverEntry, EmailEntry, NtfyEntry
from gui.views.caregiver_form import CaregiverDialog
from gui.views.caregivers_view import CaregiversView
from gui.views.main_window import MainWindow

TOPIC = "baoan-ba-0a1b2c3d4e5f6a7b"
TOKEN = "tk_grandmas_server_token"


@pytest.fixture
def ntfy() -> Iterator[NtfyStandIn]:
    with ntfy_standin() as standin:
        yield standin


@pytest.fixture
def family(tmp_path: Path, ntfy: NtfyStandIn) -> Iterator[RunningFamily]:
    with running_family(tmp_path) as running:  # stopped before the stand-in
        set_first_pin(running)
        yield running


def caregivers_view(window: MainWindow, qtbot: QtBot) -> CaregiversView:
    view = window.caregivers_view
    assert view is not None
    qtbot.waitUntil(lambda: view.settings is not None, timeout=WAIT_MS)
    assert not view.add_button.isHidden()
    return view


def typed_in_the_form(qtbot: QtBot, view: CaregiversView, ntfy: NtfyStandIn) -> CaregiverEntry:
    """The parent fills the real form: a name, what she hears, the cap, the server, the
    topic and the token."""
    dialog = CaregiverDialog(None, [], view)
    qtbot.addWidget(dialog)
    form = dialog.form
    form.name_edit.setText("Bà")  # typed: keyClicks takes Latin-1 only
    for topic in ("tamper", "limit", "paused"):
        form.hears_checks[topic].setChecked(False)
    form.per_hour_spin.setValue(4)
    form.ntfy_server_edit.clear()
    qtbot.keyClicks(form.ntfy_server_edit, ntfy.url)
    qtbot.keyClicks(form.ntfy_topic_edit, TOPIC)
    qtbot.keyClicks(form.ntfy_token_edit, TOKEN)
    assert dialog.save_button().isEnabled()
    return form.entry()


def test_a_caregiver_added_in_the_window_gets_the_test_alert_and_is_removed_when_confirmed(
    qtbot: QtBot, window: MainWindow, family: RunningFamily, ntfy: NtfyStandIn
) -> None:
    ntfy.grant(TOKEN, TOPIC, write=True)  # the server wants Bảo An's token
    view = caregivers_view(window, qtbot)
    entry = typed_in_the_form(qtbot, view, ntfy)
    view.edit_caregiver = lambda current, names, draft, refused: entry
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Đã thêm Bà" in view.message_label.text(), timeout=WAIT_MS)
    [grandma] = load_policy(family.config).caregivers
    assert (grandma.name, grandma.ntfy_topic, grandma.ntfy_server) == ("Bà", TOPIC, ntfy.url)
    assert (grandma.hears, grandma.alerts_per_hour) == (("help", "adult", "requests"), 4)
    text = family.config.read_text(encoding="utf-8")
    assert HAND_COMMENT in text and TOKEN not in text
    store = open_secret_store(family.agent.settings.data_dir)
    assert store.get(ntfy_token_secret(ntfy.url)) == TOKEN
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=WAIT_MS)
    qtbot.waitUntil(view.test_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(view.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "ntfy:Bà: đã gửi" in view.result_label.text(), timeout=WAIT_MS)
    assert [m["title"] for m in ntfy.on(TOPIC)] == ["Bảo An: tin thử"]

    # An edit that takes a channel away asks first; so does removing her.
    view.select_caregiver("Bà")
    assert view.edit_button.isEnabled()
    with_mail = CaregiverEntry(
        name="Bà", email=EmailEntry("ba@example.com", "smtp.example.com:465"),
    )
    view.edit_caregiver = lambda current, names, draft, refused: with_mail
    asked: list[str] = []
    view.confirm = lambda title, question: asked.append(question) is None and False
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    assert asked and TOPIC in asked[0]
    assert load_policy(family.config).caregivers[0].ntfy_topic == TOPIC  # declined: kept
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 2 and "Bà" in asked[1]
    assert len(load_policy(family.config).caregivers) == 1
    view.confirm = lambda title, question: True
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Đã bỏ Bà" in view.message_label.text(), timeout=WAIT_MS)
    assert load_policy(family.config).caregivers == ()
    qtbot.waitUntil(lambda: view.table.rowCount() == 0, timeout=WAIT_MS)


def test_a_hand_edit_meanwhile_is_said_and_the_change_saved_again(
    qtbot: QtBot, window: MainWindow, family: RunningFamily, ntfy: NtfyStandIn
) -> None:
    view = caregivers_view(window, qtbot)
    aunt = CaregiverEntry(name="Cô", ntfy=NtfyEntry(ntfy.url, ""))
    view.edit_caregiver = lambda current, names, draft, refused: aunt
    family.config.write_text(
        strip_seal(family.config.read_text(encoding="utf-8")).replace(
            HAND_COMMENT, HAND_COMMENT + "\n# a hand edit", 1),
        encoding="utf-8",
    )
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.save_again_button.isHidden(), timeout=WAIT_MS)
    qtbot.waitUntil(view.save_again_button.isEnabled, timeout=WAIT_MS)  # read again
    assert "thay đổi ở nơi khác" in view.message_label.text()
    assert load_policy(family.config).caregivers == ()  # nothing overwritten
    assert view.pending == (None, aunt)  # the parent's change is not lost
    qtbot.mouseClick(view.save_again_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Đã thêm Cô" in view.message_label.text(), timeout=WAIT_MS)
    [saved] = load_policy(family.config).caregivers
    assert saved.name == "Cô" and (saved.ntfy_topic or "").startswith("baoan-")
    assert "# a hand edit" in family.config.read_text(encoding="utf-8")
    assert view.save_again_button.isHidden()


def test_the_agents_refusal_is_shown_in_the_form_by_its_field(
    qtbot: QtBot, window: MainWindow, family: RunningFamily, ntfy: NtfyStandIn
) -> None:
    view = caregivers_view(window, qtbot)
    # A form from before (the checks as typed passed over): the agent has the last word.
    short = CaregiverEntry(name="Cô", ntfy=NtfyEntry(ntfy.url, "co-short"))
    shown: list[tuple[CaregiverEntry | None, Sequence[PolicyProblem]]] = []

    def editor(
        current: CaregiverEntry | None, names: Sequence[str], draft: CaregiverEntry | None,
        refused: Sequence[PolicyProblem],
    ) -> CaregiverEntry | None:
        if draft is None:
            return short
        shown.append((draft, refused))
        return None  # the parent cancels

    view.edit_caregiver = editor
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT_MS)
    [(draft, refused)] = shown
    assert draft == short and [p.path for p in refused] == ["caregivers[0].ntfy_topic"]
    dialog = CaregiverDialog(None, [], view, draft=draft, refused=refused)
    qtbot.addWidget(dialog)
    label = dialog.form.problem_labels[NTFY_TOPIC]
    assert label.isVisibleTo(dialog) and '"co-short"' in label.text()
    assert load_policy(family.config).caregivers == ()
