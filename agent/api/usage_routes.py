"""Screen time's HTTP routes over :class:`agent.usage.service.UsageService` (docs/api.md):

* ``POST /api/usage/heartbeat`` (the tray token and the child's own user key) — a batch of
  heartbeats, oldest first; answers with the child's standing (time left, why, the action);
* ``POST /api/usage/more-time`` (the child's tray) ``{"minutes": 15 | 30 | 60, "reason"}`` —
  a pending request for more time, decided as any request (``/api/requests``);
* ``GET /api/usage/more-time/{request_id}`` (the child's tray) — that request's state, the
  minutes given, and how many of the family were sent a message about it;
* ``POST /api/usage/extra`` (parent) ``{"child": "Minh", "minutes": 30}`` — one-off extra
  minutes for today;
* ``GET /api/events?limit=&child=`` (parent) — alerts, tamper and clock events, newest first;
* ``GET /api/apps`` (parent) — the apps seen on this PC, for the always-allowed list.

``GET /api/usage/today`` stays with the other parent endpoints (``agent.api.endpoints``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from agent.api.http import ApiError, Request, Router
from agent.api.types import EventInfo, HeartbeatBatch, SeenApps, ShapeError
from agent.store.models import Event
from agent.tray.identity import USER_HEADER, USER_KEY_HEADER, TrayIdentity, TrayIdentityError
from agent.usage.more_time import ASKABLE_MINUTES, MoreTime, TimeRequestNotFoundError
from agent.usage.service import UsageService

EVENTS_DEFAULT_LIMIT = 50
EVENTS_MAX_LIMIT = 500


class EventSource(Protocol):
    """``agent.store.Store.events``."""

    def recent(
        self,
        child: str | None = None,
        kind: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
    ) -> Sequence[Event]: ...


Identify = Callable[[str | None, str | None], TrayIdentity]


def register_usage_routes(
    router: Router,
    usage: UsageService,
    identify: Identify,
    events: EventSource,
    more_time: MoreTime | None = None,
) -> None:
    def identity_of(request: Request) -> TrayIdentity:
        try:
            return identify(request.headers.get(USER_HEADER), request.headers.get(USER_KEY_HEADER))
        except TrayIdentityError as error:
            raise ApiError(error.status, error.code, str(error)) from None

    def heartbeat(request: Request) -> object:
        identity = identity_of(request)
        try:
            batch = HeartbeatBatch.from_json(request.json_object())
        except ShapeError as error:
            raise ApiError(400, "bad_request", str(error)) from None
        return usage.receive(identity.child, batch).to_json()

    def extra(request: Request) -> object:
        body = request.json_object()
        child, minutes = body.get("child"), body.get("minutes")
        if not isinstance(child, str) or not child:
            raise ApiError(400, "bad_request", "child must be a child's name")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 600:
            raise ApiError(400, "bad_request", "minutes must be a whole number from 1 to 600")
        if child not in usage.child_names():
            raise ApiError(404, "unknown_child", f"no child named {child!r}")
        return {"child": child, "extra_minutes": usage.add_extra_minutes(child, minutes)}

    def recent_events(request: Request) -> object:
        limit_text = request.query_value("limit")
        limit = EVENTS_DEFAULT_LIMIT
        if limit_text:
            if not limit_text.isdigit() or not 1 <= int(limit_text) <= EVENTS_MAX_LIMIT:
                raise ApiError(400, "bad_request", f"limit must be from 1 to {EVENTS_MAX_LIMIT}")
            limit = int(limit_text)
        found = events.recent(child=request.query_value("child") or None, limit=limit)
        return {
            "events": [
                EventInfo(
                    e.id, e.time, e.kind, e.severity, e.message, e.child, dict(e.data)
                ).to_json()
                for e in found
            ]
        }

    def ask_for_more_time(request: Request) -> object:
        identity = identity_of(request)
        if more_time is None or identity.child is None:
            raise ApiError(404, "unknown_child", "this account is no child's")
        body = request.json_object()
        minutes, reason = body.get("minutes"), body.get("reason", "")
        if minutes not in ASKABLE_MINUTES or isinstance(minutes, bool):
            raise ApiError(400, "bad_request", f"minutes must be one of {list(ASKABLE_MINUTES)}")
        if not isinstance(reason, str):
            raise ApiError(400, "bad_request", "reason must be text")
        return more_time.ask_from_tray(identity.child, int(str(minutes)), reason).to_json()

    def time_request_state(request: Request) -> object:
        identity = identity_of(request)
        if more_time is None or identity.child is None:
            raise ApiError(404, "unknown_child", "this account is no child's")
        try:
            return more_time.state_for(
                identity.child, request.path_params.get("request_id", "")
            ).to_json()
        except TimeRequestNotFoundError as error:
            raise ApiError(404, "not_found", str(error)) from None

    router.add("POST", "/api/usage/heartbeat", heartbeat, auth="child")
    router.add("POST", "/api/usage/more-time", ask_for_more_time, auth="child")
    router.add(
        "GET", "/api/usage/more-time/{request_id}", time_request_state, auth="child"
    )
    router.add("POST", "/api/usage/extra", extra, auth="parent")
    router.add("GET", "/api/events", recent_events, auth="parent")
    router.add("GET", "/api/apps", lambda _request: SeenApps(usage.seen_apps()).to_json(),
               auth="parent")
