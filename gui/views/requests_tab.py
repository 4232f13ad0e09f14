"""The parent's "Yêu cầu" tab: a child's requests to open a blocked site, and the answers.

A thin view: it shows :class:`~gui.models.RequestsTableModel` and the selected request,
and emits what the parent chose; the controller talks to the agent. The child's words are
always shown as plain text (``Qt.TextFormat.PlainText``), never as rich text.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.backend import AccessRequest, BackendError, RequestsSnapshot
from gui.colours import Meaning
from gui.models import RECORD_ROLE, RequestRow, RequestsTableModel
from gui.views.common import make_table
from gui.views.contrast import apply_meaning

# The approvals a parent picks from, in minutes (docs/dashboard.md).
ALLOW_CHOICES = (30, 60, 120)



class RequestsTab(QWidget):
    """The requests table, the selected request in full, and the parent's answers."""

    decision_requested = Signal(str, bool, int)  # request id, allow, minutes (0 to deny)
    end_of_day_requested = Signal(str)  # request id: allow until midnight
    revoke_requested = Signal(str)  # request id

    def __init__(self, model: RequestsTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._selected_id: str | None = None
        self._busy_ids: set[str] = set()
        self._unavailable = False

        self.count_label = QLabel(self)
        self.count_label.setObjectName("requestsCount")
        self.count_label.setWordWrap(True)
        self.table = make_table(model, self, stretch=RequestsTableModel.REASON)
        self.table.setObjectName("requestsTable")
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        model.modelAboutToBeReset.connect(self._remember_selection)
        model.modelReset.connect(self._restore_selection)
        model.dataChanged.connect(lambda *_: self._show_selected())

        self.detail_box = QGroupBox(self)
        self.detail_box.setObjectName("requestDetail")
        self.heading_label = QLabel(self.detail_box)
        self.heading_label.setObjectName("requestHeading")
        self.reason_label = QLabel(self.detail_box)
        self.reason_label.setObjectName("requestReason")
        self.state_label = QLabel(self.detail_box)
        self.state_label.setObjectName("requestState")
        for label in (self.heading_label, self.reason_label, self.state_label):
            # The child's words and a site's name are shown as they are, never as markup.
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.allow_buttons: dict[int, QPushButton] = {}
        allow_row = QHBoxLayout()
        for minutes in ALLOW_CHOICES:
            button = QPushButton(self.detail_box)
            button.setObjectName(f"allow{minutes}Button")
            button.clicked.connect(lambda _=False, m=minutes: self._decide(True, m))
            self.allow_buttons[minutes] = button
            allow_row.addWidget(button)
        self.end_of_day_button = QPushButton(self.detail_box)
        self.end_of_day_button.setObjectName("allowTodayButton")
        self.end_of_day_button.clicked.connect(self._allow_until_end_of_day)
        allow_row.addWidget(self.end_of_day_button)
        allow_row.addStretch(1)
        self.deny_button = QPushButton(self.detail_box)
        self.deny_button.setObjectName("denyButton")
        self.deny_button.clicked.connect(lambda: self._decide(False, 0))
        self.revoke_button = QPushButton(self.detail_box)
        self.revoke_button.setObjectName("revokeButton")
        self.revoke_button.clicked.connect(self._revoke)
        other_row = QHBoxLayout()
        other_row.addWidget(self.deny_button)
        other_row.addWidget(self.revoke_button)
        other_row.addStretch(1)

        detail = QVBoxLayout(self.detail_box)
        detail.addWidget(self.heading_label)
        detail.addWidget(self.reason_label)
        detail.addWidget(self.state_label)
        detail.addLayout(allow_row)
        detail.addLayout(other_row)

        self.message_label = QLabel(self)
        self.message_label.setObjectName("requestsMessage")
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail_box)
        layout.addWidget(self.message_label)
        self.retranslate()
        self._show_selected()

    # Data in.
    def show_snapshot(self, snapshot: RequestsSnapshot) -> None:
        self._unavailable = False
        self.model.set_snapshot(snapshot)
        self._update_count()

    def show_unavailable(self) -> None:
        """The agent has no requests endpoints (an older agent)."""
        self._unavailable = True
        self.model.set_rows([])
        self._update_count()

    def show_decided(self, request: AccessRequest, action: str) -> None:
        """The agent stored an answer (`action`: ``allow``, ``deny`` or ``revoke``)."""
        self._busy_ids.discard(request.id)
        if request.kind == "time":
            text = self._time_decided_text(request, action)
        elif action == "revoke":
            text = self.tr("Revoked: %1 can no longer open %2.")
        elif request.status == "allowed" and request.allowed_until is not None:
            text = self.tr("Allowed: %1 may open %2 until %3.").replace(
                "%3", self.model.clock_text(request.allowed_until)
            )
        elif request.status == "allowed":
            text = self.tr("Allowed: %1 may open %2 until you revoke it.")
        else:
            text = self.tr("Not allowed: %1 will not see %2.")
        self._set_message(text.replace("%1", request.child).replace("%2", request.site), False)
        self._show_selected()

    def _time_decided_text(self, request: AccessRequest, action: str) -> str:
        # A request for more time: the minutes given, not a site opened.
        if action == "revoke":
            return self.tr("Revoked: %1 has no more extra time today.")
        if request.status == "allowed" and request.allowed_until is not None:
            given = round((request.allowed_until - (request.decided_at or request.created_at))
                          .total_seconds() / 60)
            return self.tr("Allowed: %1 has %2 more minutes today.").replace("%2", str(given))
        return self.tr("Not allowed: %1 gets no more time today.")

    def show_action_error(self, request_id: str, error: BackendError) -> None:
        """A decision or revoke failed: say why in words."""
        self._busy_ids.discard(request_id)
        if error.code == "already_decided":
            text = self.tr(
                "This request was already answered, perhaps on another device. The list now"
                " shows that answer."
            )
        elif error.code == "unreachable":
            text = self.tr(
                "Bảo An is not answering, so nothing was changed. Try again in a moment."
            )
        elif error.code == "not_found":
            text = self.tr("This request no longer exists.")
        else:
            text = self.tr("Your answer could not be saved (%1). Try again.").replace(
                "%1", error.code
            )
        self._set_message(text, True)
        self._show_selected()

    def clear(self) -> None:
        self._busy_ids.clear()
        self._selected_id = None
        self.model.set_rows([])
        self.message_label.clear()
        self._update_count()
        self._show_selected()

    # The parent's choices.
    def selected_row(self) -> RequestRow | None:
        if self._selected_id is None:
            return None
        position = self.model.row_of(self._selected_id)
        if position < 0:
            return None
        row = self.model.data(self.model.index(position, 0), RECORD_ROLE)
        return row if isinstance(row, RequestRow) else None

    def select_request(self, request_id: str) -> bool:
        position = self.model.row_of(request_id)
        if position < 0:
            return False
        proxy = self.table.model()
        index = proxy.mapFromSource(self.model.index(position, 0))  # type: ignore[attr-defined]
        self.table.selectRow(index.row())
        return True

    def _decide(self, allow: bool, minutes: int) -> None:
        row = self.selected_row()
        if row is None or row.state != "pending":
            return
        self._start(row.request.id)
        self.decision_requested.emit(row.request.id, allow, minutes)

    def _allow_until_end_of_day(self) -> None:
        row = self.selected_row()
        if row is None or row.state != "pending":
            return
        self._start(row.request.id)
        self.end_of_day_requested.emit(row.request.id)

    def _revoke(self) -> None:
        row = self.selected_row()
        if row is None or row.state != "allowed":
            return
        self._start(row.request.id)
        self.revoke_requested.emit(row.request.id)

    def _start(self, request_id: str) -> None:
        self._busy_ids.add(request_id)
        self._set_message(self.tr("Sending your answer…"), False)
        self._show_selected()

    # Selection.
    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        self._selected_id = self._id_at(rows[0]) if rows else None
        self._show_selected()

    def _id_at(self, proxy_index: QModelIndex) -> str | None:
        row = proxy_index.data(RECORD_ROLE)
        return row.request.id if isinstance(row, RequestRow) else None

    def _remember_selection(self) -> None:
        self._kept_id = self._selected_id

    def _restore_selection(self) -> None:
        # A reset (new rows) drops Qt's selection; keep the parent's by request id, and
        # otherwise offer the newest waiting request.
        kept = getattr(self, "_kept_id", None)
        if kept is not None and self.select_request(kept):
            return
        if self.model.rowCount() and self.model.waiting_count():
            self.table.selectRow(0)
        else:
            self._selected_id = None
            self._show_selected()

    def _show_selected(self) -> None:
        row = self.selected_row()
        pending = row is not None and row.state == "pending"
        busy = row is not None and row.request.id in self._busy_ids
        for button in (*self.allow_buttons.values(), self.end_of_day_button, self.deny_button):
            button.setEnabled(pending and not busy)
        self.revoke_button.setEnabled(row is not None and row.state == "allowed" and not busy)
        if row is None:
            self.heading_label.setText(self.tr("Pick a request in the list to answer it."))
            self.reason_label.clear()
            self.reason_label.setVisible(False)
            self.state_label.clear()
            return
        request = row.request
        self.heading_label.setText(self.model.heading_text(request))
        self.reason_label.setVisible(True)
        if request.reason:
            self.reason_label.setText(self.tr("Reason: %1").replace("%1", request.reason))
        else:
            self.reason_label.setText(self.tr("(no reason given)"))
        self.state_label.setText(self.model.state_text(row))

    def _update_count(self) -> None:
        if self._unavailable:
            self.count_label.setText(self.tr("This Bảo An agent does not take requests yet."))
            return
        waiting = self.model.waiting_count()
        if waiting:
            self.count_label.setText(
                self.tr("%n request(s) waiting for your answer.", None, waiting)
            )
        else:
            self.count_label.setText(self.tr("No request is waiting for your answer."))

    def _set_message(self, text: str, error: bool) -> None:
        apply_meaning(self.message_label, Meaning.PROBLEM if error else Meaning.DONE)
        self.message_label.setText(text)

    def retranslate(self) -> None:
        self.detail_box.setTitle(self.tr("Selected request"))
        # Each answer has its mnemonic (Alt and the underlined letter or digit).
        labels = {
            30: self.tr("Allow &30 minutes"),
            60: self.tr("Allow &1 hour"),
            120: self.tr("Allow &2 hours"),
        }
        for minutes, button in self.allow_buttons.items():
            button.setText(labels[minutes])
        self.end_of_day_button.setText(self.tr("Allow until the &end of today"))
        self.deny_button.setText(self.tr("Do &not allow"))
        self.revoke_button.setText(self.tr("&Revoke now"))
        self._update_count()
        self._show_selected()
