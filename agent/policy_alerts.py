"""A new family policy that protects less is an event in the store and an alert to the
caregivers, whoever made the change (a hand edit, or Bảo An's own writer); and a parent's
pause of protection (`alert_protection_paused`, for the dashboard's pause endpoint)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.access import ALERTS_CHANNEL
from agent.child_alerts import raise_alert
from agent.policy.errors import InvalidPolicyError
from agent.policy.holder import PolicyLoosened
from agent.policy.model import FamilyPolicy
from agent.store import Store
from agent.store.models import Event

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


EVENT_PROTECTION_PAUSED = "protection-paused"


def alert_protection_paused(
    store: Store,
    family: FamilyPolicy,
    *,
    at: datetime,
    until: datetime | None,
    by: str = "parent",
    child: str | None = None,
) -> Event:
    """Tell the caregivers that a parent paused protection (the dashboard's pause; call it
    once when the pause begins). `until` is when protection comes back (None: until it is
    turned on again), `child` the one child paused (None: the whole PC), `by` who paused
    it. Records a `protection-paused` event and queues an alert of that kind, heard by
    the caregivers whose `hears` has `paused`; returns the event."""
    who_vi = f"cho {child}" if child else "trên máy này"
    who_en = f"for {child}" if child else "on this PC"
    if until is None:
        until_vi, until_en = "cho đến khi được bật lại", "until it is turned on again"
    else:
        local = until.astimezone(_zone(family))
        until_vi, until_en = f"đến {local:%H:%M}", f"until {local:%H:%M}"
    return raise_alert(
        store,
        family,
        kind=EVENT_PROTECTION_PAUSED,
        severity="alert",
        event_message=f"protection paused {who_en} {until_en} (by {by})",
        payload={
            "title": f"Bảo An tạm dừng bảo vệ {who_vi}",
            "title_en": f"Bảo An protection paused {who_en}",
            "message": f"Bảo vệ tạm dừng {until_vi}. Nếu không phải bạn làm, hãy xem lại máy.",
            "message_en": f"Paused {until_en}. If this was not you, check the PC.",
            "until": None if until is None else until.isoformat(),
            "by": by,
        },
        child=child,
        at=at,
        data={"until": None if until is None else until.isoformat(), "by": by},
    )


def _zone(family: FamilyPolicy) -> ZoneInfo:
    try:
        return ZoneInfo(family.settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


EVENT_POLICY_REFUSED = "policy-not-applied"
_SHOWN_PROBLEMS = 3


class PolicyRefusedAlerts:
    """Subscribe to `PolicyHolder.on_refused`: a changed policy file that cannot be
    adopted (half-synced or half-written, a broken edit) is an event and an alert naming
    the PC, while the last good policy keeps protecting."""

    def __init__(
        self,
        store: Store,
        family: Callable[[], FamilyPolicy],
        now: Callable[[], datetime],
        pc: Callable[[], str],
    ) -> None:
        self._store = store
        self._family = family
        self._now = now
        self._pc = pc

    def __call__(self, error: InvalidPolicyError) -> Event:
        problems = [str(item) for item in error.errors]
        shown = "; ".join(problems[:_SHOWN_PROBLEMS])
        if len(problems) > _SHOWN_PROBLEMS:
            shown += f"; and {len(problems) - _SHOWN_PROBLEMS} more"
        pc = self._pc()
        return raise_alert(
            self._store,
            self._family(),
            kind=EVENT_POLICY_REFUSED,
            severity="alert",
            event_message=f"a new family policy file was not applied: {shown}",
            payload={
                "title": "Tệp cài đặt của gia đình mới không dùng được",
                "title_en": "A new family policy file was not applied",
                "message": (
                    f"Bảo An trên máy {pc} vẫn giữ bản cài đặt trước. Tệp mới bị lỗi, "
                    "chép chưa xong hoặc bị cắt ngang; hãy xem lại tệp."
                ),
                "message_en": (
                    f"Bảo An on {pc} keeps the rules it had. The new file is broken, "
                    "half-synced or cut off; please look at it."
                ),
            },
            child=None,
            at=self._now(),
            data={"problems": problems[:10]},
        )
