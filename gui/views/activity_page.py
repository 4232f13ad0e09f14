"""The parent's "Hoạt động" page: a child's screen time a day for the last 7 or 30
days, per app and per category, and the blocked attempts per category. A thin view over
:func:`gui.pages_models.chart_data`; the charts are :class:`StackedBarChart`s."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.pages_backend import ActivityHistory
from gui.pages_controller import HISTORY_CHOICES
from gui.pages_models import VIEWS, chart_data
from gui.views.bar_chart import StackedBarChart
from gui.views.common import chosen_child, fill_child_combo


class ChartBox(QGroupBox):
    """A chart with its title and the selected day in words under it."""

    def __init__(self, view: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.setObjectName(f"activity-{view}")
        self.chart = StackedBarChart(self)
        self.chart.setObjectName(f"activityChart-{view}")
        self.day_label = QLabel(self)
        self.day_label.setObjectName(f"activityDay-{view}")
        self.day_label.setWordWrap(True)
        self.day_label.setTextFormat(Qt.TextFormat.PlainText)
        self.chart.day_selected.connect(lambda _index: self._show_day())
        layout = QVBoxLayout(self)
        layout.addWidget(self.chart)
        layout.addWidget(self.day_label)

    def show_history(self, history: ActivityHistory | None) -> None:
        self.chart.set_data(chart_data(history, self.view))
        self._show_day()

    def _show_day(self) -> None:
        self.day_label.setText(self.chart.selected_text)


class ActivityPage(QWidget):
    child_selected = Signal(str)
    days_selected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history: ActivityHistory | None = None
        self._unavailable = False
        self.child_label = QLabel(self)
        self.child_combo = QComboBox(self)
        self.child_combo.setObjectName("activityChild")
        self.child_combo.setMinimumContentsLength(16)
        self.child_label.setBuddy(self.child_combo)
        self.child_combo.currentIndexChanged.connect(self._on_child_index)
        self.days_label = QLabel(self)
        self.days_combo = QComboBox(self)
        self.days_combo.setObjectName("activityDays")
        for days in HISTORY_CHOICES:
            self.days_combo.addItem("", days)
        self.days_label.setBuddy(self.days_combo)
        self.days_combo.currentIndexChanged.connect(self._on_days_index)
        self.note_label = QLabel(self)
        self.note_label.setObjectName("activityNote")
        self.note_label.setWordWrap(True)
        self.boxes = {view: ChartBox(view, self) for view in VIEWS}
        top = QHBoxLayout()
        top.addWidget(self.child_label)
        top.addWidget(self.child_combo)
        top.addWidget(self.days_label)
        top.addWidget(self.days_combo)
        top.addStretch(1)
        body = QWidget(self)
        charts = QVBoxLayout(body)
        for box in self.boxes.values():
            charts.addWidget(box)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note_label)
        layout.addWidget(scroll, 1)
        self.retranslate()

    # Data in.
    def set_children(self, names: Sequence[str]) -> None:
        chosen = fill_child_combo(self.child_combo, names)
        if chosen is not None:
            self.child_selected.emit(chosen)

    def selected_child(self) -> str | None:
        return chosen_child(self.child_combo)

    def selected_days(self) -> int:
        value = self.days_combo.currentData()
        return value if isinstance(value, int) else HISTORY_CHOICES[0]

    def show_history(self, history: ActivityHistory | None) -> None:
        self._history = history
        self._unavailable = False
        for box in self.boxes.values():
            box.show_history(history)
        self._update_note()

    def show_unavailable(self) -> None:
        self._unavailable = True
        self._update_note()

    def clear(self) -> None:
        self.set_children([])
        self.show_history(None)

    def _on_child_index(self, _index: int) -> None:
        child = self.selected_child()
        if child is not None:
            self.child_selected.emit(child)

    def _on_days_index(self, _index: int) -> None:
        self.days_selected.emit(self.selected_days())

    def _update_note(self) -> None:
        if self._unavailable:
            text = self.tr("This version of Bảo An cannot show the days before.")
        else:
            text = self.tr(
                "One bar a day, today on the right. Select a chart and use the arrow keys "
                "(or click a bar) to read a day's numbers."
            )
        self.note_label.setText(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.child_label.setText(self.tr("Activity of:"))
        self.days_label.setText(self.tr("Period:"))
        self.days_combo.setItemText(0, self.tr("The last 7 days"))
        self.days_combo.setItemText(1, self.tr("The last 30 days"))
        titles = {
            "apps": self.tr("Screen time a day, per app"),
            "categories": self.tr("Screen time a day, per kind of app"),
            "blocked": self.tr("Blocked attempts a day, per kind of website"),
        }
        for view, box in self.boxes.items():
            box.setTitle(titles[view])
            box.chart.setAccessibleName(titles[view])
            box.show_history(self._history)
        self._update_note()
