"""The dashboard for every parent (issue 13, item 7): every control has a screen-reader
name, the keyboard reaches every control with a focus that shows, the pages are not cut
at 125 % and 150 % scaling, and a dark high-contrast theme keeps the states readable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers_accessibility import controls, cut, describe, unnamed
from helpers_policy_agent import PARENT_PIN, RunningFamily, running_family, set_first_pin
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAccessible, QBrush, QColor, QImage, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QWidget,
)
from pytestqt.qtbot import QtBot

from agent.store.models import QueryLogEntry
from gui.api_backend import ApiBackend
from gui.app import build_main_window
from gui.backend import (
    AccessRequest,
    BackendError,
    QueryReason,
    RequestsSnapshot,
    SiteVerdict,
)
from gui.colours import (
    FRAME_CONTRAST,
    TEXT_CONTRAST,
    Meaning,
    contrast_ratio,
    frame_colour,
    hue,
    meaning_colour,
    readable_on,
)
from gui.family_backend import PauseState
from gui.i18n import Translations
from gui.models import QueryLogTableModel, RequestsTableModel
from gui.pages_backend import FamilyEvent
from gui.pages_models import EventsTableModel
from gui.views.child_form import ChildDialog
from gui.views.contrast import ground_palette
from gui.views.focus_ring import RING_GAP, RING_WIDTH, FocusRingKeeper, install_focus_ring
from gui.views.login_page import LoginMode
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
    backend = ApiBackend(family.url, timeout=30.0)
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


EVERY_PAGE = [
    "overview_page", "children_tab", "query_log_tab", "stats_tab", "activity_page",
    "requests_page", "web_tab", "screen_time_tab", "settings_page",
]


@pytest.mark.parametrize("page_name", EVERY_PAGE)
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
    assert len(report) >= 9  # the PIN page and every tab were visited
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


# Every page and tab, older ones included: the keyboard's order, no trap, the shortcuts,
# the names in both languages, the colours in a high-contrast theme, the focus ring.


def focus_chain(qtbot: QtBot, start: QWidget, key: Qt.Key, presses: int = 120) -> list[QWidget]:
    """The widgets the focus visits from ``start`` with ``key`` until it comes back."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    visited = [start]
    for _ in range(presses):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, key,
                       Qt.KeyboardModifier.ShiftModifier if key == Qt.Key.Key_Backtab
                       else Qt.KeyboardModifier.NoModifier)
        now = QApplication.focusWidget()
        assert now is not None
        if now is start:
            return visited
        visited.append(now)
    raise AssertionError(f"the focus never came back to {start.objectName()}: a trap, at "
                         f"{[widget.objectName() for widget in visited[-6:]]}")


def backwards_steps(page: QWidget, chain: list[QWidget]) -> list[str]:
    """Steps of ``chain`` that go back up the page and to the left, against the reading
    order (up and to the right is the next column). Positions as laid out, unscrolled;
    a scroll area's own stop (for scrolling with the keys) is not a step of the page."""
    for area in page.findChildren(QScrollArea):
        area.verticalScrollBar().setValue(0)
        area.horizontalScrollBar().setValue(0)
    QApplication.processEvents()
    placed = [(widget, widget.mapTo(page, QPoint(0, 0))) for widget in chain
              if not isinstance(widget, QScrollArea)]
    return [
        f"{describe(first)} ({here.x()}, {here.y()}) → {describe(second)} "
        f"({there.x()}, {there.y()})"
        for (first, here), (second, there) in pairwise(placed)
        if there.y() < here.y() - 4 and there.x() <= here.x() + 4
    ]


@pytest.mark.parametrize("page_name", EVERY_PAGE)
def test_every_page_reads_in_order_with_no_trap(
    qtbot: QtBot, window: MainWindow, page_name: str
) -> None:
    parent = window.parent_page
    page: QWidget = getattr(parent, page_name)
    parent.tabs.setCurrentWidget(page)
    qtbot.wait(100)
    forward = focus_chain(qtbot, parent.refresh_button, Qt.Key.Key_Tab)
    # The buttons over the tabs, the tab bar, the page, the language at the bottom.
    assert forward[:3] == [parent.refresh_button, parent.logout_button, parent.tabs.tabBar()]
    assert forward[-1] is window.language_box
    inside = forward[3:-1]
    assert inside and all(page.isAncestorOf(widget) for widget in inside)
    assert backwards_steps(page, inside) == []
    # Shift-Tab walks the same way back: nothing is reached in one direction only.
    backward = focus_chain(qtbot, parent.refresh_button, Qt.Key.Key_Backtab)
    assert backward[1:] == forward[1:][::-1]


def test_the_requests_answers_come_before_the_events(qtbot: QtBot, window: MainWindow) -> None:
    parent = window.parent_page
    parent.tabs.setCurrentWidget(parent.requests_page)
    qtbot.wait(100)
    chain = focus_chain(qtbot, parent.refresh_button, Qt.Key.Key_Tab)
    assert chain.index(parent.requests_tab.table) < chain.index(parent.events_panel.table)


def test_the_main_actions_have_keys(qtbot: QtBot, window: MainWindow) -> None:
    parent = window.parent_page
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    for number in range(1, parent.tabs.count() + 1):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
        assert parent.tabs.currentIndex() == number - 1
    with qtbot.waitSignal(parent.refresh_requested, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    parent.tabs.setCurrentWidget(parent.web_tab)
    qtbot.wait(50)
    assert parent.web_tab.save_button.isEnabled()
    with qtbot.waitSignal(parent.web_tab.save_requested, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    # The children's mnemonics; then the lock, from anywhere.
    parent.tabs.setCurrentWidget(parent.children_tab)
    assert parent.children_page.add_button.text().startswith("&")
    with qtbot.waitSignal(parent.logout_requested, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)


def test_the_childs_dialog_has_a_default_button_and_escape(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = window.parent_page.children_page
    qtbot.waitUntil(lambda: bool(page._presets), timeout=WAIT_MS)
    dialog = ChildDialog(page._presets, page._accounts, None, page)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save.isDefault()
    assert unnamed(dialog) == []
    chain = focus_chain(qtbot, dialog.form.name_edit, Qt.Key.Key_Tab)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel in chain and chain.index(dialog.form.name_edit) == 0
    dialog.form.name_edit.setFocus()
    qtbot.keyClick(dialog.form.name_edit, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible()


def names_of(page: QWidget) -> dict[int, tuple[str, str]]:
    found = {}
    for widget in controls(page):
        interface = QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QAccessible.Text.Name) if interface is not None else ""
        found[id(widget)] = (describe(widget), name.strip())
    return found


def test_every_control_is_named_in_both_languages(qtbot: QtBot, window: MainWindow) -> None:
    seen: dict[str, dict[int, tuple[str, str]]] = {}
    for language in ("vi", "en"):
        window.language_box.setCurrentIndex(window.language_box.findData(language))
        qtbot.wait(100)
        for title_index, (_title, page) in enumerate(pages(window)):
            seen.setdefault(f"{language}{title_index}", {}).update(names_of(page))
        seen[f"{language}-login"] = names_of(window.login_page)
        seen[f"{language}-window"] = {id(window.language_box): (
            "language", QAccessible.queryAccessibleInterface(window.language_box)
            .text(QAccessible.Text.Name))}
    for key, names in seen.items():
        assert [what for what, name in names.values() if not name] == [], key
    # A name in words changes with the language; the same in both is a child's or a
    # site's name, never an English word left untranslated.
    same = set()
    for key in seen:
        if key.startswith("vi"):
            english = seen["en" + key[2:]]
            same |= {name for widget, (_what, name) in seen[key].items()
                     if widget in english and english[widget][1] == name}
    assert same <= {"An", "Bình", "Tiếng Việt", "English", "Web"}, same


def high_contrast(dark: bool) -> QPalette:
    if dark:
        return dark_high_contrast()
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, QColor("white")),
        (QPalette.ColorRole.WindowText, QColor("black")),
        (QPalette.ColorRole.Base, QColor("white")),
        (QPalette.ColorRole.AlternateBase, QColor("#fffbe6")),
        (QPalette.ColorRole.Text, QColor("black")),
        (QPalette.ColorRole.Button, QColor("white")),
        (QPalette.ColorRole.ButtonText, QColor("black")),
        (QPalette.ColorRole.Highlight, QColor("#1a1aa6")),
        (QPalette.ColorRole.HighlightedText, QColor("white")),
        (QPalette.ColorRole.Mid, QColor("#555555")),
    ):
        palette.setColor(role, colour)
    return palette


@pytest.fixture
def themed(qtbot: QtBot, qapp: object) -> Iterator[Callable[[QPalette], None]]:
    application = QApplication.instance()
    assert isinstance(application, QApplication)
    before = application.palette()

    def use(palette: QPalette) -> None:
        application.setPalette(palette)
        qtbot.wait(50)  # every widget takes the new palette and repaints

    yield use
    application.setPalette(before)
    QApplication.processEvents()  # no event loop: the window is already on its way out


def text_contrast(label: QWidget) -> float:
    """The label's words against what is behind them."""
    words = label.palette().color(QPalette.ColorRole.WindowText)
    return contrast_ratio(words, ground_palette(label).color(QPalette.ColorRole.Window))


@pytest.mark.parametrize("dark", [True, False], ids=["dark", "light"])
def test_meaningful_words_stay_readable_in_a_high_contrast_theme(
    qtbot: QtBot, window: MainWindow, themed: Callable[[QPalette], None], dark: bool
) -> None:
    parent = window.parent_page
    web, requests = parent.web_tab, parent.requests_tab
    themed(high_contrast(dark))
    # Put every kind of meaningful line on screen: problems, things done, a pause.
    parent.tabs.setCurrentWidget(web)
    web.allow_edit.setPlainText("not a site")
    web.show_verdict(SiteVerdict(name="casino.example", child="An", decision="blocked",
                                 reason=QueryReason(kind="category", category="gambling")))
    web.show_failure("the agent said no")
    requests.show_action_error("1", BackendError("not_found", "gone"))
    settings = parent.settings_page
    settings.show_pause(PauseState(paused_until=datetime.now(ZONE) + timedelta(minutes=9)))
    qtbot.wait(50)
    labels = [web.allow_error, web.test_result, web.message_label, requests.message_label,
              settings.pause_label]
    for label in labels:
        assert label.text().strip()  # said in words
        assert text_contrast(label) >= TEXT_CONTRAST, (label.objectName(), label.styleSheet())
    done = requests.message_label
    requests.show_decided(AccessRequest(
        id="2", child="An", site="vnexpress.net", reason="", created_at=datetime.now(ZONE),
        status="denied"), "deny")
    assert text_contrast(done) >= TEXT_CONTRAST
    # The banner: a mark and words, readable on its own tint.
    banner = window.banner
    assert banner.mark.text() in ("✔", "⚠", "✖", "…") and banner.headline.text()
    image = banner.grab().toImage()
    tint = image.pixelColor(image.width() // 2, image.height() - 4)
    words = banner.headline.palette().color(QPalette.ColorRole.WindowText)
    assert contrast_ratio(words, tint) >= TEXT_CONTRAST
    # The tables' coloured cells: each state in words, its colour readable on its rows.
    palette = QApplication.palette()
    rows = (palette.color(QPalette.ColorRole.Base),
            palette.color(QPalette.ColorRole.AlternateBase))
    model = parent.query_log_model
    assert model.rowCount()
    decision = model.index(0, QueryLogTableModel.DECISION)
    assert str(model.data(decision)).strip()
    brush = model.data(decision, Qt.ItemDataRole.ForegroundRole)
    if dark:
        assert brush is None  # the theme's own text colour
    else:
        assert isinstance(brush, QBrush)
        assert min(contrast_ratio(brush.color(), row) for row in rows) >= TEXT_CONTRAST
    # The waiting requests' tab and their state: counted and said in words, coloured only
    # where readable.
    waiting = AccessRequest(id="3", child="An", site="roblox.com", reason="",
                            created_at=datetime.now(ZONE), status="pending")
    parent.show_requests(RequestsSnapshot(pending=(waiting,)))
    assert parent.tabs.tabText(parent.requests_index).endswith("(1)")
    colour = parent.tabs.tabBar().tabTextColor(parent.requests_index)
    assert colour.isValid() != dark
    if not dark:
        assert contrast_ratio(colour, palette.color(QPalette.ColorRole.Window)) >= TEXT_CONTRAST
    state = parent.requests_model.index(0, RequestsTableModel.STATE)
    assert str(parent.requests_model.data(state)).strip()
    brush = parent.requests_model.data(state, Qt.ItemDataRole.ForegroundRole)
    if dark:
        assert brush is None
    else:
        assert isinstance(brush, QBrush)
        assert min(contrast_ratio(brush.color(), row) for row in rows) >= TEXT_CONTRAST


def test_a_theme_switch_recolours_what_was_shown(
    qtbot: QtBot, window: MainWindow, themed: Callable[[QPalette], None]
) -> None:
    web = window.parent_page.web_tab
    window.parent_page.tabs.setCurrentWidget(web)
    web.show_failure("the agent said no")  # in red, in the light theme
    assert "color" in web.message_label.styleSheet()
    themed(dark_high_contrast())
    assert "color" not in web.message_label.styleSheet()  # no dark red on black
    assert text_contrast(web.message_label) >= TEXT_CONTRAST


def test_the_colour_helpers_reach_the_contrast_they_promise() -> None:
    for ground in ("white", "black", "#efefef", "#fff7e0", "#1e1e1e", "#777777"):
        for meaning in Meaning:
            made = readable_on(hue(meaning), [QColor(ground)])
            assert contrast_ratio(made, QColor(ground)) >= TEXT_CONTRAST, (meaning, ground)
    assert contrast_ratio(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert meaning_colour(Meaning.PROBLEM, dark_high_contrast()) is None


@pytest.fixture
def focus_ring(qapp: object) -> Iterator[FocusRingKeeper]:
    application = QApplication.instance()
    assert isinstance(application, QApplication)
    keeper = install_focus_ring(application)
    assert install_focus_ring(application) is keeper  # one for the application
    yield keeper
    keeper.remove()


def standard_widgets(window: MainWindow) -> dict[str, tuple[QWidget, QWidget]]:
    """One of each kind of focusable standard widget, with the page it is on."""
    parent = window.parent_page
    web, screen, settings = parent.web_tab, parent.screen_time_tab, parent.settings_page
    return {
        "button": (web.reload_button, web),
        "line edit": (web.test_edit, web),
        "combo box": (web.youtube_combo, web),
        "check box": (web.safe_search_check, web),
        "list": (web.categories_list, web),
        "spin box": (screen.day_spins[0], screen),
        "table": (parent.query_log_tab.table, parent.query_log_tab),
        "settings table": (settings.lists_table, settings),
        "tab bar": (parent.tabs.tabBar(), parent.overview_page),
    }


def around(widget: QWidget) -> QImage:
    parent = widget.parentWidget()
    assert parent is not None
    margin = RING_WIDTH + RING_GAP + 1
    return parent.grab(widget.geometry().adjusted(-margin, -margin, margin, margin)).toImage()


@pytest.mark.parametrize("theme", ["normal", "dark", "light"])
def test_the_focus_ring_shows_on_every_kind_of_control(
    qtbot: QtBot, window: MainWindow, focus_ring: FocusRingKeeper,
    themed: Callable[[QPalette], None], theme: str,
) -> None:
    if theme != "normal":
        themed(high_contrast(theme == "dark"))
    for kind, (widget, page) in standard_widgets(window).items():
        window.parent_page.tabs.setCurrentWidget(page)
        window.parent_page.refresh_button.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.wait(30)
        style_before, hint_before = widget.styleSheet(), widget.sizeHint()
        plain = around(widget)
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(widget.hasFocus, timeout=WAIT_MS)
        qtbot.wait(30)
        ring = focus_ring.ring
        assert ring is not None and ring.isVisible(), kind
        assert focus_ring.target is widget
        assert ring.geometry().contains(widget.geometry()), kind
        assert around(widget) != plain, kind  # the ring is drawn
        # It draws beside the widget: the widget's own look and size stay as they were.
        assert widget.styleSheet() == style_before and widget.sizeHint() == hint_before
        assert ring.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        colour = frame_colour(ring.palette())
        ground = ring.palette().color(QPalette.ColorRole.Window)
        assert contrast_ratio(colour, ground) >= FRAME_CONTRAST, kind
    window.parent_page.refresh_button.setFocus()
    qtbot.wait(30)
    assert focus_ring.target is window.parent_page.refresh_button


def test_the_first_run_is_named_and_reached_in_both_languages(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = window.first_run_page
    window.stack.setCurrentWidget(page)
    page.start("ABCD-EFGH-IJKL-MNOP", True)
    qtbot.wait(50)
    for language in ("vi", "en"):
        window.language_box.setCurrentIndex(window.language_box.findData(language))
        qtbot.wait(50)
        assert unnamed(page) == []
    page.written_down.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(page.written_down, Qt.Key.Key_Space)
    assert page.next_button.isEnabled()
    qtbot.keyClick(page.written_down, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.next_button
    qtbot.keyClick(page.next_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: page.steps.currentWidget() is page.child_step, timeout=WAIT_MS)
    assert unnamed(page) == []
    wanted = [widget for widget in controls(page) if widget.isEnabled()]
    reached = tab_through(qtbot, page.form.name_edit, page)
    assert [describe(widget) for widget in wanted if id(widget) not in reached] == []


def test_the_answers_have_mnemonics_and_no_page_has_two_alike(
    qtbot: QtBot, window: MainWindow
) -> None:
    requests = window.parent_page.requests_tab
    answers = [*requests.allow_buttons.values(), requests.end_of_day_button,
               requests.deny_button, requests.revoke_button]
    for language in ("vi", "en"):
        window.language_box.setCurrentIndex(window.language_box.findData(language))
        qtbot.wait(50)
        assert all(not QKeySequence.mnemonic(button.text()).isEmpty() for button in answers)
        for title, page in pages(window):
            keys = [QKeySequence.mnemonic(button.text()).toString()
                    for button in page.findChildren(QAbstractButton)
                    if button.isVisibleTo(page) and "&" in button.text()]
            keys = [key for key in keys if key]
            assert len(keys) == len(set(keys)), (language, title, keys)


def test_the_pin_page_works_with_the_keyboard_in_both_languages(
    qtbot: QtBot, window: MainWindow
) -> None:
    with qtbot.waitSignal(window.controller.logged_out, timeout=WAIT_MS):
        window.controller.logout()
    page = window.login_page
    qtbot.waitUntil(page.pin_edit.isEnabled, timeout=WAIT_MS)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    for language in ("vi", "en"):
        window.language_box.setCurrentIndex(window.language_box.findData(language))
        qtbot.wait(50)
        for mode in (LoginMode.UNLOCK, LoginMode.RESET_PIN):
            page.set_mode(mode)
            assert unnamed(page) == [], (language, mode)
            chain = focus_chain(qtbot, page.pin_edit, Qt.Key.Key_Tab)
            wanted = [widget for widget in controls(page) if widget.isEnabled()]
            assert [describe(w) for w in wanted if w not in chain] == [], (language, mode)
            assert chain.index(page.submit_button) > chain.index(page.pin_edit)
            assert chain[-1] is window.language_box
    # Escape leaves the reset form, as its Back button does.
    page.set_mode(LoginMode.RESET_PIN)
    page.pin_edit.setFocus()
    qtbot.keyClick(page.pin_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.mode == LoginMode.UNLOCK, timeout=WAIT_MS)


@pytest.mark.parametrize("key", [Qt.Key.Key_Escape, Qt.Key.Key_Return])
def test_a_confirmation_is_answered_no_by_escape_and_enter(
    qtbot: QtBot, window: MainWindow, key: Qt.Key
) -> None:
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        default = box.defaultButton()
        seen.append(box.standardButton(default).name if default is not None else "")
        qtbot.keyClick(box, key)

    for page in (window.parent_page.settings_page, window.parent_page.children_page):
        QTimer.singleShot(200, answer)
        assert page._confirm_with_box("Xóa dữ liệu", "Xóa hết dữ liệu của An?") is False
    assert seen == ["No", "No"]
