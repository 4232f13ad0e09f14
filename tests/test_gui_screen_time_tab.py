"""The Screen time tab against a real agent on random ports: extra minutes given in the
window raise the child's time left at once, on the screen and in the usage API; limits,
allowed hours and always-allowed apps edited in the window reach family.toml and the
usage rules; a stale edit is shown and kept; a spent service is shown by its name."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from helpers_dashboard import WAIT_MS
from helpers_policy_agent import (
    HAND_COMMENT,
    PARENT_PIN,
    RunningFamily,
    family_text,
)
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QApplication, QTimeEdit, QWidget
from pytestqt.qtbot import QtBot

from agent.api.client import ApiClient
from gui.backend import TimeLeft
from gui.views.main_window import MainWindow
from gui.views.screen_time_tab import ScreenTimeTab

if TYPE_CHECKING:
    from agent.policy.model import ScreenTimeLimits



def no_allowed_hours(upstream_url: str) -> str:
    """An's file with no allowed hours, so the daily limit is what bounds the time left
    whatever the hour of the run (the preset's hours end at 20:30: an evening run saw
    the extra minutes cut by bedtime)."""
    return family_text(upstream_url) + "\n[children.screen_time]\nallowed_hours = []\n"


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


@pytest.mark.parametrize("family", [no_allowed_hours], indirect=True)
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


ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def focus_next(qtbot: QtBot, widget: QWidget) -> QWidget:
    qtbot.keyClick(widget, Qt.Key.Key_Tab)
    focused = QApplication.focusWidget()
    assert focused is not None
    if focused is widget and isinstance(widget, QTimeEdit):
        qtbot.keyClick(widget, Qt.Key.Key_Tab)  # Tab first goes from hours to minutes
        focused = QApplication.focusWidget()
        assert focused is not None
    return focused


def save(qtbot: QtBot, window: MainWindow, tab: ScreenTimeTab) -> None:
    with qtbot.waitSignal(window.screen_time.limits_saved, timeout=WAIT_MS):  # type: ignore[union-attr]
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)


def usage_rules(family: RunningFamily) -> ScreenTimeLimits:
    from agent.policy.compile import compile_screen_time
    from agent.policy.loader import load_policy

    return compile_screen_time(load_policy(family.config))["An"]


def test_allowed_hours_edited_with_the_keyboard_reach_the_file_and_the_usage_rules(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    from agent.usage.limits import LimitKind, decide
    from agent.usage.model import DayTally

    tab = screen_time_tab(qtbot, window)
    hours = tab.hours_editor
    # One part for both tabs: the Web tab's schedule embeds the same editor.
    assert type(window.parent_page.web_tab.schedule_editor.windows_editor) is type(hours)
    assert tab.hours_box.title() == "Giờ được dùng máy"
    qtbot.waitUntil(lambda: hours.windows_list.count() == 7, timeout=WAIT_MS)  # the preset's

    # Keyboard only: Delete empties the list, then Tab through the day, the times, Add.
    hours.windows_list.setFocus(Qt.FocusReason.TabFocusReason)
    hours.windows_list.setCurrentRow(0)
    for _ in range(7):
        qtbot.keyClick(hours.windows_list, Qt.Key.Key_Delete)
    assert hours.windows_list.count() == 0 and hours.empty_label.isVisibleTo(tab)
    assert "chưa lưu" in tab.message_label.text()
    focused = focus_next(qtbot, hours.windows_list)
    assert focused is hours.day_combo
    for _ in range(7):
        qtbot.keyClick(focused, Qt.Key.Key_Up)
    assert hours.day_combo.currentData() == "mon"
    focused = focus_next(qtbot, focused)
    assert focused is hours.start_edit
    qtbot.keyClicks(focused, "1600")
    focused = focus_next(qtbot, focused)
    assert focused is hours.end_edit
    qtbot.keyClicks(focused, "1800")
    focused = focus_next(qtbot, focused)
    assert focused is hours.add_button
    qtbot.keyClick(focused, Qt.Key.Key_Space)
    assert hours.windows_list.item(0).text() == "Thứ Hai: 16:00 – 18:00"
    # The mouse: Saturday night, across midnight.
    hours.day_combo.setCurrentIndex(hours.day_combo.findData("sat"))
    hours.start_edit.setTime(QTime(21, 0))
    hours.end_edit.setTime(QTime(1, 0))
    assert "sáng hôm sau" in hours.hint_label.text()
    qtbot.mouseClick(hours.add_button, Qt.MouseButton.LeftButton)
    save(qtbot, window, tab)

    assert "Đã lưu" in tab.message_label.text()
    text = family.config.read_text(encoding="utf-8")
    assert HAND_COMMENT in text  # the parent's comment survives
    assert 'start = "16:00"' in text and 'end = "01:00"' in text
    limits = usage_rules(family)
    monday_noon = datetime(2026, 12, 7, 12, 0, tzinfo=ZONE)
    outside = decide(limits, 9, DayTally(monday_noon.date()), monday_noon)
    assert not outside.allowed and outside.reason.kind is LimitKind.ALLOWED_HOURS
    assert decide(limits, 9, DayTally(monday_noon.date()), monday_noon.replace(hour=17)).allowed
    after_midnight = datetime(2026, 12, 13, 0, 30, tzinfo=ZONE)  # Saturday's window goes on
    assert decide(limits, 9, DayTally(after_midnight.date()), after_midnight).allowed
    assert [hours.windows_list.item(i).text() for i in range(2)] == [
        "Thứ Hai: 16:00 – 18:00", "Thứ Bảy: 21:00 – 01:00 (sáng hôm sau)"
    ]


def test_a_stale_edit_is_shown_not_lost(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    tab = screen_time_tab(qtbot, window)
    hours = tab.hours_editor
    qtbot.waitUntil(lambda: hours.windows_list.count() == 7, timeout=WAIT_MS)
    hours.day_combo.setCurrentIndex(hours.day_combo.findData("wed"))
    hours.start_edit.setTime(QTime(5, 0))
    hours.end_edit.setTime(QTime(5, 30))
    qtbot.mouseClick(hours.add_button, Qt.MouseButton.LeftButton)
    # Meanwhile, a hand edit of the file.
    text = family.config.read_text(encoding="utf-8")
    family.config.write_text(text.replace(HAND_COMMENT, HAND_COMMENT + " (edited)"), "utf-8")
    limits = window.screen_time
    assert limits is not None
    stale = limits.version
    with qtbot.waitSignal(limits.save_conflict, timeout=WAIT_MS):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "đã được thay đổi ở nơi khác" in tab.message_label.text()
    texts = [hours.windows_list.item(i).text() for i in range(hours.windows_list.count())]
    assert "Thứ Tư: 05:00 – 05:30" in texts  # the parent's edit is still there
    # The new version is read after the conflict; saving again applies the edit over it.
    qtbot.waitUntil(lambda: limits.version not in (None, stale), timeout=WAIT_MS)
    save(qtbot, window, tab)
    text = family.config.read_text(encoding="utf-8")
    assert 'start = "05:00"' in text and "(edited)" in text  # both edits kept


def test_always_allowed_apps_are_ticked_from_the_apps_seen(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    from agent.policy.services import load_catalogue
    from agent.usage.apps import AppClassifier
    from agent.usage.limits import LimitKind, decide
    from agent.usage.model import AppIdentity, DayTally

    store = family.agent.store
    assert store is not None
    earlier = datetime.now(ZONE) - timedelta(hours=2)
    for second in range(0, 60, 10):
        store.usage.record_heartbeat("An", "zoom.exe", at=earlier + timedelta(seconds=second))
    tab = screen_time_tab(qtbot, window)
    model = tab.apps_model
    qtbot.mouseClick(tab.apps_reload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [row.allow_name for row in model.rows()] == ["zoom.exe"],
                    timeout=WAIT_MS)
    assert tab.apps_view.isVisibleTo(tab) and not tab.apps_empty.isVisibleTo(tab)

    # The keyboard: the row's box, Space ticks it.
    tab.apps_view.setFocus(Qt.FocusReason.TabFocusReason)
    tab.apps_view.setCurrentIndex(model.index(0, model.APP))
    qtbot.keyClick(tab.apps_view, Qt.Key.Key_Space)
    assert model.rows()[0].allowed
    save(qtbot, window, tab)
    assert 'always_allowed_apps = ["zoom.exe"]' in family.config.read_text(encoding="utf-8")
    limits = usage_rules(family)
    zoom = AppClassifier(load_catalogue()).classify(
        AppIdentity(exe_path="C:\\Zoom\\bin\\Zoom.exe"), limits.always_allowed_apps
    )
    late = datetime(2026, 12, 7, 23, 30, tzinfo=ZONE)  # outside the allowed hours
    assert decide(limits, 9, DayTally(late.date()), late, zoom).reason.kind is (
        LimitKind.ALWAYS_ALLOWED
    )

    # Removed again: counted and closed like any app.
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.rows()[0].allowed, timeout=WAIT_MS)
    tab.apps_view.setCurrentIndex(model.index(0, model.APP))
    qtbot.keyClick(tab.apps_view, Qt.Key.Key_Space)
    assert not model.rows()[0].allowed
    save(qtbot, window, tab)
    assert usage_rules(family).always_allowed_apps == ()


def test_a_preset_limit_removed_in_the_window_stays_removed(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    tab = screen_time_tab(qtbot, window)
    assert [row.target for row in tab.limits_model.rows()] == ["games"]  # the preset's
    tab.limits_view.selectRow(0)
    qtbot.mouseClick(tab.limit_remove_button, Qt.MouseButton.LeftButton)
    save(qtbot, window, tab)
    assert "games = false" in family.config.read_text(encoding="utf-8")
    assert "games" not in usage_rules(family).category_minutes
    with qtbot.waitSignal(window.screen_time.limits_loaded, timeout=WAIT_MS):  # type: ignore[union-attr]
        qtbot.mouseClick(tab.reload_button, Qt.MouseButton.LeftButton)
    assert tab.limits_model.rows() == []  # the preset does not bring it back


def test_a_spent_service_is_shown_by_the_catalogues_name(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    from agent.store.models import QueryLogEntry as StoredEntry

    store = family.agent.store
    assert store is not None
    store.query_log.add([StoredEntry(
        time=datetime.now(ZONE), client="127.0.0.1", name="www.youtube.com", qtype="A",
        decision="blocked", child="An", category="video",
        reason={"kind": "time_up", "service": "youtube", "category": "video"},
    )])
    model = window.parent_page.query_log_model
    window.controller.refresh()

    def shown() -> list[str]:
        return [str(model.data(model.index(row, model.REASON))) for row in range(model.rowCount())
                if model.rows()[row].name == "www.youtube.com"]

    qtbot.waitUntil(lambda: shown() == ["Hết giờ YouTube hôm nay"], timeout=WAIT_MS)


def test_the_new_boxes_in_english(qtbot: QtBot, window: MainWindow) -> None:
    tab = screen_time_tab(qtbot, window)
    window.language_box.setCurrentIndex(window.language_box.findData("en"))
    qtbot.waitUntil(lambda: tab.hours_box.title() == "Allowed hours", timeout=WAIT_MS)
    assert tab.apps_box.title() == "Always-allowed apps"
    assert tab.hours_editor.windows_list.accessibleName() == "Allowed hours of the week"
    assert tab.apps_view.accessibleName() == "Always-allowed apps"
    assert tab.hours_editor.add_button.text() == "Add"


def test_an_app_not_seen_yet_is_typed_and_saved_with_the_ticked_ones(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    from agent.policy.services import load_catalogue
    from agent.usage.apps import AppClassifier
    from agent.usage.model import AppIdentity

    tab = screen_time_tab(qtbot, window)
    assert tab.apps_model.rowCount() == 0  # nothing seen on this PC yet
    edit = tab.app_typed_edit
    # Garbage: told in words under the field, the text kept, nothing added.
    edit.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClicks(edit, "C:\\")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert tab.app_typed_error.isVisibleTo(tab)
    assert "thư mục" in tab.app_typed_error.text() and edit.text() == "C:\\"
    assert tab.apps_model.rowCount() == 0
    # Typing again hides the words; a whole path is added, ticked.
    edit.clear()
    olm = "C:\\Program Files\\OLM\\olm.exe"
    qtbot.keyClicks(edit, olm)
    assert not tab.app_typed_error.isVisibleTo(tab)
    qtbot.mouseClick(tab.app_add_button, Qt.MouseButton.LeftButton)
    assert edit.text() == "" and not tab.app_typed_error.isVisibleTo(tab)
    assert tab.apps_view.isVisibleTo(tab)
    assert [(row.allow_name, row.allowed) for row in tab.apps_model.rows()] == [(olm, True)]
    # The same app written otherwise is refused.
    qtbot.keyClicks(edit, "c:/program files/olm/OLM.EXE")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert "đã có" in tab.app_typed_error.text() and tab.apps_model.rowCount() == 1
    edit.clear()
    qtbot.keyClicks(edit, "zoom")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert "chưa lưu" in tab.message_label.text().casefold()
    save(qtbot, window, tab)

    text = family.config.read_text(encoding="utf-8")
    assert 'always_allowed_apps = ["C:\\\\Program Files\\\\OLM\\\\olm.exe", "zoom"]' in text
    assert HAND_COMMENT in text
    classifier, allowed = AppClassifier(load_catalogue()), usage_rules(family).always_allowed_apps
    assert classifier.classify(AppIdentity(exe_path=olm), allowed).always_allowed
    assert classifier.classify(AppIdentity(exe_path="/usr/bin/zoom"), allowed).always_allowed
    elsewhere = AppIdentity(exe_path="C:\\Users\\an\\olm.exe")
    assert not classifier.classify(elsewhere, allowed).always_allowed
