"""A new family policy that protects less is an event in the store and an alert to the
caregivers, whoever made the change (a hand edit, or Bảo An's own writer)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from agent.access import ALERTS_CHANNEL
from agent.policy.holder import PolicyLoosened
from agent.store import Store

log = logging.getLogger(__name__)

EVENT_POLICY_LOOSENED = "policy-loosened"
_MESSAGE_CHANGES = 5


class PolicyAlerts:
    """Subscribe to `PolicyHolder.on_loosened`: one event, and one alert when the family
    had or has a caregiver (the one just removed is told too)."""

    def __init__(self, store: Store, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now

    def __call__(self, change: PolicyLoosened) -> None:
        how = "Bảo An" if change.by_baoan else "a hand edit"
        changes = [item.to_json() for item in change.loosenings]
        words = [item.describe() for item in change.loosenings]
        summary = "; ".join(words[:_MESSAGE_CHANGES])
        if len(words) > _MESSAGE_CHANGES:
            summary += f"; and {len(words) - _MESSAGE_CHANGES} more"
        children = {item.child for item in change.loosenings}
        child = children.pop() if len(children) == 1 else None
        event = self._store.events.add(
            EVENT_POLICY_LOOSENED,
            f"family.toml now protects less (changed by {how}): {summary}",
            child=child,
            severity="alert",
            data={"file": change.file, "by_baoan": change.by_baoan, "changes": changes},
            at=self._now(),
        )
        if not (change.before.caregivers or change.after.caregivers):
            return
        payload = {
            "kind": EVENT_POLICY_LOOSENED,
            "severity": "alert",
            "child": child,
            "by_baoan": change.by_baoan,
            "changes": changes,
            "title": "Chính sách gia đình vừa được nới lỏng",
            "title_en": "The family policy now protects less",
            "event_id": event.id,
            "time": event.time.isoformat(),
        }
        self._store.outbox.enqueue(ALERTS_CHANNEL, payload, event_id=event.id, now=event.time)
        log.info("caregivers alerted: the family policy protects less")
