"""The parent's first page, "Tổng quan": today for each child at a glance, whether the
PC's protection is whole, and today's alerts. A thin view over
:class:`~gui.pages_models.OverviewModel`; every state has a mark and words."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.colours import Meaning
from gui.event_words import event_text
from gui.labels import local_timezone
from gui.pages_backend import FamilyOverview
from gui.pages_models import ChildCard, OverviewModel, StatusLine
from gui.views.contrast import apply_meaning

CARD_COLUMNS = 2


def _label(parent: QWidget, name: str = "") -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # children's app and site names as they are
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                  | Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if name:
        label.setObjectName(name)
    return label


def _show_status(label: QLabel, line: StatusLine) -> None:
    label.setText(line.shown)
    label.setAccessibleName(line.shown)
    # Whole or not known: the mark says it, no alarm; a problem stands out in bold.
    apply_meaning(label, None if line.ok or line.ok is None else Meaning.PROBLEM, bold=True)


class ChildCardBox(QGroupBox):
    """One child's day: time, apps, sites, blocks, what waits, protection."""

    open_requests = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overviewChild")
        self.used_label = _label(self, "overviewUsed")
        self.left_label = _label(self, "overviewLeft")
        self.apps_caption, self.apps_label = _label(self), _label(self, "overviewApps")
        self.sites_caption, self.sites_label = _label(self), _label(self, "overviewSites")
        self.blocked_label = _label(self, "overviewBlocked")
        self.waiting_label = _label(self, "overviewWaiting")
        self.watch_label = _label(self, "overviewWatch")
        self.requests_button = QPushButton(self)
        self.requests_button.setObjectName("overviewOpenRequests")
        self.requests_button.clicked.connect(self.open_requests)
        self.protection_labels: list[QLabel] = []
        form = QFormLayout()
        form.addRow(self.used_label)
        form.addRow(self.left_label)
        form.addRow(self.apps_caption, self.apps_label)
        form.addRow(self.sites_caption, self.sites_label)
        form.addRow(self.blocked_label)
        form.addRow(self.waiting_label)
        form.addRow(self.watch_label)
        self.protection_box = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(self.protection_box)
        layout.addWidget(self.requests_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.retranslate()

    def show_card(self, card: ChildCard) -> None:
        self.setTitle(card.child)
        self.used_label.setText(card.used)
        self.left_label.setText(card.left)
        self.apps_label.setText(card.apps)
        self.sites_label.setText(card.sites)
        self.blocked_label.setText(card.blocked)
        self.waiting_label.setText(card.waiting)
        self.watch_label.setText(card.watch_note)
        self.watch_label.setVisible(bool(card.watch_note))
        lines = card.shown_lines()
        while len(self.protection_labels) < len(lines):
            label = _label(self, "overviewProtection")
            self.protection_labels.append(label)
            self.protection_box.addWidget(label)
        for label, line in zip(self.protection_labels, lines, strict=False):
            _show_status(label, line)
        self.setAccessibleName(
            self.tr("%1: protection whole").replace("%1", card.child)
            if card.protected
            else self.tr("%1: protection needs a look").replace("%1", card.child)
        )

    def retranslate(self) -> None:
        self.apps_caption.setText(self.tr("Apps:"))
        self.sites_caption.setText(self.tr("Websites:"))
        self.requests_button.setText(self.tr("See requests and alerts"))
        self.requests_button.setAccessibleName(self.tr("See requests and alerts"))


class OverviewPage(QWidget):
    open_requests = Signal()

    def __init__(self, parent: QWidget | None = None, *, timezone: tzinfo | None = None) -> None:
        super().__init__(parent)
        self.model = OverviewModel(self)
        self._zone = timezone or local_timezone()
        self._unavailable = False
        self.heading = _label(self, "overviewHeading")
        self.pc_labels = [_label(self, "overviewPc"), _label(self, "overviewPc")]
        self.empty_label = _label(self, "overviewEmpty")
        self.alerts_box = QGroupBox(self)
        self.alerts_box.setObjectName("overviewAlerts")
        self.alerts_label = _label(self.alerts_box, "overviewAlertList")
        QVBoxLayout(self.alerts_box).addWidget(self.alerts_label)
        self.cards: list[ChildCardBox] = []
        self._cards_host = QWidget(self)
        self._grid = QGridLayout(self._cards_host)
        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.heading)
        for label in self.pc_labels:
            body_layout.addWidget(label)
        body_layout.addWidget(self.empty_label)
        body_layout.addWidget(self._cards_host)
        body_layout.addWidget(self.alerts_box)
        body_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self._scroll = scroll
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.retranslate()

    # Data in.
    def show_overview(self, overview: FamilyOverview | None) -> None:
        self._unavailable = False
        self.model.set_overview(overview)
        self._render()

    def show_unavailable(self) -> None:
        self._unavailable = True
        self.model.set_overview(None)
        self._render()

    def set_timezone(self, zone: tzinfo) -> None:
        self._zone = zone
        self._render()

    def clear(self) -> None:
        self.show_overview(None)

    def _render(self) -> None:
        cards = self.model.cards()
        while len(self.cards) < len(cards):
            box = ChildCardBox(self._cards_host)
            box.open_requests.connect(self.open_requests)
            # A card made later would come last in the window's Tab order: keep the page's.
            previous = self.cards[-1].requests_button if self.cards else self._scroll
            QWidget.setTabOrder(previous, box.requests_button)
            index = len(self.cards)
            self._grid.addWidget(box, index // CARD_COLUMNS, index % CARD_COLUMNS)
            self.cards.append(box)
        for box, card in zip(self.cards, cards, strict=False):
            box.show_card(card)
        for number, box in enumerate(self.cards):
            box.setVisible(number < len(cards))
        lines = self.model.pc_lines()
        for label, line in zip(self.pc_labels, lines, strict=False):
            _show_status(label, line)
        for label in self.pc_labels:
            label.setVisible(bool(lines))
        overview = self.model.overview
        if overview is not None:
            self.heading.setText(self.tr("Today, %1").replace("%1", f"{overview.date:%d/%m/%Y}"))
        else:
            self.heading.setText(self.tr("Today"))
        if self._unavailable:
            self.empty_label.setText(self.tr("This version of Bảo An cannot show the overview."))
        elif overview is None:
            self.empty_label.setText(self.tr("Loading…"))
        else:
            self.empty_label.setText(self.tr("No child is set up yet."))
        self.empty_label.setVisible(not cards)
        alerts = self.model.alerts()
        self.alerts_box.setVisible(bool(alerts))
        self.alerts_label.setText(
            "\n".join(
                f"⚠ {alert.time.astimezone(self._zone):%H:%M} {event_text(alert, self._zone)}"
                for alert in alerts
            )
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.PaletteChange:
            self._render()  # a problem's colour follows the theme
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.alerts_box.setTitle(self.tr("Today's alerts"))
        for box in self.cards:
            box.retranslate()
        self._render()


