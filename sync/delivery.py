"""The delivery service: a worker thread that empties the durable outbox into the
caregivers' channels, on a timer and at once when woken.

Two kinds of outbox item meet here. An *alert* (the agent's `alerts` channel) says what
happened; delivering it means fanning it out: one new outbox item per receiver ("ntfy:Mẹ",
"email:Bà"), each with a key made from the alert's id, so a crash half-way through the
fan-out only repeats what is idempotent anyway. A *receiver item* is handed to its
`Channel`; each carries the alert's id, which the channel sends along (ntfy's sequence id,
the mail's Message-ID) so that the receiver can drop a duplicate.

Which receivers an alert has, and which channel a receiver name stands for, are asked of
the agent at delivery time (`Routing`): a caregiver removed meanwhile is not written to.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sync.outbox import (
    DeferDelivery,
    DeliveryPass,
    OutboxEntry,
    OutboxQueue,
    PermanentDeliveryError,
    RetryPolicy,
    deliver_due,
)

logger = logging.getLogger(__name__)

ALERTS_CHANNEL = "alerts"
NEVER_LIMITED = frozenset({"help"})  # Help is never held back nor folded into a digest
HOUR = timedelta(hours=1)
DEFAULT_RETRY = RetryPolicy(base=15.0, factor=2.0, maximum=3600.0, jitter=0.2)


@dataclass(frozen=True)
class Action:
    """A button on the caregiver's notification: an HTTP request the phone makes."""

    label: str
    url: str
    body: str
    method: str = "POST"
    clear: bool = True


@dataclass(frozen=True)
class Alert:
    """What a channel sends: the words in both languages and the minimum to act on."""

    alert_id: str
    kind: str
    severity: str
    title: str
    message: str
    title_en: str = ""
    message_en: str = ""
    child: str | None = None
    pc: str | None = None
    created: str | None = None
    request_id: str | None = None
    actions: tuple[Action, ...] = ()
    click: str | None = None

    @classmethod
    def from_payload(cls, alert_id: str, payload: Mapping[str, Any]) -> Alert:
        """An alert from the outbox's JSON, tolerant of fields it does not know."""

        def text(name: str, default: str = "") -> str:
            value = payload.get(name)
            return value if isinstance(value, str) else default

        def optional(name: str) -> str | None:
            value = payload.get(name)
            return value if isinstance(value, str) and value else None

        actions = tuple(
            Action(
                label=str(raw.get("label", "")),
                url=str(raw.get("url", "")),
                body=str(raw.get("body", "")),
                method=str(raw.get("method", "POST")),
            )
            for raw in payload.get("buttons", ())
            if isinstance(raw, Mapping)
        )
        title = text("title") or text("title_en") or "Bảo An"
        return cls(
            alert_id=alert_id,
            kind=text("kind", "alert"),
            severity=text("severity", "info"),
            title=title,
            message=text("message"),
            title_en=text("title_en"),
            message_en=text("message_en"),
            child=optional("child"),
            pc=optional("pc"),
            created=optional("time"),
            request_id=optional("request_id"),
            actions=actions[:3],
            click=optional("click"),
        )


class Channel(Protocol):
    """One receiver's way in (an ntfy topic, a mailbox, an Apprise URL)."""

    def send(self, alert: Alert) -> None:
        """Return once the receiver accepted it; raise `PermanentDeliveryError` when it
        never will, any other `Exception` when it may later."""
        ...


class FanOutQueue(OutboxQueue, Protocol):
    """The outbox, also able to queue the per-receiver items of an alert."""

    def enqueue(
        self,
        channel: str,
        payload: Mapping[str, Any],
        *,
        key: str | None,
        now: datetime | None,
        due_at: datetime | None,
    ) -> object: ...


@dataclass(frozen=True)
class Receiver:
    """One receiver of an alert ("ntfy:Mẹ"), and until when its copy waits (quiet hours)."""

    name: str
    hold_until: datetime | None = None


class Routing(Protocol):
    """The agent's answer to who hears an alert, and how to reach them."""

    def receivers(self, alert: Mapping[str, Any]) -> Sequence[Receiver]:
        """Who is to hear this alert; empty: nobody."""
        ...

    def channel(self, receiver: str) -> Channel | None:
        """The channel a receiver name stands for now; None when it is gone."""
        ...


class RateLedger(Protocol):
    """Durable names and JSON values (the agent's store keeps them): where each receiver's
    hourly count and the copies held for its digest live, so that a restart neither
    starts the count again nor splits a digest."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...


def rate_key(receiver: str) -> str:
    """The ledger name of one receiver's hourly count and held copies."""
    return f"delivery.rate.{receiver}"


def receiver_key(alert_id: str, receiver: str) -> str:
    """The outbox key of one receiver's copy of an alert (stable: the fan-out is idempotent)."""
    return f"{alert_id}>{receiver}"


@dataclass
class DeliveryService:
    """Runs `deliver_due` every `interval` seconds and whenever `wake()` is called."""

    queue: FanOutQueue
    routing: Routing
    now: Callable[[], datetime]
    policy: RetryPolicy = DEFAULT_RETRY
    interval: float = 30.0
    on_undeliverable: Callable[[str, str], None] | None = None
    # Every alert names the PC it came from (asked at each fan-out: the name may change).
    pc: str | Callable[[], str] | None = None
    # At most this many messages an hour to one receiver; the rest wait and go together as
    # one digest. None: no limit; a callable: each receiver's own limit, asked at each send
    # (a caregiver's `alerts_per_hour`). Kept in `ledger` when there is one (else in memory).
    per_hour: int | Callable[[str], int | None] | None = 10
    ledger: RateLedger | None = None
    _loaded: set[str] = field(default_factory=set, init=False)
    _sent: dict[str, deque[datetime]] = field(default_factory=dict, init=False)
    _held: dict[str, dict[str, Mapping[str, Any]]] = field(default_factory=dict, init=False)
    _folded: set[str] = field(default_factory=set, init=False)
    _wake: threading.Event = field(default_factory=threading.Event, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="baoan-delivery", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Something was queued: deliver now rather than at the next tick."""
        self._wake.set()

    def run_once(self) -> DeliveryPass:
        """One pass; alerts fanned out in it are delivered in the same call."""
        total = DeliveryPass()
        for _ in range(3):  # alerts, then their receivers' copies (and a spare)
            result = deliver_due(self.queue, self._send, self.policy, self.now())
            total = DeliveryPass(
                total.delivered + result.delivered,
                total.retries + result.retries,
                total.undeliverable + result.undeliverable,
            )
            if not result.delivered:
                break
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_once()
            except Exception:
                logger.exception("an alert delivery pass failed; trying again later")
            self._wake.wait(self.interval)

    def _send(self, item: OutboxEntry) -> None:
        if item.channel == ALERTS_CHANNEL:
            self._fan_out(item)
            return
        alert_id = item.payload.get("alert_id")
        alert = item.payload.get("alert")
        if not isinstance(alert_id, str) or not isinstance(alert, Mapping):
            raise PermanentDeliveryError(f"outbox item {item.key} is not a receiver's copy")
        if item.key in self._folded:
            return  # already sent inside a digest in this pass
        channel = self.routing.channel(item.channel)
        if channel is None:
            self._undeliverable(item.key, f"{item.channel} is no longer a receiver")
            raise PermanentDeliveryError(f"{item.channel} is no longer a receiver")
        message = Alert.from_payload(alert_id, alert)
        folded: list[str] = []
        limit = self._limit_of(item.channel)
        if message.kind not in NEVER_LIMITED and limit is not None:
            message, folded = self._limit(item, message, limit)
        try:
            channel.send(message)
        except PermanentDeliveryError as error:
            self._undeliverable(item.key, str(error))
            raise
        if message.kind in NEVER_LIMITED or limit is None:
            return
        self._load(item.channel)
        self._sent.setdefault(item.channel, deque()).append(self.now())
        held = self._held.get(item.channel, {})
        for key in folded:
            held.pop(key, None)
        self._save(item.channel)
        for key in folded:
            self.queue.mark_delivered(key, self.now())
            self._folded.add(key)

    def _load(self, receiver: str) -> None:
        """Read a receiver's count and held copies from the ledger, once per process."""
        if receiver in self._loaded:
            return
        self._loaded.add(receiver)
        if self.ledger is None:
            return
        try:
            saved = self.ledger.get(rate_key(receiver))
        except Exception:
            logger.exception("cannot read the hourly count of %s; counting afresh", receiver)
            return
        if not isinstance(saved, Mapping):
            return
        sent: deque[datetime] = deque()
        for value in saved.get("sent", ()):
            try:
                sent.append(datetime.fromisoformat(str(value)))
            except ValueError:
                continue
        self._sent[receiver] = deque(sorted(sent))
        held = saved.get("held")
        if isinstance(held, Mapping):
            self._held[receiver] = {
                str(key): {"title": str(titles.get("title", "")),
                           "title_en": str(titles.get("title_en", ""))}
                for key, titles in held.items()
                if isinstance(titles, Mapping)
            }

    def _save(self, receiver: str) -> None:
        if self.ledger is None:
            return
        value = {
            "sent": [moment.isoformat() for moment in self._sent.get(receiver, ())],
            "held": {key: dict(titles) for key, titles in self._held.get(receiver, {}).items()},
        }
        try:
            self.ledger.set(rate_key(receiver), value)
        except Exception:
            logger.exception("cannot keep the hourly count of %s", receiver)

    def _limit_of(self, receiver: str) -> int | None:
        if callable(self.per_hour):
            try:
                return self.per_hour(receiver)
            except Exception:
                logger.exception("cannot tell the hourly limit of %s; using 10", receiver)
                return 10
        return self.per_hour

    def _limit(
        self, item: OutboxEntry, message: Alert, per_hour: int
    ) -> tuple[Alert, list[str]]:
        """Defer `item` past its receiver's hourly limit; once there is room again, send
        every copy held for that receiver as one digest (returns it and the keys folded)."""
        now = self.now()
        self._load(item.channel)
        sent = self._sent.setdefault(item.channel, deque())
        while sent and sent[0] <= now - HOUR:
            sent.popleft()
        held = self._held.setdefault(item.channel, {})
        if len(sent) >= per_hour:
            if item.key not in held:
                held[item.key] = {"title": message.title, "title_en": message.title_en}
                self._save(item.channel)
            raise DeferDelivery(sent[0] + HOUR, f"held: {per_hour} an hour reached")
        others = [key for key in held if key != item.key]
        if not others:
            held.pop(item.key, None)
            return message, []
        titles = [message.title] + [str(held[key]["title"]) for key in others]
        titles_en = [message.title_en] + [str(held[key]["title_en"]) for key in others]
        digest = replace(
            message,
            title=f"{len(titles)} cảnh báo trong giờ qua",
            message="\n".join(f"• {title}" for title in titles),
            title_en=f"{len(titles)} alerts in the last hour",
            message_en="; ".join(title for title in titles_en if title),
            actions=(),
        )
        held.pop(item.key, None)
        return digest, others

    def _fan_out(self, item: OutboxEntry) -> None:
        now = self.now()
        alert = dict(item.payload)
        pc = self.pc() if callable(self.pc) else self.pc
        if pc and not alert.get("pc"):
            alert["pc"] = pc
        for receiver in self.routing.receivers(item.payload):
            self.queue.enqueue(
                receiver.name,
                {"alert_id": item.key, "alert": alert},
                key=receiver_key(item.key, receiver.name),
                now=now,
                due_at=receiver.hold_until,
            )

    def _undeliverable(self, key: str, why: str) -> None:
        if self.on_undeliverable is not None:
            try:
                self.on_undeliverable(key, why)
            except Exception:
                logger.exception("cannot record that alert %s is undeliverable", key)
