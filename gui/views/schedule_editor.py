"""The weekly schedule editor of the Web tab: the hours a child may use the internet (or
may not), or one service or category of it (YouTube, games), several windows a day, a
window may go on past midnight.

What the hours are for (the whole internet, a category, a service), the rule (allowed
only during, or blocked during) and the Save are this editor's; switching to another
service keeps the edits of the one before, and Save saves them all. The
windows are edited by :class:`~gui.views.week_windows_editor.WeekWindowsEditor`, the same
part the Screen time tab's allowed hours use. Everything works with the mouse and with
the keyboard alone: Tab moves through the rule, the list of windows, the day, the two
times and the buttons; Delete removes the selected window. A thin view over
:class:`~gui.schedule_model.WeekSchedule`; :class:`~gui.pages_controller.ScheduleController`
reads and saves.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.backend import Catalogue, PolicyProblem
from gui.pages_backend import SCHEDULE_MODES, VersionedSchedules, WeekWindow
from gui.schedule_model import INTERNET, WeekSchedule, target_choices
from gui.views.contrast import apply_message
from gui.views.week_windows_editor import INTERNET_HOURS, WeekWindowsEditor


class ScheduleEditor(QGroupBox):
    save_requested = Signal(object)  # tuple[Schedule, ...]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheduleEditor")
        self._schedule: WeekSchedule | None = None
        self._dirty = False
        self._message: tuple[str, str] = ("", "")
        self._catalogue = Catalogue()

        self.target_label = QLabel(self)
        self.target_combo = QComboBox(self)
        self.target_combo.setObjectName("scheduleTarget")
        self.target_combo.setMinimumContentsLength(16)
        self.target_label.setBuddy(self.target_combo)
        self.target_combo.currentIndexChanged.connect(self._on_target)

        self.mode_label = QLabel(self)
        self.mode_combo = QComboBox(self)
        self.mode_combo.setObjectName("scheduleMode")
        for mode in SCHEDULE_MODES:
            self.mode_combo.addItem("", mode)
        self.mode_label.setBuddy(self.mode_combo)
        self.mode_combo.currentIndexChanged.connect(self._on_mode)

        self.windows_editor = WeekWindowsEditor(self, purpose=INTERNET_HOURS)
        self.windows_editor.windows_changed.connect(self._on_windows)
        self.windows_editor.duplicate_refused.connect(
            lambda: self._set_message("duplicate", "")
        )
        part = self.windows_editor
        # The part's controls, by the names the tab and its tests know them.
        self.windows_list, self.week_strip, self.empty_label = (
            part.windows_list, part.week_strip, part.empty_label
        )
        self.day_combo, self.start_edit, self.end_edit, self.hint_label = (
            part.day_combo, part.start_edit, part.end_edit, part.hint_label
        )
        self.add_button, self.change_button, self.remove_button = (
            part.add_button, part.change_button, part.remove_button
        )

        self.save_button = QPushButton(self)
        self.save_button.setObjectName("scheduleSave")
        self.save_button.clicked.connect(self._on_save)
        part.buttons.addWidget(self.save_button)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("scheduleMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)

        mode_row = QHBoxLayout()
        mode_row.addWidget(self.target_label)
        mode_row.addWidget(self.target_combo, 1)
        mode_row.addWidget(self.mode_label)
        mode_row.addWidget(self.mode_combo, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(mode_row)
        layout.addWidget(self.windows_editor)
        layout.addWidget(self.message_label)
        # Tab goes through the editor in reading order.
        order = (self.target_combo, self.mode_combo, *part.tab_order(), self.save_button)
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)
        self.retranslate()
        self._update_enabled()

    # Data in.
    def set_catalogue(self, catalogue: Catalogue) -> None:
        """The categories and services whose hours may be set (the Web tab's catalogue)."""
        self._catalogue = catalogue
        self._fill_targets()

    def show_schedules(self, version: VersionedSchedules) -> None:
        """Fresh from the agent: the target edited stays the one picked."""
        target = self._schedule.target if self._schedule is not None else INTERNET
        if self._schedule is not None and self._schedule.child != version.child:
            target = INTERNET
        self._schedule = WeekSchedule.from_version(version, target)
        self._dirty = False
        self._fill()
        self._set_message("", "")

    def select_target(self, target: str) -> None:
        """Edit the hours of `target` (``*``, ``service:<id>``, ``category:<id>``)."""
        position = self.target_combo.findData(target)
        if position >= 0:
            self.target_combo.setCurrentIndex(position)

    def show_saved(self, version: VersionedSchedules) -> None:
        self.show_schedules(version)
        self._set_message("saved", version.child)

    def show_conflict(self) -> None:
        self._set_message("conflict", "")

    def show_refused(self, problems: Sequence[PolicyProblem]) -> None:
        detail = "\n".join(f"{problem.path}: {problem.expected or ''}" for problem in problems)
        self._set_message("refused", detail)

    def show_failure(self, text: str) -> None:
        self._set_message("failed", text)

    def clear(self) -> None:
        self._schedule = None
        self._dirty = False
        self._fill()
        self._set_message("", "")

    @property
    def schedule(self) -> WeekSchedule | None:
        return self._schedule

    @property
    def dirty(self) -> bool:
        return self._dirty

    # The form.
    def _fill_targets(self) -> None:
        schedule = self._schedule
        chosen = schedule.target if schedule is not None else INTERNET
        self.target_combo.blockSignals(True)
        self.target_combo.clear()
        for target, words in target_choices(self._catalogue, schedule):
            self.target_combo.addItem(words, target)
        self.target_combo.setCurrentIndex(max(0, self.target_combo.findData(chosen)))
        self.target_combo.blockSignals(False)

    def _on_target(self, _index: int) -> None:
        target = self.target_combo.currentData()
        if self._schedule is None or not isinstance(target, str):
            return
        if target != self._schedule.target:
            self._schedule = self._schedule.for_target(target)
            self._fill()

    def _fill(self) -> None:
        schedule = self._schedule
        self._fill_targets()
        self._retranslate_modes()
        self.mode_combo.blockSignals(True)
        if schedule is not None:
            self.mode_combo.setCurrentIndex(max(0, self.mode_combo.findData(schedule.mode)))
        self.mode_combo.blockSignals(False)
        self.windows_editor.set_hatched(
            schedule is not None and schedule.mode == "blocked_during"
        )
        self.windows_editor.set_windows(
            schedule.windows if schedule else (), editable=schedule is not None
        )
        self._update_enabled()

    def _on_windows(self, windows: tuple[WeekWindow, ...]) -> None:
        if self._schedule is None:
            return
        had_hours = bool(self._schedule.windows)
        self._schedule = self._schedule.with_windows(windows)
        self._dirty = True
        if had_hours != bool(windows):
            self._fill_targets()  # "(hours set)" beside it, or no more
        self._set_message("edited", "")

    def _on_mode(self, _index: int) -> None:
        mode = self.mode_combo.currentData()
        if self._schedule is not None and isinstance(mode, str) and mode != self._schedule.mode:
            self._schedule = self._schedule.with_mode(mode)
            self._dirty = True
            self.windows_editor.set_hatched(mode == "blocked_during")
            self._set_message("edited", "")

    def _on_save(self) -> None:
        if self._schedule is not None:
            self._set_message("saving", "")
            self.save_requested.emit(self._schedule.schedules())

    def _update_enabled(self) -> None:
        has = self._schedule is not None
        self.target_combo.setEnabled(has)
        self.mode_combo.setEnabled(has)
        self.save_button.setEnabled(has)

    def _set_message(self, kind: str, detail: str) -> None:
        self._message = (kind, detail)
        texts = {
            "": "",
            "edited": self.tr("Changed, not saved yet: press Save hours."),
            "duplicate": self.tr("This window is in the list already."),
            "saving": self.tr("Saving…"),
            "saved": self.tr("Saved. %1's new hours work now.").replace("%1", detail),
            "conflict": self.tr(
                "These hours were changed somewhere else since you opened them, so your "
                "changes were not saved. They are still here: press Save hours again to "
                "apply them."
            ),
            "refused": self.tr("Bảo An could not save these hours:") + "\n" + detail,
            "failed": self.tr("Not saved: %1").replace("%1", detail),
        }
        self.message_label.setText(texts.get(kind, ""))
        good = kind in ("saved", "saving", "edited")
        apply_message(self.message_label, good)
        self.message_label.setVisible(bool(kind))

    # Language.
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Internet hours"))
        self.target_label.setText(self.tr("Hours for:"))
        self.target_combo.setAccessibleName(self.tr("Hours for the whole internet, a kind of "
                                                    "site or app, or a service"))
        self.mode_label.setText(self.tr("Rule:"))
        self._retranslate_modes()
        self._fill_targets()
        self.save_button.setText(self.tr("Save hours"))
        self._set_message(*self._message)

    def _retranslate_modes(self) -> None:
        if self._schedule is None or self._schedule.target == INTERNET:
            modes = {
                "allowed_only_during": self.tr("Internet only in these hours"),
                "blocked_during": self.tr("No internet in these hours"),
            }
        else:
            modes = {
                "allowed_only_during": self.tr("Open only in these hours"),
                "blocked_during": self.tr("Blocked in these hours"),
            }
        for index in range(self.mode_combo.count()):
            mode = str(self.mode_combo.itemData(index))
            self.mode_combo.setItemText(index, modes.get(mode, mode))
