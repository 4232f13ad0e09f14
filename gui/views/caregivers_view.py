"""The caregivers widget: who gets alerts and through what, how the last deliveries went,
whether this PC's dead-man signal reaches each caregiver, and a "send a test alert" button;
with an agent that edits them, "add", "change" and "remove" (the form is
:class:`gui.views.caregiver_form.CaregiverDialog`).

A thin view over :class:`gui.caregivers.CaregiversModel` (every word comes from there); it
emits what the parent asked for and the controller talks to the agent. It stands alone,
so the Settings page can hold it as one of its sections.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.backend import PolicyProblem
from gui.caregiver_settings import CaregiverEntry, CaregiverList, CaregiverWords, others
from gui.caregivers import CaregiversModel, CaregiversSnapshot, ChannelTest
from gui.colours import Meaning, meaning_brush
from gui.views.caregiver_form import CaregiverDialog
from gui.views.contrast import apply_meaning, apply_message, ground_palette

TROUBLE_MARK = "⚠"

# (current or None, the other caregivers' names, a draft to show again, the agent's
# refusals of it) → what the parent saved, or None.
CaregiverEditor = Callable[
    [CaregiverEntry | None, Sequence[str], CaregiverEntry | None, Sequence[PolicyProblem]],
    CaregiverEntry | None,
]
Confirm = Callable[[str, str], bool]


class CaregiversView(QWidget):
    """The caregivers table, the test button and what the last test did."""

    test_requested = Signal()
    refresh_requested = Signal()
    add_requested = Signal(object)  # CaregiverEntry
    update_requested = Signal(str, object)  # the caregiver's name now, CaregiverEntry
    remove_requested = Signal(str)

    NAME, HEARS, CHANNELS, DELIVERIES, DEAD_MAN = range(5)

    def __init__(self, model: CaregiversModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caregiversView")
        self.model = model
        self._busy = False
        self.words = CaregiverWords(self)
        self.settings: CaregiverList | None = None  # None: this agent does not edit them
        # The edit sent and not saved yet: (the name it had, what the parent typed).
        self.pending: tuple[str | None, CaregiverEntry] | None = None
        self._message = ("", "")
        # Replaceable, so tests answer the dialogs.
        self.edit_caregiver: CaregiverEditor = self._edit_in_dialog
        self.confirm: Confirm = self._confirm_with_box

        self.heading_label = QLabel(self)
        self.heading_label.setObjectName("caregiversHeading")
        self.heading_label.setWordWrap(True)
        self.heading_label.setTextFormat(Qt.TextFormat.PlainText)

        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("caregiversTable")
        self.table.setTabKeyNavigation(False)  # Tab leaves it; arrows move inside
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(lambda row, column: self.edit_selected())
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
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("addCaregiverButton")
        self.add_button.clicked.connect(self.add_caregiver)
        self.edit_button = QPushButton(self)
        self.edit_button.setObjectName("editCaregiverButton")
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button = QPushButton(self)
        self.remove_button.setObjectName("removeCaregiverButton")
        self.remove_button.clicked.connect(self.remove_selected)
        self.save_again_button = QPushButton(self)
        self.save_again_button.setObjectName("saveCaregiverAgainButton")
        self.save_again_button.clicked.connect(self.save_again)
        self.save_again_button.hide()
        edits = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button,
                       self.save_again_button):
            button.hide()  # until the agent says it edits caregivers
            edits.addWidget(button)
        edits.addStretch(1)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("caregiversMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
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
        layout.addLayout(edits)
        layout.addWidget(self.message_label)
        layout.addWidget(self.explain_label)
        layout.addLayout(buttons)
        layout.addWidget(self.result_label)
        # Tab follows the rows as they show: the table, its edits, then the test.
        order = (self.table, self.add_button, self.edit_button, self.remove_button,
                 self.save_again_button, self.test_button, self.refresh_button)
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)
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
        self.settings, self.pending, self._message = None, None, ("", "")
        self._render_message()
        self._fill()

    # The caregivers' settings (an agent that edits them).
    def show_settings(self, caregivers: CaregiverList) -> None:
        self.settings = caregivers
        self._update_buttons()
        if self._message[0] == "conflict":  # read again: "Save again" can apply it now
            self.save_again_button.setEnabled(True)

    def show_saved(self, action: str, name: str) -> None:
        self.pending = None
        self._message = (action, name)
        self._render_message()
        self._update_buttons()

    def show_conflict(self) -> None:
        """The file changed since it was read: nothing saved; the parent's change is kept
        and "Save again" applies it over the new version."""
        self._message = ("conflict", "")
        self._render_message()
        self.save_again_button.setEnabled(False)  # until the new version has been read
        self._update_buttons()

    def show_refused(self, problems: Sequence[PolicyProblem]) -> None:
        """The agent refused the change: the form again, each refusal by its field."""
        if self.pending is None:
            return
        name, draft = self.pending
        current = None if name is None or self.settings is None else self.settings.find(name)
        self._message = ("refused", draft.name)
        self._render_message()
        entry = self.edit_caregiver(current, others(self.settings, name), draft, problems)
        if entry is None:
            self.pending = None
            self._message = ("", "")
            self._render_message()
            return
        self._send(name, entry)

    def show_edit_failure(self, text: str) -> None:
        self._message = ("failed", text)
        self._render_message()

    # The parent's edits.
    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), self.NAME)
        return None if item is None else item.text()

    def select_caregiver(self, name: str) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, self.NAME)
            if item is not None and item.text() == name:
                self.table.selectRow(row)
                return

    def add_caregiver(self) -> None:
        if self.settings is None:
            return
        entry = self.edit_caregiver(None, others(self.settings, None), None, ())
        if entry is not None:
            self._send(None, entry)

    def edit_selected(self) -> None:
        name = self.selected_name()
        current = None if name is None or self.settings is None else self.settings.find(name)
        if current is None:
            return
        entry = self.edit_caregiver(current, others(self.settings, current.name), None, ())
        if entry is None:
            return
        lost = self.words.lost(current, entry)
        if lost:
            question = self.tr("Save the change to %1? It stops: %2.").replace(
                "%1", current.name).replace("%2", "; ".join(lost))
            if not self.confirm(self.tr("Remove a channel"), question):
                return
        self._send(current.name, entry)

    def remove_selected(self) -> None:
        name = self.selected_name()
        if name is None or self.settings is None or self.settings.find(name) is None:
            return
        question = self.tr(
            "Remove %1? They will get no more alerts from Bảo An, Help included."
        ).replace("%1", name)
        if self.confirm(self.tr("Remove a caregiver"), question):
            self.pending = None
            self.remove_requested.emit(name)

    def save_again(self) -> None:
        if self.pending is not None:
            self._send(*self.pending)

    def _send(self, name: str | None, entry: CaregiverEntry) -> None:
        self.pending = (name, entry)
        self._message = ("saving", entry.name)
        self._render_message()
        self._update_buttons()
        if name is None:
            self.add_requested.emit(entry)
        else:
            self.update_requested.emit(name, entry)

    def _edit_in_dialog(
        self,
        current: CaregiverEntry | None,
        names: Sequence[str],
        draft: CaregiverEntry | None,
        refused: Sequence[PolicyProblem],
    ) -> CaregiverEntry | None:
        dialog = CaregiverDialog(current, names, self, draft=draft, refused=refused)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.form.entry()

    def _confirm_with_box(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question)
        return answer == QMessageBox.StandardButton.Yes

    def _render_message(self) -> None:
        kind, name = self._message
        texts = {
            "": "",
            "saving": self.tr("Saving %1…"),
            "added": self.tr("Added %1. Send a test alert to check that it reaches them."),
            "changed": self.tr("Saved %1. Send a test alert to check that it reaches them."),
            "removed": self.tr("Removed %1: they get no more alerts."),
            "conflict": self.tr(
                "The family's settings file changed elsewhere since it was read; nothing was "
                "saved. The list shows the new settings; your change is kept: press Save "
                "again to apply it over them."
            ),
            "refused": self.tr("Bảo An could not save %1: see the form."),
            "failed": self.tr("Not saved: %1"),
        }
        text = texts.get(kind, "").replace("%1", name)
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))
        good = kind in ("added", "changed", "removed", "saving")
        apply_message(self.message_label, good)
        self.save_again_button.setVisible(kind == "conflict" and self.pending is not None)

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
        editable = self.settings is not None
        for button in (self.add_button, self.edit_button, self.remove_button):
            button.setVisible(editable)
        chosen = self.selected_name() is not None
        self.edit_button.setEnabled(editable and chosen)
        self.remove_button.setEnabled(editable and chosen)

    def _fill(self) -> None:
        self.heading_label.setText(self.model.heading())
        chosen = self.selected_name()
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
        if chosen is not None:
            self.select_caregiver(chosen)
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
        self.add_button.setText(self.tr("Add a caregiver…"))
        self.add_button.setAccessibleName(self.tr("Add a caregiver"))
        self.edit_button.setText(self.tr("Change…"))
        self.edit_button.setAccessibleName(self.tr("Change the chosen caregiver"))
        self.remove_button.setText(self.tr("Remove…"))
        self.remove_button.setAccessibleName(self.tr("Remove the chosen caregiver"))
        self.save_again_button.setText(self.tr("Save again"))
        self.save_again_button.setAccessibleName(self.tr("Save your change again"))
        self._render_message()
        self._fill()
