"""The parent's "Screen time" tab: minutes for each day of the week, the allowed hours
(the Web tab's week editor, saved with the rest), what happens when time runs out, extra
minutes for today, limits per category and service, and the always-allowed apps picked
from the apps seen on this PC or typed (a name or a full path). A thin view over
:class:`~gui.rules_controller.ScreenTimeController`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.allowed_apps_model import AllowedAppsTableModel, entry_problem_text
from gui.backend import Catalogue, PolicyProblem, ScreenTimeLimits, SeenApp, TimeLeft
from gui.colours import Meaning
from gui.labels import category_label, format_minutes
from gui.limits_model import (
    CATEGORY,
    SERVICE,
    MinuteLimitsTableModel,
    parse_warnings,
    warnings_text,
)
from gui.pages_backend import WeekWindow
from gui.views.common import add_save_shortcut, chosen_child, fill_child_combo, place_in_tab_order
from gui.views.contrast import apply_meaning, apply_message
from gui.views.week_windows_editor import ALLOWED_HOURS, WeekWindowsEditor

_ACTIONS = ("lock", "logoff", "close_app", "notify")
MAX_DAY_MINUTES = 24 * 60
MAX_EXTRA_MINUTES = 600  # what POST /api/usage/extra takes at once


class ScreenTimeTab(QWidget):
    child_selected = Signal(str)
    save_requested = Signal(object)  # ScreenTimeLimits
    reload_requested = Signal()
    extra_requested = Signal(int)  # minutes more for the selected child today
    apps_requested = Signal()  # the apps seen on this PC, read again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._limits: ScreenTimeLimits | None = None
        self._message: tuple[str, str] = ("", "")
        self._time_left: TimeLeft | None = None

        self.child_label = QLabel(self)
        self.child_combo = QComboBox(self)
        self.child_combo.setObjectName("screenTimeChild")
        self.child_combo.setMinimumContentsLength(16)
        self.child_label.setBuddy(self.child_combo)
        self.child_combo.currentIndexChanged.connect(self._on_child_index)
        self.reload_button = QPushButton(self)
        self.reload_button.clicked.connect(self.reload_requested)
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("screenTimeSave")
        self.save_button.clicked.connect(self._on_save)
        add_save_shortcut(self.save_button)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("screenTimeMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)

        self.days_box = QGroupBox(self)
        days = QFormLayout(self.days_box)
        self.day_labels: list[QLabel] = []
        self.day_spins: list[QSpinBox] = []
        for index in range(7):
            label = QLabel(self.days_box)
            spin = QSpinBox(self.days_box)
            spin.setObjectName(f"screenTimeDay{index}")
            spin.setRange(0, MAX_DAY_MINUTES)
            spin.setSingleStep(15)
            label.setBuddy(spin)
            days.addRow(label, spin)
            self.day_labels.append(label)
            self.day_spins.append(spin)

        self.action_box = QGroupBox(self)
        self.action_label = QLabel(self.action_box)
        self.action_combo = QComboBox(self.action_box)
        self.action_combo.setObjectName("screenTimeAction")
        for action in _ACTIONS:
            self.action_combo.addItem("", action)
        self.action_label.setBuddy(self.action_combo)
        self.warnings_label = QLabel(self.action_box)
        self.warnings_edit = QLineEdit(self.action_box)
        self.warnings_edit.setObjectName("screenTimeWarnings")
        self.warnings_label.setBuddy(self.warnings_edit)
        self.warnings_edit.textChanged.connect(self._on_warnings_typed)
        self.warnings_hint = QLabel(self.action_box)
        self.warnings_hint.setWordWrap(True)
        apply_message(self.warnings_hint, False)
        self.warnings_hint.setVisible(False)
        action_form = QFormLayout(self.action_box)
        action_form.addRow(self.action_label, self.action_combo)
        action_form.addRow(self.warnings_label, self.warnings_edit)
        action_form.addRow(self.warnings_hint)

        self.extra_box = QGroupBox(self)
        self.time_left_label = QLabel(self.extra_box)
        self.time_left_label.setObjectName("screenTimeLeft")
        self.time_left_label.setWordWrap(True)
        self.time_left_label.setTextFormat(Qt.TextFormat.PlainText)
        self.extra_label = QLabel(self.extra_box)
        self.extra_spin = QSpinBox(self.extra_box)
        self.extra_spin.setObjectName("screenTimeExtraMinutes")
        self.extra_spin.setRange(1, MAX_EXTRA_MINUTES)
        self.extra_spin.setSingleStep(15)
        self.extra_spin.setValue(30)
        self.extra_label.setBuddy(self.extra_spin)
        self.extra_button = QPushButton(self.extra_box)
        self.extra_button.setObjectName("screenTimeGiveExtra")
        self.extra_button.clicked.connect(self._on_extra)
        extra_row = QHBoxLayout()
        extra_row.addWidget(self.extra_spin)
        extra_row.addWidget(self.extra_button)
        extra_form = QFormLayout(self.extra_box)
        extra_form.addRow(self.time_left_label)
        extra_form.addRow(self.extra_label, extra_row)
        action_form.addRow(self.extra_box)

        self.limits_box = QGroupBox(self)
        self.limits_model = MinuteLimitsTableModel(self)
        self.limits_view = QTableView(self.limits_box)
        self.limits_view.setObjectName("screenTimeLimits")
        self.limits_view.setModel(self.limits_model)
        self.limits_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.limits_view.horizontalHeader().setStretchLastSection(True)
        self.limits_view.verticalHeader().setVisible(False)
        self.limits_view.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.limit_target_combo = QComboBox(self.limits_box)
        self.limit_target_combo.setObjectName("screenTimeLimitTarget")
        self.limit_target_combo.setMinimumContentsLength(16)
        self.limit_minutes_spin = QSpinBox(self.limits_box)
        self.limit_minutes_spin.setObjectName("screenTimeLimitMinutes")
        self.limit_minutes_spin.setRange(0, MAX_DAY_MINUTES)
        self.limit_minutes_spin.setSingleStep(15)
        self.limit_minutes_spin.setValue(60)
        self.limit_add_button = QPushButton(self.limits_box)
        self.limit_add_button.setObjectName("screenTimeLimitAdd")
        self.limit_add_button.clicked.connect(self._on_add_limit)
        self.limit_remove_button = QPushButton(self.limits_box)
        self.limit_remove_button.setObjectName("screenTimeLimitRemove")
        self.limit_remove_button.clicked.connect(self._on_remove_limits)
        limit_row = QHBoxLayout()
        limit_row.addWidget(self.limit_target_combo, 1)
        limit_row.addWidget(self.limit_minutes_spin)
        limit_row.addWidget(self.limit_add_button)
        limit_row.addWidget(self.limit_remove_button)
        limits_layout = QVBoxLayout(self.limits_box)
        limits_layout.addWidget(self.limits_view)
        limits_layout.addLayout(limit_row)
        self._catalogue = Catalogue()

        self.hours_box = QGroupBox(self)
        self.hours_box.setObjectName("screenTimeHours")
        self.hours_editor = WeekWindowsEditor(self.hours_box, purpose=ALLOWED_HOURS)
        self.hours_editor.windows_changed.connect(self._on_hours_edited)
        self.hours_editor.duplicate_refused.connect(lambda: self._set_message("duplicate", ""))
        hours_layout = QVBoxLayout(self.hours_box)
        hours_layout.addWidget(self.hours_editor)

        self.apps_box = QGroupBox(self)
        self.apps_box.setObjectName("screenTimeApps")
        self.apps_note = QLabel(self.apps_box)
        self.apps_note.setWordWrap(True)
        self.apps_model = AllowedAppsTableModel(self)
        self.apps_model.dataChanged.connect(lambda *_args: self._on_apps_edited())
        self.apps_view = QTableView(self.apps_box)
        self.apps_view.setObjectName("screenTimeAppsTable")
        self.apps_view.setModel(self.apps_model)
        self.apps_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.apps_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.apps_view.horizontalHeader().setStretchLastSection(True)
        self.apps_view.verticalHeader().setVisible(False)
        self.apps_view.setTabKeyNavigation(False)
        self.apps_empty = QLabel(self.apps_box)
        self.apps_empty.setObjectName("screenTimeAppsEmpty")
        self.apps_empty.setWordWrap(True)
        # An app not seen here yet, typed: its file name or its full path.
        self.app_typed_label = QLabel(self.apps_box)
        self.app_typed_edit = QLineEdit(self.apps_box)
        self.app_typed_edit.setObjectName("screenTimeAppTyped")
        self.app_typed_edit.setMaxLength(1000)  # past the rule's length: told, not cut
        self.app_typed_label.setBuddy(self.app_typed_edit)
        self.app_typed_edit.returnPressed.connect(self._on_add_typed)
        self.app_typed_edit.textEdited.connect(lambda _text: self._show_typed_problem(""))
        self.app_add_button = QPushButton(self.apps_box)
        self.app_add_button.setObjectName("screenTimeAppAdd")
        self.app_add_button.clicked.connect(self._on_add_typed)
        self.app_typed_error = QLabel(self.apps_box)
        self.app_typed_error.setObjectName("screenTimeAppTypedError")
        self.app_typed_error.setWordWrap(True)
        self.app_typed_error.setTextFormat(Qt.TextFormat.PlainText)
        apply_meaning(self.app_typed_error, Meaning.PROBLEM)
        self.app_typed_error.setVisible(False)
        self._typed_problem = ""
        self.apps_reload_button = QPushButton(self.apps_box)
        self.apps_reload_button.setObjectName("screenTimeAppsReload")
        self.apps_reload_button.clicked.connect(self.apps_requested)
        apps_layout = QVBoxLayout(self.apps_box)
        apps_layout.addWidget(self.apps_note)
        apps_layout.addWidget(self.apps_view)
        apps_layout.addWidget(self.apps_empty)
        typed_row = QHBoxLayout()
        typed_row.addWidget(self.app_typed_label)
        typed_row.addWidget(self.app_typed_edit, 1)
        typed_row.addWidget(self.app_add_button)
        apps_layout.addLayout(typed_row)
        apps_layout.addWidget(self.app_typed_error)
        apps_buttons = QHBoxLayout()
        apps_buttons.addStretch(1)
        apps_buttons.addWidget(self.apps_reload_button)
        apps_layout.addLayout(apps_buttons)
        self._seen_apps: tuple[SeenApp, ...] = ()

        top = QHBoxLayout()
        top.addWidget(self.child_label)
        top.addWidget(self.child_combo)
        top.addStretch(1)
        top.addWidget(self.reload_button)
        top.addWidget(self.save_button)
        body = QHBoxLayout()
        body.addWidget(self.days_box)
        body.addWidget(self.action_box, 1)
        content = QWidget(self)
        content_layout = QVBoxLayout(content)
        content_layout.addLayout(body)
        content_layout.addWidget(self.hours_box)
        content_layout.addWidget(self.limits_box)
        content_layout.addWidget(self.apps_box)
        content_layout.addStretch(1)
        for box in (self.days_box, self.action_box, self.hours_box, self.limits_box,
                    self.apps_box):
            box.setParent(content)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message_label)
        layout.addWidget(scroll, 1)
        place_in_tab_order(self.extra_button, self.hours_box)  # shown over the limits
        self.retranslate()
        self._update_enabled()

    # Data in.
    def set_children(self, names: Sequence[str]) -> None:
        chosen = fill_child_combo(self.child_combo, names)
        if chosen is not None:
            self.child_selected.emit(chosen)

    def set_catalogue(self, catalogue: Catalogue) -> None:
        """The categories and services a limit may name (the Web tab's catalogue)."""
        self._catalogue = catalogue
        self.limits_model.set_service_names(
            {service.service_id: service.name for service in catalogue.services}
        )
        self._fill_targets()

    def selected_child(self) -> str | None:
        return chosen_child(self.child_combo)

    def show_limits(self, limits: ScreenTimeLimits) -> None:
        self._limits = limits
        for spin, minutes in zip(self.day_spins, limits.daily_minutes, strict=True):
            spin.setValue(minutes)
        self.action_combo.setCurrentIndex(max(0, self.action_combo.findData(limits.action)))
        self.limits_model.show_limits(limits)
        self.warnings_edit.setText(warnings_text(limits.warnings_minutes))
        self.hours_editor.set_windows(limits.allowed_hours)
        self.apps_model.show_apps(self._seen_apps, limits.always_allowed_apps)
        self._show_apps_empty()
        self._show_time_left()
        self._set_message("", "")
        self._update_enabled()

    def show_seen_apps(self, apps: Sequence[SeenApp]) -> None:
        """The apps seen on this PC; the ticks the parent made stay as they are."""
        self._seen_apps = tuple(apps)
        if self._limits is not None:
            self.apps_model.show_apps(self._seen_apps, self.apps_model.allowed_names())
        self._show_apps_empty()

    def show_time_left(self, left: TimeLeft) -> None:
        self._time_left = left
        self.extra_button.setEnabled(self._limits is not None)
        self._show_time_left()

    def show_saved(self, limits: ScreenTimeLimits) -> None:
        self.show_limits(limits)
        self._set_message("saved", limits.child)

    def show_conflict(self) -> None:
        self._set_message("conflict", "")

    def show_refused(self, problems: Sequence[PolicyProblem]) -> None:
        detail = "\n".join(f"{problem.path}: {problem.expected or ''}" for problem in problems)
        self._set_message("refused", detail)

    def show_failure(self, text: str) -> None:
        self.extra_button.setEnabled(self._limits is not None)
        self._set_message("failed", text)

    def clear(self) -> None:
        self._limits = None
        self._time_left = None
        self._seen_apps = ()
        self.hours_editor.clear()
        self.apps_model.show_apps((), ())
        self.app_typed_edit.clear()
        self._show_typed_problem("")
        self._show_time_left()
        self.set_children([])
        self._set_message("", "")
        self._update_enabled()

    def edited_limits(self) -> ScreenTimeLimits | None:
        if self._limits is None:
            return None
        action = self.action_combo.currentData()
        warnings = parse_warnings(self.warnings_edit.text())
        return replace(
            self.limits_model.applied_to(self._limits),
            warnings_minutes=self._limits.warnings_minutes if warnings is None else warnings,
            daily_minutes=tuple(spin.value() for spin in self.day_spins),
            action=action if isinstance(action, str) else self._limits.action,
            allowed_hours=self.hours_editor.windows(),
            always_allowed_apps=self.apps_model.allowed_names(),
        )

    # Form.
    def _on_child_index(self, _index: int) -> None:
        child = self.selected_child()
        if child is not None:
            self.child_selected.emit(child)

    def _on_save(self) -> None:
        limits = self.edited_limits()
        if limits is not None:
            self._set_message("saving", "")
            self.save_requested.emit(limits)

    def _on_hours_edited(self, _windows: tuple[WeekWindow, ...]) -> None:
        if self._limits is not None:
            self._set_message("edited", "")

    def _on_apps_edited(self) -> None:
        if self._limits is not None and (
            self.apps_model.allowed_names() != tuple(self._limits.always_allowed_apps)
        ):
            self._set_message("edited", "")

    def _on_add_typed(self) -> None:
        if self._limits is None:
            return
        problem = self.apps_model.add_typed(self.app_typed_edit.text())
        self._show_typed_problem(problem or "")
        if problem is None:
            self.app_typed_edit.clear()
            self._show_apps_empty()
            self._on_apps_edited()

    def _show_typed_problem(self, problem: str) -> None:
        """The typed text stays in the field with what is wrong with it under."""
        self._typed_problem = problem
        self.app_typed_error.setText(entry_problem_text(problem) if problem else "")
        self.app_typed_error.setVisible(bool(problem))

    def _show_apps_empty(self) -> None:
        empty = self.apps_model.rowCount() == 0
        self.apps_empty.setVisible(empty)
        self.apps_view.setVisible(not empty)

    def _on_warnings_typed(self, text: str) -> None:
        wrong = parse_warnings(text) is None
        self.warnings_hint.setVisible(wrong)
        self.save_button.setEnabled(self._limits is not None and not wrong)

    def _on_extra(self) -> None:
        if self._limits is not None:
            self.extra_button.setEnabled(False)  # until the agent answers with the new time
            self.extra_requested.emit(self.extra_spin.value())

    def _update_enabled(self) -> None:
        has = self._limits is not None
        for widget in (
            self.days_box, self.action_box, self.limits_box, self.hours_box, self.apps_box,
            self.save_button, self.reload_button,
        ):
            widget.setEnabled(has)

    def _show_time_left(self) -> None:
        left = self._time_left
        if left is None or self._limits is None or left.child != self._limits.child:
            self.time_left_label.clear()
            return
        if left.seconds_left is None:
            text = self.tr("No limit today.")
        else:
            text = self.tr("Time left today: %1").replace(
                "%1", format_minutes(left.seconds_left // 60)
            )
        if left.extra_minutes:
            text += "\n" + self.tr("Extra today: %1").replace(
                "%1", format_minutes(left.extra_minutes)
            )
        self.time_left_label.setText(text)

    def _fill_targets(self) -> None:
        """Categories first, then services; each item's data is ``kind:id``."""
        chosen = self.limit_target_combo.currentData()
        self.limit_target_combo.blockSignals(True)
        self.limit_target_combo.clear()
        for category in self._catalogue.categories:
            self.limit_target_combo.addItem(category_label(category), f"{CATEGORY}:{category}")
        for service in self._catalogue.services:
            self.limit_target_combo.addItem(service.name, f"{SERVICE}:{service.service_id}")
        position = self.limit_target_combo.findData(chosen) if chosen is not None else -1
        self.limit_target_combo.setCurrentIndex(max(0, position))
        self.limit_target_combo.blockSignals(False)

    def _on_add_limit(self) -> None:
        chosen = self.limit_target_combo.currentData()
        if isinstance(chosen, str) and ":" in chosen:
            kind, target = chosen.split(":", 1)
            self.limits_model.put(kind, target, self.limit_minutes_spin.value())

    def _on_remove_limits(self) -> None:
        rows = self.limits_view.selectionModel().selectedRows()
        self.limits_model.remove([index.row() for index in rows])

    def _set_message(self, kind: str, detail: str) -> None:
        self._message = (kind, detail)
        texts = {
            "": "",
            "edited": self.tr("Changed, not saved yet: press Save."),
            "duplicate": self.tr("This window is in the list already."),
            "saving": self.tr("Saving…"),
            "saved": self.tr("Saved. %1's new limits work now.").replace("%1", detail),
            "conflict": self.tr(
                "These limits were changed somewhere else since you opened them, so your "
                "changes were not saved. They are still here: press Save again to apply "
                "them, or Reload to see the new limits."
            ),
            "refused": self.tr("Bảo An could not save these limits:") + "\n" + detail,
            "failed": self.tr("Not saved: %1").replace("%1", detail),
        }
        self.message_label.setText(texts.get(kind, ""))
        apply_message(self.message_label, kind in ("saved", "saving", "edited"))
        self.message_label.setVisible(bool(kind))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.child_label.setText(self.tr("Limits of:"))
        self.reload_button.setText(self.tr("Reload"))
        self.save_button.setText(self.tr("Save"))
        self.days_box.setTitle(self.tr("Minutes a day"))
        names = (
            self.tr("Monday"),
            self.tr("Tuesday"),
            self.tr("Wednesday"),
            self.tr("Thursday"),
            self.tr("Friday"),
            self.tr("Saturday"),
            self.tr("Sunday"),
        )
        for label, spin, name in zip(self.day_labels, self.day_spins, names, strict=True):
            label.setText(name + ":")
            spin.setSuffix(self.tr(" min"))
            spin.setAccessibleName(name)
        self.action_box.setTitle(self.tr("When time runs out"))
        self.action_label.setText(self.tr("Then:"))
        words = {
            "lock": self.tr("Lock the computer"),
            "logoff": self.tr("Sign the child out"),
            "close_app": self.tr("Close the app in use"),
            "notify": self.tr("Only tell the child and you"),
        }
        for index in range(self.action_combo.count()):
            code = str(self.action_combo.itemData(index))
            self.action_combo.setItemText(index, words.get(code, code))
        self.warnings_label.setText(self.tr("Warn before (minutes):"))
        self.warnings_edit.setAccessibleName(self.tr("Warnings before time runs out, in minutes"))
        self.warnings_edit.setToolTip(self.tr("For example 15, 5, 1"))
        self.warnings_hint.setText(
            self.tr("Write whole minutes, separated by commas, for example 15, 5, 1.")
        )
        self.extra_box.setTitle(self.tr("Extra time today"))
        self.extra_label.setText(self.tr("Give:"))
        self.extra_spin.setSuffix(self.tr(" min"))
        self.extra_spin.setAccessibleName(self.tr("Extra minutes"))
        self.extra_button.setText(self.tr("Give extra minutes now"))
        limits_title = self.tr("Limits for a kind of site or app, or a service")
        self.limits_box.setTitle(limits_title)
        self.limit_target_combo.setAccessibleName(self.tr("Limit on"))
        self.limit_minutes_spin.setSuffix(self.tr(" min"))
        self.limit_minutes_spin.setAccessibleName(self.tr("Minutes a day for it"))
        self.limit_add_button.setText(self.tr("Add or change"))
        self.limit_remove_button.setText(self.tr("Remove"))
        self.limits_view.setAccessibleName(limits_title)
        self.limits_model.retranslate()
        self.hours_box.setTitle(self.tr("Allowed hours"))
        self.hours_editor.setAccessibleName(self.tr("Allowed hours"))
        apps_title = self.tr("Always-allowed apps")
        self.apps_box.setTitle(apps_title)
        self.apps_note.setText(
            self.tr(
                "Tick the apps the child may always use, such as school apps: they count "
                "no screen time and are never closed. The list holds the apps seen on this "
                "computer; an app not seen yet can be typed below, by its file name or its "
                "full path."
            )
        )
        self.apps_view.setAccessibleName(apps_title)
        self.apps_view.setAccessibleDescription(
            self.tr("Space ticks or unticks the selected app")
        )
        self.apps_empty.setText(
            self.tr(
                "No app has been seen on this computer yet. Apps appear here once the "
                "child has used them with Bảo An running."
            )
        )
        self.apps_reload_button.setText(self.tr("Read the apps again"))
        self.app_typed_label.setText(self.tr("An app not seen yet:"))
        self.app_typed_edit.setPlaceholderText(
            self.tr("zoom, or C:\\Program Files\\Zoom\\bin\\Zoom.exe")
        )
        self.app_typed_edit.setAccessibleName(
            self.tr("An always-allowed app: its file name or full path")
        )
        self.app_add_button.setText(self.tr("Add app"))
        self._show_typed_problem(self._typed_problem)
        self.apps_model.retranslate()
        self._fill_targets()
        self._show_time_left()
        self._set_message(*self._message)
