"""The caregivers widget's data and flow, with no widgets: who gets alerts and through what,
how their last deliveries went, whether this PC's dead-man signal reaches them, and the
"send a test alert" button (docs/api.md, "Caregivers"; docs/alerts.md).

:class:`CaregiversModel` turns what the agent said into the words the widget shows (tested
without widgets); :class:`CaregiversController` asks the agent off the UI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QObject, Signal

from gui.parent_calls import ParentCalls

log = logging.getLogger(__name__)

SUPPORT_REPLACES = "replaces"
SUPPORT_OLD_SERVER = "keeps-every-copy"
# The dead-man signal is re-published every 10 minutes; older than this, something is wrong.
SIGNAL_LATE_MINUTES = 25


@dataclass(frozen=True)
class DeadManState:
    """This PC's dead-man signal to one caregiver's ntfy topic."""

    server: str
    support: str  # "replaces", "keeps-every-copy" or "unknown"
    last_published: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class ChannelState:
    receiver: str  # "ntfy:Mẹ"
    kind: str  # "ntfy", "email" or "apprise"
    address: str
    last_delivered: datetime | None = None
    last_error: str | None = None
    refused_for_good: bool = False
    waiting: int = 0


@dataclass(frozen=True)
class CaregiverState:
    name: str
    hears: tuple[str, ...] = ()
    quiet_hours: str | None = None
    channels: tuple[ChannelState, ...] = ()
    dead_man: DeadManState | None = None


@dataclass(frozen=True)
class CaregiversSnapshot:
    pc: str
    caregivers: tuple[CaregiverState, ...] = ()


@dataclass(frozen=True)
class ChannelTest:
    receiver: str
    outcome: str  # "sent", "refused", "retry" or "not_set_up"
    detail: str = ""


@runtime_checkable
class CaregiversBackend(Protocol):
    """``GET /api/caregivers`` and ``POST /api/caregivers/test``."""

    def caregivers(self, token: str) -> CaregiversSnapshot: ...

    def send_test_alert(self, token: str) -> tuple[ChannelTest, ...]: ...


@dataclass(frozen=True)
class CaregiverRow:
    """One caregiver as the widget shows it: every cell in words."""

    name: str
    hears: str
    channels: str
    deliveries: str
    dead_man: str
    dead_man_ok: bool
    trouble: bool  # a channel refused for good, or failing now


class CaregiversModel(QObject):
    """What the agent said, in the parent's words (no widgets)."""

    def __init__(
        self,
        now: Callable[[], datetime],
        timezone: tzinfo | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._now = now
        self._timezone = timezone
        self.snapshot: CaregiversSnapshot | None = None

    def set_snapshot(self, snapshot: CaregiversSnapshot | None) -> None:
        self.snapshot = snapshot

    def set_timezone(self, zone: tzinfo | None) -> None:
        self._timezone = zone

    def rows(self) -> list[CaregiverRow]:
        if self.snapshot is None:
            return []
        return [self.row(caregiver) for caregiver in self.snapshot.caregivers]

    def heading(self) -> str:
        if self.snapshot is None:
            return self.tr("Loading the caregivers…")
        if not self.snapshot.caregivers:
            return self.tr(
                "No caregiver gets alerts from %1 yet. Add one with `baoan caregiver add`."
            ).replace("%1", self.snapshot.pc)
        return self.tr("Caregivers who get alerts from %1").replace("%1", self.snapshot.pc)

    def row(self, caregiver: CaregiverState) -> CaregiverRow:
        deliveries = [self.delivery_text(channel) for channel in caregiver.channels]
        trouble = any(
            channel.refused_for_good or channel.last_error for channel in caregiver.channels
        )
        dead_man, ok = self.dead_man_text(caregiver.dead_man)
        channels = [self.channel_text(channel) for channel in caregiver.channels]
        if caregiver.quiet_hours:
            channels.append(self.tr("Quiet hours %1 (Help still rings)").replace(
                "%1", caregiver.quiet_hours))
        return CaregiverRow(
            name=caregiver.name,
            hears=self.hears_text(caregiver.hears),
            channels="\n".join(channels) or self.tr("no channel"),
            deliveries="\n".join(deliveries) or "—",
            dead_man=dead_man,
            dead_man_ok=ok,
            trouble=trouble,
        )

    def hears_text(self, hears: Sequence[str]) -> str:
        if not hears:
            return self.tr("Every alert")
        names = {
            "help": self.tr("Help / 111"),
            "adult": self.tr("Adult content"),
            "tamper": self.tr("Protection weakened"),
            "limit": self.tr("Screen time used up"),
            "requests": self.tr("The children's requests"),
            "paused": self.tr("Protection paused"),
        }
        shown = [names.get(kind, kind) for kind in hears]
        if "help" not in hears:  # Help always reaches everyone
            shown.insert(0, names["help"])
        return ", ".join(shown)

    def channel_text(self, channel: ChannelState) -> str:
        kinds = {
            "ntfy": self.tr("ntfy (phone)"),
            "email": self.tr("Email"),
            "apprise": self.tr("Apprise"),
        }
        kind = kinds.get(channel.kind, channel.kind)
        return f"{kind}: {channel.address}" if channel.address else kind

    def delivery_text(self, channel: ChannelState) -> str:
        if channel.refused_for_good:
            text = self.tr("Refused, not retried: %1").replace(
                "%1", channel.last_error or self.tr("no reason given"))
        elif channel.last_error:
            text = self.tr("Failing, Bảo An keeps trying: %1").replace("%1", channel.last_error)
        elif channel.last_delivered is not None:
            text = self.tr("Last delivered %1").replace("%1", self.when(channel.last_delivered))
        else:
            text = self.tr("Nothing sent yet")
        if channel.waiting:
            text += " · " + self.tr("%n waiting", None, channel.waiting)
        return text

    def dead_man_text(self, state: DeadManState | None) -> tuple[str, bool]:
        """The dead-man signal's state in words, and whether it works."""
        if state is None:
            return self.tr("No signal: needs an ntfy channel"), False
        if state.support == SUPPORT_OLD_SERVER:
            return self.tr(
                "No signal: the ntfy server is older than 2.16, so this caregiver is not told "
                "when this PC stops reporting. Upgrade the server."
            ), False
        if state.support != SUPPORT_REPLACES:
            text = self.tr("Not checked yet: cannot tell whether the server carries the signal")
            if state.last_error:
                text += f" ({state.last_error})"
            return text, False
        if state.last_published is None:
            return self.tr("Works (ntfy 2.16 or later); not published yet"), True
        late = (self._now() - state.last_published).total_seconds() > SIGNAL_LATE_MINUTES * 60
        text = self.tr("Works: last re-published %1").replace(
            "%1", self.when(state.last_published))
        if state.last_error:
            text += " · " + self.tr("last try failed: %1").replace("%1", state.last_error)
        return text, not late and not state.last_error

    def test_text(self, checks: Sequence[ChannelTest]) -> tuple[str, bool]:
        """What the test alert did, one line per channel; and whether every channel took it."""
        if not checks:
            return self.tr("No caregiver to send a test alert to."), False
        words = {
            "sent": self.tr("sent"),
            "refused": self.tr("refused, check the address or the token"),
            "retry": self.tr("not sent now (offline or the server failed); try again later"),
            "not_set_up": self.tr("not set up (an email needs a mail server)"),
        }
        lines = []
        for check in checks:
            line = f"{check.receiver}: {words.get(check.outcome, check.outcome)}"
            if check.detail and check.outcome != "sent":
                line += f" — {check.detail}"
            lines.append(line)
        return "\n".join(lines), all(check.outcome == "sent" for check in checks)

    def when(self, moment: datetime) -> str:
        local = moment.astimezone(self._timezone) if self._timezone else moment.astimezone()
        today = self._now().astimezone(local.tzinfo).date()
        if local.date() == today:
            return local.strftime("%H:%M")
        return local.strftime("%d/%m %H:%M")


class CaregiversController(ParentCalls):
    """Asks the agent for the caregivers and sends the test alert, off the UI thread."""

    loaded = Signal(object)  # CaregiversSnapshot
    tested = Signal(object)  # tuple[ChannelTest, ...]

    @property
    def supported(self) -> bool:
        return isinstance(self._runner.backend, CaregiversBackend)

    def load(self) -> None:
        token = self._token()
        if token is None or not self.supported:
            return
        self._runner.submit(
            lambda backend: _caregivers(backend).caregivers(token),
            self.loaded.emit,
            self._on_load_failed,
            key="caregivers",
        )

    def send_test(self) -> None:
        token = self._token()
        if token is None or not self.supported:
            return
        self._runner.submit(
            lambda backend: _caregivers(backend).send_test_alert(token),
            self._on_tested,
            self._on_load_failed,
            key="caregivers-test",
        )

    def _on_tested(self, checks: tuple[ChannelTest, ...]) -> None:
        self.tested.emit(checks)



def _caregivers(backend: object) -> CaregiversBackend:
    assert isinstance(backend, CaregiversBackend)
    return backend
