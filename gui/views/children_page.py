"""Các con: who each child is on this PC, with Add, Change and Remove (through the
policy API; the agent writes family.toml). It sits under the tab's table of today."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.backend import PolicyProblem
from gui.family_backend import ChildEntry, FamilySnapshot, OsAccount, PresetSummary
from gui.family_models import ChildSettingsTableModel
from gui.models import RECORD_ROLE
from gui.views.child_form import ChildDialog
from gui.views.common import make_table

ChildEditor = Callable[[ChildEntry | None], ChildEntry | None]
Confirm = Callable[[str, str], bool]


class ChildrenPage(QWidget):
    """Calls ``on_add``, ``on_update``, ``on_remove`` with what the parent asked; the
    family controller saves and answers through the ``show_*`` methods."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings_model = ChildSettingsTableModel(self)
        self._presets: tuple[PresetSummary, ...] = ()
        self._accounts: tuple[OsAccount, ...] = ()
        self._message = ("", "")  # (kind, name): re-worded on a language switch
        self._problems: tuple[PolicyProblem, ...] = ()
        self.on_add: Callable[[ChildEntry], None] = lambda child: None
        self.on_update: Callable[[str, ChildEntry], None] = lambda name, child: None
        self.on_remove: Callable[[str], None] = lambda name: None
        # Replaceable, so tests answer the dialogs.
        self.edit_child: ChildEditor = self._edit_in_dialog
        self.confirm: Confirm = self._confirm_with_box

        self.settings_box = QGroupBox(self)
        self.settings_table = make_table(self.settings_model, self.settings_box)
        self.settings_table.setObjectName("childSettingsTable")
        self.add_button = QPushButton(self.settings_box)
        self.add_button.setObjectName("addChildButton")
        self.edit_button = QPushButton(self.settings_box)
        self.edit_button.setObjectName("editChildButton")
        self.remove_button = QPushButton(self.settings_box)
        self.remove_button.setObjectName("removeChildButton")
        self.message_label = QLabel(self.settings_box)
        self.message_label.setObjectName("childrenMessage")
        self.message_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        inner = QVBoxLayout(self.settings_box)
        inner.addWidget(self.settings_table)
        inner.addLayout(buttons)
        inner.addWidget(self.message_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.settings_box)
        self.add_button.clicked.connect(self.add_child)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.settings_table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.settings_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.settings_box.setEnabled(False)
        self.retranslate()
        self._update_buttons()

    # Data in.
    def show_family(self, snapshot: FamilySnapshot) -> None:
        self.settings_model.set_rows(snapshot.children)
        self.settings_box.setEnabled(True)
        self._update_buttons()

    def set_presets(self, presets: Sequence[PresetSummary]) -> None:
        self._presets = tuple(presets)

    def set_accounts(self, accounts: Sequence[OsAccount]) -> None:
        self._accounts = tuple(accounts)

    def show_saved(self, action: str, name: str) -> None:
        self._message, self._problems = (action, name), ()
        self._render_message()

    def show_conflict(self) -> None:
        self._message, self._problems = ("conflict", ""), ()
        self._render_message()

    def show_refused(self, problems: tuple[PolicyProblem, ...]) -> None:
        self._message, self._problems = ("refused", ""), tuple(problems)
        self._render_message()

    def show_failure(self, text: str) -> None:
        self._message, self._problems = ("failed", text), ()
        self._render_message()

    def clear_family(self) -> None:
        self.settings_model.set_rows([])
        self.settings_box.setEnabled(False)
        self._message, self._problems = ("", ""), ()
        self._render_message()

    # The parent's actions.
    def selected_child(self) -> ChildEntry | None:
        rows = self.settings_table.selectionModel().selectedRows()
        if not rows:
            return None
        record = rows[0].data(RECORD_ROLE)
        return record if isinstance(record, ChildEntry) else None

    def select_child(self, name: str) -> None:
        proxy = self.settings_table.model()
        for row in range(proxy.rowCount()):
            record = proxy.index(row, 0).data(RECORD_ROLE)
            if isinstance(record, ChildEntry) and record.name == name:
                self.settings_table.selectRow(row)
                return

    def add_child(self) -> None:
        child = self.edit_child(None)
        if child is not None:
            self.on_add(child)

    def edit_selected(self) -> None:
        current = self.selected_child()
        if current is None:
            return
        child = self.edit_child(current)
        if child is not None:
            self.on_update(current.name, child)

    def remove_selected(self) -> None:
        current = self.selected_child()
        if current is None:
            return
        question = self.tr(
            "Remove %1 from Bảo An? Their rules and limits go; their data stays until you "
            "delete it in Settings."
        ).replace("%1", current.name)
        if self.confirm(self.tr("Remove a child"), question):
            self.on_remove(current.name)

    def _edit_in_dialog(self, child: ChildEntry | None) -> ChildEntry | None:
        dialog = ChildDialog(self._presets, self._accounts, child, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.form.entry()

    def _confirm_with_box(self, title: str, question: str) -> bool:
        # No is the default: Enter, like Escape, changes nothing; Yes is a choice.
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        answer = QMessageBox.question(self, title, question, buttons, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _update_buttons(self, *_args: object) -> None:
        chosen = self.selected_child() is not None
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen and self.settings_model.rowCount() > 1)

    def _render_message(self) -> None:
        kind, name = self._message
        texts = {
            "added": self.tr("Added %1. The age preset works at once."),
            "changed": self.tr("Saved. %1's settings work at once."),
            "removed": self.tr("Removed %1."),
            "conflict": self.tr(
                "The family settings changed elsewhere in the meantime (by hand or on another "
                "device). Nothing was saved; the list shows them now. Make the change again."
            ),
            "refused": self.tr("Bảo An could not save this:"),
        }
        if kind == "failed":
            text = (
                self.tr("A child with that name is already in the family.")
                if name == "child_exists"
                else self.tr("Could not save: %1").replace("%1", name)
            )
        else:
            text = texts.get(kind, "").replace("%1", name)
        for problem in self._problems:
            text += "\n• " + problem.path + ": " + (problem.expected or "")
        self.message_label.setText(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.settings_box.setTitle(self.tr("The children on this computer"))
        self.add_button.setText(self.tr("&Add a child…"))
        self.edit_button.setText(self.tr("&Change…"))
        self.remove_button.setText(self.tr("&Remove…"))
        self.remove_button.setToolTip(self.tr("The last child cannot be removed."))
        self.settings_model.retranslate()
        self._render_message()
