"""Cài đặt: language, the list sources with "update now", pausing protection, a child's
data (export, delete), the PIN, the caregivers (their own view, when there is one) and
about. A thin view: it shows what the settings controller reports and calls what the
parent asked for; every step that cannot be undone is confirmed first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import QEvent, QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.backend import ListInfo
from gui.colours import Meaning
from gui.family_backend import ListUpdate, PauseState
from gui.family_models import ListSourcesTableModel
from gui.views.common import make_table, place_in_tab_order
from gui.views.contrast import apply_meaning

LANGUAGE_NAMES = (("vi", "Tiếng Việt"), ("en", "English"))  # each in itself, never translated
PIN_PATTERN = r"\d{0,12}"
DEFAULT_PAUSE_MINUTES = 30
Confirm = Callable[[str, str], bool]
FolderChooser = Callable[[], Path | None]


class SettingsPage(QWidget):
    language_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, timezone: tzinfo | None = None) -> None:
        super().__init__(parent)
        self._timezone = timezone
        self._pause = PauseState()
        self._update = ListUpdate()
        self._update_note = ""
        self._data_note = ("", "")
        self._pin_note: tuple[str, object] = ("", None)
        self._recovery_code = ""
        self._version = ""
        self._children: list[str] = []
        # Replaceable, so tests answer the dialogs.
        self.confirm: Confirm = self._confirm_with_box
        self.choose_folder: FolderChooser = self._choose_folder_with_dialog
        self.on_pause: Callable[[int], None] = lambda minutes: None
        self.on_resume: Callable[[], None] = lambda: None
        self.on_update: Callable[[], None] = lambda: None
        self.on_cancel_update: Callable[[], None] = lambda: None
        self.on_export: Callable[[str, Path], None] = lambda child, folder: None
        self.on_cancel_export: Callable[[], None] = lambda: None
        self.on_delete: Callable[[str], None] = lambda child: None
        self.on_change_pin: Callable[[str, str], None] = lambda old, new: None
        self.on_new_recovery_code: Callable[[], None] = lambda: None

        # Language.
        self.language_box = QGroupBox(self)
        self.language_combo = QComboBox(self.language_box)
        self.language_combo.setObjectName("settingsLanguage")
        for code, name in LANGUAGE_NAMES:
            self.language_combo.addItem(name, code)
        self.language_combo.currentIndexChanged.connect(self._on_language)
        QVBoxLayout(self.language_box).addWidget(self.language_combo)

        # Lists.
        self.lists_box = QGroupBox(self)
        self.lists_model = ListSourcesTableModel(self)
        self.lists_table = make_table(self.lists_model, self.lists_box, stretch=1)
        self.lists_table.setObjectName("listSourcesTable")
        self.lists_table.setMinimumHeight(140)
        self.update_button = QPushButton(self.lists_box)
        self.update_button.setObjectName("updateListsButton")
        self.cancel_update_button = QPushButton(self.lists_box)
        self.cancel_update_button.setObjectName("cancelUpdateButton")
        self.update_bar = QProgressBar(self.lists_box)
        self.update_bar.setObjectName("updateProgress")
        self.update_label = QLabel(self.lists_box)
        self.update_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.update_button)
        row.addWidget(self.update_bar, 1)
        row.addWidget(self.cancel_update_button)
        lists_layout = QVBoxLayout(self.lists_box)
        lists_layout.addWidget(self.lists_table)
        lists_layout.addLayout(row)
        lists_layout.addWidget(self.update_label)
        self.update_button.clicked.connect(lambda: self.on_update())
        self.cancel_update_button.clicked.connect(lambda: self.on_cancel_update())

        # Pause.
        self.pause_box = QGroupBox(self)
        self.pause_minutes = QSpinBox(self.pause_box)
        self.pause_minutes.setObjectName("pauseMinutes")
        self.pause_minutes.setRange(5, 240)
        self.pause_minutes.setSingleStep(5)
        self.pause_minutes.setValue(DEFAULT_PAUSE_MINUTES)
        self.pause_button = QPushButton(self.pause_box)
        self.pause_button.setObjectName("pauseButton")
        self.resume_button = QPushButton(self.pause_box)
        self.resume_button.setObjectName("resumeButton")
        self.pause_label = QLabel(self.pause_box)
        self.pause_label.setObjectName("pauseState")
        self.pause_label.setWordWrap(True)
        self.pause_minutes_label = QLabel(self.pause_box)
        self.pause_minutes_label.setBuddy(self.pause_minutes)
        pause_row = QHBoxLayout()
        pause_row.addWidget(self.pause_minutes_label)
        pause_row.addWidget(self.pause_minutes)
        pause_row.addWidget(self.pause_button)
        pause_row.addWidget(self.resume_button)
        pause_row.addStretch(1)
        pause_layout = QVBoxLayout(self.pause_box)
        pause_layout.addLayout(pause_row)
        pause_layout.addWidget(self.pause_label)
        self.pause_button.clicked.connect(self._ask_pause)
        self.resume_button.clicked.connect(lambda: self.on_resume())

        # A child's data.
        self.data_box = QGroupBox(self)
        self.data_child = QComboBox(self.data_box)
        self.data_child.setObjectName("dataChild")
        self.data_child_label = QLabel(self.data_box)
        self.data_child_label.setBuddy(self.data_child)
        self.export_button = QPushButton(self.data_box)
        self.export_button.setObjectName("exportButton")
        self.cancel_export_button = QPushButton(self.data_box)
        self.cancel_export_button.setObjectName("cancelExportButton")
        self.delete_button = QPushButton(self.data_box)
        self.delete_button.setObjectName("deleteDataButton")
        self.export_bar = QProgressBar(self.data_box)
        self.export_bar.setObjectName("exportProgress")
        self.data_label = QLabel(self.data_box)
        self.data_label.setObjectName("dataMessage")
        self.data_label.setWordWrap(True)
        self.data_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_explanation = QLabel(self.data_box)
        self.data_explanation.setWordWrap(True)
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_child_label)
        data_row.addWidget(self.data_child)
        data_row.addWidget(self.export_button)
        data_row.addWidget(self.delete_button)
        data_row.addStretch(1)
        export_row = QHBoxLayout()
        export_row.addWidget(self.export_bar, 1)
        export_row.addWidget(self.cancel_export_button)
        data_layout = QVBoxLayout(self.data_box)
        data_layout.addWidget(self.data_explanation)
        data_layout.addLayout(data_row)
        data_layout.addLayout(export_row)
        data_layout.addWidget(self.data_label)
        self.export_button.clicked.connect(self._ask_export)
        self.delete_button.clicked.connect(self._ask_delete)
        self.cancel_export_button.clicked.connect(lambda: self.on_cancel_export())

        # The PIN.
        self.pin_box = QGroupBox(self)
        validator = QRegularExpressionValidator(QRegularExpression(PIN_PATTERN), self)
        self.old_pin = self._pin_edit("oldPinEdit", validator)
        self.new_pin = self._pin_edit("newPinEdit", validator)
        self.repeat_pin = self._pin_edit("repeatPinEdit", validator)
        self.change_pin_button = QPushButton(self.pin_box)
        self.change_pin_button.setObjectName("changePinButton")
        self.recovery_button = QPushButton(self.pin_box)
        self.recovery_button.setObjectName("newRecoveryCodeButton")
        self.pin_label = QLabel(self.pin_box)
        self.pin_label.setObjectName("pinMessage")
        self.pin_label.setWordWrap(True)
        self.pin_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.old_pin_label, self.new_pin_label, self.repeat_pin_label = (
            QLabel(self.pin_box),
            QLabel(self.pin_box),
            QLabel(self.pin_box),
        )
        pin_form = QFormLayout()
        for label, edit in (
            (self.old_pin_label, self.old_pin),
            (self.new_pin_label, self.new_pin),
            (self.repeat_pin_label, self.repeat_pin),
        ):
            label.setBuddy(edit)
            pin_form.addRow(label, edit)
        pin_buttons = QHBoxLayout()
        pin_buttons.addWidget(self.change_pin_button)
        pin_buttons.addWidget(self.recovery_button)
        pin_buttons.addStretch(1)
        pin_layout = QVBoxLayout(self.pin_box)
        pin_layout.addLayout(pin_form)
        pin_layout.addLayout(pin_buttons)
        pin_layout.addWidget(self.pin_label)
        for edit in (self.old_pin, self.new_pin, self.repeat_pin):
            edit.textChanged.connect(self._update_pin_button)
        self.change_pin_button.clicked.connect(self._ask_change_pin)
        self.recovery_button.clicked.connect(self._ask_recovery_code)

        # The caregivers: their own view goes here (set_caregivers_view).
        self.caregivers_box = QGroupBox(self)
        self.caregivers_box.setObjectName("caregiversSlot")
        self.caregivers_layout = QVBoxLayout(self.caregivers_box)
        self.caregivers_note = QLabel(self.caregivers_box)
        self.caregivers_note.setWordWrap(True)
        self.caregivers_layout.addWidget(self.caregivers_note)

        # About.
        self.about_box = QGroupBox(self)
        self.about_label = QLabel(self.about_box)
        self.about_label.setObjectName("aboutText")
        self.about_label.setWordWrap(True)
        self.about_label.setOpenExternalLinks(True)
        QVBoxLayout(self.about_box).addWidget(self.about_label)

        content = QWidget(self)
        column = QVBoxLayout(content)
        for box in (
            self.language_box,
            self.lists_box,
            self.pause_box,
            self.data_box,
            self.pin_box,
            self.caregivers_box,
            self.about_box,
        ):
            column.addWidget(box)
        column.addStretch(1)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)
        self.retranslate()
        self._render_update()
        self._render_export(0, 0, running=False)

    # Data in.
    def set_language_choice(self, language: str) -> None:
        position = self.language_combo.findData(language)
        if position >= 0 and position != self.language_combo.currentIndex():
            self.language_combo.blockSignals(True)
            self.language_combo.setCurrentIndex(position)
            self.language_combo.blockSignals(False)

    def set_timezone(self, zone: tzinfo) -> None:
        self._timezone = zone
        self._render_pause()

    def show_lists(self, lists: Sequence[ListInfo], version: str) -> None:
        self.lists_model.set_rows(lists)
        self._version = version
        self._render_about()

    def set_children(self, names: Sequence[str]) -> None:
        if list(names) == self._children:
            return
        current = self.data_child.currentText()
        self._children = list(names)
        self.data_child.clear()
        self.data_child.addItems(self._children)
        if current in self._children:
            self.data_child.setCurrentText(current)
        self._update_data_buttons()

    def show_pause(self, state: PauseState) -> None:
        self._pause = state
        self._render_pause()

    def show_update(self, update: ListUpdate) -> None:
        self._update = update
        self._update_note = ""
        self._render_update()

    def show_update_finished(self, update: ListUpdate) -> None:
        self._update = update
        self._update_note = update.state
        self._render_update()

    def show_export_progress(self, done: int, total: int) -> None:
        self._render_export(done, total, running=True)

    def show_exported(self, paths: tuple[Path, ...]) -> None:
        self._data_note = ("exported", "\n".join(str(path) for path in paths))
        self._render_export(1, 1, running=False)
        self._render_data()

    def show_export_cancelled(self) -> None:
        self._data_note = ("cancelled", "")
        self._render_export(0, 0, running=False)
        self._render_data()

    def show_deleted(self, child: str, rows: int) -> None:
        self._data_note = ("deleted", child)
        self._render_data()

    def show_pin_changed(self) -> None:
        for edit in (self.old_pin, self.new_pin, self.repeat_pin):
            edit.clear()
        self._pin_note = ("changed", None)
        self._render_pin()

    def show_pin_refused(self, tries_left: object) -> None:
        self.old_pin.clear()
        self._pin_note = ("locked" if tries_left == -1 else "wrong", tries_left)
        self._render_pin()

    def show_recovery_code(self, code: str) -> None:
        self._recovery_code = code
        self._pin_note = ("recovery", code)
        self._render_pin()

    def show_failure(self, text: str) -> None:
        self._data_note = ("failed", text)
        self._render_export(0, 0, running=False)
        self._render_data()

    def set_agent_features(self, available: bool) -> None:
        """An agent without the settings endpoints: only the language and about work."""
        for box in (self.lists_box, self.pause_box, self.data_box, self.pin_box):
            box.setVisible(available)

    def set_caregivers_view(self, view: QWidget) -> None:
        """The caregivers' own view (caregivers, channels, "send a test alert")."""
        self.caregivers_note.hide()
        self.caregivers_layout.addWidget(view)
        place_in_tab_order(self.recovery_button, view)  # where it shows: after the PIN

    def hide_caregivers_view(self) -> None:
        """The caregivers' view cannot work with this agent: the note comes back."""
        for index in range(1, self.caregivers_layout.count()):
            item = self.caregivers_layout.itemAt(index)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
        self.caregivers_note.show()

    def clear(self) -> None:
        """Forget what a parent saw (on lock): the code shown once, the PIN fields."""
        for edit in (self.old_pin, self.new_pin, self.repeat_pin):
            edit.clear()
        self._recovery_code = ""
        self._pin_note = ("", None)
        self._data_note = ("", "")
        self._render_pin()
        self._render_data()

    # The parent's actions, confirmed where they cannot be undone.
    def _ask_pause(self) -> None:
        minutes = self.pause_minutes.value()
        question = self.tr(
            "Pause protection for %1 minutes? Blocked websites open until then, and the "
            "family's caregivers are told."
        ).replace("%1", str(minutes))
        if self.confirm(self.tr("Pause protection"), question):
            self.on_pause(minutes)

    def _ask_export(self) -> None:
        child = self.data_child.currentText()
        if not child:
            return
        folder = self.choose_folder()
        if folder is not None:
            self._data_note = ("exporting", child)
            self._render_data()
            self._render_export(0, 0, running=True)
            self.on_export(child, folder)

    def _ask_delete(self) -> None:
        child = self.data_child.currentText()
        if not child:
            return
        question = self.tr(
            "Delete everything Bảo An keeps about %1: websites visited, screen time, "
            "requests and alerts? This cannot be undone. Export a copy first if you want one."
        ).replace("%1", child)
        if self.confirm(self.tr("Delete a child's data"), question):
            self.on_delete(child)

    def _ask_change_pin(self) -> None:
        if self.new_pin.text() != self.repeat_pin.text():
            self._pin_note = ("mismatch", None)
            self._render_pin()
            return
        self.on_change_pin(self.old_pin.text(), self.new_pin.text())

    def _ask_recovery_code(self) -> None:
        question = self.tr(
            "Make a new recovery code? The old one stops working. Write the new one down."
        )
        if self.confirm(self.tr("New recovery code"), question):
            self.on_new_recovery_code()

    def _confirm_with_box(self, title: str, question: str) -> bool:
        # No is the default: Enter, like Escape, changes nothing; Yes is a choice.
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        answer = QMessageBox.question(self, title, question, buttons, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _choose_folder_with_dialog(self) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Where to save the copy"))
        return Path(chosen) if chosen else None

    # Drawing.
    def _pin_edit(self, name: str, validator: QRegularExpressionValidator) -> QLineEdit:
        edit = QLineEdit(self.pin_box)
        edit.setObjectName(name)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setValidator(validator)
        edit.setMaxLength(12)
        return edit

    def _update_pin_button(self) -> None:
        complete = all(
            len(edit.text()) >= 4 for edit in (self.old_pin, self.new_pin, self.repeat_pin)
        )
        self.change_pin_button.setEnabled(complete)

    def _update_data_buttons(self) -> None:
        chosen = bool(self.data_child.currentText())
        self.export_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def _on_language(self, _index: int) -> None:
        code = self.language_combo.currentData()
        if isinstance(code, str):
            self.language_selected.emit(code)

    def _render_pause(self) -> None:
        until = self._pause.paused_until
        self.resume_button.setVisible(until is not None)
        if until is None:
            self.pause_label.setText(self.tr("Protection is on."))
            apply_meaning(self.pause_label, None)
            return
        local = until.astimezone(self._timezone) if self._timezone else until.astimezone()
        self.pause_label.setText(
            self.tr(
                "Protection is paused until %1: nothing is blocked. It comes back by itself."
            ).replace("%1", local.strftime("%H:%M"))
        )
        apply_meaning(self.pause_label, Meaning.WAITING, bold=True)

    def _render_update(self) -> None:
        update = self._update
        running = update.running
        self.update_button.setEnabled(not running)
        self.cancel_update_button.setEnabled(running)
        self.update_bar.setVisible(running or bool(self._update_note))
        self.update_bar.setRange(0, max(1, update.total))
        self.update_bar.setValue(update.done)
        if running:
            text = self.tr("Downloading %1 of %2: %3").replace("%1", str(update.done + 1))
            text = text.replace("%2", str(update.total)).replace("%3", update.current or "…")
        elif self._update_note == "done":
            text = self.tr("The lists are up to date: %1 changed, %2 could not be downloaded.")
            text = text.replace("%1", str(update.updated)).replace("%2", str(update.failed))
        elif self._update_note == "cancelled":
            text = self.tr("Cancelled. The lists not downloaded keep their last copy.")
        elif self._update_note == "failed":
            text = self.tr("The update failed. The last good lists stay in force.")
        else:
            text = ""
        self.update_label.setText(text)

    def _render_export(self, done: int, total: int, *, running: bool) -> None:
        self.export_bar.setVisible(running)
        self.cancel_export_button.setVisible(running)
        self.export_bar.setRange(0, max(1, total))
        self.export_bar.setValue(done)
        self.export_button.setEnabled(not running and bool(self.data_child.currentText()))
        self.delete_button.setEnabled(not running and bool(self.data_child.currentText()))

    def _render_data(self) -> None:
        kind, value = self._data_note
        texts = {
            "exporting": self.tr("Exporting %1's data…"),
            "exported": self.tr("Saved (JSON and CSV):\n%1"),
            "cancelled": self.tr("The export was cancelled; nothing was saved."),
            "deleted": self.tr("%1's data is deleted."),
            "failed": self.tr("It did not work: %1"),
        }
        self.data_label.setText(texts.get(kind, "").replace("%1", value))

    def _render_pin(self) -> None:
        kind, value = self._pin_note
        if kind == "wrong":
            text = self.tr("The current PIN is not right.")
            if isinstance(value, int):
                text += " " + self.tr("%n try(ies) left before a pause.", None, value)
        else:
            texts = {
                "changed": self.tr("The PIN is changed. Other devices must enter the new PIN."),
                "locked": self.tr("Too many wrong PINs: wait a little, then try again."),
                "mismatch": self.tr("The two new PINs are not the same."),
                "recovery": self.tr(
                    "Your new recovery code: %1\nWrite it down and keep it safe. It is shown "
                    "only now."
                ),
            }
            text = texts.get(kind, "").replace("%1", str(value or ""))
        self.pin_label.setText(text)

    def _render_about(self) -> None:
        version = self._version or "—"
        self.about_label.setText(
            self.tr(
                "Bảo An %1 keeps children safe online on this computer: it filters websites, "
                "limits screen time and tells the family when a child needs help. Everything "
                "stays on this computer. Children in danger can call 111 (free, day and night)."
            ).replace("%1", version)
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.language_box.setTitle(self.tr("Language"))
        self.language_combo.setAccessibleName(self.tr("Language of the dashboard"))
        self.lists_box.setTitle(self.tr("Block lists"))
        self.update_button.setText(self.tr("&Update now"))
        self.cancel_update_button.setText(self.tr("Cancel"))
        self.pause_box.setTitle(self.tr("Pause protection"))
        self.pause_minutes_label.setText(self.tr("&Minutes:"))
        self.pause_button.setText(self.tr("&Pause"))
        self.resume_button.setText(self.tr("Turn protection back &on"))
        self.data_box.setTitle(self.tr("A child's data"))
        self.data_explanation.setText(
            self.tr(
                "As Decree 13/2023 on personal data provides, you may get a copy of what Bảo "
                "An keeps about a child (JSON and CSV files) or delete it."
            )
        )
        self.data_child_label.setText(self.tr("&Child:"))
        self.export_button.setText(self.tr("&Export…"))
        self.cancel_export_button.setText(self.tr("Cancel"))
        self.delete_button.setText(self.tr("&Delete…"))
        self.pin_box.setTitle(self.tr("Parent PIN"))
        self.old_pin_label.setText(self.tr("C&urrent PIN:"))
        self.new_pin_label.setText(self.tr("&New PIN (4–12 digits):"))
        self.repeat_pin_label.setText(self.tr("&Repeat the new PIN:"))
        self.change_pin_button.setText(self.tr("C&hange the PIN"))
        self.recovery_button.setText(self.tr("New &recovery code…"))
        self.caregivers_box.setTitle(self.tr("Caregivers"))
        self.caregivers_note.setText(
            self.tr("The people who get alerts are set in the family settings file for now.")
        )
        self.about_box.setTitle(self.tr("About"))
        self.lists_model.retranslate()
        self._update_pin_button()
        self._render_pause()
        self._render_update()
        self._render_data()
        self._render_pin()
        self._render_about()
