"""The events half of "Yêu cầu và cảnh báo": what happened, newest first, each in the
family's words (a parent's edit, a child's Help, a clock changed). A thin view over
:class:`~gui.pages_models.EventsTableModel`."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QSplitter, QVBoxLayout, QWidget

from gui.pages_models import EventsTableModel
from gui.views.common import make_table


class EventsPanel(QGroupBox):
    def __init__(self, model: EventsTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eventsPanel")
        self.model = model
        self.count_label = QLabel(self)
        self.count_label.setObjectName("eventsCount")
        self.count_label.setWordWrap(True)
        self.table = make_table(model, self, stretch=EventsTableModel.WHAT)
        self.table.setObjectName("eventsTable")
        layout = QVBoxLayout(self)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table)
        model.modelReset.connect(self._update_count)
        self.retranslate()

    def _update_count(self) -> None:
        rows, alerts = self.model.rowCount(), self.model.alert_count()
        if not rows:
            self.count_label.setText(self.tr("Nothing has happened yet."))
        else:
            self.count_label.setText(
                self.tr("The %n newest events", None, rows)
                + (" — " + self.tr("%n alert(s) among them", None, alerts) if alerts else "")
            )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setTitle(self.tr("What happened"))
        self.table.setAccessibleName(self.tr("What happened"))
        self.model.retranslate()
        self._update_count()


class RequestsAndAlertsPage(QWidget):
    """"Yêu cầu và cảnh báo": the children's requests over what happened."""

    def __init__(
        self, requests_tab: QWidget, events: EventsPanel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("requestsAndAlerts")
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        requests_tab.setParent(self.splitter)
        events.setParent(self.splitter)
        self.splitter.addWidget(requests_tab)
        self.splitter.addWidget(events)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
