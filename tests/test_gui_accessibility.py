"""The dashboard for every parent (issue 13, item 7): every control has a screen-reader
name, the keyboard reaches every control with a focus that shows, the pages are not cut
at 125 % and 150 % scaling, and a dark high-contrast theme keeps the states readable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers_accessibility import controls, cut, unnamed
from helpers_policy_agent import PARENT_PIN, RunningFamily, running_family, set_first_pin
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from agent.store.models import QueryLogEntry
from gui.api_backend import ApiBackend
from gui.app import build_main_window
from gui.i18n import Translations
from gui.pages_backend import FamilyEvent
from gui.pages_models import EventsTableModel
from gui.views.main_window import MainWindow

WAIT_MS = 15_000
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
HELPER = Path(__file__).with_name("helpers_accessibility.py")


@pytest.fixture
def family(tmp_path: Path) -> Iterator[RunningFamily]:
    with running_family(tmp_path) as running:
        set_first_pin(running)
        store = running.agent.store
        assert store is not None
        yesterday = datetime.now(ZONE) - timedelta(days=1)
        for second in range(0, 600, 10):
            store.usage.record_heartbeat("An", "winword.exe",
                                         at=yesterday + timedelta(seconds=second))
        store.query_log.add([QueryLogEntry(time=yesterday, client="127.0.0.1",
                                           name="casino.example", qtype="A",
                                           decision="blocked", child="An",
                                           category="gambling")])
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
    made.resize(1100, 760)
    made.show()
    qtbot.waitUntil(made.login_page.pin_edit.isEnabled, timeout=WAIT_MS)
    assert unnamed(made.login_page) == []
    with qtbot.waitSignal(made.controller.login_succeeded, timeout=WAIT_MS):
        made.controller.login(PARENT_PIN)
    page = made.parent_page
    qtbot.waitUntil(lambda: bool(page.overview_page.cards), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.web_tab.schedule_editor.schedule is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not page.activity_page.boxes["apps"].chart.data.empty,
                    timeout=WAIT_MS)
    yield made
    made.close()
    backend.close()
    translations.remove()


def pages(window: MainWindow) -> Iterator[tuple[str, QWidget]]:
    tabs = window.parent_page.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        QApplication.processEvents()
        yield tabs.tabText(index), tabs.widget(index)


def test_every_control_has_a_screen_reader_name(qtbot: QtBot, window: MainWindow) -> None:
    for language in ("vi", "en"):
        window.language_box.setCurrentIndex(window.language_box.findData(language))
        qtbot.wait(100)
        missing = {title: unnamed(page) for title, page in pages(window)}
        assert {title: names for title, names in missing.items() if names} == {}
        assert unnamed(window.parent_page) == []
    charts = window.parent_page.activity_page.boxes
    assert charts["apps"].chart.accessibleName() == "Screen time a day, per app"
    assert " — " in charts["apps"].chart.accessibleDescription()  # the selected day, said


def tab_through(qtbot: QtBot, start: QWidget, page: QWidget, presses: int = 80) -> set[int]:
    """The controls of `page` that Tab reaches from `start`, by their ids."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    reached = {id(start)}
    for _ in range(presses):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is not None:
            reached.add(id(now))
    return reached


@pytest.mark.parametrize(
    "page_name", ["overview_page", "activity_page", "web_tab", "screen_time_tab"]
)
def test_tab_reaches_every_control(qtbot: QtBot, window: MainWindow, page_name: str) -> None:
    parent = window.parent_page
    page: QWidget = getattr(parent, page_name)
    parent.tabs.setCurrentWidget(page)
    qtbot.wait(100)
    wanted = [widget for widget in controls(page) if widget.isEnabled()]
    assert wanted
    reached = tab_through(qtbot, wanted[0], page)
    missed = [widget.objectName() or type(widget).__name__ for widget in wanted
              if id(widget) not in reached]
    assert missed == []


def test_the_schedule_editors_tab_order_is_its_reading_order(
    qtbot: QtBot, window: MainWindow
) -> None:
    editor = window.parent_page.web_tab.schedule_editor
    window.parent_page.tabs.setCurrentWidget(window.parent_page.web_tab)
    order = [editor.mode_combo, editor.windows_list, editor.day_combo, editor.start_edit,
             editor.end_edit, editor.add_button]
    editor.mode_combo.setFocus(Qt.FocusReason.TabFocusReason)
    for expected in order[1:]:
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        times = (editor.start_edit, editor.end_edit)
        if focused in times and QApplication.focusWidget() is focused:
            qtbot.keyClick(focused, Qt.Key.Key_Tab)  # Tab first goes from hours to minutes
        assert QApplication.focusWidget() is expected


def test_the_focus_shows(qtbot: QtBot, window: MainWindow) -> None:
    parent = window.parent_page
    parent.tabs.setCurrentWidget(parent.activity_page)
    chart = parent.activity_page.boxes["apps"].chart
    other = parent.activity_page.days_combo
    other.setFocus()
    qtbot.wait(50)
    without = chart.grab().toImage()
    chart.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.wait(50)
    assert chart.hasFocus()
    assert chart.grab().toImage() != without  # its own focus frame
    # A button reached with Tab: the style draws the keyboard's focus on it.
    parent.tabs.setCurrentWidget(parent.overview_page)
    button = parent.overview_page.cards[0].requests_button
    plain = button.grab().toImage()
    parent.refresh_button.setFocus(Qt.FocusReason.TabFocusReason)
    for _ in range(40):
        focused = QApplication.focusWidget()
        assert focused is not None
        if focused is button:
            break
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert button.hasFocus()
    qtbot.wait(50)
    assert button.grab().toImage() != plain


def test_a_cut_widget_is_found() -> None:
    box = QWidget()
    button = QPushButton("Cho phép đến hết hôm nay, một nút rất dài", box)
    button.setGeometry(0, 0, 40, 10)
    box.show()
    assert cut(box) and "QPushButton" in cut(box)[0]
    box.close()


@pytest.mark.parametrize("scale", ["1.25", "1.5"])
def test_nothing_is_cut_at_larger_scales(scale: str) -> None:
    environment = {**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": "offscreen"}
    finished = subprocess.run(
        [sys.executable, str(HELPER)], capture_output=True, text=True, timeout=180,
        env=environment, check=False,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    assert report.pop("scale") == [scale]
    assert len(report) >= 8  # every page was visited
    assert {page: problems for page, problems in report.items() if problems} == {}


def dark_high_contrast() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, QColor("black")),
        (QPalette.ColorRole.WindowText, QColor("white")),
        (QPalette.ColorRole.Base, QColor("black")),
        (QPalette.ColorRole.Text, QColor("white")),
        (QPalette.ColorRole.Button, QColor("black")),
        (QPalette.ColorRole.ButtonText, QColor("yellow")),
        (QPalette.ColorRole.Highlight, QColor("cyan")),
        (QPalette.ColorRole.HighlightedText, QColor("black")),
    ):
        palette.setColor(role, colour)
    return palette


def test_a_dark_high_contrast_theme_keeps_the_meaning(qtbot: QtBot, window: MainWindow) -> None:
    application = QApplication.instance()
    assert isinstance(application, QApplication)
    before = application.palette()
    page = window.parent_page.overview_page
    try:
        application.setPalette(dark_high_contrast())
        qtbot.wait(100)
        page.show_overview(page.model.overview)
        lines = page.pc_labels + page.cards[0].protection_labels
        problems = [label for label in lines if not label.text().startswith("✔")]
        assert problems  # the try-out's DNS needs a look
        for label in problems:
            assert label.text()[0] in "⚠?"  # said by a mark and words
            assert "color" not in label.styleSheet()  # no dark red on black
        model = EventsTableModel()
        model.set_events([FamilyEvent(1, datetime.now(ZONE), "help", "urgent", "x", "An")])
        level = model.data(model.index(0, EventsTableModel.LEVEL))
        assert str(level).startswith("⚠")
        assert model.data(model.index(0, EventsTableModel.LEVEL),
                          Qt.ItemDataRole.ForegroundRole) is None
    finally:
        application.setPalette(before)
    qtbot.wait(50)
    page.show_overview(page.model.overview)
    assert any("color" in label.styleSheet() for label in page.pc_labels)
