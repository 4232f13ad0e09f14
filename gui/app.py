"""Entry points of the parent's dashboard.

``run_dashboard(api_url, argv)`` is what ``baoan try`` (and later ``baoan dashboard``)
calls: it makes or reuses the QApplication, connects to the agent's local API and runs
the event loop. ``build_main_window(backend)`` builds the same window around any
:class:`~gui.backend.DashboardBackend`, for embedding (the tray) and for tests.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from gui.backend import DashboardBackend
from gui.caregiver_settings import CaregiverSettingsController
from gui.caregivers import CaregiversController
from gui.controller import DEFAULT_IDLE_LOCK_MS, DEFAULT_REFRESH_MS, DashboardController
from gui.family_controller import FamilyController, FirstRunController
from gui.i18n import LANGUAGE_ENV, Translations, choose_language, system_language
from gui.pages_controller import ActivityController, OverviewController, ScheduleController
from gui.rules_controller import ScreenTimeController, WebRulesController
from gui.settings_controller import SettingsController
from gui.views.focus_ring import find_focus_ring, install_focus_ring
from gui.views.main_window import MainWindow
from gui.workers import ApiRunner

log = logging.getLogger(__name__)


def build_main_window(
    backend: DashboardBackend,
    agent_address: str = "",
    language: str | None = None,
    translations: Translations | None = None,
    refresh_ms: int = DEFAULT_REFRESH_MS,
    start: bool = True,
    *,
    timezone: tzinfo | None = None,
    clock: Callable[[], datetime] | None = None,
    idle_lock_ms: int = DEFAULT_IDLE_LOCK_MS,
) -> MainWindow:
    """The dashboard window around ``backend``; a QApplication must exist already.

    ``language`` forces a language; otherwise the agent's setting (once its status
    arrives) or the system locale decides, Vietnamese when neither is one we speak.
    A parent's pick in the window wins over all of these. ``translations`` is the
    application's translator holder; one is made (and owned by the window) when absent.
    ``timezone`` is the family's: the tables show times in it and "until the end of
    today" ends at its midnight. Left out, the window uses the zone the agent reports in
    ``GET /api/status`` (the PC's own until then, or with an agent that does not say).
    ``clock`` gives "now" for that (the wall clock by default).
    """
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("build_main_window needs a QApplication; create one first")
    owns_translations = translations is None
    if translations is None:
        translations = Translations(app)
    explicit = language or os.environ.get(LANGUAGE_ENV)
    initial = choose_language(explicit=explicit, system_locale=system_language())
    translations.use(initial)

    runner = ApiRunner(backend)
    controller = DashboardController(
        runner, refresh_ms=refresh_ms, timezone=timezone, clock=clock, idle_lock_ms=idle_lock_ms
    )
    rules = WebRulesController(runner, controller.parent_token, controller.report_failure)
    screen_time = ScreenTimeController(
        runner, controller.parent_token, controller.report_failure
    )
    family_pages = (
        OverviewController(runner, controller.parent_token, controller.report_failure),
        ActivityController(runner, controller.parent_token, controller.report_failure),
        ScheduleController(runner, controller.parent_token, controller.report_failure),
    )
    overview, activity, schedules = family_pages
    caregivers = CaregiversController(runner, controller.parent_token, controller.report_failure)
    caregiver_settings = CaregiverSettingsController(
        runner, controller.parent_token, controller.report_failure
    )
    family = FamilyController(runner, controller.parent_token, controller.report_failure)
    first_run = FirstRunController(runner, controller)
    settings = SettingsController(runner, controller.parent_token, controller.report_failure)
    window = MainWindow(
        controller,
        agent_address,
        language=translations.language or initial,
        rules=rules,
        screen_time=screen_time,
        overview=overview,
        activity=activity,
        schedules=schedules,
        caregivers=caregivers,
        caregiver_settings=caregiver_settings,
        family=family,
        first_run=first_run,
        settings=settings,
    )
    # The window owns its services, so closing it releases them.
    services = (
        runner, controller, rules, screen_time, caregivers, caregiver_settings, family,
        first_run, settings,
    )
    for service in (*services, *family_pages):
        service.setParent(window)
    if translations.parent() is None:
        translations.setParent(window)

    chosen_by_person = explicit is not None

    def on_language_picked(code: str) -> None:
        nonlocal chosen_by_person
        chosen_by_person = True
        translations.use(code)

    def on_agent_language(code: str) -> None:
        if not chosen_by_person and code != translations.language:
            translations.use(code)

    window.language_selected.connect(on_language_picked)
    translations.language_changed.connect(window.set_language_choice)
    controller.language_reported.connect(on_agent_language)
    window.closed.connect(runner.shutdown)
    if owns_translations:
        # Its translator goes with it; hosts with several windows pass one Translations.
        window.closed.connect(translations.remove)
    if start:
        controller.start()
    return window


def run_dashboard(api_url: str, argv: Sequence[str]) -> int:
    """Open the dashboard on the agent at ``api_url`` and run until the window closes.

    ``argv`` goes to Qt (``-platform``, ``-style`` ...). Ctrl-C in the terminal closes the
    dashboard cleanly. Returns the event loop's exit code.
    """
    from gui.api_backend import ApiBackend  # the HTTP client is needed only here

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(list(argv) or ["baoan"])
    app.setApplicationName("Bảo An")
    app.setOrganizationName("baoan")
    backend = ApiBackend(api_url)
    previous_handler = _quit_on_sigint(app)
    # `baoan try` closes its dashboard with SIGTERM when it stops: a clean close too.
    previous_term = (
        signal.signal(signal.SIGTERM, lambda _signum, _frame: app.quit())
        if previous_handler is not None
        else None
    )
    own_ring = find_focus_ring(app) is None  # a host's own ring stays when we close
    ring = install_focus_ring(app)  # one focus mark that every theme shows
    try:
        window: QMainWindow = build_main_window(backend, agent_address=api_url)
        window.show()
        log.info("the dashboard is open on %s", api_url)
        code: int = app.exec()
        window.close()
        window.deleteLater()
    finally:
        backend.close()
        if own_ring:
            ring.remove()
        if previous_handler is not None:
            signal.signal(signal.SIGINT, previous_handler)
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
    log.debug("dashboard closed with %s", code)
    return code


def _quit_on_sigint(app: QApplication) -> signal.Handlers | Callable[..., object] | int | None:
    """Ctrl-C closes the dashboard cleanly (Qt's loop would otherwise hold the signal).
    Returns the handler it replaced, or None when it could not install one."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: app.quit())
    # Python runs signal handlers only between bytecodes: wake it now and then.
    timer = QTimer(app)
    timer.setInterval(250)
    timer.timeout.connect(lambda: None)
    timer.start()
    app.aboutToQuit.connect(timer.stop)
    return previous
