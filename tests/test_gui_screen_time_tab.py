"""The Screen time tab against a real agent on random ports: extra minutes given in the
window raise the child's time left at once, on the screen and in the usage API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_policy_agent import PARENT_PIN, RunningFamily, running_family, set_first_pin
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from agent.api.client import ApiClient
from gui.api_backend import ApiBackend
from gui.app import build_main_window
from gui.backend import TimeLeft
from gui.i18n import Translations
from gui.views.main_window import MainWindow
from gui.views.screen_time_tab import ScreenTimeTab

WAIT_MS = 15_000


@pytest.fixture
def family(tmp_path: Path) -> Iterator[RunningFamily]:
    with running_family(tmp_path) as running:
        set_first_pin(running)
        yield running


@pytest.fixture
def window(qtbot: QtBot, qapp: object, family: RunningFamily) -> Iterator[MainWindow]:
    backend = ApiBackend(family.url, timeout=5.0)
    translations = Translations(qapp)  # type: ignore[arg-type]
    made = build_main_window(
        backend, agent_address=family.url, language="vi", translations=translations,
        refresh_ms=60_000,
    )
    qtbot.addWidget(made)
    made.show()
    page = made.login_page
    qtbot.waitUntil(page.pin_edit.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(made.controller.login_succeeded, timeout=WAIT_MS):
        qtbot.keyClicks(page.pin_edit, PARENT_PIN)
        qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
    yield made
    made.close()
    backend.close()
    translations.remove()


def screen_time_tab(qtbot: QtBot, window: MainWindow) -> ScreenTimeTab:
    tab = window.parent_page.screen_time_tab
    window.parent_page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.save_button.isEnabled(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Hôm nay còn" in tab.time_left_label.text(), timeout=WAIT_MS)
    return tab


def seconds_left(family: RunningFamily, child: str) -> int | None:
    with ApiClient(family.url) as client:
        client.token = client.open_session(PARENT_PIN).token
        today = client.usage_today()
    return next(item.seconds_left for item in today.details if item.child == child)


def test_extra_minutes_given_in_the_window_raise_the_time_left(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    tab = screen_time_tab(qtbot, window)
    before = seconds_left(family, "An")
    assert before is not None
    tab.extra_spin.setFocus()
    tab.extra_spin.selectAll()
    qtbot.keyClicks(tab.extra_spin, "45")
    assert tab.extra_spin.value() == 45
    with qtbot.waitSignal(window.screen_time.time_left_changed, timeout=WAIT_MS) as shown:  # type: ignore[union-attr]
        qtbot.mouseClick(tab.extra_button, Qt.MouseButton.LeftButton)

    left = shown.args[0]
    assert isinstance(left, TimeLeft) and left.child == "An" and left.extra_minutes == 45
    after = seconds_left(family, "An")
    assert after is not None and after - before >= 45 * 60 - 60
    assert "Thêm hôm nay: 45 phút" in tab.time_left_label.text()
    assert tab.extra_button.isEnabled()  # the parent may give more again


def test_the_extra_time_box_in_english(qtbot: QtBot, window: MainWindow) -> None:
    tab = screen_time_tab(qtbot, window)
    window.language_box.setCurrentIndex(window.language_box.findData("en"))
    qtbot.waitUntil(lambda: tab.extra_button.text() == "Give extra minutes now", timeout=WAIT_MS)
    assert tab.extra_box.title() == "Extra time today"
    assert tab.time_left_label.text().startswith("Time left today: ")


def test_a_service_limit_added_in_the_window_reaches_the_usage_rules(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    from agent.policy.compile import compile_screen_time
    from agent.policy.loader import load_policy

    tab = screen_time_tab(qtbot, window)
    combo = tab.limit_target_combo
    qtbot.waitUntil(lambda: combo.findData("service:youtube") >= 0, timeout=WAIT_MS)
    assert [row.target for row in tab.limits_model.rows()] == ["games"]  # the preset's
    combo.setCurrentIndex(combo.findData("service:youtube"))
    tab.limit_minutes_spin.setValue(25)
    qtbot.mouseClick(tab.limit_add_button, Qt.MouseButton.LeftButton)
    combo.setCurrentIndex(combo.findData("category:games"))
    tab.limit_minutes_spin.setValue(90)
    qtbot.mouseClick(tab.limit_add_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.screen_time.limits_saved, timeout=WAIT_MS):  # type: ignore[union-attr]
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)

    text = family.config.read_text(encoding="utf-8")
    assert "youtube = 25" in text and "games = 90" in text
    rules = compile_screen_time(load_policy(family.config))["An"]
    assert rules.service_minutes["youtube"] == 25 and rules.category_minutes["games"] == 90
    assert [(row.target, row.minutes) for row in tab.limits_model.rows()] == [
        ("games", 90), ("youtube", 25)
    ]
    # Removing the service's limit saves too.
    tab.limits_view.selectRow(1)
    qtbot.mouseClick(tab.limit_remove_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.screen_time.limits_saved, timeout=WAIT_MS):  # type: ignore[union-attr]
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    rules = compile_screen_time(load_policy(family.config))["An"]
    assert "youtube" not in rules.service_minutes


def test_warnings_typed_in_the_window_reach_the_usage_rules(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    from agent.policy.compile import compile_screen_time
    from agent.policy.loader import load_policy

    tab = screen_time_tab(qtbot, window)
    assert tab.warnings_edit.text() == "15, 5, 1"
    tab.warnings_edit.clear()
    qtbot.keyClicks(tab.warnings_edit, "10, x")
    assert tab.warnings_hint.isVisibleTo(tab) and not tab.save_button.isEnabled()
    tab.warnings_edit.clear()
    qtbot.keyClicks(tab.warnings_edit, "2, 10")
    assert tab.save_button.isEnabled()
    with qtbot.waitSignal(window.screen_time.limits_saved, timeout=WAIT_MS):  # type: ignore[union-attr]
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)

    assert "warnings_minutes = [10, 2]" in family.config.read_text(encoding="utf-8")
    rules = compile_screen_time(load_policy(family.config))["An"]
    assert tuple(rules.warnings_minutes) == (10, 2)
    assert tab.warnings_edit.text() == "10, 2"
