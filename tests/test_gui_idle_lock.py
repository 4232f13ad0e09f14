"""The dashboard locks itself after minutes unused (here: a second), and a key pressed or
a click keeps it open; the session ends on the agent too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_policy_agent import PARENT_PIN, RunningFamily, running_family, set_first_pin
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from agent.api.client import ApiClient, UnauthorizedError
from gui.api_backend import ApiBackend
from gui.app import build_main_window
from gui.i18n import Translations
from gui.views.main_window import MainWindow

WAIT_MS = 15_000
IDLE_MS = 1_500


@pytest.fixture
def family(tmp_path: Path) -> Iterator[RunningFamily]:
    with running_family(tmp_path) as running:
        set_first_pin(running)
        yield running


@pytest.fixture
def window(qtbot: QtBot, qapp: object, family: RunningFamily) -> Iterator[MainWindow]:
    backend = ApiBackend(family.url, timeout=30.0)
    translations = Translations(qapp)  # type: ignore[arg-type]
    made = build_main_window(
        backend, agent_address=family.url, language="vi", translations=translations,
        refresh_ms=60_000, idle_lock_ms=IDLE_MS,
    )
    qtbot.addWidget(made)
    made.show()
    yield made
    made.close()
    backend.close()
    translations.remove()


def login(qtbot: QtBot, window: MainWindow) -> None:
    page = window.login_page
    qtbot.waitUntil(page.pin_edit.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(window.controller.login_succeeded, timeout=WAIT_MS):
        qtbot.keyClicks(page.pin_edit, PARENT_PIN)
        qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)


def test_the_dashboard_locks_itself_when_unused(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    login(qtbot, window)
    token = window.controller.parent_token()
    assert window.showing_parent_page()
    # Used now and then: it stays open past the idle time.
    for _ in range(4):
        qtbot.wait(IDLE_MS // 2)
        qtbot.keyClick(window.parent_page.tabs, Qt.Key.Key_Right)
    assert window.showing_parent_page()
    # Left alone: it locks, says why, and the session is over on the agent too.
    with qtbot.waitSignal(window.controller.idle_locked, timeout=WAIT_MS):
        pass
    qtbot.waitUntil(lambda: not window.showing_parent_page(), timeout=WAIT_MS)
    assert "không được dùng trong vài phút" in window.status_label.text()
    assert window.parent_page.children_model.rowCount() == 0

    def session_closed() -> bool:
        try:
            ApiClient(family.url, token=token).children()
        except UnauthorizedError:
            return True
        return False

    qtbot.waitUntil(session_closed, timeout=WAIT_MS)
