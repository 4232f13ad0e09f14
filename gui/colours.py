"""Colours that carry a meaning (a problem, done, waiting, ended), made readable in the
theme in force. No widgets: the table models and the views both take their colours here.

A state is always said in words or with a mark (✔, ⚠); colour only adds to that. Each
meaning has a hue; it is used only where the theme writes dark text on a light
background, and then darkened until it stands out from that background by at least the
4.5 : 1 that WCAG asks of text. A dark theme (most high-contrast themes are) keeps its
own text colour: a light red or green there would fight the colours the reader chose.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette

TEXT_CONTRAST = 4.5  # WCAG 2.x, 1.4.3: normal text against its background
FRAME_CONTRAST = 3.0  # WCAG 2.x, 1.4.11: a focus ring or a border against what is around it


class Meaning(Enum):
    PROBLEM = "problem"  # blocked, refused, failing, not allowed
    DONE = "done"  # saved, allowed, sent
    WAITING = "waiting"  # a request waits for an answer, protection is paused
    ENDED = "ended"  # expired, revoked, not looked up


_HUES = {
    Meaning.PROBLEM: QColor(178, 34, 34),
    Meaning.DONE: QColor(30, 120, 60),
    Meaning.WAITING: QColor(176, 96, 0),
    Meaning.ENDED: QColor(110, 110, 110),
}


def hue(meaning: Meaning) -> QColor:
    """The meaning's colour before it is fitted to a theme."""
    return QColor(_HUES[meaning])


def relative_luminance(colour: QColor) -> float:
    """WCAG's relative luminance of an sRGB colour, 0 (black) to 1 (white)."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(colour.redF())
        + 0.7152 * linear(colour.greenF())
        + 0.0722 * linear(colour.blueF())
    )


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG's contrast ratio, 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted(
        (relative_luminance(first), relative_luminance(second)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def readable_on(
    colour: QColor, backgrounds: Iterable[QColor], minimum: float = TEXT_CONTRAST
) -> QColor:
    """``colour``, darkened (on light backgrounds) or lightened (on dark ones) just enough
    to reach ``minimum`` against every background; black or white when nothing else does."""
    grounds = list(backgrounds)
    if not grounds:
        return QColor(colour)

    def worst(candidate: QColor) -> float:
        return min(contrast_ratio(candidate, ground) for ground in grounds)

    if worst(colour) >= minimum:
        return QColor(colour)
    light_ground = sum(relative_luminance(ground) for ground in grounds) / len(grounds) > 0.18
    hue_, saturation = colour.hslHueF(), colour.hslSaturationF()
    lightness, alpha = colour.lightnessF(), colour.alphaF()
    steps = 40
    for step in range(1, steps + 1):
        if light_ground:
            new_lightness = lightness * (1 - step / steps)
        else:
            new_lightness = lightness + (1 - lightness) * step / steps
        candidate = QColor.fromHslF(max(hue_, 0.0), saturation, new_lightness, alpha)
        if worst(candidate) >= minimum:
            return candidate
    return QColor("black") if light_ground else QColor("white")


def dark_palette(palette: QPalette) -> bool:
    """Whether the theme writes light text on a dark background (most high-contrast
    themes do): fixed reds and greens are then unreadable."""
    window = palette.color(QPalette.ColorRole.Window).lightness()
    text = palette.color(QPalette.ColorRole.WindowText).lightness()
    return window < text


def meaning_colour(
    meaning: Meaning,
    palette: QPalette,
    grounds: Iterable[QPalette.ColorRole] = (QPalette.ColorRole.Window,),
) -> QColor | None:
    """The meaning's text colour on the palette's ``grounds``; None in a dark theme, where
    the theme's own text colour (and the words) say it."""
    if dark_palette(palette):
        return None
    return readable_on(hue(meaning), (palette.color(role) for role in grounds))


def meaning_brush(meaning: Meaning, palette: QPalette | None = None) -> QBrush | None:
    """For a table's ForegroundRole: readable on its rows and its alternate rows."""
    colour = meaning_colour(
        meaning,
        palette if palette is not None else QGuiApplication.palette(),
        (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase),
    )
    return QBrush(colour) if colour is not None else None


def frame_colour(palette: QPalette) -> QColor:
    """The focus ring's colour: the theme's highlight when it stands out from the window
    (3 : 1), else the window's own text colour."""
    highlight = palette.color(QPalette.ColorRole.Highlight)
    window = palette.color(QPalette.ColorRole.Window)
    if contrast_ratio(highlight, window) >= FRAME_CONTRAST:
        return highlight
    return palette.color(QPalette.ColorRole.WindowText)


__all__ = [
    "FRAME_CONTRAST",
    "TEXT_CONTRAST",
    "Meaning",
    "contrast_ratio",
    "dark_palette",
    "frame_colour",
    "hue",
    "meaning_brush",
    "meaning_colour",
    "readable_on",
    "relative_luminance",
]
