"""The parent's PIN: unlock, set the first PIN or reset a forgotten one; wrong tries and
lockouts are shown here.

Setting a PIN (the first, or in place of a forgotten one) needs the one-time set-up code
that the agent keeps where only its own account can read it: being at the PC is not
proof of being the parent who set it up.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QEvent, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gui.colours import Meaning
from gui.labels import format_seconds_wait
from gui.views.common import add_shortcut
from gui.views.contrast import apply_meaning

PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 12


class LoginMode(Enum):
    UNLOCK = "unlock"
    SET_PIN = "set_pin"  # no PIN yet: the first one, with the set-up code
    RESET_PIN = "reset_pin"  # a forgotten PIN: a new one, with a fresh set-up code


# How the parent finds the code, on the PC's administrator account (docs/api.md).
SETUP_CODE_COMMAND = "sudo baoan pin reset-code"


class LoginPage(QWidget):
    """Asks for the PIN. Emits what the parent asked; the controller answers."""

    login_requested = Signal(str)
    set_pin_requested = Signal(str, str)  # the new PIN, the set-up code

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._mode = LoginMode.UNLOCK
        self._message_kind = ""  # what the message line says, so it can be re-translated
        self._tries_left: int | None = None
        self._code_tries_left: int | None = None
        self._locked_until_s = 0
        self._enabled_by_connection = False
        self._busy = False

        self.card = QFrame(self)
        self.card.setObjectName("loginCard")
        self.card.setStyleSheet(
            "#loginCard { border:1px solid palette(mid); border-radius:8px;"
            " background:palette(base); }"
        )
        self.card.setMinimumWidth(420)
        self.card.setMaximumWidth(520)
        self.card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.title = QLabel(self.card)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.explanation = QLabel(self.card)
        self.explanation.setWordWrap(True)

        validator = QRegularExpressionValidator(
            QRegularExpression(rf"\d{{0,{PIN_MAX_DIGITS}}}"), self
        )
        self.pin_edit = QLineEdit(self.card)
        self.pin_edit.setObjectName("pinEdit")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setValidator(validator)
        self.pin_edit.returnPressed.connect(self._submit)
        self.confirm_edit = QLineEdit(self.card)
        self.confirm_edit.setObjectName("pinConfirmEdit")
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit.setValidator(validator)
        self.confirm_edit.returnPressed.connect(self._submit)
        self.setup_code_edit = QLineEdit(self.card)
        self.setup_code_edit.setObjectName("setupCodeEdit")
        self.setup_code_edit.setMaxLength(40)
        self.setup_code_edit.returnPressed.connect(self._submit)
        self.setup_help = QLabel(self.card)
        self.setup_help.setObjectName("setupCodeHelp")
        self.setup_help.setWordWrap(True)
        self.setup_help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.forgot_button = QPushButton(self.card)
        self.forgot_button.setObjectName("forgotPin")
        self.forgot_button.setFlat(True)
        self.forgot_button.clicked.connect(lambda: self.set_mode(LoginMode.RESET_PIN))
        self.back_button = QPushButton(self.card)
        self.back_button.setObjectName("backToUnlock")
        self.back_button.setFlat(True)
        self.back_button.clicked.connect(lambda: self.set_mode(LoginMode.UNLOCK))
        add_shortcut(self.back_button, QKeySequence(Qt.Key.Key_Escape))  # only while shown

        self.submit_button = QPushButton(self.card)
        self.submit_button.setObjectName("pinSubmit")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self._submit)

        self.message = QLabel(self.card)
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)

        card_layout = QVBoxLayout(self.card)
        card_layout.setContentsMargins(24, 20, 24, 20)
        card_layout.setSpacing(10)
        card_layout.addWidget(self.title)
        card_layout.addWidget(self.explanation)
        card_layout.addWidget(self.pin_edit)
        card_layout.addWidget(self.confirm_edit)
        card_layout.addWidget(self.setup_code_edit)
        card_layout.addWidget(self.setup_help)
        button_row = QHBoxLayout()
        button_row.addWidget(self.forgot_button)
        button_row.addWidget(self.back_button)
        button_row.addStretch(1)
        button_row.addWidget(self.submit_button)
        card_layout.addLayout(button_row)
        card_layout.addWidget(self.message)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._render()

    # What the window tells this page.
    @property
    def mode(self) -> LoginMode:
        return self._mode

    @property
    def locked(self) -> bool:
        return self._locked_until_s > 0

    def set_mode(self, mode: LoginMode) -> None:
        if mode != self._mode:
            self._mode = mode
            self._message_kind = ""
            self.clear()
        self._render()

    def set_connected(self, connected: bool) -> None:
        self._enabled_by_connection = connected
        self._update_enabled()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_enabled()

    def clear(self) -> None:
        self.pin_edit.clear()
        self.confirm_edit.clear()
        self.setup_code_edit.clear()

    def show_wrong_pin(self, tries_left: int | None) -> None:
        self._tries_left = tries_left
        self._message_kind = "wrong_pin"
        self._busy = False
        self.clear()
        self._render()
        self.pin_edit.setFocus()

    def show_wrong_setup_code(self, tries_left: int | None) -> None:
        """The agent refused the set-up code (or asked for one): the PIN typed is kept."""
        self._code_tries_left = tries_left
        self._message_kind = "wrong_setup_code"
        self._busy = False
        self.setup_code_edit.clear()
        self._render()
        self.setup_code_edit.setFocus()

    def show_locked(self, retry_after_s: float) -> None:
        self._locked_until_s = max(1, round(retry_after_s))
        self._message_kind = "locked"
        self._busy = False
        self.clear()
        self._countdown.start()
        self._render()

    def show_error(self, text: str) -> None:
        self._message_kind = "error:" + text
        self._busy = False
        self._render()

    def reset_message(self) -> None:
        self._message_kind = ""
        self._render()

    def message_text(self) -> str:
        return self.message.text()

    # Inside.
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self._render()
        super().changeEvent(event)

    def _submit(self) -> None:
        if not self.submit_button.isEnabled():
            return
        pin = self.pin_edit.text()
        if len(pin) < PIN_MIN_DIGITS:
            self._message_kind = "too_short"
            self._render()
            return
        if self._mode in (LoginMode.SET_PIN, LoginMode.RESET_PIN):
            if pin != self.confirm_edit.text():
                self._message_kind = "mismatch"
                self.confirm_edit.clear()
                self._render()
                return
            code = self.setup_code_edit.text().strip()
            if not code:
                self._message_kind = "no_setup_code"
                self._render()
                self.setup_code_edit.setFocus()
                return
            self._start_request()
            self.set_pin_requested.emit(pin, code)
        else:
            self._start_request()
            self.login_requested.emit(pin)

    def _start_request(self) -> None:
        self._message_kind = ""
        self._busy = True
        self._render()

    def _tick(self) -> None:
        self._locked_until_s -= 1
        if self._locked_until_s <= 0:
            self._locked_until_s = 0
            self._countdown.stop()
            self._message_kind = ""
        self._render()

    def _update_enabled(self) -> None:
        usable = self._enabled_by_connection and not self._busy and not self.locked
        self.pin_edit.setEnabled(usable)
        self.confirm_edit.setEnabled(usable)
        self.setup_code_edit.setEnabled(usable)
        self.submit_button.setEnabled(usable)

    def _render(self) -> None:
        setting_pin = self._mode in (LoginMode.SET_PIN, LoginMode.RESET_PIN)
        if setting_pin:
            if self._mode == LoginMode.SET_PIN:
                self.title.setText(self.tr("Set the parent PIN"))
                self.explanation.setText(
                    self.tr(
                        "No PIN has been set yet. Choose a PIN of 4 to 12 digits that only "
                        "the parents know; it protects the settings and the history."
                    )
                )
            else:
                self.title.setText(self.tr("Reset the parent PIN"))
                self.explanation.setText(
                    self.tr(
                        "Forgot the PIN? Choose a new one of 4 to 12 digits. The history and "
                        "the rules stay as they are."
                    )
                )
            self.pin_edit.setPlaceholderText(self.tr("New PIN"))
            self.confirm_edit.setPlaceholderText(self.tr("Type the PIN again"))
            if self._mode == LoginMode.SET_PIN:
                self.setup_code_edit.setPlaceholderText(self.tr("Set-up code"))
                self.setup_help.setText(
                    self.tr(
                        "To show that you set up this PC, enter its one-time set-up code. On "
                        "the PC's administrator account, run: %1"
                    ).replace("%1", SETUP_CODE_COMMAND)
                )
            else:
                self.setup_code_edit.setPlaceholderText(self.tr("Recovery code or set-up code"))
                self.setup_help.setText(
                    self.tr(
                        "Enter the recovery code you wrote down when the PIN was set, or the "
                        "PC's one-time set-up code (on the PC's administrator account, run: %1)."
                    ).replace("%1", SETUP_CODE_COMMAND)
                )
            self.submit_button.setText(self.tr("Set PIN"))
        else:
            self.title.setText(self.tr("For parents"))
            self.explanation.setText(
                self.tr("Enter the parent PIN to see the children, the history and the rules.")
            )
            self.pin_edit.setPlaceholderText(self.tr("Parent PIN"))
            self.submit_button.setText(self.tr("Unlock"))
        self.confirm_edit.setVisible(setting_pin)
        self.setup_code_edit.setVisible(setting_pin)
        self.setup_help.setVisible(setting_pin)
        self.forgot_button.setText(self.tr("Forgot the PIN?"))
        self.forgot_button.setVisible(self._mode == LoginMode.UNLOCK)
        self.back_button.setText(self.tr("Back"))
        self.back_button.setVisible(self._mode == LoginMode.RESET_PIN)
        self.pin_edit.setAccessibleName(self.pin_edit.placeholderText())
        self.confirm_edit.setAccessibleName(self.confirm_edit.placeholderText())
        self.setup_code_edit.setAccessibleName(self.setup_code_edit.placeholderText())
        self.message.setText(self._message())
        # Every message but "Checking…" says what went wrong: red where the theme lets it.
        apply_meaning(self.message, None if self._busy else Meaning.PROBLEM)
        self.message.setVisible(bool(self.message.text()))
        self._update_enabled()

    def _message(self) -> str:
        kind = self._message_kind
        if self._busy:
            return self.tr("Checking…")
        if kind == "wrong_pin":
            if self._tries_left is None:
                return self.tr("Wrong PIN.")
            return self.tr("Wrong PIN. %n try(s) left before a lockout.", None, self._tries_left)
        if kind == "locked":
            if self._locked_until_s <= 0:
                return ""
            return self.tr("Too many wrong tries. Try again in %1.").replace(
                "%1", format_seconds_wait(self._locked_until_s)
            )
        if kind == "wrong_setup_code" and self._mode == LoginMode.RESET_PIN:
            if self._code_tries_left is None:
                return self.tr("Wrong code.")
            tries = self._code_tries_left
            return self.tr("Wrong code. %n try(s) left before a lockout.", None, tries)
        if kind == "wrong_setup_code":
            if self._code_tries_left is None:
                return self.tr("Enter the set-up code of this PC.")
            return self.tr(
                "Wrong set-up code. %n try(s) left before a lockout.", None, self._code_tries_left
            )
        if kind == "no_setup_code":
            return self.tr("Enter the set-up code of this PC.")
        if kind == "too_short":
            return self.tr("A PIN has 4 to 12 digits.")
        if kind == "mismatch":
            return self.tr("The two PINs are not the same. Type them again.")
        if kind.startswith("error:"):
            return self.tr("Something went wrong: %1").replace("%1", kind[len("error:") :])
        return ""


__all__ = ["PIN_MAX_DIGITS", "PIN_MIN_DIGITS", "SETUP_CODE_COMMAND", "LoginMode", "LoginPage"]
