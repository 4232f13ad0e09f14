"""A stacked bar chart drawn with QPainter: one bar a day, a legend, the selected day in
words. (PySide6 as installed here has no QtCharts; this needs nothing more than QtGui.)

Each series has a colour *and* a hatching, named in the legend, so the chart keeps its
meaning in a high-contrast theme or in grey. The left and right arrow keys (or a click)
select a day; its numbers are said in :attr:`selected_text` and in the accessible
description, for a screen reader.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFocusEvent,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.pages_models import ChartData

# Colours told apart by most eyes (Okabe–Ito), each with its own hatching.
SERIES_COLOURS = (
    QColor(0, 114, 178),
    QColor(230, 159, 0),
    QColor(0, 158, 115),
    QColor(204, 121, 167),
    QColor(86, 180, 233),
    QColor(120, 120, 120),
)
SERIES_PATTERNS = (
    Qt.BrushStyle.SolidPattern,
    Qt.BrushStyle.BDiagPattern,
    Qt.BrushStyle.Dense4Pattern,
    Qt.BrushStyle.CrossPattern,
    Qt.BrushStyle.FDiagPattern,
    Qt.BrushStyle.HorPattern,
)
_MARGIN = 8


class StackedBarChart(QWidget):
    day_selected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data = ChartData((), (), "minutes")
        self._selected = -1
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(self._legend_height() + 120)

    # Data in.
    def set_data(self, data: ChartData) -> None:
        self._data = data
        if not 0 <= self._selected < len(data.day_labels):
            self._selected = len(data.day_labels) - 1  # today
        self._describe()
        self.setMinimumHeight(self._legend_height() + 120)
        self.updateGeometry()
        self.update()

    @property
    def data(self) -> ChartData:
        return self._data

    @property
    def selected(self) -> int:
        return self._selected

    @property
    def selected_text(self) -> str:
        if not 0 <= self._selected < len(self._data.day_labels):
            return ""
        return self._data.day_summary(self._selected)

    def select(self, index: int) -> None:
        count = len(self._data.day_labels)
        if count == 0:
            return
        index = max(0, min(count - 1, index))
        if index != self._selected:
            self._selected = index
            self._describe()
            self.update()
        self.day_selected.emit(index)

    def _describe(self) -> None:
        self.setAccessibleDescription(f"{self._data.summary()}. {self.selected_text}")

    # Size.
    def _legend_layout(self, width: int) -> tuple[list[tuple[QRectF, QRectF]], int]:
        """Where each series' swatch and name go, in rows that fit `width`; the height."""
        metrics = QFontMetrics(self.font())
        size = metrics.height()
        x, y = float(_MARGIN), float(_MARGIN)
        places: list[tuple[QRectF, QRectF]] = []
        for series in self._data.series:
            needed = size + 4 + metrics.horizontalAdvance(series.label)
            if x > _MARGIN and x + needed > width - _MARGIN:
                x, y = float(_MARGIN), y + size + 4
            places.append((QRectF(x, y, size, size),
                           QRectF(x + size + 4, y, needed - size - 4 + 2, size)))
            x += needed + 3 * _MARGIN
        return places, int(y + size + _MARGIN)

    def _legend_height(self) -> int:
        return self._legend_layout(max(self.width(), 240))[1]

    def sizeHint(self) -> QSize:  # noqa: N802
        metrics = QFontMetrics(self.font())
        width = max(360, len(self._data.day_labels) * (metrics.height() + 4))
        return QSize(width, self._legend_height() + 10 * metrics.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        metrics = QFontMetrics(self.font())
        return QSize(240, self._legend_height() + 6 * metrics.height())

    # Input.
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self.select(self._selected - 1)
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self.select(self._selected + 1)
        elif key == Qt.Key.Key_Home:
            self.select(0)
        elif key == Qt.Key.Key_End:
            self.select(len(self._data.day_labels) - 1)
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        plot = self._plot_rect()
        count = len(self._data.day_labels)
        if count and plot.width() > 0:
            slot = plot.width() / count
            self.select(int((event.position().x() - plot.left()) // slot))
        self.setFocus(Qt.FocusReason.MouseFocusReason)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        self.update()
        super().focusOutEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            self.setMinimumHeight(self._legend_height() + 120)
            self.update()
        if event.type() == QEvent.Type.LanguageChange:
            self.update()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        # The legend may need another row at this width.
        height = self._legend_height() + 120
        if height != self.minimumHeight():
            self.setMinimumHeight(height)
        super().resizeEvent(event)

    # Drawing.
    def _scale_text(self) -> str:
        """The value at the top of the scale (the biggest day)."""
        biggest = max(self._data.totals(), default=0)
        return self._data.value_text(biggest) if biggest else ""

    def _plot_rect(self) -> QRectF:
        metrics = QFontMetrics(self.font())
        left = metrics.horizontalAdvance(self._scale_text()) + 2 * _MARGIN
        top = self._legend_height() + metrics.height()
        bottom = metrics.height() * 2 + _MARGIN
        return QRectF(left, top, max(0, self.width() - left - _MARGIN),
                      max(0, self.height() - top - bottom))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        metrics = QFontMetrics(self.font())
        self._paint_legend(painter, text, metrics)
        plot = self._plot_rect()
        data = self._data
        painter.setPen(QPen(text, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        if data.empty or not data.day_labels:
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, data.summary())
            self._paint_focus(painter, palette)
            return
        totals = data.totals()
        top = max(totals) or 1
        painter.drawText(
            QRectF(0, plot.top() - metrics.height() / 2, plot.left() - _MARGIN, metrics.height()),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            self._scale_text(),
        )
        painter.drawLine(plot.topLeft(), plot.bottomLeft())
        slot = plot.width() / len(data.day_labels)
        bar = max(2.0, slot * 0.7)
        step = max(1, int(metrics.horizontalAdvance("00/00 ") // max(1.0, slot)) + 1)
        for index, label in enumerate(data.day_labels):
            x = plot.left() + index * slot + (slot - bar) / 2
            y = plot.bottom()
            for number, series in enumerate(data.series):
                value = series.values[index]
                if not value:
                    continue
                height = plot.height() * value / top
                y -= height
                rect = QRectF(x, y, bar, height)
                colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
                painter.fillRect(rect, QBrush(colour.lighter(170)))
                pattern = SERIES_PATTERNS[number % len(SERIES_PATTERNS)]
                painter.fillRect(rect, QBrush(colour, pattern))
                painter.setPen(QPen(text, 1))
                painter.drawRect(rect)
            if index == self._selected:
                highlight = palette.color(QPalette.ColorRole.Highlight)
                painter.setPen(QPen(highlight, 3))
                painter.drawRect(QRectF(x - 3, plot.top(), bar + 6, plot.height()))
            if index % step == 0 or index == self._selected:
                painter.setPen(QPen(text, 1))
                painter.drawText(
                    QRectF(plot.left() + index * slot - slot, plot.bottom() + 2, slot * 3,
                           metrics.height() * 2),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                    | Qt.TextFlag.TextWordWrap,
                    label,
                )
        self._paint_focus(painter, palette)

    def _paint_legend(self, painter: QPainter, text: QColor, metrics: QFontMetrics) -> None:
        places, _height = self._legend_layout(self.width())
        for number, (series, (swatch, label)) in enumerate(
            zip(self._data.series, places, strict=True)
        ):
            colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
            pattern = SERIES_PATTERNS[number % len(SERIES_PATTERNS)]
            painter.fillRect(swatch, QBrush(colour.lighter(170)))
            painter.fillRect(swatch, QBrush(colour, pattern))
            painter.setPen(QPen(text, 1))
            painter.drawRect(swatch)
            painter.drawText(label, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             series.label)

    def _paint_focus(self, painter: QPainter, palette: QPalette) -> None:
        """The keyboard's focus, drawn so that it shows in every theme."""
        if self.hasFocus():
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2,
                                Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(self.rect()).adjusted(1, 1, -1, -1))
