"""The weekly schedule editor of the Web tab: the hours a child may use the internet (or
may not), several windows a day, a window may go on past midnight.

Everything works with the mouse and with the keyboard alone: Tab moves through the mode,
the list of windows, the day, the two times (typed, or with the arrow keys) and the
buttons; Delete removes the selected window. A thin view over
:class:`~gui.schedule_model.WeekSchedule`; :class:`~gui.pages_controller.ScheduleController`
reads and saves.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from PySide6.QtCore import QEvent, QObject, Qt, QTime, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from gui.backend import PolicyProblem
from gui.pages_backend import SCHEDULE_MODES, WEEKDAYS, VersionedSchedules, WeekWindow
from gui.schedule_model import WeekSchedule, day_name, window_text
from gui.views.contrast import apply_message
from gui.views.week_strip import WeekStrip

_TIME_FORMAT = "HH:mm"


class ScheduleEditor(QGroupBox):
    save_requested = Signal(object)  # tuple[Schedule, ...]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheduleEditor")
        self._schedule: WeekSchedule | None = None
        self._dirty = False
        self._message: tuple[str, str] = ("", "")

        self.mode_label = QLabel(self)
        self.mode_combo = QComboBox(self)
        self.mode_combo.setObjectName("scheduleMode")
        for mode in SCHEDULE_MODES:
            self.mode_combo.addItem("", mode)
        self.mode_label.setBuddy(self.mode_combo)
        self.mode_combo.currentIndexChanged.connect(self._on_mode)

        self.windows_list = QListWidget(self)
        self.windows_list.setObjectName("scheduleWindows")
        self.windows_list.currentRowChanged.connect(self._on_selected)
        self.windows_list.installEventFilter(self)
        self.week_strip = WeekStrip(self)
        self.week_strip.setObjectName("scheduleWeek")
        self.week_strip.day_clicked.connect(self._on_day_clicked)
        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("scheduleEmpty")
        self.empty_label.setWordWrap(True)

        self.day_label = QLabel(self)
        self.day_combo = QComboBox(self)
        self.day_combo.setObjectName("scheduleDay")
        for day in WEEKDAYS:
            self.day_combo.addItem("", day)
        self.day_label.setBuddy(self.day_combo)
        self.start_label = QLabel(self)
        self.start_edit = QTimeEdit(self)
        self.start_edit.setObjectName("scheduleStart")
        self.start_edit.setDisplayFormat(_TIME_FORMAT)
        self.start_edit.setTime(QTime(17, 0))
        self.start_label.setBuddy(self.start_edit)
        self.end_label = QLabel(self)
        self.end_edit = QTimeEdit(self)
        self.end_edit.setObjectName("scheduleEnd")
        self.end_edit.setDisplayFormat(_TIME_FORMAT)
        self.end_edit.setTime(QTime(19, 0))
        self.end_label.setBuddy(self.end_edit)
        self.end_edit.timeChanged.connect(lambda _time: self._update_hint())
        self.start_edit.timeChanged.connect(lambda _time: self._update_hint())
        self.hint_label = QLabel(self)
        self.hint_label.setObjectName("scheduleHint")
        self.hint_label.setWordWrap(True)

        self.add_button = QPushButton(self)
        self.add_button.setObjectName("scheduleAdd")
        self.add_button.clicked.connect(self._on_add)
        self.change_button = QPushButton(self)
        self.change_button.setObjectName("scheduleChange")
        self.change_button.clicked.connect(self._on_change)
        self.remove_button = QPushButton(self)
        self.remove_button.setObjectName("scheduleRemove")
        self.remove_button.clicked.connect(self._on_remove)
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("scheduleSave")
        self.save_button.clicked.connect(self._on_save)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("scheduleMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)

        mode_row = QHBoxLayout()
        mode_row.addWidget(self.mode_label)
        mode_row.addWidget(self.mode_combo, 1)
        fields = QGridLayout()
        fields.addWidget(self.day_label, 0, 0)
        fields.addWidget(self.day_combo, 1, 0)
        fields.addWidget(self.start_label, 0, 1)
        fields.addWidget(self.start_edit, 1, 1)
        fields.addWidget(self.end_label, 0, 2)
        fields.addWidget(self.end_edit, 1, 2)
        fields.addWidget(self.hint_label, 2, 0, 1, 3)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.change_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(mode_row)
        layout.addWidget(self.week_strip)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.windows_list)
        layout.addLayout(fields)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)
        # Tab goes through the editor in reading order.
        order = (self.mode_combo, self.windows_list, self.day_combo, self.start_edit,
                 self.end_edit, self.add_button, self.change_button, self.remove_button,
                 self.save_button)
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)
        self.retranslate()
        self._update_enabled()

    # Data in.
    def show_schedules(self, version: VersionedSchedules) -> None:
        self._schedule = WeekSchedule.from_version(version)
        self._dirty = False
        self._fill()
        self._set_message("", "")

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
    def _fill(self) -> None:
        schedule = self._schedule
        self.windows_list.blockSignals(True)
        self.windows_list.clear()
        for window in schedule.windows if schedule else ():
            item = QListWidgetItem(window_text(window), self.windows_list)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, window_text(window))
        self.windows_list.blockSignals(False)
        self.mode_combo.blockSignals(True)
        if schedule is not None:
            self.mode_combo.setCurrentIndex(max(0, self.mode_combo.findData(schedule.mode)))
        self.mode_combo.blockSignals(False)
        self.empty_label.setVisible(schedule is not None and not schedule.windows)
        self.week_strip.set_windows(
            schedule.windows if schedule else (),
            schedule is not None and schedule.mode == "blocked_during",
        )
        self.week_strip.setAccessibleDescription(schedule.summary() if schedule else "")
        blocked = schedule is not None and schedule.mode == "blocked_during"
        self.week_strip.setToolTip(
            self.tr("Hatched: the hours with no internet. Click a day to pick it.")
            if blocked
            else self.tr("Filled: the only hours with internet. Click a day to pick it.")
        )
        self._update_enabled()
        self._update_hint()

    def _edited_window(self) -> WeekWindow:
        day = self.day_combo.currentData()
        return WeekWindow(
            day if isinstance(day, str) else WEEKDAYS[0],
            self.start_edit.time().toString(_TIME_FORMAT),
            self.end_edit.time().toString(_TIME_FORMAT),
        )

    def _apply(self, schedule: WeekSchedule, select: WeekWindow | None = None) -> None:
        self._schedule = schedule
        self._dirty = True
        self._fill()
        if select is not None and select in schedule.windows:
            self.windows_list.setCurrentRow(schedule.index_of(select))
        self._set_message("edited", "")

    def _on_add(self) -> None:
        if self._schedule is None:
            return
        window = self._edited_window()
        try:
            self._apply(self._schedule.with_window(window), window)
        except ValueError:
            self._set_message("duplicate", "")

    def _on_change(self) -> None:
        row = self.windows_list.currentRow()
        if self._schedule is None or row < 0:
            return
        window = self._edited_window()
        try:
            self._apply(self._schedule.with_window(window, replacing=row), window)
        except ValueError:
            self._set_message("duplicate", "")

    def _on_remove(self) -> None:
        row = self.windows_list.currentRow()
        if self._schedule is None or row < 0:
            return
        self._apply(self._schedule.without_window(row))
        if self.windows_list.count():
            self.windows_list.setCurrentRow(min(row, self.windows_list.count() - 1))

    def _on_mode(self, _index: int) -> None:
        mode = self.mode_combo.currentData()
        if self._schedule is not None and isinstance(mode, str) and mode != self._schedule.mode:
            self._apply(self._schedule.with_mode(mode))

    def _on_selected(self, row: int) -> None:
        schedule = self._schedule
        if schedule is not None and 0 <= row < len(schedule.windows):
            window = schedule.windows[row]
            self.day_combo.setCurrentIndex(max(0, self.day_combo.findData(window.day)))
            self.start_edit.setTime(QTime.fromString(window.start, _TIME_FORMAT))
            self.end_edit.setTime(QTime.fromString(window.end, _TIME_FORMAT))
        self._update_enabled()

    def _on_day_clicked(self, day: str) -> None:
        self.day_combo.setCurrentIndex(max(0, self.day_combo.findData(day)))

    def _on_save(self) -> None:
        if self._schedule is not None:
            self._set_message("saving", "")
            self.save_requested.emit(self._schedule.schedules())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            watched is self.windows_list
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        ):
            self._on_remove()
            return True
        return False

    def _update_enabled(self) -> None:
        has = self._schedule is not None
        selected = has and self.windows_list.currentRow() >= 0
        for widget in (self.mode_combo, self.windows_list, self.day_combo, self.start_edit,
                       self.end_edit, self.add_button, self.save_button):
            widget.setEnabled(has)
        self.change_button.setEnabled(selected)
        self.remove_button.setEnabled(selected)

    def _update_hint(self) -> None:
        window = self._edited_window()
        if window.start == window.end:
            text = self.tr("The same start and end: the whole day.")
        elif window.end < window.start:
            text = self.tr("Ends the next morning (the window goes on past midnight).")
        else:
            text = ""
        self.hint_label.setText(text)
        self.hint_label.setVisible(bool(text))

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
        self.mode_label.setText(self.tr("Rule:"))
        modes = {
            "allowed_only_during": self.tr("Internet only in these hours"),
            "blocked_during": self.tr("No internet in these hours"),
        }
        for index in range(self.mode_combo.count()):
            mode = str(self.mode_combo.itemData(index))
            self.mode_combo.setItemText(index, modes.get(mode, mode))
        self.windows_list.setAccessibleName(self.tr("Hours of the week"))
        self.week_strip.setAccessibleName(self.tr("The week at a glance"))

        self.empty_label.setText(
            self.tr(
                "No hours are set: the internet follows the other rules at any hour. Add a "
                "window below; several a day are fine."
            )
        )
        self.day_label.setText(self.tr("Day:"))
        for index in range(self.day_combo.count()):
            self.day_combo.setItemText(index, day_name(str(self.day_combo.itemData(index))))
        self.start_label.setText(self.tr("From:"))
        self.end_label.setText(self.tr("To:"))
        self.start_edit.setAccessibleName(self.tr("From"))
        self.end_edit.setAccessibleName(self.tr("To"))
        self.add_button.setText(self.tr("Add"))
        self.change_button.setText(self.tr("Change selected"))
        self.remove_button.setText(self.tr("Remove selected"))
        self.save_button.setText(self.tr("Save hours"))
        self._fill()
        self._set_message(*self._message)
