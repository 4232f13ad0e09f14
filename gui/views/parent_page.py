"""What a parent sees after the PIN: today at a glance, children, the query log,
statistics, the days before, requests and alerts, and the rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.backend import ChildSummary, QueryLogEntry, RequestsSnapshot, Stats
from gui.colours import Meaning, meaning_colour
from gui.models import (
    ChildrenTableModel,
    QueryLogTableModel,
    RequestsTableModel,
    StatsTableModel,
)
from gui.pages_models import EventsTableModel
from gui.views.activity_page import ActivityPage
from gui.views.children_page import ChildrenPage
from gui.views.common import add_shortcut, make_table
from gui.views.contrast import ground_palette
from gui.views.events_panel import EventsPanel, RequestsAndAlertsPage
from gui.views.overview_page import OverviewPage
from gui.views.requests_tab import RequestsTab
from gui.views.screen_time_tab import ScreenTimeTab
from gui.views.settings_page import SettingsPage
from gui.views.web_tab import WebTab


class ChildFilter(QComboBox):
    """The "Every child" entry, then by the children's names; ``None`` stands for every child."""

    child_selected = Signal(object)  # str | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("childFilter")
        self.setMinimumContentsLength(16)
        self.addItem(self.tr("Every child"), None)
        self.currentIndexChanged.connect(self._on_index)

    def set_children(self, names: Sequence[str]) -> None:
        """Refill the names, keeping the current choice when it still exists."""
        current = self.selected_child()
        if [self.itemData(i) for i in range(1, self.count())] == list(names):
            return
        self.blockSignals(True)
        while self.count() > 1:
            self.removeItem(1)
        for name in names:
            self.addItem(name, name)
        position = self.findData(current) if current is not None else 0
        self.setCurrentIndex(max(0, position))
        self.blockSignals(False)
        if self.selected_child() != current:
            self.child_selected.emit(self.selected_child())

    def select_child(self, name: str | None) -> None:
        position = 0 if name is None else self.findData(name)
        if position >= 0:
            self.setCurrentIndex(position)

    def selected_child(self) -> str | None:
        value = self.currentData()
        return value if isinstance(value, str) else None

    def retranslate(self) -> None:
        self.setItemText(0, self.tr("Every child"))

    def _on_index(self, _index: int) -> None:
        self.child_selected.emit(self.selected_child())


class ChildrenTab(QWidget):
    def __init__(self, model: ChildrenTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.table = make_table(model, self, stretch=ChildrenTableModel.PRESET)
        self.table.setObjectName("childrenTable")
        self.empty_label = QLabel(self)
        self.empty_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table)
        self.retranslate()
        model.modelReset.connect(self._update_empty)
        self._update_empty()

    def retranslate(self) -> None:
        self.empty_label.setText(
            self.tr("No child is set up yet. Add one below.")
        )

    def _update_empty(self) -> None:
        self.empty_label.setVisible(self.model.rowCount() == 0)


class QueryLogTab(QWidget):
    child_selected = Signal(object)

    def __init__(self, model: QueryLogTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.filter_label = QLabel(self)
        self.child_filter = ChildFilter(self)
        self.child_filter.child_selected.connect(self.child_selected)
        self.filter_label.setBuddy(self.child_filter)
        self.count_label = QLabel(self)
        self.table = make_table(model, self)
        self.table.setObjectName("queryLogTable")
        top = QHBoxLayout()
        top.addWidget(self.filter_label)
        top.addWidget(self.child_filter)
        top.addStretch(1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        model.modelReset.connect(self._update_count)
        self.retranslate()

    def retranslate(self) -> None:
        self.filter_label.setText(self.tr("Show:"))
        self.child_filter.retranslate()
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(self.tr("The %n newest queries", None, self.model.rowCount()))


class StatsTab(QWidget):
    child_selected = Signal(object)

    def __init__(
        self,
        blocked: StatsTableModel,
        allowed: StatsTableModel,
        categories: StatsTableModel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.blocked_model, self.allowed_model, self.category_model = blocked, allowed, categories
        self.filter_label = QLabel(self)
        self.child_filter = ChildFilter(self)
        self.child_filter.child_selected.connect(self.child_selected)
        self.filter_label.setBuddy(self.child_filter)
        self.blocked_box, self.blocked_table = self._box(blocked, "topBlockedTable")
        self.allowed_box, self.allowed_table = self._box(allowed, "topAllowedTable")
        self.category_box, self.category_table = self._box(categories, "categoryTable")
        top = QHBoxLayout()
        top.addWidget(self.filter_label)
        top.addWidget(self.child_filter)
        top.addStretch(1)
        boxes = QHBoxLayout()
        boxes.addWidget(self.blocked_box)
        boxes.addWidget(self.allowed_box)
        boxes.addWidget(self.category_box)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(boxes)
        self.retranslate()

    def _box(self, model: StatsTableModel, name: str) -> tuple[QGroupBox, QTableView]:
        box = QGroupBox(self)
        table = make_table(model, box, stretch=StatsTableModel.LABEL)
        table.setObjectName(name)
        inner = QVBoxLayout(box)
        inner.addWidget(table)
        return box, table

    def retranslate(self) -> None:
        self.filter_label.setText(self.tr("Show:"))
        self.child_filter.retranslate()
        self.blocked_box.setTitle(self.tr("Blocked most often"))
        self.allowed_box.setTitle(self.tr("Visited most often"))
        self.category_box.setTitle(self.tr("Blocks by category"))


class ParentPage(QWidget):
    """Tabs for children, the query log, statistics and the children's requests, with
    refresh and lock buttons. `timezone` and `now` are the family's clock for the times of
    the requests."""

    refresh_requested = Signal()
    logout_requested = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        timezone: tzinfo | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        # Made first, so Tab meets them first, as the eye does (top right, over the tabs).
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("refreshButton")
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.logout_button = QPushButton(self)
        self.logout_button.setObjectName("logoutButton")
        self.logout_button.clicked.connect(self.logout_requested)
        # Then the tabs, then what they show: Tab goes to the tab bar, then into the page.
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("parentTabs")
        self.tabs.setUsesScrollButtons(True)
        self.children_model = ChildrenTableModel(self)
        self.requests_model = RequestsTableModel(self, timezone=timezone, now=now)
        self.query_log_model = QueryLogTableModel(self, timezone=timezone)
        self.top_blocked_model = StatsTableModel("blocked", self)
        self.top_allowed_model = StatsTableModel("allowed", self)
        self.category_model = StatsTableModel("category", self)

        self.children_tab = ChildrenTab(self.children_model, self)
        self.query_log_tab = QueryLogTab(self.query_log_model, self)
        self.stats_tab = StatsTab(
            self.top_blocked_model, self.top_allowed_model, self.category_model, self
        )
        self.overview_page = OverviewPage(self, timezone=timezone)
        self.activity_page = ActivityPage(self)
        self.tabs.addTab(self.overview_page, "")
        self.tabs.addTab(self.children_tab, "")
        self.tabs.addTab(self.query_log_tab, "")
        self.tabs.addTab(self.stats_tab, "")
        self.tabs.addTab(self.activity_page, "")
        self.requests_tab = RequestsTab(self.requests_model, self)
        # After the requests: Tab goes down the page, the requests' answers first.
        self.events_model = EventsTableModel(self, timezone=timezone, now=now)
        self.events_panel = EventsPanel(self.events_model, self)
        self.requests_page = RequestsAndAlertsPage(self.requests_tab, self.events_panel, self)
        self.tabs.addTab(self.requests_page, "")
        self._normal_tab_colour = self.tabs.tabBar().tabTextColor(self.requests_index)
        self.overview_page.open_requests.connect(
            lambda: self.tabs.setCurrentWidget(self.requests_page)
        )
        self.web_tab = WebTab(self)
        self.tabs.addTab(self.web_tab, "")
        self.screen_time_tab = ScreenTimeTab(self)
        self.tabs.addTab(self.screen_time_tab, "")
        # Who the children are on this PC, under today's table of them.
        self.children_page = ChildrenPage(self.children_tab)
        children_layout = self.children_tab.layout()
        assert children_layout is not None
        children_layout.addWidget(self.children_page)
        self.settings_page = SettingsPage(self, timezone=timezone)
        self.settings_index = self.tabs.addTab(self.settings_page, "")

        # The main actions from anywhere in the window: F5 refreshes, Ctrl+L locks,
        # Ctrl+1 … Ctrl+9 open the tabs in their order.
        add_shortcut(self.refresh_button, QKeySequence.StandardKey.Refresh)
        add_shortcut(self.logout_button, QKeySequence("Ctrl+L"))
        for number in range(1, 10):
            tab_key = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            tab_key.activated.connect(lambda index=number - 1: self._open_tab(index))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.logout_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.tabs)

        self.retranslate()

    def _open_tab(self, index: int) -> None:
        if 0 <= index < self.tabs.count():
            self.tabs.setCurrentIndex(index)
            self.tabs.tabBar().setFocus(Qt.FocusReason.ShortcutFocusReason)

    @property
    def requests_index(self) -> int:
        return self.tabs.indexOf(self.requests_page)

    @property
    def web_index(self) -> int:
        return self.tabs.indexOf(self.web_tab)

    # Data in.
    def show_children(self, children: Sequence[ChildSummary]) -> None:
        self.children_model.set_rows(children)
        names = [child.name for child in children]
        self.query_log_tab.child_filter.set_children(names)
        self.stats_tab.child_filter.set_children(names)
        self.settings_page.set_children(names)
        self.activity_page.set_children(names)

    def show_query_log(self, entries: Sequence[QueryLogEntry]) -> None:
        self.query_log_model.set_rows(entries)

    def show_stats(self, stats: Stats) -> None:
        self.top_blocked_model.set_rows(stats.top_blocked)
        self.top_allowed_model.set_rows(stats.top_allowed)
        self.category_model.set_rows(stats.by_category)

    def show_requests(self, snapshot: RequestsSnapshot) -> None:
        self.requests_tab.show_snapshot(snapshot)
        self._update_requests_tab()

    def set_timezone(self, zone: tzinfo) -> None:
        """The family's time zone, as the agent reported it: every time shown follows."""
        self.requests_model.set_timezone(zone)
        self.query_log_model.set_timezone(zone)  # the selected request's labels follow too
        self.events_model.set_timezone(zone)
        self.overview_page.set_timezone(zone)
        self.settings_page.set_timezone(zone)

    def clear(self) -> None:
        """Forget everything a parent saw (on lock or expiry)."""
        self.show_children([])
        self.show_query_log([])
        self.show_stats(Stats())
        self.requests_tab.clear()
        self.overview_page.clear()
        self.activity_page.clear()
        self.events_model.set_events([])
        self.web_tab.clear()
        self.screen_time_tab.clear()
        self.children_page.clear_family()
        self.settings_page.clear()
        self._update_requests_tab()

    def hide_web_tab(self) -> None:
        """An agent that cannot edit rules: the Web tab goes."""
        index = self.tabs.indexOf(self.web_tab)
        if index >= 0:
            self.tabs.removeTab(index)
        index = self.tabs.indexOf(self.screen_time_tab)
        if index >= 0:
            self.tabs.removeTab(index)

    def hide_family_pages(self) -> None:
        """An agent that cannot edit the family: no Add or Remove, and Settings keeps only
        what the dashboard does itself (the language, about)."""
        self.children_page.hide()
        self.settings_page.set_agent_features(False)

    def _update_requests_tab(self) -> None:
        """The tab's title counts the waiting requests, in a colour that catches the eye
        where the theme lets it be read (the count says it in any theme)."""
        waiting = self.requests_model.waiting_count()
        bar = self.tabs.tabBar()
        if waiting:
            self.tabs.setTabText(
                self.requests_index, self.tr("Requests and alerts (%n)", None, waiting)
            )
            grounds = (QPalette.ColorRole.Window, QPalette.ColorRole.Button)
            colour = meaning_colour(Meaning.WAITING, ground_palette(bar), grounds)
            bar.setTabTextColor(self.requests_index, colour or self._normal_tab_colour)
            self.tabs.setTabToolTip(
                self.requests_index,
                self.tr("%n request(s) waiting for your answer.", None, waiting),
            )
        else:
            self.tabs.setTabText(self.requests_index, self.tr("Requests and alerts"))
            bar.setTabTextColor(self.requests_index, self._normal_tab_colour)
            self.tabs.setTabToolTip(self.requests_index, "")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.PaletteChange:
            self._update_requests_tab()  # the waiting colour follows the theme
        super().changeEvent(event)

    def retranslate(self) -> None:
        for page, title in (
            (self.overview_page, self.tr("Overview")),
            (self.children_tab, self.tr("Children")),
            (self.query_log_tab, self.tr("Websites visited")),
            (self.stats_tab, self.tr("Statistics")),
            (self.activity_page, self.tr("Activity")),
        ):
            index = self.tabs.indexOf(page)
            if index >= 0:
                self.tabs.setTabText(index, title)
        web_index = self.tabs.indexOf(self.web_tab)
        if web_index >= 0:
            self.tabs.setTabText(web_index, self.tr("Web"))
        self.web_tab.retranslate()
        screen_index = self.tabs.indexOf(self.screen_time_tab)
        if screen_index >= 0:
            self.tabs.setTabText(screen_index, self.tr("Screen time"))
        self.screen_time_tab.retranslate()
        settings_index = self.tabs.indexOf(self.settings_page)
        if settings_index >= 0:
            self.tabs.setTabText(settings_index, self.tr("Settings"))
        self.tabs.setAccessibleName(self.tr("The parent's pages"))
        self.children_tab.table.setAccessibleName(self.tr("Children"))
        self.query_log_tab.table.setAccessibleName(self.tr("Websites visited"))
        self.requests_tab.table.setAccessibleName(self.tr("The children's requests"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.logout_button.setText(self.tr("Lock"))
        self.children_tab.retranslate()
        self.query_log_tab.retranslate()
        self.stats_tab.retranslate()
        self.requests_tab.retranslate()
        self._update_requests_tab()
        for model in (
            self.children_model,
            self.query_log_model,
            self.top_blocked_model,
            self.top_allowed_model,
            self.category_model,
            self.requests_model,
            self.events_model,
        ):
            model.retranslate()
