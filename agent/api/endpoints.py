"""The API's endpoints (docs/api.md), as thin handlers over :class:`AgentServices`."""

from __future__ import annotations

from collections.abc import Callable

from agent.api.http import ApiError, Request, Response, Router, json_response
from agent.api.services import AgentServices
from agent.api.types import ChildInfo, Health, PinAnswer, Status
from agent.auth import (
    Authenticator,
    InvalidPinError,
    LockedOutError,
    PinAlreadySetError,
    PinNotSetError,
    Role,
    WrongPinError,
    WrongRecoveryCodeError,
    WrongSetupCodeError,
)

QUERYLOG_DEFAULT_LIMIT = 100
QUERYLOG_MAX_LIMIT = 1000


def auth_error_to_api(error: Exception) -> ApiError:
    """The API answer for a refusal from :mod:`agent.auth`."""
    if isinstance(error, WrongPinError):
        return ApiError(401, error.code, "wrong PIN", tries_left=error.tries_left)
    if isinstance(error, LockedOutError):
        return ApiError(
            429,
            error.code,
            f"too many wrong PINs; try again in {error.retry_after} s",
            headers={"Retry-After": str(error.retry_after)},
            retry_after=error.retry_after,
        )
    if isinstance(error, WrongSetupCodeError):
        return ApiError(403, error.code, "wrong set-up code", tries_left=error.tries_left)
    if isinstance(error, WrongRecoveryCodeError):
        return ApiError(403, error.code, "wrong recovery code", tries_left=error.tries_left)
    if isinstance(error, PinNotSetError):
        return ApiError(
            409, error.code, "no parent PIN is set yet; set one with the set-up code first"
        )
    if isinstance(error, PinAlreadySetError):
        return ApiError(409, error.code, str(error))
    if isinstance(error, InvalidPinError):
        return ApiError(400, error.code, str(error))
    raise error


class ApiEndpoints:
    """Registers the endpoints on a router; each handler reads one service method."""

    def __init__(
        self,
        services: AgentServices,
        authenticator: Authenticator,
        version: str,
    ) -> None:
        self._services = services
        self._auth = authenticator
        self._version = version

    def register(self, router: Router) -> None:
        add: Callable[..., None] = router.add
        add("GET", "/api/health", self.health)
        add("GET", "/api/status", self.status)
        add("POST", "/api/session", self.open_session)
        add("DELETE", "/api/session", self.close_session, auth="parent")
        add("POST", "/api/pin", self.set_pin)
        add("POST", "/api/pin/recovery-code", self.new_recovery_code, auth="parent")
        add("GET", "/api/children", self.children, auth="parent")
        add("GET", "/api/usage/today", self.usage_today, auth="parent")
        add("GET", "/api/querylog", self.query_log, auth="parent")
        add("GET", "/api/stats", self.stats, auth="parent")

    # -- public -----------------------------------------------------------------------------

    def health(self, request: Request) -> object:
        return Health(status="ok", version=self._version).to_json()

    def status(self, request: Request) -> object:
        services = self._services
        status = Status(
            version=self._version,
            dns_listening=tuple(services.dns_listening()),
            policy=services.policy_state(),
            lists=tuple(services.lists()),
            pin_set=self._auth.pins.is_set(),
            language=services.language(),
            timezone=services.timezone(),
            dns_counters=services.dns_counters(),
            children=self._children() if request.role is Role.PARENT else None,
        )
        return status.to_json()

    # -- sessions and the PIN ---------------------------------------------------------------

    def open_session(self, request: Request) -> object:
        pin = _pin_field(request.json_object(), "pin")
        try:
            session = self._auth.login(pin)
        except (WrongPinError, LockedOutError, PinNotSetError) as error:
            raise auth_error_to_api(error) from None
        return {"token": session.token, "expires_at": session.expires_at.isoformat()}

    def close_session(self, request: Request) -> object:
        assert request.token is not None  # the route requires a parent session
        self._auth.logout(request.token)
        return {"status": "closed"}

    def set_pin(self, request: Request) -> Response:
        """The first PIN or a forgotten one with the set-up code; else a change (parent)."""
        body = request.json_object()
        new_pin = _pin_field(body, "pin")
        code = body.get("setup_code")
        recovery = body.get("recovery_code")
        try:
            if recovery is not None:
                if not isinstance(recovery, str):
                    raise ApiError(400, "bad_request", "'recovery_code' must be a string")
                fresh = self._auth.reset_pin_with_recovery_code(recovery, new_pin)
                return json_response(PinAnswer("reset", fresh).to_json())
            if code is not None:
                if not isinstance(code, str):
                    raise ApiError(400, "bad_request", "'setup_code' must be a string")
                first = self._auth.set_pin_with_setup_code(code, new_pin)
                # The recovery code is shown this once: only its hash is kept.
                fresh = self._auth.issue_recovery_code()
                if first:
                    return json_response(PinAnswer("set", fresh).to_json(), status=201)
                return json_response(PinAnswer("reset", fresh).to_json())
            if not self._auth.pins.is_set():
                raise ApiError(
                    403,
                    "setup_code_required",
                    "the first parent PIN needs the set-up code in the agent's data folder, "
                    "or `baoan pin set` run as the agent's user",
                )
            if request.role is None:
                raise ApiError(
                    401,
                    "auth_required",
                    "a PIN is already set; changing it needs a parent session",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            if request.role is not Role.PARENT:
                raise ApiError(403, "parent_only", "only a parent may change the PIN")
            old_pin = _pin_field(body, "old_pin")
            self._auth.change_pin(old_pin, new_pin, keep_token=request.token)
        except (
            WrongPinError,
            WrongSetupCodeError,
            WrongRecoveryCodeError,
            LockedOutError,
            PinNotSetError,
            PinAlreadySetError,
            InvalidPinError,
        ) as error:
            raise auth_error_to_api(error) from None
        return json_response({"status": "changed"})

    def new_recovery_code(self, request: Request) -> Response:
        """A fresh recovery code in place of the old one (parent), shown this once."""
        fresh = self._auth.issue_recovery_code()
        if fresh is None:
            raise ApiError(404, "not_found", "this agent keeps no recovery code")
        return json_response(PinAnswer("recovery_code", fresh).to_json())

    # -- parent -----------------------------------------------------------------------------

    def children(self, request: Request) -> object:
        return [child.to_json() for child in self._children()]

    def usage_today(self, request: Request) -> object:
        return self._services.usage_today().to_json()

    def query_log(self, request: Request) -> object:
        child = self._child_param(request)
        limit = request.int_query("limit", QUERYLOG_DEFAULT_LIMIT, 1, QUERYLOG_MAX_LIMIT)
        return [entry.to_json() for entry in self._services.query_log(child, limit)]

    def stats(self, request: Request) -> object:
        return self._services.stats(self._child_param(request)).to_json()

    # -- helpers ----------------------------------------------------------------------------

    def _children(self) -> tuple[ChildInfo, ...]:
        minutes = self._services.usage_today().minutes
        return tuple(
            ChildInfo(
                name=child.name,
                age=child.age,
                preset=child.preset,
                os_users=tuple(child.os_users),
                usage_today_minutes=int(minutes.get(child.name, 0)),
            )
            for child in self._services.children()
        )

    def _child_param(self, request: Request) -> str | None:
        child = request.query_value("child")
        if not child:
            return None
        if child not in {profile.name for profile in self._services.children()}:
            raise ApiError(404, "unknown_child", f"no child called {child!r} in the policy")
        return child


def _pin_field(body: dict[str, object], name: str) -> str:
    value = body.get(name)
    if value is None:
        raise ApiError(400, "bad_request", f"the body needs {name!r}")
    if not isinstance(value, str):
        raise ApiError(400, "bad_request", f"{name!r} must be a string of digits")
    return value
