"""The tray's windows: Help / 111, "Báo điều xấu" and "What Bảo An watches".

The Help and report windows need nothing from the agent: their words are the tray's own,
so 111 and vn-cop.vn are on screen the moment the child asks, whether or not the agent
answers, and opening them tells nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.tray.backend import (
    HOTLINE_SITE,
    HOTLINE_TEL,
    VNCOP_REPORT,
    HelpOutcome,
    ReportOutcome,
    WatchNotice,
)

UrlOpener = Callable[[QUrl], object]
YOUNG_BANDS = frozenset({"0-5", "6-10"})  # the tray profile's age bands with short words


class HelpDialog(QDialog):
    """111 first: its official name, "from any phone", the call button and its site. It
    tells nobody: telling the parents is its own button (`tell_requested`), pressed only
    if the child wants to — a child who needs 111 because of someone at home must be able
    to see it without that person knowing. "Báo điều xấu" (from 11) opens the report
    window (`report_requested`)."""

    tell_requested = Signal()
    report_requested = Signal()

    def __init__(self, open_url: UrlOpener, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._open_url = open_url
        self.setObjectName("helpDialog")
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self.heading = QLabel(self)
        self.heading.setObjectName("hotlineName")
        self.heading.setWordWrap(True)
        heading_font = QFont(self.heading.font())
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.3)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        self.any_phone = QLabel(self)
        self.any_phone.setObjectName("anyPhone")
        self.any_phone.setWordWrap(True)
        any_phone_font = QFont(self.any_phone.font())
        any_phone_font.setBold(True)
        self.any_phone.setFont(any_phone_font)
        self.call_button = QPushButton(self)
        self.call_button.setObjectName("call111")
        call_font = QFont(self.call_button.font())
        call_font.setPointSizeF(call_font.pointSizeF() * 1.6)
        call_font.setBold(True)
        self.call_button.setFont(call_font)
        self.call_button.setMinimumHeight(56)
        self.call_button.setDefault(True)
        self.call_button.clicked.connect(lambda: self._open_url(QUrl(HOTLINE_TEL)))
        self.body = QLabel(self)
        self.body.setWordWrap(True)
        self.site_button = QPushButton(self)
        self.site_button.setObjectName("site111")
        self.site_button.setFlat(True)
        self.site_button.clicked.connect(lambda: self._open_url(QUrl(HOTLINE_SITE)))
        self.report_button = QPushButton(self)
        self.report_button.setObjectName("reportBad")
        self.report_button.clicked.connect(self.report_requested.emit)
        self.tell_button = QPushButton(self)
        self.tell_button.setObjectName("tellParents")
        self.tell_button.clicked.connect(self.tell_requested.emit)
        self.status = QLabel(self)
        self.status.setObjectName("helpStatus")
        self.status.setWordWrap(True)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.tell_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.any_phone)
        layout.addWidget(self.call_button)
        layout.addWidget(self.body)
        layout.addWidget(self.site_button)
        layout.addWidget(self.report_button)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._state = "idle"
        self._receivers: int | None = None
        self._young = False
        self.setMinimumWidth(420)
        self.retranslate()

    @property
    def state(self) -> str:
        """idle, sending, alerted, already_told (told a few minutes ago: nothing new
        sent), busy (not sent now), off (help alerts off), nobody (no one set up to receive
        them) or offline."""
        return self._state

    def set_options(
        self, *, can_tell: bool, can_report: bool, receivers: int | None = None
    ) -> None:
        """Whether "tell my parents" and "Báo điều xấu" are offered (from the agent's
        profile: help alerts on; the child is 11 or more), and how many caregivers an
        alert would reach (0: nobody is set up, and the window says so)."""
        self._receivers = receivers
        self.tell_button.setVisible(can_tell and receivers != 0)
        self.report_button.setVisible(can_report)
        if can_tell and receivers == 0 and self._state == "idle":
            self._state = "nobody"
            self._show_state()

    def reset(self) -> None:
        self._state = "idle"
        self.tell_button.setEnabled(True)
        self._show_state()

    def set_sending(self) -> None:
        self._state = "sending"
        self.tell_button.setEnabled(False)
        self._show_state()

    def set_outcome(self, outcome: HelpOutcome, age_band: str | None = None) -> None:
        """What the agent said; `age_band` (the tray profile's) picks the words."""
        self._young = age_band in YOUNG_BANDS
        if outcome.receivers is not None:
            self._receivers = outcome.receivers
        if not outcome.alerts_enabled:
            self._state = "off"
        elif outcome.receivers == 0:
            self._state = "nobody"  # on, but nobody is set up to receive it
        elif outcome.already_told:
            self._state = "already_told"
        elif outcome.alerted:
            self._state = "alerted"
        else:
            self._state = "busy"
        self.tell_button.setEnabled(self._state == "busy")
        self._show_state()

    def set_offline(self) -> None:
        self._state = "offline"
        self.tell_button.setEnabled(True)
        self._show_state()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Help / 111"))
        self.heading.setText(self.tr("111, Vietnam's national child protection phone line"))
        self.any_phone.setText(self.tr("From any phone, call 111 — free, day and night."))
        self.body.setText(
            self.tr(
                "Call if you are scared, sad, bullied, threatened or hurt, online or offline. "
                "Nobody at home is told. You can also talk to an adult you trust."
            )
        )
        self.call_button.setText(self.tr("Call 111"))
        self.call_button.setAccessibleName(self.tr("Call the 111 hotline"))
        self.site_button.setText(self.tr("tongdai111.vn — the 111 hotline's site"))
        self.report_button.setText(self.tr("Report something bad (vn-cop.vn)"))
        self.tell_button.setText(self.tr("Tell my parents"))
        self.close_button.setText(self.tr("Close"))
        self._show_state()

    def _show_state(self) -> None:
        texts = {
            "idle": "",
            "sending": self.tr("Sending a message to your parents…"),
            "alerted": (
                self.tr("Bảo An sent your parents a message.")
                if not self._receivers
                else self.tr(
                    "Your message is on its way to %1 of your family. While you wait, you can "
                    "still call 111."
                ).replace("%1", str(self._receivers))
            ),
            "nobody": self.tr(
                "Nobody in your family is set up to get messages on this computer yet, so "
                "opening this tells nobody. If you need help, call 111 or find an adult you "
                "trust nearby."
            ),
            "already_told": (
                self.tr("Bảo An already sent your family a message. You can call 111 too.")
                if self._young
                else self.tr(
                    "Your family was sent a message a few minutes ago, so Bảo An did not "
                    "send another. You can call 111 now too."
                )
            ),
            "busy": self.tr(
                "Bảo An could not send the message just now. Call 111, or find an adult "
                "you trust nearby."
            ),
            "off": self.tr(
                "Help messages are turned off on this computer, so nobody was told. Call "
                "111, or find an adult you trust nearby."
            ),
            "offline": self.tr(
                "Bảo An is not answering right now, so nobody was told. 111 always answers."
            ),
        }
        self.status.setText(texts.get(self._state, ""))
        self.status.setVisible(bool(texts.get(self._state, "")))


class ReportDialog(QDialog):
    """"Báo điều xấu": vn-cop.vn, where the child reports bullying, grooming or abuse
    online themselves (that tells nobody at home), and "Tell my parents", pressed only if
    the child wants to (`tell_requested`): an alert of its own kind, saying only that the
    child wants to report something bad — never the Help alert, never a page they opened.
    111 is there too."""

    tell_requested = Signal()
    help_requested = Signal()

    def __init__(self, open_url: UrlOpener, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._open_url = open_url
        self.setObjectName("reportDialog")
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self.heading = QLabel(self)
        self.heading.setObjectName("reportHeading")
        heading_font = QFont(self.heading.font())
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.3)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.vncop_button = QPushButton(self)
        self.vncop_button.setObjectName("openVnCop")
        self.vncop_button.setMinimumHeight(44)
        self.vncop_button.setDefault(True)
        self.vncop_button.clicked.connect(lambda: self._open_url(QUrl(VNCOP_REPORT)))
        self.tell_note = QLabel(self)
        self.tell_note.setWordWrap(True)
        self.tell_button = QPushButton(self)
        self.tell_button.setObjectName("reportTellParents")
        self.tell_button.clicked.connect(self.tell_requested.emit)
        self.status = QLabel(self)
        self.status.setObjectName("reportStatus")
        self.status.setWordWrap(True)
        self.hotline = QLabel(self)
        self.hotline.setObjectName("reportHotline")
        self.hotline.setWordWrap(True)
        self.help_button = QPushButton(self)
        self.help_button.setObjectName("reportHelp")
        self.help_button.clicked.connect(self.help_requested.emit)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.tell_button)
        buttons.addStretch(1)
        buttons.addWidget(self.help_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.vncop_button)
        layout.addWidget(self.tell_note)
        layout.addWidget(self.status)
        layout.addWidget(self.hotline)
        layout.addLayout(buttons)
        self._state = "idle"
        self._receivers: int | None = None
        self.setMinimumWidth(420)
        self.retranslate()

    @property
    def state(self) -> str:
        """idle, sending, alerted, already_told (told a few minutes ago: nothing new sent),
        busy (not sent now), nobody (no one set up to receive it), no_child (the agent
        does not know whose tray this is), failed (refused) or offline."""
        return self._state

    def set_options(self, *, receivers: int | None) -> None:
        """How many caregivers the alert would reach (None: not known, the agent has not
        answered; 0: nobody is set up, and the window says so instead of offering it)."""
        self._receivers = receivers
        self.tell_button.setVisible(receivers != 0)
        self.tell_note.setVisible(receivers != 0)
        if receivers == 0 and self._state == "idle":
            self._state = "nobody"
            self._show_state()

    def reset(self) -> None:
        self._state = "idle"
        self.tell_button.setEnabled(True)
        self._show_state()

    def set_sending(self) -> None:
        self._state = "sending"
        self.tell_button.setEnabled(False)
        self._show_state()

    def set_outcome(self, outcome: ReportOutcome) -> None:
        self._receivers = outcome.receivers
        if outcome.child is None:
            self._state = "no_child"
        elif outcome.receivers == 0:
            self._state = "nobody"
        elif outcome.already_told:
            self._state = "already_told"
        elif outcome.alerted:
            self._state = "alerted"
        else:
            self._state = "busy"
        self.tell_button.setEnabled(self._state == "busy")
        self._show_state()

    def set_failed(self, offline: bool) -> None:
        self._state = "offline" if offline else "failed"
        self.tell_button.setEnabled(True)
        self._show_state()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Report something bad"))
        self.heading.setText(self.tr("Report something bad"))
        self.intro.setText(
            self.tr(
                "Did you see someone bullied, groomed or abused online — or did it happen to "
                "you? You can report it yourself on vn-cop.vn, without asking anyone. That "
                "tells nobody at home."
            )
        )
        self.vncop_button.setText(self.tr("Open vn-cop.vn's report page"))
        self.tell_note.setText(
            self.tr(
                "If you want your parents to know too, press “Tell my parents”. The message "
                "says only that you want to report something bad, never which pages you "
                "opened."
            )
        )
        self.tell_button.setText(self.tr("Tell my parents"))
        self.hotline.setText(
            self.tr("111, Vietnam's national child protection phone line")
            + " — "
            + self.tr("From any phone, call 111 — free, day and night.")
        )
        self.help_button.setText(self.tr("Help / 111"))
        self.close_button.setText(self.tr("Close"))
        self._show_state()

    def _show_state(self) -> None:
        texts = {
            "idle": "",
            "sending": self.tr("Sending a message to your parents…"),
            "alerted": self.tr(
                "Your message is on its way to %1 of your family: that you want to report "
                "something bad you met online. While you wait, you can still report it on "
                "vn-cop.vn or call 111."
            ).replace("%1", str(self._receivers or 0)),
            "nobody": self.tr(
                "Nobody in your family is set up to get messages on this computer yet, so "
                "Bảo An cannot tell your parents for you. Call 111, or find an adult you "
                "trust nearby."
            ),
            "already_told": self.tr(
                "Your family was sent a message a few minutes ago, so Bảo An did not send "
                "another. You can still report it on vn-cop.vn or call 111."
            ),
            "busy": self.tr(
                "Bảo An could not send the message just now. Call 111, or find an adult "
                "you trust nearby."
            ),
            "no_child": self.tr(
                "This computer does not know who you are yet, so nobody was told. Call 111, "
                "or find an adult you trust nearby."
            ),
            "failed": self.tr(
                "Bảo An could not send the message, so nobody was told. Call 111, or find "
                "an adult you trust nearby."
            ),
            "offline": self.tr(
                "Bảo An is not answering right now, so nobody was told. 111 always answers."
            ),
        }
        self.status.setText(texts.get(self._state, ""))
        self.status.setVisible(bool(texts.get(self._state, "")))


class WatchDialog(QDialog):
    """ "What Bảo An watches" in the agent's words for this child, with a real choice when
    the notice offers one: "I agree" or "I don't agree yet / I want to talk with my
    parents" (protection stays on either way; the parents are told and asked to talk).
    The youngest get "I understand". "Later" answers nothing; it comes back next time."""

    acknowledge_requested = Signal(str)  # "agree", "disagree" or "acknowledged"

    def __init__(self, notice: WatchNotice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("watchDialog")
        self.notice = notice
        self.text = QLabel(self)
        self.text.setObjectName("watchText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setVisible(False)
        self.understood_button = QPushButton(self)
        self.understood_button.setObjectName("understood")
        self.understood_button.setDefault(True)
        self.understood_button.clicked.connect(self._on_understood)
        self.disagree_button = QPushButton(self)
        self.disagree_button.setObjectName("disagree")
        self.disagree_button.clicked.connect(self._on_disagree)
        self.later_button = QPushButton(self)
        self.later_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.later_button)
        buttons.addStretch(1)
        buttons.addWidget(self.disagree_button)
        buttons.addWidget(self.understood_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.setMinimumWidth(480)
        self.set_notice(notice)
        self.retranslate()

    @property
    def choice(self) -> bool:
        return self.notice.choice

    def set_notice(self, notice: WatchNotice) -> None:
        self.notice = notice
        self.setWindowTitle(notice.title)
        self.text.setText(render_notice(notice))
        self.disagree_button.setVisible(notice.choice)
        self.retranslate()

    def set_saving(self) -> None:
        self.understood_button.setEnabled(False)
        self.disagree_button.setEnabled(False)
        self.status.setVisible(False)

    def set_failed(self) -> None:
        self.understood_button.setEnabled(True)
        self.disagree_button.setEnabled(True)
        self.status.setText(self.tr("That could not be saved. Please try again in a moment."))
        self.status.setVisible(True)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        if self.notice.choice:
            self.understood_button.setText(self.tr("I agree"))
        else:
            self.understood_button.setText(self.tr("I understand"))
        self.disagree_button.setText(self.tr("I don't agree yet / I want to talk with my parents"))
        self.later_button.setText(self.tr("Later"))

    def _on_understood(self) -> None:
        self.set_saving()
        self.acknowledge_requested.emit("agree" if self.notice.choice else "acknowledged")

    def _on_disagree(self) -> None:
        self.set_saving()
        self.acknowledge_requested.emit("disagree")


def _escape(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def render_notice(notice: WatchNotice) -> str:
    """The notice as simple rich text; every value is escaped."""

    def section(heading: str, items: Iterable[str]) -> str:
        bullets = "".join(f"<li>{_escape(item)}</li>" for item in items)
        return f"<h3>{_escape(heading)}</h3><ul>{bullets}</ul>"

    leaves = section(notice.leaves_heading, notice.leaves) if notice.leaves else ""
    rights = (
        f"<h3>{_escape(notice.rights_heading)}</h3><p>{_escape(notice.rights)}</p>"
        if notice.rights
        else ""
    )
    return (
        f"<h2>{_escape(notice.title)}</h2><p>{_escape(notice.intro)}</p>"
        + section(notice.recorded_heading, notice.recorded)
        + section(notice.not_recorded_heading, notice.not_recorded)
        + leaves
        + section(notice.who_heading, notice.who)
        + rights
        + f"<p>{_escape(notice.kept)}</p>"
    )
