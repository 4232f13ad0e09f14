"""The Screen time tab's per-category and per-service daily limits as a table: rows in and
out with no widgets, read back as the two tables of ``[children.screen_time]``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject

from gui.backend import ScreenTimeLimits
from gui.labels import category_label, format_minutes
from gui.models import _RIGHT, _RecordTableModel

CATEGORY = "category"
SERVICE = "service"


@dataclass(frozen=True)
class MinuteLimit:
    """A daily limit of `minutes` on a category id or a service id (`kind`)."""

    kind: str  # CATEGORY or SERVICE
    target: str
    minutes: int


class MinuteLimitsTableModel(_RecordTableModel[MinuteLimit]):
    """Categories first, then services, each by id; one row per target."""

    KIND, TARGET, MINUTES = range(3)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service_names: dict[str, str] = {}

    def set_service_names(self, names: Mapping[str, str]) -> None:
        self._service_names = dict(names)
        self.retranslate()

    def show_limits(self, limits: ScreenTimeLimits) -> None:
        rows = [MinuteLimit(CATEGORY, name, minutes) for name, minutes in limits.category_minutes]
        rows += [MinuteLimit(SERVICE, name, minutes) for name, minutes in limits.service_minutes]
        self.set_rows(_ordered(rows))

    def put(self, kind: str, target: str, minutes: int) -> None:
        """Add a limit, or change the minutes of the target's limit."""
        if kind not in (CATEGORY, SERVICE) or not target or minutes < 0:
            raise ValueError(f"not a limit: {kind} {target!r} {minutes}")
        rows = [row for row in self.rows() if (row.kind, row.target) != (kind, target)]
        self.set_rows(_ordered([*rows, MinuteLimit(kind, target, minutes)]))

    def remove(self, positions: Sequence[int]) -> None:
        gone = set(positions)
        self.set_rows([row for i, row in enumerate(self.rows()) if i not in gone])

    def applied_to(self, limits: ScreenTimeLimits) -> ScreenTimeLimits:
        rows = self.rows()
        return replace(
            limits,
            category_minutes=tuple((r.target, r.minutes) for r in rows if r.kind == CATEGORY),
            service_minutes=tuple((r.target, r.minutes) for r in rows if r.kind == SERVICE),
        )

    def column_titles(self) -> list[str]:
        return [self.tr("Kind"), self.tr("Limited"), self.tr("A day")]

    def display(self, row: MinuteLimit, column: int) -> str:
        if column == self.KIND:
            return self.tr("Kind of site or app") if row.kind == CATEGORY else self.tr("Service")
        if column == self.TARGET:
            if row.kind == CATEGORY:
                return category_label(row.target)
            return self._service_names.get(row.target, row.target)
        return format_minutes(row.minutes)

    def sort_value(self, row: MinuteLimit, column: int) -> Any:
        return row.minutes if column == self.MINUTES else self.display(row, column)

    def alignment(self, column: int) -> int:
        return _RIGHT if column == self.MINUTES else super().alignment(column)

    def row_key(self, row: MinuteLimit) -> Any:
        return (row.kind, row.target)


def _ordered(rows: Sequence[MinuteLimit]) -> list[MinuteLimit]:
    return sorted(rows, key=lambda row: (row.kind != CATEGORY, row.target))


def parse_warnings(text: str) -> tuple[int, ...] | None:
    """``"15, 5, 1"`` → ``(15, 5, 1)``, largest first; None when a part is not a whole
    number of minutes (the agent checks the range, 1 to 120)."""
    parts = [part for part in text.replace(",", " ").split() if part]
    if not all(part.isdigit() for part in parts):
        return None
    return tuple(sorted({int(part) for part in parts}, reverse=True))


def warnings_text(minutes: Sequence[int]) -> str:
    return ", ".join(str(value) for value in minutes)
