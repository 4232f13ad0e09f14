"""Style sheets of the lines that say a state, in colours that keep their meaning in a
high-contrast or dark theme (the colours themselves come from :mod:`gui.colours`).

A state is always said with words and a mark (✔, ⚠); colour only adds to that. Under a
dark (high-contrast) palette a problem is shown in bold in the theme's own text colour.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from gui.colours import (
    FRAME_CONTRAST,
    Meaning,
    dark_palette,
    hue,
    meaning_colour,
    readable_on,
)

__all__ = [
    "apply_meaning",
    "apply_message",
    "banner_style",
    "dark_palette",
    "ground_palette",
    "meaning_style",
    "message_style",
    "refresh_meanings",
    "status_style",
]

# The dynamic property that remembers a label's meaning, so a change of theme restyles it.
_MEANING_PROPERTY = "baoanMeaning"
_BOLD_PROPERTY = "baoanMeaningBold"


def meaning_style(widget: QWidget, meaning: Meaning, bold: bool = False) -> str:
    """The style sheet of a label whose words carry ``meaning``: its colour where the
    theme lets it be read, bold when asked (and always for a problem in a dark theme)."""
    colour = meaning_colour(meaning, ground_palette(widget))
    parts = [f"color: {colour.name()};"] if colour is not None else []
    if bold or (colour is None and meaning == Meaning.PROBLEM):
        parts.append("font-weight: bold;")
    return " ".join(parts)


def ground_palette(widget: QWidget) -> QPalette:
    """The theme around ``widget``: the application's palette for its kind of widget.
    Neither the widget's own style sheet (a colour set here) changes it, nor the order in
    which the widgets learn of a new theme."""
    return QApplication.palette(widget)


def status_style(widget: QWidget, ok: bool | None) -> str:
    """The style sheet of a line that reports a state: a problem in bold (and red where
    red is readable); whole or not known, nothing (the mark says it)."""
    if ok or ok is None:
        return ""
    return meaning_style(widget, Meaning.PROBLEM, bold=True)


def message_style(widget: QWidget, good: bool) -> str:
    """A message under a form: done or not. Prefer :func:`apply_message`, which also
    follows a change of theme."""
    return meaning_style(widget, Meaning.DONE if good else Meaning.PROBLEM)


def apply_meaning(widget: QWidget, meaning: Meaning | None, bold: bool = False) -> None:
    """Colour ``widget``'s words by ``meaning`` (None: the theme's own), and remember it
    so that :func:`refresh_meanings` follows a change of theme."""
    widget.setProperty(_MEANING_PROPERTY, meaning.value if meaning is not None else "")
    widget.setProperty(_BOLD_PROPERTY, bold)
    widget.setStyleSheet(meaning_style(widget, meaning, bold) if meaning is not None else "")


def apply_message(widget: QWidget, good: bool) -> None:
    """A message under a form: done (green) or not (red), as :func:`apply_meaning`."""
    apply_meaning(widget, Meaning.DONE if good else Meaning.PROBLEM)


def refresh_meanings(root: QWidget) -> None:
    """Restyle every widget under ``root`` that :func:`apply_meaning` coloured: the
    theme changed, and a colour readable before may not be now."""
    for widget in root.findChildren(QWidget):
        value = widget.property(_MEANING_PROPERTY)
        if isinstance(value, str) and value:
            bold = bool(widget.property(_BOLD_PROPERTY))
            style = meaning_style(widget, Meaning(value), bold)
            if widget.styleSheet() != style:
                widget.setStyleSheet(style)


def banner_style(selector: str, meaning: Meaning | None, palette: QPalette) -> str:
    """A framed strip tinted by ``meaning`` (None: neutral). In a light theme, a pale
    tint of the window with text readable on it; in a dark theme, the theme's own
    colours inside a frame that stands out from the window."""
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    base = hue(meaning) if meaning is not None else palette.color(QPalette.ColorRole.Mid)
    if dark_palette(palette):
        frame = readable_on(base, [window], FRAME_CONTRAST)
        width = 1 if meaning is None else 2
        return f"{selector} {{ border:{width}px solid {frame.name()}; border-radius:6px; }}"
    tint = _mix(window, base, 0.12)
    words = readable_on(_mix(text, base, 0.6), [tint])
    frame = readable_on(base, [window], FRAME_CONTRAST) if meaning is not None else base
    return (
        f"{selector} {{ background:{tint.name()}; color:{words.name()}; "
        f"border:1px solid {frame.name()}; border-radius:6px; }}"
    )


def _mix(first: QColor, second: QColor, share: float) -> QColor:
    """``first`` with ``share`` of ``second`` mixed in."""
    return QColor.fromRgbF(
        first.redF() * (1 - share) + second.redF() * share,
        first.greenF() * (1 - share) + second.greenF() * share,
        first.blueF() * (1 - share) + second.blueF() * share,
    )
