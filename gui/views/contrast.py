"""Colours that keep their meaning in a high-contrast or dark theme.

A state is always said with words and a mark (✔, ⚠); colour only adds to that. The
fixed red and green of a light theme are unreadable on a dark background, so under a
dark (high-contrast) palette a problem is shown in bold in the theme's own text colour.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.pages_models import dark_palette

PROBLEM_COLOUR = "#b22222"
DONE_COLOUR = "#1e783c"

__all__ = ["dark_palette", "message_style", "status_style"]


def status_style(widget: QWidget, ok: bool | None) -> str:
    """The style sheet of a line that reports a state: a problem stands out in bold, and
    in red only where red is readable."""
    if ok or ok is None:
        return ""  # whole, or not known: the mark says it, no alarm
    if dark_palette(widget.palette()):
        return "font-weight: bold;"
    return f"color: {PROBLEM_COLOUR}; font-weight: bold;"


def message_style(widget: QWidget, good: bool) -> str:
    """A message under a form: green when done, red when not, the theme's colour in a
    dark theme."""
    if dark_palette(widget.palette()):
        return "" if good else "font-weight: bold;"
    return f"color: {DONE_COLOUR if good else PROBLEM_COLOUR};"
