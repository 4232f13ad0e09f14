"""The week's windows, edited: several a day, a window may go on past midnight. One
implementation for the Web tab's internet hours (inside
:class:`~gui.views.schedule_editor.ScheduleEditor`, with its rule and its Save) and the
Screen time tab's allowed hours (saved with the tab's other limits).

Everything works with the mouse and with the keyboard alone: Tab moves through the list
of windows, the day, the two times (typed, or with the arrow keys) and the buttons;
Delete removes the selected window; a click on a day of the week strip picks that day.
The windows are :mod:`gui.schedule_model`'s; the host reads them back with
:meth:`WeekWindowsEditor.windows` or from ``windows_changed``.
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QEvent, QObject, Qt, QTime, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from gui.pages_backend import WEEKDAYS, WeekWindow
from gui.schedule_model import (
    day_name,
    ordered_windows,
    week_summary,
    window_text,
    with_window,
    without_window,
)
from gui.views.week_strip import WeekStrip

_TIME_FORMAT = "HH:mm"
INTERNET_HOURS = "internet"  # the Web tab's: allowed or blocked, as the rule says
ALLOWED_HOURS = "allowed_hours"  # the Screen time tab's: the hours the PC may be used


class WeekWindowsEditor(QWidget):
    windows_changed = Signal(object)  # tuple[WeekWindow, ...], after each edit
    duplicate_refused = Signal()  # the window is in the list already

    def __init__(self, parent: QWidget | None = None, *, purpose: str = INTERNET_HOURS) -> None:
        super().__init__(parent)
        self._purpose = purpose
        self._windows: tuple[WeekWindow, ...] = ()
        self._hatched = False
        self._editable = False
        prefix = "schedule" if purpose == INTERNET_HOURS else "allowedHours"

        self.windows_list = QListWidget(self)
        self.windows_list.setObjectName(f"{prefix}Windows")
        self.windows_list.currentRowChanged.connect(self._on_selected)
        self.windows_list.installEventFilter(self)
        self.week_strip = WeekStrip(self)
        self.week_strip.setObjectName(f"{prefix}Week")
        self.week_strip.day_clicked.connect(self._on_day_clicked)
        self.empty_label = QLabel(self)
        self.empty_label.setObjectName(f"{prefix}Empty")
        self.empty_label.setWordWrap(True)

        self.day_label = QLabel(self)
        self.day_combo = QComboBox(self)
        self.day_combo.setObjectName(f"{prefix}Day")
        for day in WEEKDAYS:
            self.day_combo.addItem("", day)
        self.day_label.setBuddy(self.day_combo)
        self.start_label = QLabel(self)
        self.start_edit = QTimeEdit(self)
        self.start_edit.setObjectName(f"{prefix}Start")
        self.start_edit.setDisplayFormat(_TIME_FORMAT)
        self.start_edit.setTime(QTime(17, 0) if purpose == INTERNET_HOURS else QTime(7, 0))
        self.start_label.setBuddy(self.start_edit)
        self.end_label = QLabel(self)
        self.end_edit = QTimeEdit(self)
        self.end_edit.setObjectName(f"{prefix}End")
        self.end_edit.setDisplayFormat(_TIME_FORMAT)
        self.end_edit.setTime(QTime(19, 0) if purpose == INTERNET_HOURS else QTime(21, 0))
        self.end_label.setBuddy(self.end_edit)
        self.end_edit.timeChanged.connect(lambda _time: self._update_hint())
        self.start_edit.timeChanged.connect(lambda _time: self._update_hint())
        self.hint_label = QLabel(self)
        self.hint_label.setObjectName(f"{prefix}Hint")
        self.hint_label.setWordWrap(True)

        self.add_button = QPushButton(self)
        self.add_button.setObjectName(f"{prefix}Add")
        self.add_button.clicked.connect(self._on_add)
        self.change_button = QPushButton(self)
        self.change_button.setObjectName(f"{prefix}Change")
        self.change_button.clicked.connect(self._on_change)
        self.remove_button = QPushButton(self)
        self.remove_button.setObjectName(f"{prefix}Remove")
        self.remove_button.clicked.connect(self._on_remove)

        fields = QGridLayout()
        fields.addWidget(self.day_label, 0, 0)
        fields.addWidget(self.day_combo, 1, 0)
        fields.addWidget(self.start_label, 0, 1)
        fields.addWidget(self.start_edit, 1, 1)
        fields.addWidget(self.end_label, 0, 2)
        fields.addWidget(self.end_edit, 1, 2)
        fields.addWidget(self.hint_label, 2, 0, 1, 3)
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(self.add_button)
        self.buttons.addWidget(self.change_button)
        self.buttons.addWidget(self.remove_button)
        self.buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.week_strip)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.windows_list)
        layout.addLayout(fields)
        layout.addLayout(self.buttons)
        for first, second in pairwise(self.tab_order()):
            QWidget.setTabOrder(first, second)
        self.retranslate()
        self._update_enabled()

    def tab_order(self) -> tuple[QWidget, ...]:
        """The editor's controls in reading order (a host puts its own around them)."""
        return (self.windows_list, self.day_combo, self.start_edit, self.end_edit,
                self.add_button, self.change_button, self.remove_button)

    # Data in and out.
    def set_windows(self, windows: tuple[WeekWindow, ...], *, editable: bool = True) -> None:
        """Show `windows` (no ``windows_changed``: this is what was read)."""
        self._windows = ordered_windows(windows)
        self._editable = editable
        self._fill()

    def set_hatched(self, hatched: bool) -> None:
        """Hatched: the windows are hours without (the internet's "blocked during")."""
        self._hatched = hatched
        self._fill()

    def windows(self) -> tuple[WeekWindow, ...]:
        return self._windows

    def clear(self) -> None:
        self.set_windows((), editable=False)

    # The form.
    def _fill(self) -> None:
        self.windows_list.blockSignals(True)
        self.windows_list.clear()
        for window in self._windows:
            item = QListWidgetItem(window_text(window), self.windows_list)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, window_text(window))
        self.windows_list.blockSignals(False)
        self.empty_label.setVisible(self._editable and not self._windows)
        self.week_strip.set_windows(self._windows, self._hatched)
        self.week_strip.setAccessibleDescription(week_summary(self._windows))
        self.week_strip.setToolTip(self._strip_tip())
        self._update_enabled()
        self._update_hint()

    def _edited_window(self) -> WeekWindow:
        day = self.day_combo.currentData()
        return WeekWindow(
            day if isinstance(day, str) else WEEKDAYS[0],
            self.start_edit.time().toString(_TIME_FORMAT),
            self.end_edit.time().toString(_TIME_FORMAT),
        )

    def _apply(self, windows: tuple[WeekWindow, ...], select: WeekWindow | None = None) -> None:
        self._windows = windows
        self._fill()
        if select is not None and select in windows:
            self.windows_list.setCurrentRow(windows.index(select))
        self.windows_changed.emit(windows)

    def _on_add(self) -> None:
        if not self._editable:
            return
        window = self._edited_window()
        try:
            self._apply(with_window(self._windows, window), window)
        except ValueError:
            self.duplicate_refused.emit()

    def _on_change(self) -> None:
        row = self.windows_list.currentRow()
        if not self._editable or row < 0:
            return
        window = self._edited_window()
        try:
            self._apply(with_window(self._windows, window, replacing=row), window)
        except ValueError:
            self.duplicate_refused.emit()

    def _on_remove(self) -> None:
        row = self.windows_list.currentRow()
        if not self._editable or row < 0:
            return
        self._apply(without_window(self._windows, row))
        if self.windows_list.count():
            self.windows_list.setCurrentRow(min(row, self.windows_list.count() - 1))

    def _on_selected(self, row: int) -> None:
        if 0 <= row < len(self._windows):
            window = self._windows[row]
            self.day_combo.setCurrentIndex(max(0, self.day_combo.findData(window.day)))
            self.start_edit.setTime(QTime.fromString(window.start, _TIME_FORMAT))
            self.end_edit.setTime(QTime.fromString(window.end, _TIME_FORMAT))
        self._update_enabled()

    def _on_day_clicked(self, day: str) -> None:
        self.day_combo.setCurrentIndex(max(0, self.day_combo.findData(day)))

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
        selected = self._editable and self.windows_list.currentRow() >= 0
        for widget in (self.windows_list, self.day_combo, self.start_edit, self.end_edit,
                       self.add_button):
            widget.setEnabled(self._editable)
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

    def _strip_tip(self) -> str:
        if self._purpose == ALLOWED_HOURS:
            return self.tr("Filled: the hours the computer may be used. Click a day to pick it.")
        if self._hatched:
            return self.tr("Hatched: the hours with no internet. Click a day to pick it.")
        return self.tr("Filled: the only hours with internet. Click a day to pick it.")

    # Language.
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        if self._purpose == ALLOWED_HOURS:
            self.windows_list.setAccessibleName(self.tr("Allowed hours of the week"))
            self.week_strip.setAccessibleName(self.tr("The allowed hours at a glance"))
            self.empty_label.setText(
                self.tr(
                    "No allowed hours are set: the computer may be used at any hour, within "
                    "the minutes a day. Add a window below; several a day are fine."
                )
            )
        else:
            self.windows_list.setAccessibleName(self.tr("Hours of the week"))
            self.week_strip.setAccessibleName(self.tr("The week at a glance"))
            self.empty_label.setText(
                self.tr(
                    "No hours are set: the internet follows the other rules at any hour. Add "
                    "a window below; several a day are fine."
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
        self._fill()
