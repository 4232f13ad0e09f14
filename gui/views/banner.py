"""The strip at the top: is the agent reachable, which version, is DNS filtering, which lists."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QLocale, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.backend import AgentStatus
from gui.colours import Meaning
from gui.controller import Connection
from gui.labels import category_label
from gui.views.contrast import banner_style, ground_palette

# Each state has a mark and words; its tint follows the theme (gui.views.contrast).
_MEANINGS: dict[str, Meaning | None] = {
    "connecting": None,
    "ok": Meaning.DONE,
    "warning": Meaning.WAITING,
    "error": Meaning.PROBLEM,
}
_MARKS = {"connecting": "…", "ok": "✔", "warning": "⚠", "error": "✖"}


class StatusBanner(QFrame):
    """Shows the public status; it never needs the PIN."""

    def __init__(self, agent_address: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBanner")
        self._agent_address = agent_address
        self._connection = Connection.CONNECTING
        self._status: AgentStatus | None = None
        self._error = ""
        self._style = ""
        self.mark = QLabel(self)
        self.mark.setObjectName("bannerMark")
        self.mark.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.headline = QLabel(self)
        self.headline.setObjectName("bannerHeadline")
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.headline.setFont(font)
        self.mark.setFont(font)
        self.details = QLabel(self)
        self.details.setObjectName("bannerDetails")
        self.details.setWordWrap(True)
        words = QVBoxLayout()
        words.setSpacing(4)
        words.addWidget(self.headline)
        words.addWidget(self.details)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(8)
        layout.addWidget(self.mark)
        layout.addLayout(words, 1)
        self._render()

    @property
    def state(self) -> str:
        """``connecting``, ``ok``, ``warning`` or ``error`` (also the banner's colour)."""
        return self._state

    def show_connection(self, connection: Connection) -> None:
        self._connection = connection
        self._render()

    def show_status(self, status: AgentStatus) -> None:
        self._status = status
        self._connection = Connection.CONNECTED
        self._error = ""
        self._render()

    def show_unreachable(self, error: str) -> None:
        self._connection = Connection.UNREACHABLE
        self._error = error
        self._render()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self._render()
        elif event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_style()  # a theme changed: the tint follows
        super().changeEvent(event)

    def _apply_style(self) -> None:
        style = banner_style("#statusBanner", _MEANINGS[self._state], ground_palette(self))
        if style != self._style:  # setting it again would come back as a palette change
            self._style = style
            self.setStyleSheet(style)

    def _render(self) -> None:
        status = self._status
        if self._connection == Connection.UNREACHABLE:
            self._state = "error"
            self.headline.setText(
                self.tr("Cannot reach Bảo An at %1.").replace("%1", self._agent_address)
            )
            self.details.setText(
                self.tr("Check that the Bảo An service is running. The dashboard keeps trying.")
            )
            self.setToolTip(self._error)
        elif self._connection == Connection.CONNECTING or status is None:
            self._state = "connecting"
            self.headline.setText(
                self.tr("Connecting to Bảo An at %1…").replace("%1", self._agent_address)
            )
            self.details.setText("")
            self.setToolTip("")
        else:
            self._render_status(status)
        self.mark.setText(_MARKS[self._state])
        self._apply_style()

    def _render_status(self, status: AgentStatus) -> None:
        locale = QLocale()
        lines: list[str] = []
        if status.dns_listening:
            lines.append(
                self.tr("Web filter listening on %1").replace("%1", ", ".join(status.dns_listening))
            )
        else:
            lines.append(self.tr("The web filter is not listening: websites are not filtered."))
        count_text = locale.toString(status.total_list_entries)
        lines.append(
            self.tr("%n block list(s)", None, len(status.lists))
            + " · "
            + self.tr("%1 blocked names").replace("%1", count_text)
        )
        if status.policy_error:
            lines.append(
                self.tr(
                    "The family settings file has an error; the last good ones stay: %1"
                ).replace("%1", status.policy_error)
            )
        self.details.setText("\n".join(lines))
        self.setToolTip(
            "\n".join(
                f"{category_label(item.category)}: {locale.toString(item.count)} ({item.source})"
                for item in status.lists
            )
        )
        if not status.dns_listening or status.policy_error:
            self._state = "warning"
            self.headline.setText(
                self.tr("Bảo An is running, but needs attention · version %1").replace(
                    "%1", status.version
                )
            )
        else:
            self._state = "ok"
            self.headline.setText(
                self.tr("Bảo An is protecting this computer · version %1").replace(
                    "%1", status.version
                )
            )
