"""Tamper events that reach the family: each one an event in the store and, when the
family has someone to receive it, an alert of kind ``tamper`` in the outbox (as
:mod:`agent.policy_alerts` raises a loosened policy), heard by the caregivers who chose
``tamper`` in their ``hears``.

- :class:`AccountWatch` (the ``tamper-accounts`` job): a new OS account on the PC — a
  second account is the easy way round a child's limits. The first look only learns the
  accounts there are; the ones seen are kept in the store, so a restart raises nothing.
- ``tray-missing``: raised by :class:`agent.usage.service.UsageService` through
  :meth:`TamperAlerts.alert`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from agent.alert_receivers import alert_receivers
from agent.policy.model import FamilyPolicy

log = logging.getLogger(__name__)

ALERTS_CHANNEL = "alerts"  # as agent.access: the channel the sync layer delivers
ALERT_KIND = "tamper"
EVENT_NEW_ACCOUNT = "new-account"
ACCOUNTS_KEY = "tamper.accounts"
ACCOUNTS_JOB_SECONDS = 60.0


class EventStore(Protocol):
    """``agent.store.Store.events``."""

    def add(
        self,
        kind: str,
        message: str,
        *,
        child: str | None = None,
        severity: str = "info",
        data: Mapping[str, Any] | None = None,
        at: datetime | None = None,
    ) -> Any: ...


class Outbox(Protocol):
    """``agent.store.Store.outbox``."""

    def enqueue(
        self,
        channel: str,
        payload: Mapping[str, Any],
        *,
        key: str | None = None,
        event_id: int | None = None,
        now: datetime | None = None,
    ) -> object: ...


class KeyValueStore(Protocol):
    """``agent.store.Store.kv``."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, *, now: datetime | None = None) -> None: ...


@dataclass(frozen=True)
class AlertWords:
    """What the caregivers read, in the parent's words (Vietnamese first)."""

    title: str
    message: str
    title_en: str
    message_en: str


class TamperAlerts:
    def __init__(
        self,
        events: EventStore,
        outbox: Outbox,
        family: Callable[[], FamilyPolicy],
        now: Callable[[], datetime],
    ) -> None:
        self._events = events
        self._outbox = outbox
        self._family = family
        self._now = now

    def alert(
        self,
        event_kind: str,
        message: str,
        words: AlertWords,
        *,
        child: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> int:
        """Record the event and queue the alert; how many of the family can receive it."""
        now = self._now()
        event = self._events.add(
            event_kind, message, child=child, severity="alert", data=data, at=now
        )
        receivers = len(alert_receivers(self._family()))
        if receivers == 0:
            return 0
        event_id = getattr(event, "id", None)
        self._outbox.enqueue(
            ALERTS_CHANNEL,
            {
                "kind": ALERT_KIND,
                "tamper": event_kind,
                "severity": "alert",
                "child": child,
                "title": words.title,
                "message": words.message,
                "title_en": words.title_en,
                "message_en": words.message_en,
                "data": dict(data or {}),
                "event_id": event_id,
                "time": now.isoformat(),
            },
            event_id=event_id,
            now=now,
        )
        log.info("caregivers alerted: %s", event_kind)
        return receivers


def new_account_words(name: str) -> AlertWords:
    return AlertWords(
        title="Có tài khoản mới trên máy tính",
        message=(
            f"Tài khoản “{name}” vừa có trên máy này. Một tài khoản khác là cách dễ nhất để "
            "ra ngoài giới hạn của con; nếu không phải cha mẹ tạo, hãy kiểm tra."
        ),
        title_en="A new account on the computer",
        message_en=(
            f"The account “{name}” has just appeared on this PC. Another account is the "
            "easiest way round a child's limits; if a parent did not make it, have a look."
        ),
    )


def tray_missing_words(child: str) -> AlertWords:
    return AlertWords(
        title=f"Bảo An trên máy của {child} không còn báo về",
        message=(
            f"{child} đang dùng máy nhưng biểu tượng Bảo An đã ngừng gửi tin (có thể bị tắt). "
            "Thời gian dùng máy vẫn được tính."
        ),
        title_en=f"Bảo An stopped reporting from {child}'s session",
        message_en=(
            f"{child} is using the PC but the Bảo An tray stopped reporting (it may have "
            "been closed). Screen time still counts."
        ),
    )


class AccountWatch:
    """A periodic job: each account that was not on the PC before is an alert, once,
    unless family.toml already names it as a child's."""

    def __init__(
        self,
        accounts: Callable[[], frozenset[str] | None],
        kv: KeyValueStore,
        alerts: TamperAlerts,
        children_accounts: Callable[[], frozenset[str]] = frozenset,
    ) -> None:
        self._accounts = accounts
        self._kv = kv
        self._alerts = alerts
        self._children_accounts = children_accounts

    def __call__(self) -> tuple[str, ...]:
        """Look once; the new accounts (none on the first look ever: it only learns)."""
        try:
            current = self._accounts()
        except Exception:
            log.exception("the PC's accounts could not be listed")
            return ()
        if current is None:
            return ()
        saved = self._kv.get(ACCOUNTS_KEY)
        self._kv.set(ACCOUNTS_KEY, sorted(current | set(saved or ())))
        if not isinstance(saved, list):
            log.info("the PC's accounts: %d, watched from now on", len(current))
            return ()
        known = {str(name) for name in saved}
        # An account the parent already gave a child (family.toml's os_users) is no way
        # round the rules: it is learnt without an alarm.
        childrens = {name.casefold() for name in self._children_accounts()}
        fresh = tuple(sorted(name for name in current - known
                             if name.casefold() not in childrens))
        for name in fresh:
            self._alerts.alert(
                EVENT_NEW_ACCOUNT,
                f"a new account appeared on the PC: {name}",
                new_account_words(name),
                data={"account": name},
            )
        return fresh
