"""The parents' dashboard window against a real agent, as the window tests open it: built
over the agent's API in Vietnamese, shown, signed in with the PIN, and closed so that a
failed test never hangs the ones after it. Not a test module of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from helpers_policy_agent import PARENT_PIN
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from gui.api_backend import ApiBackend
from gui.app import build_main_window
from gui.i18n import Translations
from gui.views.main_window import MainWindow

# Generous: an answer may take up to the backend's 30 s on a loaded machine, and a wait
# only lasts this long when something is wrong.
WAIT_MS = 60_000


@contextmanager
def dashboard(
    qtbot: QtBot,
    qapp: object,
    url: str,
    *,
    translations: Translations | None = None,
    size: tuple[int, int] | None = None,
) -> Iterator[MainWindow]:
    """The window on the agent at `url`, shown and not yet signed in; `translations`, when
    given, is the test's own (it switches languages itself), else one for the window."""
    owned = translations is None
    strings = Translations(qapp) if translations is None else translations  # type: ignore[arg-type]
    backend = ApiBackend(url, timeout=30.0)
    try:
        window = build_main_window(
            backend, agent_address=url, language="vi", translations=strings,
            refresh_ms=60_000,  # the tests ask for refreshes themselves
        )
        qtbot.addWidget(window)
        if size is not None:
            window.resize(*size)
        window.show()
        try:
            yield window
        finally:
            close_dashboard(window)
    finally:
        backend.close()
        if owned:
            strings.remove()


@contextmanager
def signed_in_dashboard(
    qtbot: QtBot,
    qapp: object,
    url: str,
    pin: str = PARENT_PIN,
    *,
    by_keyboard: bool = False,
    translations: Translations | None = None,
    size: tuple[int, int] | None = None,
) -> Iterator[MainWindow]:
    """The window signed in with `pin`: Return pressed in the PIN field when `by_keyboard`,
    else the button clicked."""
    with dashboard(qtbot, qapp, url, translations=translations, size=size) as window:
        sign_in(qtbot, window, pin, by_keyboard=by_keyboard)
        yield window


def sign_in(qtbot: QtBot, window: MainWindow, pin: str, *, by_keyboard: bool = False) -> None:
    page = window.login_page
    qtbot.waitUntil(page.pin_edit.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(window.controller.login_succeeded, timeout=WAIT_MS):
        qtbot.keyClicks(page.pin_edit, pin)
        if by_keyboard:
            qtbot.keyClick(page.pin_edit, Qt.Key.Key_Return)
        else:
            qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)


def close_dashboard(window: MainWindow) -> None:
    """Close every question or dialog a failed test may have left open (a message box is a
    dialog too), then the window; none of it waits for anyone to answer."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.reject()
    window.close()
