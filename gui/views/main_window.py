"""The dashboard's window: the status banner over the PIN page or the parent's tabs."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.backend import AgentStatus
from gui.caregiver_settings import CaregiverSettingsController
from gui.caregivers import CaregiversController, CaregiversModel
from gui.controller import Connection, DashboardController
from gui.family_controller import FamilyController, FirstRunController
from gui.pages_controller import ActivityController, OverviewController, ScheduleController
from gui.rules_controller import ScreenTimeController, WebRulesController
from gui.settings_controller import SettingsController
from gui.views.banner import StatusBanner
from gui.views.caregivers_view import CaregiversView
from gui.views.contrast import refresh_meanings
from gui.views.first_run_page import FirstRunPage
from gui.views.login_page import LoginMode, LoginPage
from gui.views.parent_page import ParentPage

# Each language is named in itself, so these two are never translated.
LANGUAGE_NAMES = (("vi", "Tiếng Việt"), ("en", "English"))


class MainWindow(QMainWindow):
    """Wires the controller's signals to the pages; holds no state of its own beyond that."""

    language_selected = Signal(str)
    closed = Signal()

    def __init__(
        self,
        controller: DashboardController,
        agent_address: str,
        language: str = "vi",
        parent: QWidget | None = None,
        *,
        rules: WebRulesController | None = None,
        screen_time: ScreenTimeController | None = None,
        overview: OverviewController | None = None,
        activity: ActivityController | None = None,
        schedules: ScheduleController | None = None,
        caregivers: CaregiversController | None = None,
        caregiver_settings: CaregiverSettingsController | None = None,
        family: FamilyController | None = None,
        first_run: FirstRunController | None = None,
        settings: SettingsController | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardWindow")
        self.controller = controller
        self.rules = rules
        self.screen_time = screen_time
        self.family = family
        self.first_run = first_run
        self.settings = settings
        self._first_run_active = False  # the recovery code and first child come first
        self.overview = overview
        self.activity = activity
        self.schedules = schedules
        self._status_note = ""  # "updated", "expired" or "error:<text>"
        self._updated_at: datetime | None = None
        self._idle = False  # the lock that comes next is the idle lock

        self.banner = StatusBanner(agent_address, self)
        self.login_page = LoginPage(self)
        self.parent_page = ParentPage(self, timezone=controller.timezone, now=controller.now)
        # The caregivers, their channels and the dead-man signal: in Settings.
        self.caregivers = caregivers
        self.caregiver_settings = caregiver_settings
        self.caregivers_view: CaregiversView | None = None
        if caregivers is not None and caregivers.supported:
            self.caregivers_view = CaregiversView(
                CaregiversModel(controller.now, controller.timezone, self), self
            )
            self.parent_page.settings_page.set_caregivers_view(self.caregivers_view)
        self.stack = QStackedWidget(self)
        self.first_run_page = FirstRunPage(self)
        self.stack.addWidget(self.login_page)
        self.stack.addWidget(self.parent_page)
        self.stack.addWidget(self.first_run_page)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 12, 12, 6)
        layout.setSpacing(10)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.status_label = QLabel(self)
        self.statusBar().addWidget(self.status_label, 1)
        self.language_box = QComboBox(self)
        self.language_box.setObjectName("languageBox")
        for code, name in LANGUAGE_NAMES:
            self.language_box.addItem(name, code)
        self.set_language_choice(language)
        self.language_box.currentIndexChanged.connect(self._on_language_index)
        self.statusBar().addPermanentWidget(self.language_box)

        self._wire()
        # Any key or click anywhere in the application keeps the session open.
        application = QApplication.instance()
        if application is not None:
            application.installEventFilter(self)
        self.resize(980, 640)
        self.retranslate()

    # Wiring: controller → views, views → controller.
    def _wire(self) -> None:
        c = self.controller
        c.connection_changed.connect(self._on_connection)
        c.status_changed.connect(self._on_status)
        c.connection_error.connect(self.banner.show_unreachable)
        c.pin_setup_required.connect(self._on_pin_setup_required)
        c.login_succeeded.connect(self._on_login)
        c.wrong_pin.connect(self.login_page.show_wrong_pin)
        c.wrong_setup_code.connect(self.login_page.show_wrong_setup_code)
        c.locked_out.connect(self.login_page.show_locked)
        c.idle_locked.connect(self._on_idle_locked)
        c.logged_out.connect(self._on_logged_out)
        c.request_failed.connect(self._on_request_failed)
        c.children_changed.connect(self.parent_page.show_children)
        c.query_log_changed.connect(self.parent_page.show_query_log)
        c.stats_changed.connect(self.parent_page.show_stats)
        c.requests_changed.connect(self.parent_page.show_requests)
        c.requests_unavailable.connect(self.parent_page.requests_tab.show_unavailable)
        c.request_decided.connect(self.parent_page.requests_tab.show_decided)
        c.request_action_failed.connect(self.parent_page.requests_tab.show_action_error)
        c.timezone_changed.connect(self.parent_page.set_timezone)

        self.login_page.login_requested.connect(c.login)
        first_run = self.first_run
        if first_run is not None and first_run.supported:
            # The agent's answer holds the recovery code: the first run shows it.
            self.login_page.set_pin_requested.connect(
                lambda pin, code: first_run.set_pin(
                    pin, code, first=self.login_page.mode == LoginMode.SET_PIN
                )
            )
            first_run.pin_created.connect(self._on_pin_created)
        else:
            self.login_page.set_pin_requested.connect(c.set_first_pin)
        self.first_run_page.finished.connect(self._on_first_run_finished)
        self.parent_page.refresh_requested.connect(c.refresh)
        self.parent_page.logout_requested.connect(c.logout)
        self.parent_page.query_log_tab.child_selected.connect(c.set_query_log_child)
        self.parent_page.stats_tab.child_selected.connect(c.set_stats_child)
        requests_tab = self.parent_page.requests_tab
        requests_tab.decision_requested.connect(
            lambda request_id, allow, minutes: c.decide_request(
                request_id, allow, minutes if allow else None
            )
        )
        requests_tab.end_of_day_requested.connect(c.allow_until_end_of_day)
        requests_tab.revoke_requested.connect(c.revoke_request)
        self._wire_rules()
        self._wire_family()
        self._wire_settings()
        self._wire_pages()
        self._wire_caregivers()

    def _wire_family(self) -> None:
        family, page, first = self.family, self.parent_page.children_page, self.first_run_page
        if family is None or not family.supported:
            self.parent_page.hide_family_pages()
            return
        c = self.controller
        c.login_succeeded.connect(family.load)
        c.logged_out.connect(lambda _expired: family.clear())
        family.family_loaded.connect(page.show_family)
        family.family_loaded.connect(first.show_family)
        family.presets_loaded.connect(page.set_presets)
        family.presets_loaded.connect(first.set_presets)
        family.accounts_loaded.connect(page.set_accounts)
        family.accounts_loaded.connect(first.set_accounts)
        family.child_saved.connect(page.show_saved)
        family.child_saved.connect(first.show_saved)
        family.child_saved.connect(lambda _action, _name: c.refresh_parent_data())
        family.save_conflict.connect(page.show_conflict)
        family.save_refused.connect(page.show_refused)
        family.save_refused.connect(first.show_problem)
        family.failed.connect(page.show_failure)
        family.failed.connect(first.show_problem)
        family.unavailable.connect(self.parent_page.hide_family_pages)
        page.on_add = family.add_child
        page.on_update = family.update_child
        page.on_remove = family.remove_child
        first.child_save_requested.connect(
            lambda original, child: family.update_child(original, child)
            if original
            else family.add_child(child)
        )

    def _wire_settings(self) -> None:
        settings, page = self.settings, self.parent_page.settings_page
        page.language_selected.connect(self.language_selected)
        c = self.controller
        c.status_changed.connect(lambda status: page.show_lists(status.lists, status.version))
        if settings is None or not settings.supported:
            page.set_agent_features(False)
            return
        c.login_succeeded.connect(settings.load)
        settings.pause_changed.connect(page.show_pause)
        settings.update_progress.connect(page.show_update)
        settings.update_finished.connect(page.show_update_finished)
        settings.lists_changed.connect(c.refresh_status)
        settings.export_progress.connect(page.show_export_progress)
        settings.export_finished.connect(page.show_exported)
        settings.export_cancelled.connect(page.show_export_cancelled)
        settings.data_deleted.connect(page.show_deleted)
        settings.data_deleted.connect(lambda _child, _rows: c.refresh_parent_data())
        settings.pin_changed.connect(page.show_pin_changed)
        settings.pin_refused.connect(page.show_pin_refused)
        settings.recovery_code_made.connect(page.show_recovery_code)
        settings.failed.connect(page.show_failure)
        page.on_pause = settings.pause
        page.on_resume = settings.resume
        page.on_update = settings.start_list_update
        page.on_cancel_update = settings.cancel_list_update
        page.on_export = settings.export
        page.on_cancel_export = settings.cancel_export
        page.on_delete = settings.delete_data
        page.on_change_pin = settings.change_pin
        page.on_new_recovery_code = settings.new_recovery_code

    def _on_pin_created(self, recovery_code: object, first: bool) -> None:
        self._first_run_active = True
        self.stack.setCurrentWidget(self.first_run_page)
        self.first_run_page.start(recovery_code if isinstance(recovery_code, str) else None, first)

    def _on_first_run_finished(self) -> None:
        self._first_run_active = False
        if self.controller.logged_in:
            self.stack.setCurrentWidget(self.parent_page)

    def _wire_caregivers(self) -> None:
        view, caregivers = self.caregivers_view, self.caregivers
        if view is None or caregivers is None:
            return
        c = self.controller
        c.login_succeeded.connect(caregivers.load)
        c.logged_out.connect(lambda _expired: view.clear())
        c.timezone_changed.connect(view.model.set_timezone)
        self.parent_page.refresh_requested.connect(caregivers.load)
        view.refresh_requested.connect(caregivers.load)
        view.test_requested.connect(caregivers.send_test)
        caregivers.loaded.connect(view.show_snapshot)
        caregivers.tested.connect(view.show_tested)
        caregivers.failed.connect(view.show_failure)
        caregivers.unavailable.connect(self._hide_caregivers)
        editing = self.caregiver_settings
        if editing is None or not editing.supported:
            return
        c.login_succeeded.connect(editing.load)
        c.logged_out.connect(lambda _expired: editing.clear())
        self.parent_page.refresh_requested.connect(editing.load)
        view.refresh_requested.connect(editing.load)
        view.add_requested.connect(editing.add)
        view.update_requested.connect(editing.update)
        view.remove_requested.connect(editing.remove)
        editing.loaded.connect(view.show_settings)
        editing.saved.connect(view.show_saved)
        editing.saved.connect(lambda _action, _name: caregivers.load())
        editing.save_conflict.connect(view.show_conflict)
        editing.save_refused.connect(view.show_refused)
        editing.failed.connect(view.show_edit_failure)

    def _hide_caregivers(self) -> None:
        """An agent without the caregivers endpoints: Settings keeps only its note."""
        if self.caregivers_view is not None:
            self.parent_page.settings_page.hide_caregivers_view()

    def _wire_rules(self) -> None:
        web = self.parent_page.web_tab
        rules = self.rules
        if rules is None or not rules.supported:
            self.parent_page.hide_web_tab()
            return
        self.controller.children_changed.connect(
            lambda children: web.set_children([child.name for child in children])
        )
        self.controller.login_succeeded.connect(rules.load_catalogue)
        self.controller.logged_out.connect(lambda _expired: rules.clear())
        rules.catalogue_changed.connect(web.set_catalogue)
        rules.catalogue_changed.connect(
            lambda catalogue: self.parent_page.query_log_model.set_service_names(
                {service.service_id: service.name for service in catalogue.services}
            )
        )
        rules.rules_loaded.connect(web.show_rules)
        rules.rules_saved.connect(web.show_saved)
        rules.save_conflict.connect(web.show_conflict)
        rules.save_refused.connect(web.show_refused)
        rules.site_checked.connect(web.show_verdict)
        rules.failed.connect(web.show_failure)
        rules.unavailable.connect(self.parent_page.hide_web_tab)
        web.child_selected.connect(rules.load)
        web.reload_requested.connect(lambda: rules.load(web.selected_child() or ""))
        web.save_requested.connect(rules.save)
        web.check_requested.connect(rules.check_site)
        limits, tab = self.screen_time, self.parent_page.screen_time_tab
        if limits is None:
            return
        self.controller.children_changed.connect(
            lambda children: tab.set_children([child.name for child in children])
        )
        self.controller.logged_out.connect(lambda _expired: limits.clear())
        limits.limits_loaded.connect(tab.show_limits)
        limits.limits_saved.connect(tab.show_saved)
        limits.save_conflict.connect(tab.show_conflict)
        limits.save_refused.connect(tab.show_refused)
        limits.failed.connect(tab.show_failure)
        tab.child_selected.connect(limits.load)
        tab.reload_requested.connect(lambda: limits.load(tab.selected_child() or ""))
        tab.save_requested.connect(limits.save)
        tab.extra_requested.connect(limits.give_extra_minutes)
        rules.catalogue_changed.connect(tab.set_catalogue)
        limits.time_left_changed.connect(tab.show_time_left)
        limits.apps_loaded.connect(tab.show_seen_apps)
        tab.apps_requested.connect(limits.load_apps)

    def _wire_pages(self) -> None:
        """Overview, activity, events and the weekly schedule; each refreshes with the
        parent's data (the children's list comes with every refresh)."""
        page = self.parent_page
        overview, activity, schedules = self.overview, self.activity, self.schedules
        c = self.controller
        if overview is not None:
            c.login_succeeded.connect(overview.refresh)
            c.children_changed.connect(lambda _children: overview.refresh())
            overview.overview_changed.connect(page.overview_page.show_overview)
            overview.events_changed.connect(page.events_model.set_events)
            overview.unavailable.connect(page.overview_page.show_unavailable)
        if activity is not None:
            c.logged_out.connect(lambda _expired: activity.clear())
            page.activity_page.child_selected.connect(
                lambda child: activity.show(child, page.activity_page.selected_days())
            )
            page.activity_page.days_selected.connect(
                lambda days: activity.show(page.activity_page.selected_child(), days)
            )
            activity.history_changed.connect(page.activity_page.show_history)
            activity.unavailable.connect(page.activity_page.show_unavailable)
            page.refresh_requested.connect(activity.refresh)
        editor = page.web_tab.schedule_editor
        if schedules is None or not schedules.supported:
            editor.hide()
            return
        c.logged_out.connect(lambda _expired: schedules.clear())
        page.web_tab.child_selected.connect(schedules.load)
        page.web_tab.reload_requested.connect(
            lambda: schedules.load(page.web_tab.selected_child() or "")
        )
        schedules.schedules_loaded.connect(editor.show_schedules)
        schedules.schedules_saved.connect(editor.show_saved)
        schedules.save_conflict.connect(editor.show_conflict)
        schedules.save_refused.connect(editor.show_refused)
        schedules.failed.connect(editor.show_failure)
        schedules.unavailable.connect(editor.hide)
        editor.save_requested.connect(schedules.save)

    # What the window shows.
    def showing_parent_page(self) -> bool:
        return self.stack.currentWidget() is self.parent_page

    def set_language_choice(self, language: str) -> None:
        """Reflect the language in use in the picker without asking for a switch."""
        self.parent_page.settings_page.set_language_choice(language)
        position = self.language_box.findData(language)
        if position >= 0 and position != self.language_box.currentIndex():
            self.language_box.blockSignals(True)
            self.language_box.setCurrentIndex(position)
            self.language_box.blockSignals(False)

    def _on_connection(self, connection: Connection) -> None:
        self.banner.show_connection(connection)
        self.login_page.set_connected(connection == Connection.CONNECTED)

    def _on_status(self, status: AgentStatus) -> None:
        self.banner.show_status(status)
        self.login_page.set_connected(True)
        self._updated_at = datetime.now(self.controller.timezone)  # the family's clock
        if self._status_note not in ("expired", "locked", "idle"):
            self._status_note = "updated"  # a fresh answer replaces an older failure
        self._render_status_line()

    def _on_pin_setup_required(self, required: bool) -> None:
        if not required and self.login_page.mode == LoginMode.RESET_PIN:
            return  # a parent resetting a forgotten PIN stays on that form
        self.login_page.set_mode(LoginMode.SET_PIN if required else LoginMode.UNLOCK)

    def _on_login(self) -> None:
        self.login_page.clear()
        self.login_page.reset_message()
        self.login_page.set_busy(False)
        self.login_page.set_mode(LoginMode.UNLOCK)
        if not self._first_run_active:
            self.stack.setCurrentWidget(self.parent_page)
        self._status_note = "updated"
        self._render_status_line()

    def _on_logged_out(self, expired: bool) -> None:
        self._first_run_active = False
        self.first_run_page.clear()
        self.parent_page.clear()
        self.stack.setCurrentWidget(self.login_page)
        self.login_page.reset_message()
        self.login_page.set_busy(False)
        self._status_note = "expired" if expired else "idle" if self._idle else "locked"
        self._idle = False
        self._render_status_line()

    def _on_idle_locked(self) -> None:
        self._idle = True

    def _on_request_failed(self, text: str) -> None:
        if self.stack.currentWidget() is self.login_page:
            self.login_page.show_error(text)
        self._status_note = "error:" + text
        self._render_status_line()

    def _on_language_index(self, _index: int) -> None:
        code = self.language_box.currentData()
        if isinstance(code, str):
            self.language_selected.emit(code)

    def _render_status_line(self) -> None:
        note = self._status_note
        if note == "expired":
            text = self.tr("The parent session ended. Enter the PIN again.")
        elif note == "locked":
            text = self.tr("Locked. Enter the PIN to see the children's data again.")
        elif note == "idle":
            text = self.tr(
                "Locked because it was not used for a few minutes. Enter the PIN to go on."
            )
        elif note.startswith("error:"):
            text = self.tr("The last request failed: %1").replace("%1", note[len("error:") :])
        elif self._updated_at is not None:
            text = self.tr("Updated at %1").replace("%1", self._updated_at.strftime("%H:%M:%S"))
        else:
            text = ""
        self.status_label.setText(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            refresh_meanings(self)  # a colour readable in the old theme may not be now
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Bảo An — for parents"))
        self.language_box.setToolTip(self.tr("Language"))
        self._render_status_line()

    _ACTIVITY = frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.Wheel,
            QEvent.Type.TouchBegin,
        }
    )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in self._ACTIVITY:
            self.controller.note_activity()
        return False

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        application = QApplication.instance()
        if application is not None:
            application.removeEventFilter(self)
        self.controller.stop()
        if self.settings is not None:
            self.settings.stop()
        self.closed.emit()
        super().closeEvent(event)
