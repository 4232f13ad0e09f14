"""The tray's HTTP routes over :class:`agent.tray.service.TrayService` (docs/tray.md).

All are ``auth="child"`` (the tray token); parent tokens get ``403 child_only``:

* ``GET /api/tray/me?lang=`` — the child, age band, language, help-alert setting, the
  pages' paths and "what Bảo An watches" in words for the child's age;
* ``GET /api/tray/blocked?cursor=&limit=`` — sites blocked for this child on this PC since
  the cursor, oldest first, with the next cursor;
* ``POST /api/tray/help`` — the child pressed Help / 111: this account's child is alerted
  for; without a verified account the answer is still 200 (the tray shows 111 anyway) but
  no one is alerted, since the shared token names no child;
* ``POST /api/tray/report`` — from "Báo điều xấu", the child chose to tell a caregiver
  that they want to report something bad online: an alert of its own kind (``report``)
  for this account's child; the shared token alone (no verified account) reports for no
  one and is refused;
* ``POST /api/tray/watch`` ``{"language": "vi", "answer": "agree"}`` — the child's own
  answer: ``agree``, ``disagree`` (not yet; wants to talk with the parents) or
  ``acknowledged`` (the youngest);
* ``POST /api/tray/ask`` ``{"site": "...", "reason": "..."}`` — the child asks a parent to
  open a site.

Every action names the child through the account's own user key, never a name in the body.
"""

from __future__ import annotations

from agent.access import InvalidInputError, RateLimitedError, UnknownChildError
from agent.api.http import ApiError, Request, Router
from agent.pages.i18n import DEFAULT_LANGUAGE, LANGUAGES
from agent.tray.identity import USER_HEADER, USER_KEY_HEADER, TrayIdentity, TrayIdentityError
from agent.tray.service import BLOCKED_DEFAULT_LIMIT, BLOCKED_MAX_LIMIT, TrayService


def register_tray_routes(router: Router, service: TrayService) -> None:
    """Add the tray's endpoints to the agent's router (all need the tray token)."""

    def identity_of(request: Request) -> TrayIdentity:
        try:
            return service.identify(
                request.headers.get(USER_HEADER), request.headers.get(USER_KEY_HEADER)
            )
        except TrayIdentityError as error:
            raise ApiError(error.status, error.code, str(error)) from None

    def language_of(request: Request) -> str | None:
        value = request.query_value("lang")
        if value is not None and value not in LANGUAGES:
            raise ApiError(400, "bad_request", "lang must be 'vi' or 'en'")
        return value

    def me(request: Request) -> object:
        return service.profile(identity_of(request), language_of(request)).to_json()

    def blocked(request: Request) -> object:
        identity = identity_of(request)
        limit = request.int_query("limit", BLOCKED_DEFAULT_LIMIT, 1, BLOCKED_MAX_LIMIT)
        try:
            batch = service.blocked_since(
                identity, request.query_value("cursor"), limit, language_of(request)
            )
        except ValueError as error:
            raise ApiError(400, "bad_cursor", str(error)) from None
        return batch.to_json()

    def help_pressed(request: Request) -> object:
        identity: TrayIdentity | None
        try:
            identity = service.identify(
                request.headers.get(USER_HEADER), request.headers.get(USER_KEY_HEADER)
            )
        except TrayIdentityError:
            identity = None  # help is never refused for want of a name
        return service.help(identity, request.client_address).to_json()

    def report(request: Request) -> object:
        identity = identity_of(request)  # a verified account, or 401/403: never a body's name
        try:
            return service.report(identity, request.client_address).to_json()
        except RuntimeError as error:
            raise ApiError(503, "unavailable", str(error)) from None

    def acknowledge(request: Request) -> object:
        identity = identity_of(request)
        body = request.json_object()
        language = body.get("language", DEFAULT_LANGUAGE)
        answer = body.get("answer", "acknowledged")
        if not isinstance(language, str) or not isinstance(answer, str):
            raise ApiError(400, "bad_request", "language and answer must be text")
        try:
            return service.acknowledge_watch(identity, language, answer).to_json()
        except ValueError as error:
            raise ApiError(400, "bad_request", str(error)) from None
        except LookupError as error:
            raise ApiError(404, "unknown_child", str(error)) from None
        except RuntimeError as error:
            raise ApiError(503, "unavailable", str(error)) from None

    def ask(request: Request) -> object:
        identity = identity_of(request)
        body = request.json_object()
        site = body.get("site")
        reason = body.get("reason", "")
        if not isinstance(site, str) or not isinstance(reason, str):
            raise ApiError(400, "bad_request", "the body needs 'site' (and 'reason'), as text")
        try:
            asked = service.ask(identity, site, reason, request.client_address)
        except RateLimitedError as error:
            raise ApiError(
                429,
                "rate_limited",
                str(error),
                headers={"Retry-After": str(error.retry_after)},
                retry_after=error.retry_after,
            ) from None
        except InvalidInputError as error:
            raise ApiError(400, "bad_request", str(error)) from None
        except (UnknownChildError, LookupError) as error:
            raise ApiError(404, "unknown_child", str(error)) from None
        except RuntimeError as error:
            raise ApiError(503, "unavailable", str(error)) from None
        return {**asked.to_json(), "page": service.pages.request_for(asked.id)}

    router.add("GET", "/api/tray/me", me, auth="child")
    router.add("GET", "/api/tray/blocked", blocked, auth="child")
    router.add("POST", "/api/tray/help", help_pressed, auth="child")
    router.add("POST", "/api/tray/report", report, auth="child")
    router.add("POST", "/api/tray/watch", acknowledge, auth="child")
    router.add("POST", "/api/tray/ask", ask, auth="child")
