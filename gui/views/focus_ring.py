"""One focus mark for the whole dashboard: a ring drawn just outside the widget that has
the keyboard's focus, whatever the style and the widget's own style sheet.

Qt's styles mark the focus each in their own way, some faintly (a dotted line, a tint of
the frame) and some not at all in a high-contrast palette. The ring is a small widget of
its own beside the focused one, transparent to the mouse, so it never changes how a
widget is drawn or laid out; its colour is the theme's highlight when that stands out
from the window, else the window's text colour (:func:`gui.colours.frame_colour`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QSplitter, QWidget
from shiboken6 import isValid

from gui.colours import frame_colour

RING_WIDTH = 2  # pixels, before the screen's scale
RING_GAP = 1  # between the widget and the ring

_GEOMETRY_EVENTS = frozenset(
    {
        QEvent.Type.Move,
        QEvent.Type.Resize,
        QEvent.Type.Show,
        QEvent.Type.Hide,
        QEvent.Type.ParentChange,
    }
)


class FocusRing(QWidget):
    """The ring itself: it paints a frame around its own edge and nothing else."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        colour = frame_colour(self.palette())
        width, height, band = self.width(), self.height(), RING_WIDTH
        for x, y, w, h in (
            (0, 0, width, band),
            (0, height - band, width, band),
            (0, band, band, height - 2 * band),
            (width - band, band, band, height - 2 * band),
        ):
            painter.fillRect(x, y, w, h, colour)
        painter.end()


class FocusRingKeeper(QObject):
    """Follows the application's focus and keeps one ring around the focused widget."""

    def __init__(self, application: QApplication) -> None:
        super().__init__(application)
        self.setObjectName("focusRingKeeper")
        self._ring: FocusRing | None = None
        self._target: QWidget | None = None
        application.focusChanged.connect(self._on_focus_changed)

    @property
    def target(self) -> QWidget | None:
        """The widget the ring is around now, if any."""
        return self._target if self._target is not None and isValid(self._target) else None

    @property
    def ring(self) -> FocusRing | None:
        return self._ring if self._ring is not None and isValid(self._ring) else None

    def remove(self) -> None:
        """Stop following the focus and take the ring away (a host that closes the
        dashboard but keeps its QApplication)."""
        application = QApplication.instance()
        if isinstance(application, QApplication):
            application.focusChanged.disconnect(self._on_focus_changed)
        target, ring = self.target, self.ring
        if target is not None:
            target.removeEventFilter(self)
        if ring is not None:
            ring.hide()
            ring.deleteLater()
        self._target = self._ring = None
        self.setParent(None)
        self.deleteLater()

    def _on_focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        old_target = self.target
        if old_target is not None:
            old_target.removeEventFilter(self)
        self._target = now if now is not None and _ringable(now) else None
        if self._target is not None:
            self._target.installEventFilter(self)
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._target and event.type() in _GEOMETRY_EVENTS:
            self._place()
        return False

    def _place(self) -> None:
        target = self.target
        ring = self.ring
        if target is None or not target.isVisible():
            if ring is not None:
                ring.hide()
            return
        parent = target.parentWidget()
        assert parent is not None  # _ringable: never a window
        while isinstance(parent, QSplitter) and parent.parentWidget() is not None:
            parent = parent.parentWidget()  # a splitter takes each new child as a pane
        assert parent is not None
        if ring is None:
            ring = FocusRing(parent)
            self._ring = ring
        elif ring.parentWidget() is not parent:
            ring.setParent(parent)
        margin = RING_WIDTH + RING_GAP
        corner = target.mapTo(parent, QPoint(0, 0))
        geometry = QRect(corner, target.size()).adjusted(-margin, -margin, margin, margin)
        ring.setGeometry(geometry)
        ring.show()
        ring.raise_()
        ring.update()


def _ringable(widget: QWidget) -> bool:
    return not widget.isWindow() and widget.parentWidget() is not None


def find_focus_ring(application: QApplication) -> FocusRingKeeper | None:
    """The application's focus ring, if it has one."""
    for child in application.children():
        if isinstance(child, FocusRingKeeper):
            return child
    return None


def install_focus_ring(application: QApplication) -> FocusRingKeeper:
    """Give ``application`` its focus ring (once; a second call returns the first)."""
    return find_focus_ring(application) or FocusRingKeeper(application)


__all__ = [
    "RING_GAP",
    "RING_WIDTH",
    "FocusRing",
    "FocusRingKeeper",
    "find_focus_ring",
    "install_focus_ring",
]
