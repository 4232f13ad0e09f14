"""The week at a glance above the schedule's list: a row a day, midnight to midnight,
the windows drawn in it (a window across midnight goes on in the next row). Allowed
hours are filled, blocked hours hatched, so the meaning holds without colour. A click
on a row picks that day for the next window; the keyboard's way is the list and the
fields under it (the strip takes no focus)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.pages_backend import WEEKDAYS, WeekWindow
from gui.schedule_model import day_name, day_spans

_MARGIN = 4
_DAY_MINUTES = 24 * 60


class WeekStrip(QWidget):
    day_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._windows: tuple[WeekWindow, ...] = ()
        self._blocked = False
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_windows(self, windows: tuple[WeekWindow, ...], blocked: bool) -> None:
        self._windows, self._blocked = windows, blocked
        self.updateGeometry()
        self.update()

    def _row_height(self) -> int:
        return QFontMetrics(self.font()).height() + 4

    def _label_width(self) -> int:
        metrics = QFontMetrics(self.font())
        return max(metrics.horizontalAdvance(day_name(day)) for day in WEEKDAYS) + 2 * _MARGIN

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self._label_width() + 480, self._row_height() * 8 + 2 * _MARGIN)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self._label_width() + 200, self._row_height() * 8 + 2 * _MARGIN)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        row = int((event.position().y() - _MARGIN) // self._row_height())
        if 0 <= row < len(WEEKDAYS):
            self.day_clicked.emit(WEEKDAYS[row])

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        fill = palette.color(QPalette.ColorRole.Highlight)
        metrics = QFontMetrics(self.font())
        row = self._row_height()
        left = self._label_width()
        width = max(1, self.width() - left - _MARGIN)
        spans = day_spans(self._windows)
        pattern = Qt.BrushStyle.BDiagPattern if self._blocked else Qt.BrushStyle.SolidPattern
        for number, day in enumerate(WEEKDAYS):
            y = _MARGIN + number * row
            painter.setPen(QPen(text, 1))
            painter.drawText(QRectF(_MARGIN, y, left - _MARGIN, row),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             day_name(day))
            track = QRectF(left, y + 2, width, row - 4)
            painter.drawRect(track)
            for start, end in spans[day]:
                x = left + width * start / _DAY_MINUTES
                span = QRectF(x, y + 2, width * (end - start) / _DAY_MINUTES, row - 4)
                painter.fillRect(span, QBrush(fill, pattern))
                painter.drawRect(span)
        # The hours under the rows.
        y = _MARGIN + len(WEEKDAYS) * row
        for hour in range(0, 25, 6):
            x = left + width * hour * 60 / _DAY_MINUTES
            painter.drawLine(int(x), int(y - 2), int(x), int(y + 2))
            label = f"{hour:02d}:00"
            label_width = metrics.horizontalAdvance(label) + 2
            # Centred under its mark, but never past either edge.
            place = min(max(0.0, x - label_width / 2), self.width() - label_width)
            painter.drawText(QRectF(place, y, label_width, row),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)
