"""The caregivers widget: who gets alerts and through what, how the last deliveries went,
whether this PC's dead-man signal reaches each caregiver, and a "send a test alert" button.

A thin view over :class:`gui.caregivers.CaregiversModel` (every word comes from there); it
emits what the parent asked for and the controller talks to the agent. It stands alone,
so the Settings page can hold it as one of its sections.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.caregivers import CaregiversModel, CaregiversSnapshot, ChannelTest
from gui.colours import Meaning, meaning_brush
from gui.views.contrast import apply_meaning, ground_palette

TROUBLE_MARK = "⚠"


class CaregiversView(QWidget):
    """The caregivers table, the test button and what the last test did."""

    test_requested = Signal()
    refresh_requested = Signal()

    NAME, HEARS, CHANNELS, DELIVERIES, DEAD_MAN = range(5)

    def __init__(self, model: CaregiversModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caregiversView")
        self.model = model
        self._busy = False

        self.heading_label = QLabel(self)
        self.heading_label.setObjectName("caregiversHeading")
        self.heading_label.setWordWrap(True)
        self.heading_label.setTextFormat(Qt.TextFormat.PlainText)

        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("caregiversTable")
        self.table.setTabKeyNavigation(False)  # Tab leaves it; arrows move inside
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.DEAD_MAN, QHeaderView.ResizeMode.Stretch)

        self.explain_label = QLabel(self)
        self.explain_label.setObjectName("deadManExplained")
        self.explain_label.setWordWrap(True)

        self.test_button = QPushButton(self)
        self.test_button.setObjectName("sendTestAlertButton")
        self.test_button.clicked.connect(self._test)
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("refreshCaregiversButton")
        self.refresh_button.clicked.connect(self.refresh_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)

        self.result_label = QLabel(self)
        self.result_label.setObjectName("testAlertResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.explain_label)
        layout.addLayout(buttons)
        layout.addWidget(self.result_label)
        self.retranslate()

    # Data in.
    def show_snapshot(self, snapshot: CaregiversSnapshot) -> None:
        self.model.set_snapshot(snapshot)
        self._fill()

    def show_tested(self, checks: Sequence[ChannelTest]) -> None:
        self._busy = False
        text, all_sent = self.model.test_text(checks)
        apply_meaning(self.result_label, Meaning.DONE if all_sent else Meaning.PROBLEM)
        self.result_label.setText(text)
        self._update_buttons()

    def show_failure(self, text: str) -> None:
        self._busy = False
        apply_meaning(self.result_label, Meaning.PROBLEM)
        self.result_label.setText(self.tr("Bảo An did not answer: %1").replace("%1", text))
        self._update_buttons()

    def clear(self) -> None:
        self._busy = False
        self.model.set_snapshot(None)
        self.result_label.clear()
        self._fill()

    # The parent's choices.
    def _test(self) -> None:
        self._busy = True
        apply_meaning(self.result_label, None)
        self.result_label.setText(self.tr("Sending a test alert to every channel…"))
        self._update_buttons()
        self.test_requested.emit()

    def _update_buttons(self) -> None:
        has_caregivers = bool(self.model.snapshot and self.model.snapshot.caregivers)
        self.test_button.setEnabled(has_caregivers and not self._busy)

    def _fill(self) -> None:
        self.heading_label.setText(self.model.heading())
        rows = self.model.rows()
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            cells = (row.name, row.hears, row.channels, row.deliveries, row.dead_man)
            for column, text in enumerate(cells):
                trouble = (column == self.DELIVERIES and row.trouble) or (
                    column == self.DEAD_MAN and not row.dead_man_ok
                )
                # A mark says it; red adds to it where the theme lets red be read.
                item = QTableWidgetItem(f"{TROUBLE_MARK} {text}" if trouble else text)
                palette = ground_palette(self.table)
                brush = meaning_brush(Meaning.PROBLEM, palette) if trouble else None
                if brush is not None:
                    item.setForeground(brush)
                self.table.setItem(index, column, item)
        self.table.resizeRowsToContents()
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.PaletteChange:
            self._fill()  # the trouble's colour follows the theme
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.table.setAccessibleName(self.tr("Relatives who get alerts"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Caregiver"),
                self.tr("Hears"),
                self.tr("Channels"),
                self.tr("Last deliveries"),
                self.tr("Dead-man signal"),
            ]
        )
        self.explain_label.setText(
            self.tr(
                "The dead-man signal: every 10 minutes this PC re-publishes a message to each "
                "ntfy topic, scheduled 30 minutes ahead. While the PC reports, it never "
                "arrives; if the PC is off, offline or Bảo An was stopped, the caregiver gets "
                "it within 30 minutes. It needs ntfy 2.16 or later."
            )
        )
        self.test_button.setText(self.tr("Send a test alert"))
        self.refresh_button.setText(self.tr("Refresh"))
        self._fill()
