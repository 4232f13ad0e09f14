"""The Web tab against a real agent on random ports: a rule edited in the window reaches
family.toml and changes `baoan check`'s verdict; lists are checked as they are typed; "test
a site" gives the agent's verdict in words; a stale edit is shown, and kept, not lost."""

from __future__ import annotations

from helpers_dashboard import WAIT_MS
from helpers_policy_agent import (
    HAND_COMMENT,
    RunningFamily,
    baoan_check,
)
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from agent.policy.seal import strip_seal
from gui.views.main_window import MainWindow
from gui.views.web_tab import WebTab


def web_tab(qtbot: QtBot, window: MainWindow) -> WebTab:
    tab = window.parent_page.web_tab
    window.parent_page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.save_button.isEnabled(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: tab.services_list.count() > 10, timeout=WAIT_MS)
    return tab


def check_item(tab: WebTab, text: str) -> None:
    items = tab.services_list.findItems(text, Qt.MatchFlag.MatchStartsWith)
    assert items, text
    items[0].setCheckState(Qt.CheckState.Checked)


def test_a_rule_edited_in_the_window_reaches_the_file_and_the_verdict(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    tab = web_tab(qtbot, window)
    assert tab.selected_child() == "An"
    assert "Tiểu học" in tab.preset_label.text()
    assert baoan_check(family.config, "roblox.com")["decision"] == "allowed"

    check_item(tab, "Roblox")
    tab.deny_edit.setFocus()
    tab.deny_edit.moveCursor(tab.deny_edit.textCursor().MoveOperation.End)
    qtbot.keyClick(tab.deny_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(tab.deny_edit, "not a site")
    assert tab.deny_error.isVisibleTo(tab) and "not a site" in tab.deny_error.text()
    assert not tab.save_button.isEnabled()  # nothing invalid is sent
    for _ in "not a site":
        qtbot.keyClick(tab.deny_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(tab.deny_edit, "https://www.casino.example/play")
    assert not tab.deny_error.isVisibleTo(tab)
    with qtbot.waitSignal(window.rules.rules_saved, timeout=WAIT_MS):  # type: ignore[union-attr]
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)

    assert "Đã lưu" in tab.message_label.text()
    text = family.config.read_text(encoding="utf-8")
    assert 'block_services = ["roblox"]' in text
    assert "www.casino.example" in text
    assert HAND_COMMENT in text
    assert baoan_check(family.config, "roblox.com")["decision"] == "blocked"

    # "Test a site" words the agent's verdict and reason.
    tab.test_edit.setText("www.roblox.com")
    with qtbot.waitSignal(window.rules.site_checked, timeout=WAIT_MS):  # type: ignore[union-attr]
        qtbot.keyClick(tab.test_edit, Qt.Key.Key_Return)
    assert "www.roblox.com" in tab.test_result.text()
    assert "Đã chặn" in tab.test_result.text()
    assert "Trò chơi trực tuyến" in tab.test_result.text()


def test_a_stale_edit_is_shown_and_kept(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    tab = web_tab(qtbot, window)
    check_item(tab, "Roblox")
    # Meanwhile a parent edits the file by hand.
    hand = strip_seal(family.config.read_text(encoding="utf-8")).replace(
        'deny = ["a.example"]', 'deny = ["a.example", "hand.example"]'
    )
    family.config.write_text(hand, encoding="utf-8")

    with qtbot.waitSignal(window.rules.save_conflict, timeout=WAIT_MS):  # type: ignore[union-attr]
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)

    assert "đã được thay đổi ở nơi khác" in tab.message_label.text()
    assert family.config.read_text(encoding="utf-8") == hand  # the hand edit stands
    roblox = tab.services_list.findItems("Roblox", Qt.MatchFlag.MatchStartsWith)[0]
    assert roblox.checkState() == Qt.CheckState.Checked  # the parent's edit is still there
    # Saving again, knowingly, applies it over the new version.
    qtbot.waitUntil(lambda: window.rules.has_version, timeout=WAIT_MS)  # type: ignore[union-attr]
    qtbot.wait(300)
    with qtbot.waitSignal(window.rules.rules_saved, timeout=WAIT_MS):  # type: ignore[union-attr]
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    text = family.config.read_text(encoding="utf-8")
    assert 'block_services = ["roblox"]' in text


def test_the_web_tab_in_english(qtbot: QtBot, window: MainWindow) -> None:
    tab = web_tab(qtbot, window)
    window.language_box.setCurrentIndex(window.language_box.findData("en"))
    qtbot.waitUntil(lambda: tab.save_button.text() == "Save", timeout=WAIT_MS)
    assert tab.categories_box.title() == "Blocked kinds of websites"
    social = tab.categories_list.findItems("Social networks", Qt.MatchFlag.MatchExactly)
    assert social and "Facebook" in social[0].toolTip()


def test_a_limit_edited_in_the_window_reaches_the_usage_rules(
    qtbot: QtBot, window: MainWindow, family: RunningFamily
) -> None:
    from agent.policy.compile import compile_screen_time
    from agent.policy.loader import load_policy

    tab = window.parent_page.screen_time_tab
    window.parent_page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.save_button.isEnabled(), timeout=WAIT_MS)
    saturday = tab.day_spins[5]
    assert saturday.value() == 120 and "Thứ Bảy" in tab.day_labels[5].text()
    saturday.setFocus()
    saturday.selectAll()
    qtbot.keyClicks(saturday, "180")
    tab.action_combo.setCurrentIndex(tab.action_combo.findData("notify"))
    with qtbot.waitSignal(window.screen_time.limits_saved, timeout=WAIT_MS):  # type: ignore[union-attr]
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)

    assert "Đã lưu" in tab.message_label.text()
    text = family.config.read_text(encoding="utf-8")
    assert "sat = 180" in text and HAND_COMMENT in text
    rules = compile_screen_time(load_policy(family.config))["An"]
    assert rules.daily_minutes[5] == 180 and rules.daily_minutes[6] == 120
    assert str(rules.action) == "notify"
