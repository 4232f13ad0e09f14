"""Asking for more time: the child asks from the tray (15 minutes, 30 minutes or an hour,
with a reason); a pending request (kind ``time`` in the store's access requests) that a
parent decides like any other (``POST /api/requests/{id}/decision`` with the PIN, or a
caregiver's approval once it arrives); approved minutes are today's extra minutes at once.

The minutes that count are the parent's (the decision's ``minutes``: a parent may give
less or more than was asked); taking the grant back ends what is left of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from agent.alert_receivers import alert_receivers
from agent.api.types import TimeRequestInfo
from agent.policy.model import FamilyPolicy
from agent.store.models import AccessRequest

log = logging.getLogger(__name__)

ASKABLE_MINUTES: tuple[int, ...] = (15, 30, 60)
EVENT_TIME_REQUEST = "time-request"
ALERTS_CHANNEL = "alerts"  # as agent.access: the channel the sync layer delivers


class RequestStore(Protocol):
    """``agent.store.Store.requests``."""

    def create(
        self, child: str, kind: str, target: str, reason: str = "", *, now: datetime | None = None
    ) -> AccessRequest: ...

    def recent(
        self, child: str | None = None, status: str | None = None, limit: int = 100
    ) -> Sequence[AccessRequest]: ...

    def get(self, request_id: str) -> AccessRequest | None: ...


class TimeRequestNotFoundError(LookupError):
    """No request for more time with that id belongs to this child."""


class EventStore(Protocol):
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
    def enqueue(
        self,
        channel: str,
        payload: Mapping[str, Any],
        *,
        key: str | None = None,
        event_id: int | None = None,
        now: datetime | None = None,
    ) -> object: ...


class MoreTime:
    def __init__(
        self,
        requests: RequestStore,
        events: EventStore,
        outbox: Outbox,
        family: Callable[[], FamilyPolicy],
        now: Callable[[], datetime],
    ) -> None:
        self._requests = requests
        self._events = events
        self._outbox = outbox
        self._family = family
        self._now = now

    def ask_from_tray(self, child: str, minutes: int, reason: str = "") -> TimeRequestInfo:
        """:meth:`ask`, as the tray is told it: the request's state and how many of the
        family a message about it went to (0: nobody is set up to get one)."""
        request, new = self.ask(child, minutes, reason)
        return self._info(request, new=new)

    def state_for(self, child: str, request_id: str) -> TimeRequestInfo:
        """The state of `child`'s own request (another child's is not found)."""
        request = self._requests.get(request_id)
        if request is None or request.kind != "time" or request.child != child:
            raise TimeRequestNotFoundError(f"no request for more time with id {request_id!r}")
        return self._info(request)

    def _info(self, request: AccessRequest, *, new: bool = False) -> TimeRequestInfo:
        given: int | None = None
        if request.decided_at is not None and request.allowed_until is not None:
            given = max(0, round((request.allowed_until - request.decided_at).total_seconds() / 60))
        return TimeRequestInfo(
            request_id=request.id,
            state=request.state(self._now()),
            minutes=int(request.target) if request.target.isdigit() else 0,
            minutes_given=given,
            receivers=len(alert_receivers(self._family())),
            new=new,
        )

    def ask(self, child: str, minutes: int, reason: str = "") -> tuple[AccessRequest, bool]:
        """The child's request, and whether it is new (a pending one is returned as it is:
        the parents know already)."""
        if minutes not in ASKABLE_MINUTES:
            raise ValueError(f"minutes must be one of {ASKABLE_MINUTES}")
        pending = [
            item
            for item in self._requests.recent(child=child, status="pending", limit=50)
            if item.kind == "time"
        ]
        if pending:
            return pending[0], False
        now = self._now()
        request = self._requests.create(child, "time", str(minutes), reason, now=now)
        event = self._events.add(
            EVENT_TIME_REQUEST,
            f"{child} asks for {minutes} more minutes",
            child=child,
            severity="alert",
            data={"request_id": request.id, "minutes": minutes, "reason": request.reason},
            at=now,
        )
        family = self._family()
        if alert_receivers(family):
            self._outbox.enqueue(
                ALERTS_CHANNEL,
                {
                    "kind": EVENT_TIME_REQUEST,
                    "severity": "alert",
                    "child": child,
                    "minutes": minutes,
                    "reason": request.reason,
                    "request_id": request.id,
                    "title": f"{child} xin thêm {minutes} phút",
                    "title_en": f"{child} asks for {minutes} more minutes",
                    "actions": {"allow_minutes": [15, 30, 60], "deny": True},
                    "event_id": getattr(event, "id", None),
                    "time": now.isoformat(),
                },
                event_id=getattr(event, "id", None),
                now=now,
            )
        log.info("time request %s: %s asks for %d minutes", request.id, child, minutes)
        return request, True

    def approved_minutes(self, child: str, day: date) -> int:
        """Minutes parents gave `child` on `day` (the family's day of each decision)."""
        zone = ZoneInfo(self._family().settings.timezone)
        total = 0
        for item in self._requests.recent(child=child, status="allowed", limit=200):
            if item.kind != "time" or item.decided_at is None or item.allowed_until is None:
                continue
            if item.decided_at.astimezone(zone).date() != day:
                continue
            total += max(0, round((item.allowed_until - item.decided_at).total_seconds() / 60))
        return total
