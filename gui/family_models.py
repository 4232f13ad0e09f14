"""Table models of the Children and Settings pages: plain records in, Qt roles out."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QObject

from gui.backend import ListInfo
from gui.family_backend import ChildEntry
from gui.labels import category_label, preset_label
from gui.models import _RecordTableModel


class ChildSettingsTableModel(_RecordTableModel[ChildEntry]):
    """Who each child is on this PC: name, age, preset, accounts, devices."""

    NAME, AGE, PRESET, ACCOUNTS, DEVICES = range(5)

    def __init__(self, parent: QObject | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self._year = (today or date.today()).year

    def column_titles(self) -> list[str]:
        return [
            self.tr("Name"),
            self.tr("Age"),
            self.tr("Age preset"),
            self.tr("Computer accounts"),
            self.tr("Devices at home"),
        ]

    def display(self, row: ChildEntry, column: int) -> str:
        if column == self.NAME:
            return row.name
        if column == self.AGE:
            age = row.age_in(self._year)
            if row.birth_year is not None:
                return (
                    self.tr("%1 (born %2)")
                    .replace("%1", str(age))
                    .replace("%2", str(row.birth_year))
                )
            return "—" if age is None else str(age)
        if column == self.PRESET:
            label = preset_label(row.preset_in_force)
            return label if row.preset else self.tr("%1, by age").replace("%1", label)
        if column == self.ACCOUNTS:
            return ", ".join(row.os_users) or "—"
        return ", ".join(device.name or device.address for device in row.devices) or "—"

    def tooltip(self, row: ChildEntry, column: int) -> str | None:
        if column == self.DEVICES and row.devices:
            return "\n".join(
                f"{device.name}: {device.address}" if device.name else device.address
                for device in row.devices
            )
        return None

    def sort_value(self, row: ChildEntry, column: int) -> Any:
        if column == self.AGE:
            age = row.age_in(self._year)
            return -1 if age is None else age
        return self.display(row, column)

    def row_key(self, row: ChildEntry) -> Any:
        return row.name


class ListSourcesTableModel(_RecordTableModel[ListInfo]):
    """The list sources the agent loaded: category, source, entries, last updated."""

    CATEGORY, SOURCE, COUNT, UPDATED = range(4)

    def column_titles(self) -> list[str]:
        return [self.tr("Category"), self.tr("Source"), self.tr("Entries"), self.tr("Updated")]

    def display(self, row: ListInfo, column: int) -> str:
        if column == self.CATEGORY:
            return category_label(row.category)
        if column == self.SOURCE:
            return row.source
        if column == self.COUNT:
            return f"{row.count:,}".replace(",", ".")
        if not row.updated_at:
            return self.tr("Never")
        return row.updated_at[:16].replace("T", " ")

    def sort_value(self, row: ListInfo, column: int) -> Any:
        return row.count if column == self.COUNT else self.display(row, column)

    def row_key(self, row: ListInfo) -> Any:
        return (row.category, row.source)
