"""`baoan dashboard --screenshots DIR`: every page of the dashboard, in Vietnamese and in
English, rendered to PNG files for review, then exit.

It shows what the agent at the address serves (for the try-out, its sample family): the
PIN page, and with the parent's PIN (``BAOAN_PIN``) every tab after it.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QScrollArea

from gui.backend import DashboardBackend
from gui.i18n import Translations
from gui.views.main_window import MainWindow

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
EXAMPLE_RECOVERY_CODE = "7KQ2-M9XD-4HTR-WB3C"
WAIT_SECONDS = 15.0


def take_screenshots(
    backend: DashboardBackend,
    directory: Path,
    *,
    agent_address: str = "",
    pin: str | None = None,
) -> list[Path]:
    """Render every page to ``DIR/<language>-<nn>-<page>.png``; the files written."""
    application = QApplication.instance()
    assert isinstance(application, QApplication), "make a QApplication first"
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for language in LANGUAGES:
        written += _render_language(application, backend, directory, language, agent_address, pin)
    return written


def _render_language(
    application: QApplication,
    backend: DashboardBackend,
    directory: Path,
    language: str,
    agent_address: str,
    pin: str | None,
) -> list[Path]:
    from gui.app import build_main_window

    written: list[Path] = []
    translations = Translations(application)
    window = build_main_window(
        backend,
        agent_address=agent_address,
        language=language,
        translations=translations,
        refresh_ms=600_000,
        idle_lock_ms=3_600_000,
    )
    window.resize(1100, 760)
    window.show()
    try:
        _wait_until(lambda: window.banner.state in ("ok", "warning", "error"))
        _settle()
        written.append(_save(window, directory, language, 0, "pin"))
        if pin is None:
            return written
        logged_in: list[bool] = []
        window.controller.login_succeeded.connect(lambda: logged_in.append(True))
        window.controller.login(pin)
        if not _wait_until(lambda: bool(logged_in)):
            log.warning("the PIN was not accepted: only the PIN page is rendered")
            return written
        tabs = window.parent_page.tabs
        _wait_until(lambda: window.parent_page.children_model.rowCount() > 0)
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            _settle()
            written.append(_save(window, directory, language, index + 1, tabs.tabText(index)))
        number = tabs.count() + 1
        schedule = _save_schedule_editor(window, directory, language, number)
        written += schedule
        number += len(schedule)
        if window.caregivers_view is not None:  # in Settings, under the fold
            settings = window.parent_page.settings_page
            tabs.setCurrentWidget(settings)
            settings.scroll_area.ensureWidgetVisible(settings.caregivers_box)
            _settle()
            title = settings.caregivers_box.title()
            written.append(_save(window, directory, language, number, title))
            number += 1
        written += _first_run(window, directory, language, number)
        window.controller.logout()
        _settle()
    finally:
        window.close()
        translations.remove()
        _settle(0.2)
    return written


def _save_schedule_editor(
    window: MainWindow, directory: Path, language: str, number: int
) -> list[Path]:
    """The Web tab's weekly schedule, which sits below the fold: scrolled into view."""
    web = window.parent_page.web_tab
    editor = web.schedule_editor
    if window.parent_page.tabs.indexOf(web) < 0 or not editor.isVisibleTo(web):
        return []
    window.parent_page.tabs.setCurrentWidget(web)
    scroll = web.findChild(QScrollArea)
    if scroll is not None:
        scroll.ensureWidgetVisible(editor)
    _settle()
    return [_save(window, directory, language, number, "web-" + editor.title())]


def _first_run(window: MainWindow, directory: Path, language: str, number: int) -> list[Path]:
    """The first run's two steps, as a new family sees them (with an example code: the
    real one is made once, when the first PIN is set)."""
    page = window.first_run_page
    window.stack.setCurrentWidget(page)
    page.start(EXAMPLE_RECOVERY_CODE, True)
    if window.family is not None and window.family.snapshot is not None:
        page.show_family(window.family.snapshot)
    _settle(0.5)
    written = [_save(window, directory, language, number, "first-run-recovery-code")]
    page.written_down.setChecked(True)
    page.next_button.click()
    _settle(0.5)
    written.append(_save(window, directory, language, number + 1, "first-run-first-child"))
    page.clear()
    window.stack.setCurrentWidget(window.parent_page)
    return written


def _save(window: object, directory: Path, language: str, number: int, page: str) -> Path:
    plain = unicodedata.normalize("NFKD", page.lower().replace("đ", "d"))
    slug = re.sub(r"[^a-z0-9]+", "-", plain.encode("ascii", "ignore").decode()).strip("-")
    path = directory / f"{language}-{number:02d}-{slug or 'page'}.png"
    grab = getattr(window, "grab")  # noqa: B009 - a QWidget
    if not grab().save(str(path), "PNG"):
        raise OSError(f"cannot write {path}")
    log.info("wrote %s", path)
    return path


def _wait_until(condition: Callable[[], bool], timeout: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        if condition():
            return True
        time.sleep(0.02)
    return False


def _settle(seconds: float = 1.0) -> None:
    """Let answers arrive and the widgets lay themselves out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.02)
