"""An icon for each app and service of the catalogue, drawn here: no logo is downloaded
(the dashboard works offline, and the logos are their owners' trademarks).

Each icon is a monogram badge: the service's first letters on a shape. The shape and
the colour say the category (a circle for social networks, a rounded square for video,
…), so a service's kind reads at a glance and never by colour alone; the letters tell
services of one kind apart. In a dark (high-contrast) theme the badge takes the theme's
own colours — its background, and its text colour for the outline and the letters — so
it stays as legible as the theme's text (:func:`gui.views.contrast` does the same for
the states). Icons are drawn once per service, size and theme, then kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from math import cos, radians, sin

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
)

from gui.backend import ServiceEntry
from gui.colours import dark_palette

ICON_SIZE = 64  # drawn large; the list shows it smaller and sharp at 150 % scaling


class Shape(Enum):
    CIRCLE = "circle"
    ROUNDED = "rounded"
    HEXAGON = "hexagon"
    DIAMOND = "diamond"
    OCTAGON = "octagon"
    SQUARE = "square"


@dataclass(frozen=True)
class BadgeStyle:
    shape: Shape
    colour: str  # the category's colour, as "#rrggbb"


# Colours dark enough for white letters or light enough for black (the letters' colour is
# chosen by contrast); shapes so that two categories never look alike in grey.
_CATEGORY_STYLES = {
    "social": BadgeStyle(Shape.CIRCLE, "#1565c0"),
    "video": BadgeStyle(Shape.ROUNDED, "#c62828"),
    "chat": BadgeStyle(Shape.HEXAGON, "#2e7d32"),
    "games": BadgeStyle(Shape.DIAMOND, "#6a1b9a"),
    "shopping": BadgeStyle(Shape.OCTAGON, "#ef6c00"),
}
_OTHER_STYLE = BadgeStyle(Shape.SQUARE, "#455a64")
_CUT = re.compile(r"\s*(?:\(|/).*$")  # "X (Twitter)" → "X", "Valorant / Riot" → "Valorant"


def category_style(category: str) -> BadgeStyle:
    return _CATEGORY_STYLES.get(category, _OTHER_STYLE)


def first_letters(name: str) -> str:
    """``Free Fire`` → ``FF``, ``Roblox`` → ``Ro``, ``X (Twitter)`` → ``X``."""
    main = _CUT.sub("", name).strip() or name.strip()
    words = [word for word in re.split(r"[\s\-_.:]+", main) if word]
    if not words:
        return "?"
    if len(words) >= 2:
        return (words[0][0] + words[1][0]).upper()
    word = words[0]
    return word[0].upper() + word[1:2].lower()


def monograms(services: Iterable[ServiceEntry]) -> dict[str, str]:
    """Each service's letters, told apart from every other service's of the same
    category (the shape and colour tell the others apart): on a clash the second letter
    moves along the name."""
    taken: set[tuple[str, str]] = set()
    found: dict[str, str] = {}
    for service in services:
        letters = first_letters(service.name)
        if (service.category, letters) in taken:
            letters = _another(service.name, service.category, taken) or letters
        taken.add((service.category, letters))
        found[service.service_id] = letters
    return found


def _another(name: str, category: str, taken: set[tuple[str, str]]) -> str | None:
    letters = [ch for ch in name if ch.isalnum()]
    if not letters:
        return None
    first = letters[0].upper()
    for second in letters[1:]:
        candidate = first + second.lower()
        if (category, candidate) not in taken:
            return candidate
    return None


def relative_luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG's contrast ratio, 1 to 21; text wants at least 4.5."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def badge_colours(style: BadgeStyle, palette: QPalette) -> tuple[QColor, QColor, QColor]:
    """(fill, outline, letters) for this theme."""
    if dark_palette(palette):
        background = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        return background, text, text
    fill = QColor(style.colour)
    white, black = QColor("#ffffff"), QColor("#000000")
    letters = white if contrast_ratio(fill, white) >= contrast_ratio(fill, black) else black
    return fill, fill.darker(130), letters


def _outline(shape: Shape, box: QRectF) -> QPainterPath:
    path = QPainterPath()
    centre, half = box.center(), box.width() / 2
    if shape is Shape.CIRCLE:
        path.addEllipse(box)
    elif shape is Shape.ROUNDED:
        path.addRoundedRect(box, half * 0.45, half * 0.45)
    elif shape is Shape.SQUARE:
        path.addRect(box.adjusted(half * 0.06, half * 0.06, -half * 0.06, -half * 0.06))
    else:
        corners = {Shape.HEXAGON: 6, Shape.DIAMOND: 4, Shape.OCTAGON: 8}[shape]
        turn = {Shape.HEXAGON: 0.0, Shape.DIAMOND: 0.0, Shape.OCTAGON: 22.5}[shape]
        polygon = QPolygonF()
        line = QPointF(0, -half)
        for index in range(corners):
            angle = radians(turn + index * 360 / corners)
            polygon.append(QPointF(
                centre.x() + line.x() * cos(angle) - line.y() * sin(angle),
                centre.y() + line.x() * sin(angle) + line.y() * cos(angle),
            ))
        path.addPolygon(polygon)
        path.closeSubpath()
    return path


def draw_badge(letters: str, style: BadgeStyle, palette: QPalette, size: int = ICON_SIZE
               ) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    fill, outline, ink = badge_colours(style, palette)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        margin = size * 0.06
        path = _outline(style.shape, QRectF(margin, margin, size - 2 * margin, size - 2 * margin))
        painter.setPen(QPen(outline, max(2.0, size / 20)))
        painter.setBrush(fill)
        painter.drawPath(path)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(size * (0.42 if len(letters) > 1 else 0.5)))
        painter.setFont(font)
        painter.setPen(ink)
        painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, letters)
    finally:
        painter.end()
    return pixmap


class ServiceIcons:
    """The catalogue's icons for one theme, drawn once each."""

    def __init__(self, services: Sequence[ServiceEntry], palette: QPalette) -> None:
        self._catalogue = tuple(services)
        self._services = {service.service_id: service for service in services}
        self._letters = monograms(services)
        self._palette = QPalette(palette)
        self._icons: dict[str, QIcon] = {}

    @property
    def dark(self) -> bool:
        return dark_palette(self._palette)

    def letters(self, service_id: str) -> str:
        return self._letters.get(service_id, "?")

    def style(self, service_id: str) -> BadgeStyle:
        service = self._services.get(service_id)
        return category_style(service.category if service else "")

    def icon(self, service_id: str) -> QIcon:
        found = self._icons.get(service_id)
        if found is None:
            found = QIcon(draw_badge(self.letters(service_id), self.style(service_id),
                                     self._palette))
            self._icons[service_id] = found
        return found

    def suits(self, services: Sequence[ServiceEntry], palette: QPalette) -> bool:
        """Whether these icons are still right for this catalogue and theme."""
        return (
            tuple(services) == self._catalogue
            and dark_palette(palette) == self.dark
            and palette.color(QPalette.ColorRole.Base) == self._palette.color(
                QPalette.ColorRole.Base)
        )
