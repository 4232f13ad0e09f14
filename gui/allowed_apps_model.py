"""The Screen time tab's always-allowed apps as a table with no widgets: the apps seen on
this PC, each with a tick when the child's always-allowed list holds it, and the names in
that list no app seen here answers to, among them those a parent typed (a name or a full
path, checked by the agent's own rule). Ticked apps count no screen time and are never
closed; the list reads back as ``always_allowed_apps``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt

from gui.api_backend import APP_ENTRY_MAX_LENGTH, app_entry_key, app_entry_problem
from gui.backend import SeenApp
from gui.models import _RecordTableModel

AnyIndex = QModelIndex | QPersistentModelIndex
translate = QCoreApplication.translate
DUPLICATE = "duplicate"  # besides the agent's problems (agent.api.types.APP_ENTRY_PROBLEMS)


def entry_problem_text(problem: str) -> str:
    """What a parent reads under the field when the app typed cannot be added."""
    if problem == "empty":
        return translate(
            "AllowedAppsTableModel", "Type the app's file name, such as zoom, or its full path."
        )
    if problem == "too_long":
        return translate(
            "AllowedAppsTableModel",
            "This is too long for an app's name or path (at most %1 characters).",
        ).replace("%1", str(APP_ENTRY_MAX_LENGTH))
    if problem == "control":
        return translate(
            "AllowedAppsTableModel",
            "This holds a line break or an invisible character: type the name again.",
        )
    if problem == "folder":
        return translate(
            "AllowedAppsTableModel",
            "This is a folder, not an app: add the program's file at its end.",
        )
    if problem == "not_full_path":
        return translate(
            "AllowedAppsTableModel",
            "Write the whole path, from / or from the drive (such as C:\\), or the file "
            "name alone.",
        )
    if problem == "not_a_name":
        return translate("AllowedAppsTableModel", 'A file name has none of these: < > : " | ? *')
    if problem == DUPLICATE:
        return translate("AllowedAppsTableModel", "This app is in the list already.")
    return problem


@dataclass(frozen=True)
class AppChoice:
    """One row: the name the list takes (`allow_name`), what the parent reads, and the
    tick."""

    allow_name: str
    label: str
    exe_name: str = ""
    exe_path: str = ""
    children: tuple[str, ...] = ()
    seen: bool = True
    allowed: bool = False


def app_label(app: SeenApp) -> str:
    """The catalogue's name (``Minecraft``), else the product name, else the file name."""
    return app.service_name or app.product_name or app.exe_name or app.allow_name


class AllowedAppsTableModel(_RecordTableModel[AppChoice]):
    """Ticked rows first, then by name; column 0 holds the tick (Space toggles it)."""

    APP, FILE, USED_BY = range(3)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._list: tuple[str, ...] = ()  # the child's list as read, in its order

    def show_apps(self, seen: Sequence[SeenApp], allowed: Sequence[str]) -> None:
        """The apps seen and the child's always-allowed list (names compared without
        regard to case, as the agent compares them)."""
        self._list = tuple(allowed)
        wanted = {app_entry_key(name) for name in allowed}
        rows: dict[str, AppChoice] = {}
        for app in seen:
            key = app_entry_key(app.allow_name)
            if key in rows:
                continue
            rows[key] = AppChoice(
                allow_name=app.allow_name,
                label=app_label(app),
                exe_name=app.exe_name,
                exe_path=app.exe_path,
                children=app.children,
                allowed=key in wanted,
            )
        for name in allowed:
            if app_entry_key(name) not in rows:
                rows[app_entry_key(name)] = AppChoice(name, name, seen=False, allowed=True)
        self.set_rows(_ordered(rows.values()))

    def add_typed(self, text: str) -> str | None:
        """Add an app the parent typed, ticked: its name or full path. None when added (or
        a row of the same app ticked); else what is wrong, for
        :func:`entry_problem_text`."""
        problem = app_entry_problem(text)
        if problem is not None:
            return problem
        entry, key = text.strip(), app_entry_key(text)
        rows = self.rows()
        for position, row in enumerate(rows):
            if self.row_key(row) == key:
                if row.allowed:
                    return DUPLICATE
                self.set_allowed(position, True)
                return None
        self.set_rows(_ordered([*rows, AppChoice(entry, entry, seen=False, allowed=True)]))
        return None

    def set_allowed(self, position: int, allowed: bool) -> None:
        rows = self.rows()
        if not 0 <= position < len(rows) or rows[position].allowed == allowed:
            return
        rows[position] = replace(rows[position], allowed=allowed)
        self.set_rows(rows)  # same rows in the same order: the view keeps its place

    def allowed_names(self) -> tuple[str, ...]:
        """The always-allowed list: the names kept in the order read, then the new ones."""
        ticked = {self.row_key(row): row.allow_name for row in self.rows() if row.allowed}
        kept = [name for name in self._list if app_entry_key(name) in ticked]
        known = {app_entry_key(name) for name in kept}
        added = sorted(
            (name for key, name in ticked.items() if key not in known), key=str.casefold
        )
        return (*kept, *added)

    # Columns.
    def column_titles(self) -> list[str]:
        return [self.tr("Always allowed"), self.tr("File"), self.tr("Used by")]

    def display(self, row: AppChoice, column: int) -> str:
        if column == self.APP:
            return row.label
        if column == self.FILE:
            return row.exe_name or (self.tr("not seen on this computer") if not row.seen else "")
        return ", ".join(row.children)

    def tooltip(self, row: AppChoice, column: int) -> str | None:
        if column == self.FILE and row.exe_path:
            return row.exe_path
        if column == self.APP:
            return self.tr("Counts no screen time and is never closed") if row.allowed else None
        return None

    def row_key(self, row: AppChoice) -> Any:
        return app_entry_key(row.allow_name)

    # Qt's side: the tick.
    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == self.APP:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.CheckStateRole
            and index.isValid()
            and index.column() == self.APP
            and 0 <= index.row() < self.rowCount()
        ):
            allowed = self.rows()[index.row()].allowed
            return Qt.CheckState.Checked if allowed else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.AccessibleTextRole and index.isValid():
            row = self.rows()[index.row()]
            if index.column() == self.APP:
                state = self.tr("always allowed") if row.allowed else self.tr("counted")
                return f"{row.label}: {state}"
        return super().data(index, role)

    def setData(  # noqa: N802
        self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != self.APP:
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
        self.set_allowed(index.row(), checked)
        return True


def _ordered(rows: Iterable[AppChoice]) -> list[AppChoice]:
    return sorted(rows, key=lambda row: (not row.allowed, row.label.casefold()))
