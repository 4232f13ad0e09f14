"""Table models for the parent's screens: plain data in, Qt roles out, no widgets.

Each model is filled with the backend's frozen dataclasses (``set_rows``) and answers the
roles a view asks for: the text (``DisplayRole``), the raw value for sorting
(``SORT_ROLE``), the whole record (``RECORD_ROLE``), alignment, tooltips and colour.
Header labels are translated on every call, so a language switch only needs
:meth:`retranslate`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QFont

from gui.backend import (
    AccessRequest,
    ChildSummary,
    QueryLogEntry,
    RequestsSnapshot,
    request_state,
)
from gui.colours import Meaning, meaning_brush
from gui.labels import (
    category_label,
    decision_label,
    format_clock,
    format_log_time,
    format_minutes,
    is_block,
    is_failure,
    local_timezone,
    preset_label,
    reason_label,
)

SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
RECORD_ROLE = int(Qt.ItemDataRole.UserRole) + 2

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
# What each request's state means; the state is always said in words too.
_STATE_MEANINGS = {
    "pending": Meaning.WAITING,
    "allowed": Meaning.DONE,
    "denied": Meaning.PROBLEM,
}

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

    def _times_changed(self, *columns: int) -> None:
        """Tell the views that these columns read differently now (a new time zone)."""
        if self._rows:
            for column in columns:
                self.dataChanged.emit(
                    self.index(0, column), self.index(len(self._rows) - 1, column)
                )

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
    """Children: name, age, preset, minutes used today, the answer to "what Bảo An watches"."""

    NAME, AGE, PRESET, TODAY, WATCH = range(5)

    def column_titles(self) -> list[str]:
        return [
            self.tr("Name"),
            self.tr("Age"),
            self.tr("Age preset"),
            self.tr("Used today"),
            self.tr("What Bảo An records: the child's answer"),
        ]

    def display(self, row: ChildSummary, column: int) -> str:
        if column == self.NAME:
            return row.name
        if column == self.AGE:
            return "—" if row.age is None else str(row.age)
        if column == self.PRESET:
            return preset_label(row.preset)
        if column == self.WATCH:
            return self.watch_answer_label(row.watch_answer)
        return format_minutes(row.usage_today_minutes)

    def watch_answer_label(self, answer: str | None) -> str:
        labels = {
            "agree": self.tr("Agrees"),
            "disagree": self.tr("Does not agree yet: wants to talk with you"),
            "acknowledged": self.tr("Read it with a parent"),
        }
        return labels.get(answer or "", self.tr("No answer yet"))

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
        if column == self.WATCH and row.watch_answer == "disagree":
            return self.tr(
                "Protection stays on. Talk with your child about what Bảo An records."
            )
        return None

    def row_key(self, row: ChildSummary) -> Any:
        return row.name


class QueryLogTableModel(_RecordTableModel[QueryLogEntry]):
    """The DNS query log, newest first: time, child, name, decision, reason."""

    TIME, CHILD, NAME, DECISION, REASON = range(5)

    def __init__(
        self,
        parent: QObject | None = None,
        time_formatter: Callable[[str], str] | None = None,
        *,
        timezone: tzinfo | None = None,
    ) -> None:
        super().__init__(parent)
        self._format_time = time_formatter
        self._zone = timezone  # the family's; None: the PC's own
        self._service_names: dict[str, str] = {}

    def set_timezone(self, zone: tzinfo) -> None:
        """Show the times on the family's clock from now on."""
        self._zone = zone
        self._times_changed(self.TIME)

    def set_service_names(self, names: Mapping[str, str]) -> None:
        """Services by the catalogue's names (``YouTube``, not ``youtube``) in the reasons."""
        self._service_names = dict(names)
        self._times_changed(self.REASON)

    def format_time(self, moment: str) -> str:
        if self._format_time is not None:
            return self._format_time(moment)
        now = datetime.now(self._zone) if self._zone is not None else None
        return format_log_time(moment, now)

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
            return self.format_time(row.time)
        if column == self.CHILD:
            return row.child or "—"
        if column == self.NAME:
            # repeats within a minute are one row (`count`): "youtube.com ×12"
            return row.name if row.count <= 1 else f"{row.name} ×{row.count}"
        if column == self.DECISION:
            return decision_label(row.decision)
        if row.reason is None and row.category:
            return category_label(row.category)
        return reason_label(row.reason, self._service_names)

    def sort_value(self, row: QueryLogEntry, column: int) -> Any:
        if column == self.TIME:
            return row.time
        return self.display(row, column)

    def tooltip(self, row: QueryLogEntry, column: int) -> str | None:
        if column == self.TIME:
            return row.time
        if column == self.NAME:
            if row.count <= 1:
                return f"{row.name} ({row.qtype})"
            asked = self.tr("Asked %n time(s) within the minute", "", row.count)
            return f"{row.name} ({row.qtype})\n{asked}"
        if column == self.REASON and row.reason is not None:
            # the rule or list entry that matched, for a parent who wants to know which
            words = reason_label(row.reason, self._service_names)
            return f"{words} — {row.reason.rule}" if row.reason.rule else words
        return None

    def foreground(self, row: QueryLogEntry, column: int) -> QBrush | None:
        if column != self.DECISION:
            return None
        # The decision is in words; its colour follows the theme (gui.colours).
        if is_failure(row.decision):
            return meaning_brush(Meaning.ENDED)
        return meaning_brush(Meaning.PROBLEM if is_block(row.decision) else Meaning.DONE)

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


@dataclass(frozen=True)
class RequestRow:
    """One row of the requests table: the request and what it is now (see
    :func:`gui.backend.request_state`)."""

    request: AccessRequest
    state: str


def plain_text_tooltip(text: str) -> str:
    """A tooltip that shows `text` literally: Qt takes a tooltip that looks like HTML for
    rich text, so the text is escaped inside an explicit rich-text wrapper."""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


class RequestsTableModel(_RecordTableModel[RequestRow]):
    """A child's requests: the waiting ones first (newest first), then the recently decided
    ones (latest answer first), with child, site, the child's reason, when and the state.

    Times are shown on the family's clock: `timezone`, and `now` for "today".
    """

    CHILD, SITE, REASON, ASKED, STATE = range(5)
    _STATE_ORDER: ClassVar[dict[str, int]] = {
        "pending": 0,
        "allowed": 1,
        "denied": 2,
        "expired": 3,
        "revoked": 4,
    }

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        timezone: tzinfo | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._zone: tzinfo = timezone or local_timezone()
        self._now = now or (lambda: datetime.now(self._zone))

    def set_timezone(self, zone: tzinfo) -> None:
        """Show the times on the family's clock from now on."""
        self._zone = zone
        self._times_changed(self.ASKED, self.STATE)

    def set_snapshot(self, snapshot: RequestsSnapshot) -> None:
        pending = sorted(snapshot.pending, key=lambda r: r.created_at, reverse=True)
        decided = sorted(snapshot.decided, key=lambda r: r.decided_at or r.created_at, reverse=True)
        self.set_rows(
            [RequestRow(r, "pending") for r in pending]
            + [RequestRow(r, request_state(r, snapshot.active_ids)) for r in decided]
        )

    def waiting_count(self) -> int:
        return sum(1 for row in self._rows if row.state == "pending")

    def row_of(self, request_id: str) -> int:
        """The row of a request, or -1."""
        for position, row in enumerate(self._rows):
            if row.request.id == request_id:
                return position
        return -1

    def column_titles(self) -> list[str]:
        return [
            self.tr("Child"),
            self.tr("Website"),
            self.tr("Child's reason"),
            self.tr("Asked at"),
            self.tr("State"),
        ]

    def state_text(self, row: RequestRow) -> str:
        """The state in the family's words: waiting, allowed until HH:MM, not allowed,
        time is up, taken back."""
        if row.state == "pending":
            return self.tr("Waiting for your answer")
        if row.state == "allowed":
            until = row.request.allowed_until
            if until is None:
                return self.tr("Allowed until you revoke it")
            return self.tr("Allowed until %1").replace("%1", self.clock_text(until))
        if row.state == "denied":
            return self.tr("Not allowed")
        if row.state == "expired":
            return self.tr("Time is up")
        if row.state == "revoked":
            return self.tr("Revoked")
        return row.state

    def clock_text(self, moment: datetime) -> str:
        return format_clock(moment, self._zone, self._now())

    def what_text(self, request: AccessRequest) -> str:
        """What the child asked for: the site, or for a request for more time the minutes
        (its ``site`` is the minutes asked, "30")."""
        if request.kind == "time":
            return self.tr("%1 more minutes").replace("%1", request.site)
        return request.site

    def heading_text(self, request: AccessRequest) -> str:
        """The request in one sentence: "An xin mở roblox.com (lúc 20:14)", or for more
        time "An xin thêm 30 phút (lúc 20:14)"."""
        if request.kind == "time":
            text = self.tr("%1 asks for %2 more minutes (at %3)")
        else:
            text = self.tr("%1 asks to open %2 (at %3)")
        return (
            text.replace("%1", request.child)
            .replace("%2", request.site)
            .replace("%3", self.clock_text(request.created_at))
        )

    def display(self, row: RequestRow, column: int) -> str:
        request = row.request
        if column == self.CHILD:
            return request.child
        if column == self.SITE:
            return self.what_text(request)
        if column == self.REASON:
            # One line in the table; the whole reason is under the table and in the tooltip.
            return " ".join(request.reason.split()) or self.tr("(no reason given)")
        if column == self.ASKED:
            return self.clock_text(request.created_at)
        return self.state_text(row)

    def sort_value(self, row: RequestRow, column: int) -> Any:
        if column == self.ASKED:
            return row.request.created_at.timestamp()
        if column == self.STATE:
            return self._STATE_ORDER.get(row.state, 9)
        return self.display(row, column)

    def tooltip(self, row: RequestRow, column: int) -> str | None:
        request = row.request
        if column == self.REASON and request.reason:
            return plain_text_tooltip(request.reason)
        if column == self.SITE:
            return plain_text_tooltip(self.what_text(request))
        if column == self.STATE and request.decided_at is not None:
            return self.tr("Answered at %1").replace("%1", self.clock_text(request.decided_at))
        return None

    def foreground(self, row: RequestRow, column: int) -> QBrush | None:
        if column != self.STATE:
            return None
        return meaning_brush(_STATE_MEANINGS.get(row.state, Meaning.ENDED))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.FontRole and index.isValid():
            if 0 <= index.row() < len(self._rows) and self._rows[index.row()].state == "pending":
                font = QFont()
                font.setBold(True)
                return font
            return None
        return super().data(index, role)

    def row_key(self, row: RequestRow) -> Any:
        return row.request.id


