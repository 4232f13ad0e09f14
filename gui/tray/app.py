"""The child's tray: its logic (:class:`TrayController`), its face (:class:`TrayPresenter`)
and its entry points (:func:`build_tray`, :func:`run_tray`).

The controller holds everything that matters — Help / 111, "Báo điều xấu", notifications
of blocked sites, the first-session "what Bảo An watches", the dashboard entry — and works
with no system tray at all, so it is testable offscreen. The presenter shows it as a
:class:`QSystemTrayIcon` when the desktop has a tray, else as a small always-on-top window
with the 111 button.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QColor, QDesktopServices, QIcon, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QMenu,
    QMessageBox,
    QPushButton,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from gui.i18n import LANGUAGE_ENV, Translations, choose_language, system_language
from gui.tray.backend import (
    VNCOP_REPORT,
    BlockedBatch,
    HelpOutcome,
    ReportOutcome,
    TimeRequestInfo,
    TrayBackend,
    TrayBackendError,
    TrayProfile,
    WatchAcknowledgementInfo,
)
from gui.tray.dialogs import HelpDialog, ReportDialog, WatchDialog
from gui.tray.enforcement import Enforcer, NotifyOnly, SessionController, session_controller
from gui.tray.i18n import TRAY_TRANSLATIONS_DIR
from gui.tray.more_time import MoreTimeDialog
from gui.tray.throttle import NotificationThrottle
from gui.tray.workers import TrayRunner

log = logging.getLogger(__name__)

DEFAULT_POLL_MS = 5000
UrlOpener = Callable[[QUrl], object]


def _desktop_open(url: QUrl) -> bool:
    return bool(QDesktopServices.openUrl(url))


class TrayController(QObject):
    """What the tray does, without any widget of its own but its dialogs."""

    notification = Signal(str, str, str)  # title, body, the block page's URL
    profile_changed = Signal(object)  # TrayProfile
    language_reported = Signal(str)
    reachable_changed = Signal(bool)
    watch_acknowledged = Signal()

    def __init__(
        self,
        runner: TrayRunner,
        *,
        open_url: UrlOpener = _desktop_open,
        open_dashboard: Callable[[], object] | None = None,
        throttle: NotificationThrottle | None = None,
        clock: Callable[[], float] = time.monotonic,
        language: str | None = None,
        poll_ms: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._open_url = open_url
        self._open_dashboard = open_dashboard
        self.throttle = throttle or NotificationThrottle()
        self._clock = clock
        self._language = language  # an explicit choice; None: the family's setting
        self._fixed_poll_ms = poll_ms
        self.profile: TrayProfile | None = None
        self.cursor: str | None = None
        self.reachable: bool | None = None
        self.help_dialog: HelpDialog | None = None
        self.report_dialog: ReportDialog | None = None
        self.watch_dialog: WatchDialog | None = None
        self.more_time_dialog: MoreTimeDialog | None = None
        # The child's request for more time while it waits for a parent's answer.
        self.time_request: TimeRequestInfo | None = None
        self._time_request_polling = False
        self._message_box: QMessageBox | None = None
        self._polling = False
        self._profile_loading = False
        self._first_session_checked = False
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms or DEFAULT_POLL_MS)
        self._timer.timeout.connect(self.poll)

    @property
    def base_url(self) -> str:
        return self._runner.backend.base_url

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Ask who we are, then look for blocked sites every few seconds."""
        self.load_profile()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._runner.shutdown()

    # -- Help / 111 -------------------------------------------------------------------------

    def show_help(self) -> HelpDialog:
        """Show 111 at once (no agent needed). Nothing is sent: the child tells the parents
        only with the dialog's own button (:meth:`tell_parents`)."""
        dialog = self.help_dialog
        if dialog is None:
            dialog = HelpDialog(self._open_url)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
            dialog.tell_requested.connect(self.tell_parents)
            dialog.report_requested.connect(self.open_report)
            self.help_dialog = dialog
        if dialog.state not in ("sending", "alerted"):
            dialog.reset()
        profile = self.profile
        dialog.set_options(
            # Unknown (the agent is down): offer it; the dialog then says nobody was told.
            can_tell=profile is None or profile.help_alerts,
            can_report=profile is None or profile.age_band in ("11-14", "15-17"),
            receivers=profile.help_receivers if profile is not None else None,
        )
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def tell_parents(self) -> None:
        """The child chose to tell the parents: the agent sends the urgent alert."""
        dialog = self.help_dialog
        if dialog is not None:
            dialog.set_sending()
        self._runner.submit(
            lambda backend: backend.press_help(),
            self._on_help_sent,
            self._on_help_failed,
        )

    # -- Báo điều xấu ----------------------------------------------------------------------

    def open_report(self) -> ReportDialog:
        """"Báo điều xấu": vn-cop.vn's report page in the browser, and the report window
        beside it. Nothing is sent: the child tells the parents only with the window's own
        button (:meth:`tell_report`)."""
        self._open_url(QUrl(VNCOP_REPORT))
        dialog = self.report_dialog
        if dialog is None:
            dialog = ReportDialog(self._open_url)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
            dialog.tell_requested.connect(self.tell_report)
            dialog.help_requested.connect(self.show_help)
            self.report_dialog = dialog
        if dialog.state not in ("sending", "alerted"):
            dialog.reset()
        profile = self.profile
        # Unknown (the agent is down): offer it; the window then says nobody was told.
        dialog.set_options(receivers=profile.report_receivers if profile is not None else None)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def tell_report(self) -> None:
        """The child chose to tell the parents: an alert of kind ``report``, not Help's."""
        dialog = self.report_dialog
        if dialog is not None:
            dialog.set_sending()
        self._runner.submit(
            lambda backend: backend.report(),
            self._on_report_sent,
            self._on_report_failed,
        )

    def _on_report_sent(self, outcome: ReportOutcome) -> None:
        self._set_reachable(True)
        if self.report_dialog is not None:
            self.report_dialog.set_outcome(outcome)

    def _on_report_failed(self, error: TrayBackendError) -> None:
        log.warning("the report did not reach the agent: %s", error)
        if error.code == "unreachable":
            self._set_reachable(False)
        if self.report_dialog is not None:
            self.report_dialog.set_failed(offline=error.code == "unreachable")

    def _on_help_sent(self, outcome: HelpOutcome) -> None:
        self._set_reachable(True)
        if self.help_dialog is not None:
            band = self.profile.age_band if self.profile is not None else None
            self.help_dialog.set_outcome(outcome, band)

    def _on_help_failed(self, error: TrayBackendError) -> None:
        log.warning("the help request did not reach the agent: %s", error)
        if error.code == "unreachable":
            self._set_reachable(False)
        if self.help_dialog is not None:
            self.help_dialog.set_offline()

    # -- Xin thêm thời gian -------------------------------------------------------------------

    def ask_for_more_time(self) -> MoreTimeDialog:
        """The window to ask a parent for more time; nothing is sent until the child
        presses "Ask" (:meth:`send_time_request`)."""
        dialog = self.more_time_dialog
        if dialog is None:
            dialog = MoreTimeDialog()
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
            dialog.ask_requested.connect(self.send_time_request)
            self.more_time_dialog = dialog
        dialog.set_age_band(self.profile.age_band if self.profile is not None else None)
        if self.time_request is not None:
            dialog.set_request(self.time_request)
        elif dialog.state not in ("sending",):
            dialog.reset()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def send_time_request(self, minutes: int, reason: str = "") -> None:
        """The child asks for `minutes` more (15, 30 or 60), with their own key."""
        if self.more_time_dialog is not None:
            self.more_time_dialog.set_sending()
        self._runner.submit(
            lambda backend: backend.ask_for_more_time(minutes, reason),
            self._on_time_request,
            self._on_time_request_failed,
        )

    def check_time_request(self) -> None:
        """Ask the agent whether a parent answered the waiting request (one at a time)."""
        request = self.time_request
        if request is None or self._time_request_polling:
            return
        self._time_request_polling = True
        request_id = request.request_id
        self._runner.submit(
            lambda backend: backend.time_request(request_id),
            self._on_time_request_state,
            self._on_time_request_state_failed,
        )

    def _on_time_request(self, request: TimeRequestInfo) -> None:
        self._set_reachable(True)
        self._follow_time_request(request)

    def _on_time_request_failed(self, error: TrayBackendError) -> None:
        log.warning("the request for more time did not reach the agent: %s", error)
        if error.code == "unreachable":
            self._set_reachable(False)
        if self.more_time_dialog is not None:
            self.more_time_dialog.set_failed(error.code)

    def _on_time_request_state(self, request: TimeRequestInfo) -> None:
        self._time_request_polling = False
        self._set_reachable(True)
        self._follow_time_request(request)

    def _on_time_request_state_failed(self, error: TrayBackendError) -> None:
        self._time_request_polling = False
        if error.code == "not_found":
            self.time_request = None  # a new database: nothing to wait for any more
        if error.code == "unreachable":
            self._set_reachable(False)
        log.debug("asking for the request's state failed: %s", error)

    def _follow_time_request(self, request: TimeRequestInfo) -> None:
        waiting = self.time_request is not None
        self.time_request = request if request.state == "pending" else None
        dialog = self.more_time_dialog
        if dialog is not None:
            dialog.set_request(request)
        if waiting and request.state != "pending" and (dialog is None or not dialog.isVisible()):
            self.notification.emit(*self._time_answer_words(request), "")

    def _time_answer_words(self, request: TimeRequestInfo) -> tuple[str, str]:
        if request.approved:
            minutes = request.minutes_given or request.minutes
            return (
                self.tr("More time: yes"),
                self.tr("A parent gave you %n more minute(s).", "", minutes),
            )
        return self.tr("More time: no"), self.tr("A parent said no this time.")

    # -- who we are -------------------------------------------------------------------------

    def load_profile(self) -> None:
        if self._profile_loading:
            return
        self._profile_loading = True
        language = self._language
        self._runner.submit(
            lambda backend: backend.profile(language),
            self._on_profile,
            self._on_profile_failed,
        )

    def _on_profile(self, profile: TrayProfile) -> None:
        self._profile_loading = False
        self._set_reachable(True)
        self.profile = profile
        if self._fixed_poll_ms is None:
            self._timer.setInterval(max(1000, int(profile.poll_seconds * 1000)))
        self.profile_changed.emit(profile)
        self.language_reported.emit(profile.language)
        if self.watch_dialog is not None:
            self.watch_dialog.set_notice(profile.notice)
        if not self._first_session_checked:
            self._first_session_checked = True
            if profile.child is not None and not profile.acknowledged:
                self.show_watch()

    def _on_profile_failed(self, error: TrayBackendError) -> None:
        self._profile_loading = False
        log.info("the agent did not say who this tray belongs to: %s", error)
        if error.code == "unreachable":
            self._set_reachable(False)

    def set_language(self, language: str) -> None:
        """A new explicit language: ask the agent for its words in it."""
        self._language = language
        self.load_profile()

    # -- what Bảo An watches ----------------------------------------------------------------

    def show_watch(self) -> QWidget:
        profile = self.profile
        if profile is None:
            box = self._message_box
            if box is None:
                box = QMessageBox(QMessageBox.Icon.Information, "Bảo An", "")
                box.setObjectName("agentNotAnswering")
                self._message_box = box
            box.setText(self.tr("Bảo An is not answering right now. Please try again in a moment."))
            box.show()
            self.load_profile()
            return box
        dialog = self.watch_dialog
        if dialog is None:
            dialog = WatchDialog(profile.notice)
            dialog.acknowledge_requested.connect(self.acknowledge_watch)
            self.watch_dialog = dialog
        else:
            dialog.set_notice(profile.notice)
        dialog.understood_button.setEnabled(True)
        dialog.disagree_button.setEnabled(True)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def acknowledge_watch(self, answer: str = "acknowledged") -> None:
        """Record the child's answer (agree, disagree or acknowledged) with their own key."""
        profile = self.profile
        language = profile.language if profile is not None else (self._language or "vi")
        self._runner.submit(
            lambda backend: backend.acknowledge_watch(language, answer),
            self._on_acknowledged,
            self._on_acknowledge_failed,
        )

    def _on_acknowledged(self, ack: WatchAcknowledgementInfo) -> None:
        if self.profile is not None:
            self.profile = replace(self.profile, acknowledged=True)
        if self.watch_dialog is not None:
            self.watch_dialog.accept()
        log.info("the child's acknowledgement was recorded")
        self.watch_acknowledged.emit()

    def _on_acknowledge_failed(self, error: TrayBackendError) -> None:
        log.warning("the acknowledgement was not recorded: %s", error)
        if self.watch_dialog is not None:
            self.watch_dialog.set_failed()

    # -- blocked sites ------------------------------------------------------------------------

    def poll(self) -> None:
        """Ask for sites blocked since the cursor (one request at a time), and whether a
        parent answered the request for more time."""
        self.check_time_request()
        if self.profile is None:
            self.load_profile()
            return
        if self._polling:
            return
        self._polling = True
        cursor, language = self.cursor, self._language
        self._runner.submit(
            lambda backend: backend.blocked_since(cursor, language),
            self._on_blocked,
            self._on_blocked_failed,
        )

    def _on_blocked(self, batch: BlockedBatch) -> None:
        self._polling = False
        self._set_reachable(True)
        self.cursor = batch.cursor
        now = self._clock()
        for item in batch.items:
            if not self.throttle.should_notify(item.name, now):
                continue
            title = self.tr("Bảo An blocked %1").replace("%1", item.name)
            hint = self.tr("Click to see why, or to ask your parents to open it.")
            body = f"{item.why}\n{hint}" if item.why else hint
            self.notification.emit(title, body, self.page_url(item.page).toString())

    def _on_blocked_failed(self, error: TrayBackendError) -> None:
        self._polling = False
        if error.code == "bad_cursor":
            self.cursor = None  # the agent forgot us (a new database): start afresh
        if error.code == "unreachable":
            self._set_reachable(False)
        log.debug("asking for blocked sites failed: %s", error)

    # -- pages and the dashboard --------------------------------------------------------------

    def page_url(self, path: str) -> QUrl:
        return QUrl(self.base_url + path)

    def open_notification(self, url: str) -> None:
        """The child clicked a notification: the block page, in the browser."""
        if url:
            self._open_url(QUrl(url))

    def open_dashboard(self) -> None:
        if self._open_dashboard is None:
            log.warning("no dashboard is available from this tray")
            return
        self._open_dashboard()

    def _set_reachable(self, reachable: bool) -> None:
        if reachable != self.reachable:
            self.reachable = reachable
            self.reachable_changed.emit(reachable)


def tray_icon() -> QIcon:
    """A small shield, drawn here so the tray needs no image files."""
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = QPainterPath()
    path.moveTo(32, 4)
    path.lineTo(58, 14)
    path.cubicTo(58, 40, 46, 54, 32, 60)
    path.cubicTo(18, 54, 6, 40, 6, 14)
    path.closeSubpath()
    painter.fillPath(path, QColor("#1f7a4d"))
    painter.setPen(QColor("white"))
    font = painter.font()
    font.setPixelSize(30)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "BA")
    painter.end()
    return QIcon(pixmap)


class FallbackWindow(QWidget):
    """When the desktop has no tray: a small window on top, 111 first."""

    def __init__(self, menu: QMenu, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trayFallback")
        self.setWindowFlags(
            Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowTitleHint
        )
        self.help_button = QPushButton(self)
        self.help_button.setObjectName("fallbackHelp")
        self.help_button.setMinimumHeight(40)
        self.menu_button = QPushButton(self)
        self.menu_button.setMenu(menu)
        self.notice_button = QPushButton(self)
        self.notice_button.setObjectName("fallbackNotice")
        self.notice_button.setFlat(True)
        self.notice_button.setVisible(False)
        self.notice_url = ""
        row = QHBoxLayout()
        row.addWidget(self.help_button, 1)
        row.addWidget(self.menu_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.notice_button)
        self.retranslate()

    def show_notice(self, title: str, url: str, body: str = "") -> None:
        """The latest notification, its words whole (a screen-time one has no page)."""
        self.notice_url = url
        self.notice_button.setText(f"{title}\n{body}" if body else title)
        self.notice_button.setToolTip(self.tr("Open the page that explains why") if url else "")
        self.notice_button.setVisible(True)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle("Bảo An")
        self.help_button.setText(self.tr("Help / 111"))
        self.menu_button.setText(self.tr("Menu"))


class TrayPresenter(QObject):
    """The tray's menu, shown on a system tray icon or on the fallback window."""

    def __init__(
        self,
        controller: TrayController,
        use_system_tray: bool | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.menu = QMenu()
        self.help_action = QAction(self.menu)
        self.help_action.setObjectName("helpAction")
        self.help_action.triggered.connect(controller.show_help)
        self.report_action = QAction(self.menu)
        self.report_action.setObjectName("reportAction")
        self.report_action.triggered.connect(controller.open_report)
        self.more_time_action = QAction(self.menu)
        self.more_time_action.setObjectName("moreTimeAction")
        self.more_time_action.triggered.connect(controller.ask_for_more_time)
        self.watch_action = QAction(self.menu)
        self.watch_action.triggered.connect(controller.show_watch)
        self.dashboard_action = QAction(self.menu)
        self.dashboard_action.triggered.connect(controller.open_dashboard)
        self.menu.addAction(self.help_action)
        self.menu.addAction(self.report_action)
        self.menu.addAction(self.more_time_action)
        self.menu.addSeparator()
        self.menu.addAction(self.watch_action)
        self.menu.addAction(self.dashboard_action)
        if use_system_tray is None:
            use_system_tray = QSystemTrayIcon.isSystemTrayAvailable()
        self.icon: QSystemTrayIcon | None = None
        self.window: FallbackWindow | None = None
        self._last_url = ""
        if use_system_tray:
            self.icon = QSystemTrayIcon(tray_icon(), self)
            self.icon.setContextMenu(self.menu)
            self.icon.activated.connect(self._on_activated)
            self.icon.messageClicked.connect(self._on_message_clicked)
        else:
            self.window = FallbackWindow(self.menu)
            self.window.setWindowIcon(tray_icon())
            self.window.help_button.clicked.connect(controller.show_help)
            self.window.notice_button.clicked.connect(
                lambda: controller.open_notification(self.window.notice_url if self.window else "")
            )
        controller.notification.connect(self.show_notification)
        controller.reachable_changed.connect(lambda _reachable: self.retranslate())
        controller.profile_changed.connect(lambda _profile: self.retranslate())
        self.retranslate()

    @property
    def last_notification_url(self) -> str:
        return self._last_url

    def show(self) -> None:
        if self.icon is not None:
            self.icon.show()
        elif self.window is not None:
            self.window.adjustSize()
            self.window.show()

    def hide(self) -> None:
        if self.icon is not None:
            self.icon.hide()
        if self.window is not None:
            self.window.hide()

    def show_notification(self, title: str, body: str, url: str) -> None:
        self._last_url = url
        if self.icon is not None:
            self.icon.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, 10_000)
        elif self.window is not None:
            self.window.show_notice(title, url, body)

    def retranslate(self) -> None:
        # The Help action is never disabled, whatever the agent's state.
        self.help_action.setText(self.tr("Help / 111"))
        self.help_action.setEnabled(True)
        self.report_action.setText(self.tr("Report something bad"))
        # vn-cop.vn is for children of 11 or more (unknown age: offered).
        band = self.controller.profile.age_band if self.controller.profile else None
        self.report_action.setVisible(band in (None, "11-14", "15-17"))
        self.more_time_action.setText(self.tr("Ask for more time"))
        # Known to be no child's tray (a parent's account): nobody to give time to.
        profile = self.controller.profile
        self.more_time_action.setVisible(profile is None or profile.child is not None)
        self.watch_action.setText(self.tr("What Bảo An watches"))
        self.dashboard_action.setText(self.tr("Open the parent's dashboard"))
        tooltip = "Bảo An"
        if self.controller.reachable is False:
            tooltip += " — " + self.tr("not answering")
        if self.icon is not None:
            self.icon.setToolTip(tooltip)
        if self.window is not None:
            self.window.retranslate()

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # One click on the icon shows Help / 111 (and tells nobody); the menu is on the
        # other button.
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.controller.show_help()

    def _on_message_clicked(self) -> None:
        self.controller.open_notification(self._last_url)


@dataclass
class Tray:
    """A built tray: its controller, its presenter and the translator holder."""

    controller: TrayController
    presenter: TrayPresenter
    runner: TrayRunner
    translations: Translations

    def close(self) -> None:
        self.controller.stop()
        self.presenter.hide()
        for dialog in (
            self.controller.help_dialog,
            self.controller.report_dialog,
            self.controller.watch_dialog,
            self.controller.more_time_dialog,
        ):
            if dialog is not None:
                dialog.close()
        self.translations.remove()


def build_tray(
    backend: TrayBackend,
    *,
    language: str | None = None,
    open_url: UrlOpener = _desktop_open,
    open_dashboard: Callable[[], object] | None = None,
    use_system_tray: bool | None = None,
    poll_ms: int | None = None,
    clock: Callable[[], float] = time.monotonic,
    start: bool = True,
) -> Tray:
    """The tray around ``backend``; a QApplication must exist already.

    ``language`` forces a language; otherwise the family's setting (once the agent
    answers), else the system locale, else Vietnamese. ``use_system_tray=None`` picks the
    system tray when the desktop has one and the fallback window when not.
    """
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("build_tray needs a QApplication; create one first")
    translations = Translations(app, directory=TRAY_TRANSLATIONS_DIR)
    explicit = language or os.environ.get(LANGUAGE_ENV)
    translations.use(choose_language(explicit=explicit, system_locale=system_language()))
    runner = TrayRunner(backend)
    controller = TrayController(
        runner,
        open_url=open_url,
        open_dashboard=open_dashboard,
        clock=clock,
        language=explicit if explicit in ("vi", "en") else None,
        poll_ms=poll_ms,
    )
    runner.setParent(controller)
    presenter = TrayPresenter(controller, use_system_tray=use_system_tray)

    def on_agent_language(code: str) -> None:
        if explicit is None and code != translations.language:
            translations.use(code)

    controller.language_reported.connect(on_agent_language)
    translations.language_changed.connect(lambda _code: presenter.retranslate())
    presenter.show()
    if start:
        controller.start()
    return Tray(controller, presenter, runner, translations)


def dashboard_opener(api_url: str) -> Callable[[], object]:
    """Opens the parent's dashboard in this process (it asks for the PIN itself)."""
    windows: list[QWidget] = []

    def open_dashboard() -> object:
        for window in windows:
            if window.isVisible():
                window.raise_()
                window.activateWindow()
                return window
        from gui.api_backend import ApiBackend
        from gui.app import build_main_window

        backend = ApiBackend(api_url)
        window = build_main_window(backend, agent_address=api_url)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        window.destroyed.connect(backend.close)
        windows[:] = [window]
        window.show()
        return window

    return open_dashboard


def run_tray(
    api_url: str | None,
    argv: Sequence[str],
    token_file: str | None = None,
    language: str | None = None,
) -> int:
    """Run the child's tray against the agent at ``api_url`` until the session ends.

    ``api_url=None``: the address in the token file, else ``http://127.0.0.1:8053``.
    Without ``token_file``, this account's file from the agent at ``api_url`` (or the
    installed service's) is found among the agents' token folders. With no readable token
    file the tray still runs: Help / 111 needs no agent.
    """
    from pathlib import Path

    from gui.tray.http_backend import (
        DEFAULT_API_URL,
        CredentialsError,
        HttpTrayBackend,
        default_token_file,
        load_credentials,
        start_heartbeat,
    )

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(list(argv) or ["baoan-tray"])
    app.setApplicationName("Bảo An")
    app.setOrganizationName("baoan")
    app.setQuitOnLastWindowClosed(False)  # closing the Help dialog must not end the tray
    # The token of the agent it talks to: each agent has its own folder (docs/tray.md).
    path = Path(token_file) if token_file else default_token_file(api_url=api_url)
    try:
        credentials = load_credentials(path)
    except CredentialsError as error:
        # Still run: Help / 111 works without the agent.
        log.error("%s; the tray runs without the agent's help", error)
        credentials = None
    url = api_url or (credentials.api_url if credentials else None) or DEFAULT_API_URL
    backend = HttpTrayBackend(url, credentials)
    previous = _quit_on_sigint(app)
    from gui.tray.dashboard_launch import dashboard_process_opener

    # `baoan dashboard` in its own process: it asks for the PIN before anything shows.
    tray = build_tray(backend, language=language, open_dashboard=dashboard_process_opener(url))
    heartbeat = (
        start_heartbeat(backend, screen_time_enforcer(tray)) if credentials is not None else None
    )
    try:
        code: int = app.exec()
    finally:
        if heartbeat is not None:
            heartbeat.stop()
        tray.close()
        backend.close()
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return code


def screen_time_enforcer(tray: Tray, session: SessionController | None = None) -> Enforcer:
    """Warnings as the tray's notifications (in the child's language and words for the
    age), and the action at zero through `session` (this OS's session controller)."""
    controller = tray.controller

    def age_band() -> str | None:
        profile = controller.profile
        return profile.age_band if profile else None

    # The words come through the tray's translator, in the child's language.
    return Enforcer(
        session or session_controller() or NotifyOnly(),
        # From the heartbeat's thread: the signal is delivered on the GUI thread.
        lambda title, body: controller.notification.emit(title, body, ""),
        age_band=age_band,
    )


def _quit_on_sigint(app: QApplication) -> Callable[..., object] | int | None:
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: app.quit())
    timer = QTimer(app)
    timer.setInterval(250)
    timer.timeout.connect(lambda: None)  # lets Python run its signal handlers
    timer.start()
    app.aboutToQuit.connect(timer.stop)
    return previous
