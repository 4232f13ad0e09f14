""""Xin thêm thời gian": the child asks a parent for 15 minutes, 30 minutes or an hour
more today, with a reason if they want to give one.

The window says what became of the request, and only what is true: a message went to N of
the family (or nobody is set up to get one, so a parent at this PC has to look), the
request waits for an answer, then the answer — the minutes a parent gave, which count at
once, or a no. The tray asks the agent for the state while the request waits
(:meth:`gui.tray.app.TrayController.poll`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.tray.backend import TimeRequestInfo

ASKABLE_MINUTES: tuple[int, ...] = (15, 30, 60)  # as the agent takes them
REASON_MAX_CHARS = 200
YOUNG_BANDS = frozenset({"0-5", "6-10"})

STATES = (
    "idle",  # choosing
    "sending",
    "pending",  # the agent has the request; no answer yet
    "approved",
    "denied",
    "failed",  # the agent refused or gave an odd answer
    "offline",  # the agent does not answer
    "no_child",  # the agent does not know whose tray this is
)


class MoreTimeDialog(QDialog):
    """Three choices, a reason, "Ask"; then the request's state in words for the age.
    `ask_requested` carries the minutes and the reason."""

    ask_requested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("moreTimeDialog")
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self.heading = QLabel(self)
        self.heading.setObjectName("moreTimeHeading")
        font = QFont(self.heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.choices = QButtonGroup(self)
        self.choices.setExclusive(True)
        self.minute_buttons: dict[int, QPushButton] = {}
        row = QHBoxLayout()
        for minutes in ASKABLE_MINUTES:
            button = QPushButton(self)
            button.setObjectName(f"ask{minutes}")
            button.setCheckable(True)
            button.setMinimumHeight(40)
            self.choices.addButton(button, minutes)
            self.minute_buttons[minutes] = button
            row.addWidget(button)
        self.minute_buttons[ASKABLE_MINUTES[0]].setChecked(True)
        self.reason_label = QLabel(self)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("moreTimeReason")
        self.reason.setMaxLength(REASON_MAX_CHARS)
        self.reason_label.setBuddy(self.reason)
        self.status = QLabel(self)
        self.status.setObjectName("moreTimeStatus")
        self.status.setWordWrap(True)
        self.ask_button = QPushButton(self)
        self.ask_button.setObjectName("sendMoreTime")
        self.ask_button.setDefault(True)
        self.ask_button.clicked.connect(self._on_ask)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.ask_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addLayout(row)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.setMinimumWidth(420)
        self._state = "idle"
        self._young = False
        self._request: TimeRequestInfo | None = None
        self.retranslate()

    @property
    def state(self) -> str:
        """One of :data:`STATES`."""
        return self._state

    @property
    def request(self) -> TimeRequestInfo | None:
        """The request the window follows (None before one is made)."""
        return self._request

    @property
    def chosen_minutes(self) -> int:
        checked = self.choices.checkedId()
        return checked if checked in ASKABLE_MINUTES else ASKABLE_MINUTES[0]

    def choose(self, minutes: int) -> None:
        self.minute_buttons[minutes].setChecked(True)

    def set_age_band(self, age_band: str | None) -> None:
        self._young = age_band in YOUNG_BANDS
        self.retranslate()

    def reset(self) -> None:
        """Ready for a new request (the last one was answered, or never made)."""
        self._state = "idle"
        self._request = None
        self.reason.clear()
        self._show_state()

    def set_sending(self) -> None:
        self._state = "sending"
        self._show_state()

    def set_request(self, request: TimeRequestInfo) -> None:
        """The agent's word on the request: pending, approved or denied."""
        self._request = request
        if request.approved:
            self._state = "approved"
        elif request.state in ("denied", "revoked"):
            self._state = "denied"
        else:
            self._state = "pending"
        self._show_state()

    def set_failed(self, code: str) -> None:
        self._state = {"unreachable": "offline", "unknown_child": "no_child"}.get(code, "failed")
        self._show_state()

    def _on_ask(self) -> None:
        if self._state in ("sending", "pending"):
            return
        self.ask_requested.emit(self.chosen_minutes, self.reason.text().strip())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Ask for more time"))
        self.heading.setText(self.tr("Ask for more time"))
        self.intro.setText(
            self.tr("How much more time would you like today?")
            if self._young
            else self.tr("How much more screen time do you need today? A parent decides.")
        )
        self.minute_buttons[15].setText(self.tr("15 minutes"))
        self.minute_buttons[30].setText(self.tr("30 minutes"))
        self.minute_buttons[60].setText(self.tr("1 hour"))
        self.reason_label.setText(
            self.tr("What is it for? (you can leave this empty)")
            if self._young
            else self.tr("Why do you need it? (optional)")
        )
        self.reason.setPlaceholderText(self.tr("For example: finishing my homework"))
        self.ask_button.setText(self.tr("Ask"))
        self.close_button.setText(self.tr("Close"))
        self._show_state()

    def _show_state(self) -> None:
        asking = self._state in ("idle", "failed", "offline", "approved", "denied")
        for button in self.minute_buttons.values():
            button.setEnabled(asking)
        self.reason.setEnabled(asking)
        self.ask_button.setEnabled(asking and self._state != "no_child")
        self.ask_button.setText(
            self.tr("Ask again") if self._state in ("approved", "denied") else self.tr("Ask")
        )
        self.status.setText(self._status_text())
        self.status.setVisible(bool(self.status.text()))

    def _status_text(self) -> str:
        request = self._request
        if self._state == "sending":
            return self.tr("Sending your request…")
        if self._state == "pending" and request is not None:
            if request.receivers > 0:
                waiting = self.tr(
                    "A message about it is on its way to %n person(s) in your family. Wait "
                    "for the answer here.",
                    "",
                    request.receivers,
                )
            else:
                waiting = self.tr(
                    "Nobody in your family gets messages on this computer yet, so nobody was "
                    "told. Ask a parent to answer it in Bảo An on this computer."
                )
            return self._asked_text(request.minutes) + "\n" + waiting
        if self._state == "approved" and request is not None:
            minutes = request.minutes_given or request.minutes
            if self._young:
                return self.tr("Yes! You have %n more minute(s) now.", "", minutes)
            return self.tr(
                "A parent gave you %n more minute(s). They count from now.", "", minutes
            )
        if self._state == "denied":
            if self._young:
                return self.tr("Your parents said no this time.")
            return self.tr("A parent said no this time. You can talk with them about it.")
        if self._state == "offline":
            return self.tr("Bảo An is not answering right now, so the request was not sent.")
        if self._state == "no_child":
            return self.tr(
                "This computer does not know whose Bảo An this is yet, so the request was "
                "not sent. Ask a parent."
            )
        if self._state == "failed":
            return self.tr("The request could not be sent just now. Try again in a moment.")
        return ""

    def _asked_text(self, minutes: int) -> str:
        if minutes >= 60:
            return self.tr("You asked for 1 hour more.")
        return self.tr("You asked for %n more minute(s).", "", minutes)
