"""API endpoints for the parents' side of a child's requests, decisions and grants, and the
children's acknowledgements of "what Bảo An watches" (docs/block-page.md).

The child's own actions (Help, the acknowledgement, asking) are not here: the tray's
routes (:mod:`agent.api.tray_routes`) name the child through that account's user key and
the pages (:mod:`agent.pages`) through the CSRF-protected form and the child resolver,
never through a name in a body.

- ``GET /api/requests?status=&child=&limit=`` (parent): newest first, ``[{id, child, kind,
  target, reason, status, state, created_at, decided_at, decided_by, allowed_until,
  revoked_at}]``; ``state`` is the agent's word for now: ``pending``, ``allowed``,
  ``denied``, ``expired`` (the time ran out) or ``revoked`` (a parent took it back).
- ``POST /api/requests/{id}/decision`` (parent): ``{"allow": true, "minutes": 60}`` or
  ``{"allow": false}`` → the request. 404 unknown, 409 already decided.
- ``POST /api/requests/{id}/revoke`` (parent): → the request, its grant ended now.
- ``GET /api/grants?child=`` (parent): ``[{request_id, child, site, names, until}]`` in force.
- ``GET /api/watch/acknowledgements`` (parent): ``[{child, acknowledgement: {...} or null}]``.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.access import (
    AccessService,
    AlreadyDecidedError,
    InvalidInputError,
    RateLimitedError,
    RequestNotFoundError,
    UnknownChildError,
    request_info,
)
from agent.api.http import ApiError, Request, Router

REQUESTS_DEFAULT_LIMIT = 100
REQUESTS_MAX_LIMIT = 1000


@dataclass(frozen=True)
class RequestEndpointServices:
    access: AccessService


def register_request_endpoints(
    router: Router, services: RequestEndpointServices | AccessService
) -> None:
    """Add the endpoints above to the API router (the runtime calls this once)."""
    access = services if isinstance(services, AccessService) else services.access
    endpoints = _RequestEndpoints(access)
    router.add("GET", "/api/requests", endpoints.list_requests, auth="parent")
    router.add("POST", "/api/requests/{request_id}/decision", endpoints.decide, auth="parent")
    router.add("POST", "/api/requests/{request_id}/revoke", endpoints.revoke, auth="parent")
    router.add("GET", "/api/grants", endpoints.grants, auth="parent")
    router.add("GET", "/api/watch/acknowledgements", endpoints.acknowledgements, auth="parent")


def _api_error(error: Exception) -> ApiError:
    if isinstance(error, RequestNotFoundError):
        return ApiError(404, "not_found", str(error))
    if isinstance(error, UnknownChildError):
        return ApiError(404, "unknown_child", str(error))
    if isinstance(error, AlreadyDecidedError):
        return ApiError(409, "already_decided", str(error))
    if isinstance(error, RateLimitedError):
        return ApiError(
            429,
            "rate_limited",
            str(error),
            headers={"Retry-After": str(error.retry_after)},
            retry_after=error.retry_after,
        )
    if isinstance(error, InvalidInputError):
        return ApiError(400, "bad_request", str(error))
    raise error


class _RequestEndpoints:
    def __init__(self, access: AccessService) -> None:
        self._access = access

    def list_requests(self, request: Request) -> object:
        status = request.query_value("status") or None
        child = request.query_value("child") or None
        limit = request.int_query("limit", REQUESTS_DEFAULT_LIMIT, 1, REQUESTS_MAX_LIMIT)
        try:
            rows = self._access.requests(child=child, status=status, limit=limit)
        except (InvalidInputError, UnknownChildError) as error:
            raise _api_error(error) from None
        now = self._access.now()
        return [request_info(row, now).to_json() for row in rows]

    def decide(self, request: Request) -> object:
        body = request.json_object()
        allow = body.get("allow")
        if not isinstance(allow, bool):
            raise ApiError(400, "bad_request", "'allow' must be true or false")
        minutes = body.get("minutes")
        if allow and minutes is None:
            raise ApiError(400, "bad_request", "an approval needs 'minutes' (1 to 1440)")
        if minutes is not None and (not isinstance(minutes, int) or isinstance(minutes, bool)):
            raise ApiError(400, "bad_request", "'minutes' must be a whole number")
        try:
            decided = self._access.decide(
                request.path_params["request_id"], allow, minutes if allow else None
            )
        except (RequestNotFoundError, AlreadyDecidedError, InvalidInputError) as error:
            raise _api_error(error) from None
        return request_info(decided, self._access.now()).to_json()

    def revoke(self, request: Request) -> object:
        try:
            revoked = self._access.revoke(request.path_params["request_id"])
            return request_info(revoked, self._access.now()).to_json()
        except RequestNotFoundError as error:
            raise _api_error(error) from None

    def grants(self, request: Request) -> object:
        child = request.query_value("child") or None
        if child is not None and self._access.family.child(child) is None:
            raise ApiError(404, "unknown_child", f"no child called {child!r} in the policy")
        return [grant.info().to_json() for grant in self._access.grants(child)]

    def acknowledgements(self, request: Request) -> object:
        return [
            {"child": name, "acknowledgement": None if ack is None else ack.info().to_json()}
            for name, ack in self._access.watch_acknowledgements()
        ]
