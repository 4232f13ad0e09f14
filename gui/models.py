"""Table models for the parent's screens: plain data in, Qt roles out, no widgets.

Each model is filled with the backend's frozen dataclasses (``set_rows``) and answers the
roles a view asks for: the text (``DisplayRole``), the raw value for sorting
(``SORT_ROLE``), the whole record (``RECORD_ROLE``), alignment, tooltips and colour.
Header labels are translated on every call, so a language switch only needs
:meth:`retranslate`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from gui.backend import ChildSummary, QueryLogEntry
from gui.labels import (
    category_label,
    decision_label,
    format_log_time,
    format_minutes,
    is_block,
    preset_label,
)

SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
RECORD_ROLE = int(Qt.ItemDataRole.UserRole) + 2

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_BLOCK_COLOUR = QColor(178, 34, 34)
_ALLOW_COLOUR = QColor(30, 120, 60)

AnyIndex = QModelIndex | QPersistentModelIndex
Row = TypeVar("Row")


class _RecordTableModel(QAbstractTableModel, Generic[Row]):
    """Rows of records, columns described by subclasses."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []

    # Subclasses describe their columns.
    def column_titles(self) -> list[str]:
        raise NotImplementedError

    def display(self, row: Row, column: int) -> str:
        raise NotImplementedError

    def sort_value(self, row: Row, column: int) -> Any:
        return self.display(row, column)

    def alignment(self, column: int) -> int:
        return _LEFT

    def tooltip(self, row: Row, column: int) -> str | None:
        return None

    def foreground(self, row: Row, column: int) -> QBrush | None:
        return None

    def row_key(self, row: Row) -> Any:
        """What identifies a row, so that a refresh with the same rows keeps the view."""
        return row

    # Data in.
    def set_rows(self, rows: Sequence[Row]) -> None:
        """Replace the rows. Same keys in the same order only refreshes cells, so a
        periodic refresh keeps the selection and the scroll position."""
        new_rows = list(rows)
        same_shape = len(new_rows) == len(self._rows) and all(
            self.row_key(a) == self.row_key(b) for a, b in zip(new_rows, self._rows, strict=True)
        )
        if same_shape:
            self._rows = new_rows
            if new_rows:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(new_rows) - 1, self.columnCount() - 1)
                )
            return
        self.beginResetModel()
        self._rows = new_rows
        self.endResetModel()

    def rows(self) -> list[Row]:
        return list(self._rows)

    def retranslate(self) -> None:
        """Labels changed language: headers and every cell need repainting."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1)
            )

    # Qt's side.
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.column_titles())

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if role == SORT_ROLE:
            return self.sort_value(row, column)
        if role == RECORD_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.alignment(column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(row, column)
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            titles = self.column_titles()
            if not 0 <= section < len(titles):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return titles[section]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return self.alignment(section)
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ChildrenTableModel(_RecordTableModel[ChildSummary]):
    """Children: name, age, preset, minutes used today."""

    NAME, AGE, PRESET, TODAY = range(4)

    def column_titles(self) -> list[str]:
        return [self.tr("Name"), self.tr("Age"), self.tr("Age preset"), self.tr("Used today")]

    def display(self, row: ChildSummary, column: int) -> str:
        if column == self.NAME:
            return row.name
        if column == self.AGE:
            return "—" if row.age is None else str(row.age)
        if column == self.PRESET:
            return preset_label(row.preset)
        return format_minutes(row.usage_today_minutes)

    def sort_value(self, row: ChildSummary, column: int) -> Any:
        if column == self.AGE:
            return -1 if row.age is None else row.age
        if column == self.TODAY:
            return row.usage_today_minutes
        return self.display(row, column)

    def alignment(self, column: int) -> int:
        return _RIGHT if column in (self.AGE, self.TODAY) else _LEFT

    def tooltip(self, row: ChildSummary, column: int) -> str | None:
        if column == self.NAME and row.os_users:
            return self.tr("Computer accounts: %1").replace("%1", ", ".join(row.os_users))
        if column == self.PRESET:
            return row.preset
        return None

    def row_key(self, row: ChildSummary) -> Any:
        return row.name


class QueryLogTableModel(_RecordTableModel[QueryLogEntry]):
    """The DNS query log, newest first: time, child, name, decision, reason."""

    TIME, CHILD, NAME, DECISION, REASON = range(5)

    def __init__(
        self,
        parent: QObject | None = None,
        time_formatter: Callable[[str], str] = format_log_time,
    ) -> None:
        super().__init__(parent)
        self._format_time = time_formatter

    def column_titles(self) -> list[str]:
        return [
            self.tr("Time"),
            self.tr("Child"),
            self.tr("Website"),
            self.tr("Decision"),
            self.tr("Reason"),
        ]

    def display(self, row: QueryLogEntry, column: int) -> str:
        if column == self.TIME:
            return self._format_time(row.time)
        if column == self.CHILD:
            return row.child or "—"
        if column == self.NAME:
            return row.name
        if column == self.DECISION:
            return decision_label(row.decision)
        if row.category:
            return category_label(row.category)
        return _reason_label(row.reason)

    def sort_value(self, row: QueryLogEntry, column: int) -> Any:
        if column == self.TIME:
            return row.time
        return self.display(row, column)

    def tooltip(self, row: QueryLogEntry, column: int) -> str | None:
        if column == self.TIME:
            return row.time
        if column == self.NAME:
            return f"{row.name} ({row.qtype})"
        if column == self.REASON and row.reason:
            return row.reason
        return None

    def foreground(self, row: QueryLogEntry, column: int) -> QBrush | None:
        if column != self.DECISION:
            return None
        return QBrush(_BLOCK_COLOUR if is_block(row.decision) else _ALLOW_COLOUR)

    def row_key(self, row: QueryLogEntry) -> Any:
        return (row.time, row.child, row.name, row.qtype)


class StatsTableModel(_RecordTableModel[tuple[str, int]]):
    """One ranking from the statistics: (name or category, count), largest first.

    ``kind`` is ``"blocked"``, ``"allowed"`` or ``"category"``; it sets the first
    column's title and, for categories, shows the category's label.
    """

    KINDS = ("blocked", "allowed", "category")
    LABEL, COUNT = range(2)

    def __init__(self, kind: str, parent: QObject | None = None) -> None:
        if kind not in self.KINDS:
            raise ValueError(f"unknown statistics kind {kind!r}; expected one of {self.KINDS}")
        super().__init__(parent)
        self.kind = kind

    def set_rows(self, rows: Sequence[tuple[str, int]]) -> None:
        ordered = sorted(((str(k), int(v)) for k, v in rows), key=lambda item: (-item[1], item[0]))
        super().set_rows(ordered)

    def column_titles(self) -> list[str]:
        if self.kind == "category":
            first = self.tr("Category")
        elif self.kind == "blocked":
            first = self.tr("Blocked website")
        else:
            first = self.tr("Allowed website")
        return [first, self.tr("Times")]

    def display(self, row: tuple[str, int], column: int) -> str:
        if column == self.LABEL:
            return category_label(row[0]) if self.kind == "category" else row[0]
        return str(row[1])

    def sort_value(self, row: tuple[str, int], column: int) -> Any:
        return row[1] if column == self.COUNT else self.display(row, column)

    def alignment(self, column: int) -> int:
        return _RIGHT if column == self.COUNT else _LEFT

    def tooltip(self, row: tuple[str, int], column: int) -> str | None:
        return row[0] if self.kind == "category" and column == self.LABEL else None

    def row_key(self, row: tuple[str, int]) -> Any:
        return row[0]


def _reason_label(reason: str | None) -> str:
    """The agent's reason (``category adult``, ``category:adult``, ``service tiktok`` or free
    text): a category gets its label, the rest is shown as it is (the tooltip keeps it all)."""
    if not reason:
        return ""
    text = reason.strip()
    kind, _, value = text.replace(":", " ", 1).partition(" ")
    if kind == "category" and value.strip():
        return category_label(value.strip())
    return category_label(text)
