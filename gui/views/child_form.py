"""A child's name, age or birth year, preset, OS accounts and LAN devices, with what the
age's preset blocks and limits shown before anything is saved. Used by the first run and
by the Children page's dialog; it only shows and collects, the controller saves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.colours import Meaning
from gui.family_backend import ChildEntry, OsAccount, PresetSummary
from gui.family_controller import device_from, preset_by_id, preset_for_age
from gui.labels import category_label, format_minutes, preset_label
from gui.views.contrast import apply_meaning

MAX_CHILD_AGE = 17
WEEKDAYS = 5


class ChildForm(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self._year = (today or date.today()).year
        self._presets: tuple[PresetSummary, ...] = ()
        self._extra_accounts: list[str] = []

        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("childNameEdit")
        self.name_edit.setMaxLength(40)
        self.age_kind = QComboBox(self)
        self.age_kind.setObjectName("ageKind")
        self.age_kind.addItems(["", ""])
        self.age_spin = QSpinBox(self)
        self.age_spin.setObjectName("ageSpin")
        self.age_spin.setRange(0, MAX_CHILD_AGE)
        self.age_spin.setValue(8)
        self.year_spin = QSpinBox(self)
        self.year_spin.setObjectName("birthYearSpin")
        self.year_spin.setRange(self._year - MAX_CHILD_AGE, self._year)
        self.year_spin.setValue(self._year - 8)
        self.year_spin.setVisible(False)
        age_row = QHBoxLayout()
        age_row.addWidget(self.age_kind)
        age_row.addWidget(self.age_spin)
        age_row.addWidget(self.year_spin)
        age_row.addStretch(1)
        self.preset_box = QComboBox(self)
        self.preset_box.setObjectName("presetBox")
        self.preset_preview = QLabel(self)
        self.preset_preview.setObjectName("presetPreview")
        self.preset_preview.setWordWrap(True)
        self.preset_preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preset_preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.accounts_list = QListWidget(self)
        self.accounts_list.setObjectName("accountsList")
        self.accounts_list.setMaximumHeight(110)
        self.devices_table = QTableWidget(0, 2, self)
        self.devices_table.setObjectName("devicesTable")
        self.devices_table.setTabKeyNavigation(False)  # Tab leaves it; arrows move inside
        self.devices_table.setMaximumHeight(130)
        self.devices_table.verticalHeader().setVisible(False)
        self.devices_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.devices_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.add_device_button = QPushButton(self)
        self.remove_device_button = QPushButton(self)
        device_buttons = QHBoxLayout()
        device_buttons.addWidget(self.add_device_button)
        device_buttons.addWidget(self.remove_device_button)
        device_buttons.addStretch(1)

        self.name_label = QLabel(self)
        self.age_label = QLabel(self)
        self.preset_label = QLabel(self)
        self.accounts_label = QLabel(self)
        self.devices_label = QLabel(self)
        for label, buddy in (
            (self.name_label, self.name_edit),
            (self.age_label, self.age_kind),
            (self.preset_label, self.preset_box),
            (self.accounts_label, self.accounts_list),
            (self.devices_label, self.devices_table),
        ):
            label.setBuddy(buddy)
        form = QFormLayout()
        form.addRow(self.name_label, self.name_edit)
        form.addRow(self.age_label, age_row)
        form.addRow(self.preset_label, self.preset_box)
        form.addRow("", self.preset_preview)
        form.addRow(self.accounts_label, self.accounts_list)
        devices = QVBoxLayout()
        devices.addWidget(self.devices_table)
        devices.addLayout(device_buttons)
        form.addRow(self.devices_label, devices)
        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("childFormProblem")
        self.problem_label.setWordWrap(True)
        apply_meaning(self.problem_label, Meaning.PROBLEM)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)

        self.name_edit.textChanged.connect(self._on_changed)
        self.age_kind.currentIndexChanged.connect(self._on_age_kind)
        self.age_spin.valueChanged.connect(self._on_changed)
        self.year_spin.valueChanged.connect(self._on_changed)
        self.preset_box.currentIndexChanged.connect(self._on_changed)
        self.accounts_list.itemChanged.connect(lambda _item: self.changed.emit())
        self.devices_table.itemChanged.connect(lambda _item: self.changed.emit())
        self.add_device_button.clicked.connect(self.add_device_row)
        self.remove_device_button.clicked.connect(self._remove_device_row)
        self.retranslate()

    # Data in.
    def set_presets(self, presets: Sequence[PresetSummary]) -> None:
        chosen = self.preset_box.currentData()
        self._presets = tuple(presets)
        self.preset_box.blockSignals(True)
        self.preset_box.clear()
        self.preset_box.addItem("", None)
        for preset in self._presets:
            self.preset_box.addItem(preset_label(preset.preset_id), preset.preset_id)
        self.preset_box.setCurrentIndex(max(0, self.preset_box.findData(chosen)))
        self.preset_box.blockSignals(False)
        self.retranslate()

    def set_accounts(self, accounts: Sequence[OsAccount]) -> None:
        ticked = set(self.os_users())
        self.accounts_list.blockSignals(True)
        self.accounts_list.clear()
        names = [account.name for account in accounts]
        for account in accounts:
            text = f"{account.name} ({account.full_name})" if account.full_name else account.name
            self._add_account(account.name, text, account.name in ticked)
        for name in sorted(ticked - set(names)):  # named in the file, not on this PC
            self._add_account(name, name, True)
        self.accounts_list.blockSignals(False)

    def set_child(self, child: ChildEntry | None) -> None:
        """Fill the form with `child` (None: an empty form for a new child)."""
        self.name_edit.setText(child.name if child else "")
        if child is not None and child.birth_year is not None:
            self.age_kind.setCurrentIndex(1)
            self.year_spin.setValue(child.birth_year)
        else:
            self.age_kind.setCurrentIndex(0)
            self.age_spin.setValue(child.age if child and child.age is not None else 8)
        self.preset_box.setCurrentIndex(
            max(0, self.preset_box.findData(child.preset if child else None))
        )
        users = set(child.os_users if child else ())
        present = {
            self.accounts_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.accounts_list.count())
        }
        for name in sorted(users - present):
            self._add_account(name, name, True)
        for index in range(self.accounts_list.count()):
            item = self.accounts_list.item(index)
            ticked = item.data(Qt.ItemDataRole.UserRole) in users
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.devices_table.setRowCount(0)
        for device in child.devices if child else ():
            self.add_device_row(device.name, device.address)
        self.problem_label.clear()
        self._update_preview()

    def show_problem(self, text: str) -> None:
        self.problem_label.setText(text)

    # Data out.
    def os_users(self) -> list[str]:
        return [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in (self.accounts_list.item(i) for i in range(self.accounts_list.count()))
            if item.checkState() == Qt.CheckState.Checked
        ]

    def age(self) -> int:
        if self.age_kind.currentIndex() == 1:
            return self._year - self.year_spin.value()
        return self.age_spin.value()

    def entry(self) -> ChildEntry:
        by_year = self.age_kind.currentIndex() == 1
        devices = []
        for row in range(self.devices_table.rowCount()):
            name_item = self.devices_table.item(row, 0)
            address_item = self.devices_table.item(row, 1)
            device = device_from(
                name_item.text() if name_item else "", address_item.text() if address_item else ""
            )
            if device is not None:
                devices.append(device)
        preset = self.preset_box.currentData()
        return ChildEntry(
            name=self.name_edit.text().strip(),
            age=None if by_year else self.age_spin.value(),
            birth_year=self.year_spin.value() if by_year else None,
            preset=preset if isinstance(preset, str) else None,
            os_users=tuple(self.os_users()),
            devices=tuple(devices),
        )

    def is_complete(self) -> bool:
        return bool(self.name_edit.text().strip())

    def chosen_preset(self) -> PresetSummary | None:
        named = preset_by_id(self._presets, self.preset_box.currentData())
        return named or preset_for_age(self._presets, self.age())

    # Rows.
    def add_device_row(self, name: str = "", address: str = "") -> None:
        row = self.devices_table.rowCount()
        self.devices_table.insertRow(row)
        self.devices_table.setItem(row, 0, QTableWidgetItem(name))
        self.devices_table.setItem(row, 1, QTableWidgetItem(address))

    def _remove_device_row(self) -> None:
        row = self.devices_table.currentRow()
        if row >= 0:
            self.devices_table.removeRow(row)
            self.changed.emit()

    def _add_account(self, name: str, text: str, ticked: bool) -> None:
        item = QListWidgetItem(text, self.accounts_list)
        item.setData(Qt.ItemDataRole.UserRole, name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def _on_age_kind(self, index: int) -> None:
        self.age_spin.setVisible(index == 0)
        self.year_spin.setVisible(index == 1)
        self._on_changed()

    def _on_changed(self, *_args: object) -> None:
        self._update_preview()
        self.changed.emit()

    # What the preset does, in words.
    def _update_preview(self) -> None:
        preset = self.chosen_preset()
        if preset is None:
            self.preset_preview.setText(self.tr("Choose an age to see what Bảo An sets."))
            return
        self.preset_preview.setText(preset_description(preset))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.name_label.setText(self.tr("&Name:"))
        self.age_label.setText(self.tr("&Age:"))
        self.preset_label.setText(self.tr("Age &preset:"))
        self.accounts_label.setText(self.tr("Computer &accounts:"))
        self.devices_label.setText(self.tr("Devices at &home:"))
        self.age_kind.setItemText(0, self.tr("Age"))
        self.age_kind.setItemText(1, self.tr("Birth year"))
        self.age_kind.setAccessibleName(self.tr("Age or birth year"))
        self.age_spin.setAccessibleName(self.tr("Age"))
        self.year_spin.setAccessibleName(self.tr("Birth year"))
        self.accounts_list.setToolTip(
            self.tr("Tick the accounts on this computer that the child uses.")
        )
        self.devices_table.setHorizontalHeaderLabels(
            [self.tr("Device name"), self.tr("IP or MAC address")]
        )
        self.devices_table.setToolTip(
            self.tr("A tablet or phone at home: its IP address (192.168.1.23) or MAC address.")
        )
        self.add_device_button.setText(self.tr("Add a device"))
        self.remove_device_button.setText(self.tr("Remove the device"))
        if self.preset_box.count():
            self.preset_box.setItemText(0, self.tr("By age (recommended)"))
            for index in range(1, self.preset_box.count()):
                preset_id = str(self.preset_box.itemData(index))
                self.preset_box.setItemText(index, preset_label(preset_id))
        self._update_preview()


def preset_description(preset: PresetSummary) -> str:
    """What a preset blocks and limits, in the parent's words."""
    lines = [preset_label(preset.preset_id)]
    categories = ", ".join(category_label(category) for category in preset.blocked_categories)
    lines.append(
        QCoreApplication.translate("ChildForm", "Blocks: %1.").replace("%1", categories or "—")
    )
    if preset.blocked_services:
        services = ", ".join(preset.blocked_services)
        lines.append(
            QCoreApplication.translate("ChildForm", "Blocked apps and services: %1.").replace(
                "%1", services
            )
        )
    if preset.allow_list_only:
        lines.append(
            QCoreApplication.translate(
                "ChildForm", "Only the websites on the always-allowed list open."
            )
        )
    weekdays, weekend = preset.daily_minutes[0], preset.daily_minutes[WEEKDAYS]
    lines.append(
        QCoreApplication.translate(
            "ChildForm", "Screen time: %1 on school days, %2 at the weekend."
        )
        .replace("%1", format_minutes(weekdays))
        .replace("%2", format_minutes(weekend))
    )
    if preset.allowed_hours:
        spans = ", ".join(f"{start}–{end}" for start, end in preset.allowed_hours)
        lines.append(
            QCoreApplication.translate("ChildForm", "The computer can be used: %1.").replace(
                "%1", spans
            )
        )
    games = dict(preset.category_minutes).get("games")
    if games is not None and preset.per_game_minutes is not None:
        lines.append(
            QCoreApplication.translate(
                "ChildForm", "Games: %1 a day, %2 per game (Decree 147/2024)."
            )
            .replace("%1", format_minutes(games))
            .replace("%2", format_minutes(preset.per_game_minutes))
        )
    if preset.safe_search:
        lines.append(QCoreApplication.translate("ChildForm", "Safe search is on."))
    return "\n".join(lines)


class ChildDialog(QDialog):
    """The form in a dialog: Save (only with a name) and Cancel."""

    def __init__(
        self,
        presets: Sequence[PresetSummary],
        accounts: Sequence[OsAccount],
        child: ChildEntry | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("childDialog")
        self.form = ChildForm(self)
        self.form.set_presets(presets)
        self.form.set_accounts(accounts)
        self.form.set_child(child)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.buttons)
        self.form.changed.connect(self._update_save)
        self.setWindowTitle(self.tr("Add a child") if child is None else self.tr("Change a child"))
        self.resize(560, 560)
        self._update_save()

    def _update_save(self) -> None:
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(self.form.is_complete())
