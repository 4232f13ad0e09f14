"""A typed client of the agent's local API, for the dashboard, the tray and ``baoan status``.

Each method is one endpoint and returns the plain frozen dataclasses of
:mod:`agent.api.types`. Failures are exceptions a caller can tell apart:

* :class:`AgentNotRunningError` — nothing answers at the address (connection refused,
  timeout);
* :class:`UnauthorizedError` (401; :class:`WrongPinError` with ``tries_left`` for a wrong
  PIN), :class:`ForbiddenError` (403), :class:`LockedError` (429, with ``retry_after``),
  :class:`SetupCodeRequiredError` and :class:`WrongSetupCodeError` (403, the first PIN
  without or with a wrong set-up code, ``tries_left``),
  :class:`PinNotSetError` (409 ``pin_not_set``), :class:`AlreadyDecidedError` (409
  ``already_decided``: another parent answered a request first), and
  :class:`ApiClientError` for the rest;
* :class:`ProtocolError` — the answer is not what the API promises.

The client never uses proxy settings from the environment: the agent is on loopback and
a token must never travel anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import requests

from agent.api.types import (
    AccessRequestInfo,
    ActivityHistory,
    CaregiverSettings,
    CaregiversInfo,
    CatalogueInfo,
    ChannelChecks,
    ChildDataDeleted,
    ChildDataExport,
    ChildInfo,
    ChildRules,
    ChildSchedules,
    ChildSettings,
    EventInfo,
    GrantInfo,
    Health,
    ListUpdateInfo,
    OsAccountInfo,
    Overview,
    PinAnswer,
    PolicyDocument,
    PolicyProblem,
    PresetInfo,
    ProtectionPauseInfo,
    QueryLogEntry,
    ScreenTimeRules,
    SeenApps,
    SessionInfo,
    ShapeError,
    SiteCheck,
    Stats,
    Status,
    UsageToday,
    WatchAcknowledgementInfo,
)

DEFAULT_BASE_URL = "http://127.0.0.1:8053"

T = TypeVar("T")


class ApiClientError(Exception):
    """The agent answered with an error. `code` is the API's error code (docs/api.md)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str = "error",
        body: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.body: Mapping[str, Any] = body or {}


class AgentNotRunningError(ApiClientError):
    """Nothing answers at the agent's address."""


class ProtocolError(ApiClientError):
    """The answer does not have the shape the API promises."""


class UnauthorizedError(ApiClientError):
    """401: no token, an unknown or expired one, or a wrong PIN."""


class WrongPinError(UnauthorizedError):
    @property
    def tries_left(self) -> int | None:
        value = self.body.get("tries_left")
        return value if isinstance(value, int) else None


class ForbiddenError(ApiClientError):
    """403: the Host or Origin was refused, or the token's role may not do this."""


class SetupCodeRequiredError(ForbiddenError):
    """403 ``setup_code_required``: no PIN is set, and setting the first needs the code."""


class WrongSetupCodeError(ForbiddenError):
    """403 ``wrong_setup_code``; ``tries_left`` before a lockout."""

    @property
    def tries_left(self) -> int | None:
        value = self.body.get("tries_left")
        return value if isinstance(value, int) else None


class WrongRecoveryCodeError(ForbiddenError):
    """403 ``wrong_recovery_code``; ``tries_left`` before a lockout."""

    @property
    def tries_left(self) -> int | None:
        value = self.body.get("tries_left")
        return value if isinstance(value, int) else None


class LockedError(ApiClientError):
    """429: too many wrong PINs."""

    @property
    def retry_after(self) -> int:
        value = self.body.get("retry_after")
        return value if isinstance(value, int) else 0


class PinNotSetError(ApiClientError):
    """409 ``pin_not_set``: the first PIN has to be set before anyone can log in."""


class AlreadyDecidedError(ApiClientError):
    """409 ``already_decided``: the request was answered before (the first decision stands)."""


class PolicyConflictError(ApiClientError):
    """412 ``precondition_failed``: the policy changed since it was read (by hand, or on
    another device); nothing was written. ``current_etag`` is the version now in the file."""

    @property
    def current_etag(self) -> str | None:
        value = self.body.get("etag")
        return value if isinstance(value, str) else None


class PolicyRefusedError(ApiClientError):
    """422 ``invalid_policy``: the policy was not valid; nothing was written. ``problems``
    are the loader's, each with its path, what was expected and what was found."""

    @property
    def problems(self) -> tuple[PolicyProblem, ...]:
        items = self.body.get("problems")
        if not isinstance(items, list):
            return ()
        found: list[PolicyProblem] = []
        for item in items:
            try:
                found.append(PolicyProblem.from_json(item))
            except ShapeError:
                continue
        return tuple(found)


class ApiClient:
    """``ApiClient("http://127.0.0.1:8053", token=None)``; `token` is a parent session's
    token or the tray token, sent as ``Authorization: Bearer``."""

    def __init__(
        self, base_url: str = DEFAULT_BASE_URL, token: str | None = None, timeout: float = 5.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._http = requests.Session()
        self._http.trust_env = False  # no proxies, no .netrc: the agent is on loopback

    def __repr__(self) -> str:
        return f"ApiClient({self.base_url!r}, token={'<set>' if self.token else None})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- endpoints --------------------------------------------------------------------------

    def health(self) -> Health:
        return self._parse(Health.from_json, self._request("GET", "/api/health"))

    def status(self) -> Status:
        """Public status; with a parent token also the children and today's minutes."""
        return self._parse(Status.from_json, self._request("GET", "/api/status"))

    def open_session(self, pin: str) -> SessionInfo:
        """Log in with the parent PIN; the client keeps the session's token."""
        session = self._parse(
            SessionInfo.from_json, self._request("POST", "/api/session", json={"pin": pin})
        )
        self.token = session.token
        return session

    def close_session(self) -> None:
        """Log out; the client forgets its token."""
        self._request("DELETE", "/api/session")
        self.token = None

    def set_pin(
        self, pin: str, old_pin: str | None = None, setup_code: str | None = None
    ) -> str:
        """The first PIN or a forgotten one (`setup_code`, the one-time set-up code), or a
        change (parent token and `old_pin`). The answer's status: set, reset or changed."""
        body = {"pin": pin}
        if old_pin is not None:
            body["old_pin"] = old_pin
        if setup_code is not None:
            body["setup_code"] = setup_code
        answer = self._request("POST", "/api/pin", json=body)
        status = answer.get("status") if isinstance(answer, dict) else None
        return status if isinstance(status, str) else ""

    def children(self) -> list[ChildInfo]:
        value = self._request("GET", "/api/children")
        if not isinstance(value, list):
            raise ProtocolError("children: expected a list", code="bad_answer")
        try:
            return [ChildInfo.from_json(item, f"children[{i}]") for i, item in enumerate(value)]
        except ShapeError as exc:
            raise ProtocolError(str(exc), code="bad_answer") from exc

    def watch_answers(self) -> dict[str, WatchAcknowledgementInfo | None]:
        """Each child's answer to "what Bảo An watches" (None: not answered yet)."""
        value = self._request("GET", "/api/watch/acknowledgements")
        if not isinstance(value, list):
            raise ProtocolError("watch answers: expected a list", code="bad_answer")
        answers: dict[str, WatchAcknowledgementInfo | None] = {}
        try:
            for index, item in enumerate(value):
                where = f"acknowledgements[{index}]"
                if not isinstance(item, dict) or not isinstance(item.get("child"), str):
                    raise ProtocolError(f"{where}: expected {{child, acknowledgement}}")
                ack = item.get("acknowledgement")
                answers[item["child"]] = (
                    None if ack is None else WatchAcknowledgementInfo.from_json(ack, where)
                )
        except ShapeError as exc:
            raise ProtocolError(str(exc), code="bad_answer") from exc
        return answers

    def usage_today(self) -> UsageToday:
        return self._parse(UsageToday.from_json, self._request("GET", "/api/usage/today"))

    def seen_apps(self) -> SeenApps:
        """``GET /api/apps`` (parent): the apps seen on this PC."""
        return self._parse(SeenApps.from_json, self._request("GET", "/api/apps"))

    def add_extra_minutes(self, child: str, minutes: int) -> int:
        """``POST /api/usage/extra`` (parent): `minutes` more for `child` today; answers with
        today's extra minutes in all."""
        value = self._request(
            "POST", "/api/usage/extra", json={"child": child, "minutes": minutes}
        )
        extra = value.get("extra_minutes") if isinstance(value, dict) else None
        if not isinstance(extra, int) or isinstance(extra, bool):
            raise ProtocolError("usage/extra: expected extra_minutes", code="bad_answer")
        return extra

    def events(self, limit: int = 50, child: str | None = None) -> list[EventInfo]:
        """Alerts, tamper and clock events, newest first (parent)."""
        params: dict[str, str | int] = {"limit": limit}
        if child:
            params["child"] = child
        value = self._request("GET", "/api/events", params=params)
        items = value.get("events") if isinstance(value, dict) else None
        if not isinstance(items, list):
            raise ProtocolError("events: expected an object with a list", code="bad_answer")
        try:
            return [EventInfo.from_json(item, f"events[{i}]") for i, item in enumerate(items)]
        except ShapeError as exc:
            raise ProtocolError(str(exc), code="bad_answer") from exc

    def query_log(self, child: str | None = None, limit: int = 100) -> list[QueryLogEntry]:
        params: dict[str, str | int] = {"limit": limit}
        if child:
            params["child"] = child
        value = self._request("GET", "/api/querylog", params=params)
        if not isinstance(value, list):
            raise ProtocolError("querylog: expected a list", code="bad_answer")
        try:
            return [QueryLogEntry.from_json(item, f"querylog[{i}]") for i, item in enumerate(value)]
        except ShapeError as exc:
            raise ProtocolError(str(exc), code="bad_answer") from exc

    def stats(self, child: str | None = None) -> Stats:
        params = {"child": child} if child else {}
        return self._parse(Stats.from_json, self._request("GET", "/api/stats", params=params))

    # -- a child's requests and the parents' grants (docs/block-page.md) ---------------------

    def requests(
        self, status: str | None = None, child: str | None = None, limit: int = 100
    ) -> list[AccessRequestInfo]:
        """``GET /api/requests``, newest first; `status` is ``pending``, ``allowed`` or
        ``denied`` (None: every status)."""
        params: dict[str, str | int] = {"limit": limit}
        if status:
            params["status"] = status
        if child:
            params["child"] = child
        value = self._request("GET", "/api/requests", params=params)
        if not isinstance(value, list):
            raise ProtocolError("requests: expected a list", code="bad_answer")
        return self._parse(
            lambda items: [
                AccessRequestInfo.from_json(item, f"requests[{i}]") for i, item in enumerate(items)
            ],
            value,
        )

    def decide_request(
        self, request_id: str, allow: bool, minutes: int | None = None
    ) -> AccessRequestInfo:
        """``POST /api/requests/<id>/decision``: allow for `minutes` (1 to 1440) or deny.
        Raises AlreadyDecidedError when it was answered before."""
        if allow and minutes is None:
            raise ValueError("an approval needs minutes (1 to 1440)")
        body: dict[str, Any] = {"allow": True, "minutes": minutes} if allow else {"allow": False}
        answer = self._request("POST", f"/api/requests/{_segment(request_id)}/decision", json=body)
        return self._parse(AccessRequestInfo.from_json, answer)

    def revoke_request(self, request_id: str) -> AccessRequestInfo:
        """``POST /api/requests/<id>/revoke``: end the request's grant now."""
        answer = self._request("POST", f"/api/requests/{_segment(request_id)}/revoke", json={})
        return self._parse(AccessRequestInfo.from_json, answer)

    def grants(self, child: str | None = None) -> list[GrantInfo]:
        """``GET /api/grants``: the grants in force now (the agent's clock decides)."""
        params = {"child": child} if child else {}
        value = self._request("GET", "/api/grants", params=params)
        if not isinstance(value, list):
            raise ProtocolError("grants: expected a list", code="bad_answer")
        return self._parse(
            lambda items: [
                GrantInfo.from_json(item, f"grants[{i}]") for i, item in enumerate(items)
            ],
            value,
        )

    # -- caregivers (docs/api.md, "Caregivers") --------------------------------------------

    def caregivers(self) -> CaregiversInfo:
        """``GET /api/caregivers`` (parent): the caregivers, their channels' last results
        and this PC's dead-man signal to each."""
        return self._parse(CaregiversInfo.from_json, self._request("GET", "/api/caregivers"))

    def send_test_alert(self) -> ChannelChecks:
        """``POST /api/caregivers/test`` (parent): a test alert to every channel now."""
        value = self._request("POST", "/api/caregivers/test", json={})
        return self._parse(ChannelChecks.from_json, value)

    # -- the policy (docs/api.md, "The policy") ----------------------------------------------

    def policy(self) -> PolicyDocument:
        """``GET /api/policy``: the family policy as JSON with its version's ETag."""
        value, etag = self._versioned("GET", "/api/policy")
        return self._parse(lambda v: PolicyDocument.from_json(v, etag), value)

    def replace_policy(self, document: PolicyDocument) -> PolicyDocument:
        """``PUT /api/policy`` with ``If-Match: document.etag``. Raises PolicyConflictError
        (412) when the file changed since, PolicyRefusedError (422) when it is not valid."""
        value, etag = self._versioned(
            "PUT", "/api/policy", json=document.to_json(), if_match=document.etag
        )
        return self._parse(lambda v: PolicyDocument.from_json(v, etag), value)

    def child_rules(self, child: str) -> tuple[str, ChildRules]:
        """``GET /api/children/<name>/rules``: the ETag and the child's web rules."""
        value, etag = self._versioned("GET", f"/api/children/{_segment(child)}/rules")
        return etag, self._parse(ChildRules.from_json, value)

    def set_child_rules(self, etag: str, rules: ChildRules) -> tuple[str, ChildRules]:
        """``PUT /api/children/<name>/rules`` with ``If-Match``; the same errors as
        :meth:`replace_policy`."""
        value, new_etag = self._versioned(
            "PUT",
            f"/api/children/{_segment(rules.child)}/rules",
            json=rules.to_json(),
            if_match=etag,
        )
        return new_etag, self._parse(ChildRules.from_json, value)

    def screen_time(self, child: str) -> tuple[str, ScreenTimeRules]:
        """``GET /api/children/<name>/screen-time``: the ETag and the child's limits."""
        value, etag = self._versioned("GET", f"/api/children/{_segment(child)}/screen-time")
        return etag, self._parse(ScreenTimeRules.from_json, value)

    def set_screen_time(self, etag: str, rules: ScreenTimeRules) -> tuple[str, ScreenTimeRules]:
        """``PUT /api/children/<name>/screen-time`` with ``If-Match``."""
        value, new_etag = self._versioned(
            "PUT",
            f"/api/children/{_segment(rules.child)}/screen-time",
            json=rules.to_json(),
            if_match=etag,
        )
        return new_etag, self._parse(ScreenTimeRules.from_json, value)

    def schedules(self, child: str) -> tuple[str, ChildSchedules]:
        """``GET /api/children/<name>/schedules``: the ETag and the child's time rules."""
        value, etag = self._versioned("GET", f"/api/children/{_segment(child)}/schedules")
        return etag, self._parse(ChildSchedules.from_json, value)

    def set_schedules(self, etag: str, rules: ChildSchedules) -> tuple[str, ChildSchedules]:
        """``PUT /api/children/<name>/schedules`` with ``If-Match``."""
        value, new_etag = self._versioned(
            "PUT",
            f"/api/children/{_segment(rules.child)}/schedules",
            json=rules.to_json(),
            if_match=etag,
        )
        return new_etag, self._parse(ChildSchedules.from_json, value)

    def overview(self) -> Overview:
        """``GET /api/overview``: today for each child and the protection's state (parent)."""
        return self._parse(Overview.from_json, self._request("GET", "/api/overview"))

    def activity(self, child: str, days: int = 7) -> ActivityHistory:
        """``GET /api/activity``: a child's last `days` days (parent)."""
        value = self._request("GET", "/api/activity", params={"child": child, "days": days})
        return self._parse(ActivityHistory.from_json, value)

    def check_site(self, name: str, child: str | None = None) -> SiteCheck:
        """``GET /api/check``: the verdict of the rules in force for `name`."""
        params = {"name": name, **({"child": child} if child else {})}
        return self._parse(SiteCheck.from_json, self._request("GET", "/api/check", params=params))

    def catalogue(self) -> CatalogueInfo:
        """``GET /api/catalogue``: the category ids and the services."""
        return self._parse(CatalogueInfo.from_json, self._request("GET", "/api/catalogue"))

    # -- the first PIN's recovery code, the family, the Settings page (docs/api.md) ----------

    def create_pin(self, pin: str, setup_code: str) -> PinAnswer:
        """``POST /api/pin`` with the one-time set-up code: the first PIN (or one in place
        of a forgotten one), and the recovery code the agent made, to show once."""
        body = {"pin": pin, "setup_code": setup_code}
        return self._parse(PinAnswer.from_json, self._request("POST", "/api/pin", json=body))

    def reset_pin_with_recovery_code(self, pin: str, recovery_code: str) -> PinAnswer:
        """A forgotten PIN replaced with the recovery code; the answer holds the next one."""
        body = {"pin": pin, "recovery_code": recovery_code}
        return self._parse(PinAnswer.from_json, self._request("POST", "/api/pin", json=body))

    def new_recovery_code(self) -> str:
        """``POST /api/pin/recovery-code`` (parent): a fresh code in place of the old one."""
        answer = self._parse(
            PinAnswer.from_json, self._request("POST", "/api/pin/recovery-code", json={})
        )
        if answer.recovery_code is None:
            raise ProtocolError("the answer has no recovery code", code="bad_answer")
        return answer.recovery_code

    def presets(self) -> list[PresetInfo]:
        value = self._request("GET", "/api/presets")
        items = value.get("presets") if isinstance(value, dict) else None
        if not isinstance(items, list):
            raise ProtocolError("presets: expected {presets: [...]}", code="bad_answer")
        return self._parse(
            lambda v: [PresetInfo.from_json(item, f"presets[{i}]") for i, item in enumerate(v)],
            items,
        )

    def os_accounts(self) -> list[OsAccountInfo]:
        value = self._request("GET", "/api/os-accounts")
        items = value.get("accounts") if isinstance(value, dict) else None
        if not isinstance(items, list):
            raise ProtocolError("os-accounts: expected {accounts: [...]}", code="bad_answer")
        return self._parse(
            lambda v: [OsAccountInfo.from_json(item, f"accounts[{i}]") for i, item in enumerate(v)],
            items,
        )

    def family_children(self) -> tuple[str, list[ChildSettings], str | None]:
        """``GET /api/family/children``: the ETag, each child's settings, the default child."""
        value, etag = self._versioned("GET", "/api/family/children")
        items = value.get("children") if isinstance(value, dict) else None
        if not isinstance(items, list):
            raise ProtocolError("family children: expected {children: [...]}", code="bad_answer")
        children = self._parse(
            lambda v: [ChildSettings.from_json(item, f"children[{i}]") for i, item in enumerate(v)],
            items,
        )
        default = value.get("default_child")
        return etag, children, default if isinstance(default, str) else None

    def add_child(self, etag: str, settings: ChildSettings) -> tuple[str, ChildSettings]:
        value, new_etag = self._versioned(
            "POST", "/api/family/children", json=settings.to_json(), if_match=etag
        )
        return new_etag, self._parse(ChildSettings.from_json, value)

    def update_child(
        self, etag: str, name: str, settings: ChildSettings
    ) -> tuple[str, ChildSettings]:
        value, new_etag = self._versioned(
            "PUT", f"/api/family/children/{_segment(name)}", json=settings.to_json(),
            if_match=etag,
        )
        return new_etag, self._parse(ChildSettings.from_json, value)

    def remove_child(self, etag: str, name: str) -> str:
        _value, new_etag = self._versioned(
            "DELETE", f"/api/family/children/{_segment(name)}", if_match=etag
        )
        return new_etag

    def family_caregivers(self) -> tuple[str, list[CaregiverSettings]]:
        """``GET /api/family/caregivers``: the ETag and each caregiver's settings (no
        secret in them, only whether each is set)."""
        value, etag = self._versioned("GET", "/api/family/caregivers")
        items = value.get("caregivers") if isinstance(value, dict) else None
        if not isinstance(items, list):
            raise ProtocolError("caregivers: expected {caregivers: [...]}", code="bad_answer")
        return etag, self._parse(
            lambda v: [
                CaregiverSettings.from_json(item, f"caregivers[{i}]") for i, item in enumerate(v)
            ],
            items,
        )

    def add_caregiver(
        self, etag: str, settings: CaregiverSettings
    ) -> tuple[str, CaregiverSettings]:
        value, new_etag = self._versioned(
            "POST", "/api/family/caregivers", json=settings.to_json(), if_match=etag
        )
        return new_etag, self._parse(CaregiverSettings.from_json, value)

    def update_caregiver(
        self, etag: str, name: str, settings: CaregiverSettings
    ) -> tuple[str, CaregiverSettings]:
        value, new_etag = self._versioned(
            "PUT", f"/api/family/caregivers/{_segment(name)}", json=settings.to_json(),
            if_match=etag,
        )
        return new_etag, self._parse(CaregiverSettings.from_json, value)

    def remove_caregiver(self, etag: str, name: str) -> str:
        _value, new_etag = self._versioned(
            "DELETE", f"/api/family/caregivers/{_segment(name)}", if_match=etag
        )
        return new_etag

    def protection_pause(self) -> ProtectionPauseInfo:
        return self._parse(
            ProtectionPauseInfo.from_json, self._request("GET", "/api/protection/pause")
        )

    def pause_protection(self, minutes: int) -> ProtectionPauseInfo:
        answer = self._request("POST", "/api/protection/pause", json={"minutes": minutes})
        return self._parse(ProtectionPauseInfo.from_json, answer)

    def resume_protection(self) -> ProtectionPauseInfo:
        answer = self._request("DELETE", "/api/protection/pause")
        return self._parse(ProtectionPauseInfo.from_json, answer)

    def list_update(self) -> ListUpdateInfo:
        return self._parse(ListUpdateInfo.from_json, self._request("GET", "/api/lists/update"))

    def start_list_update(self) -> ListUpdateInfo:
        answer = self._request("POST", "/api/lists/update", json={})
        return self._parse(ListUpdateInfo.from_json, answer)

    def cancel_list_update(self) -> ListUpdateInfo:
        return self._parse(ListUpdateInfo.from_json, self._request("DELETE", "/api/lists/update"))

    def export_child_data(
        self, child: str, cursor: str | None = None, limit: int | None = None
    ) -> ChildDataExport:
        """One page of the child's data (the first without `cursor`)."""
        query = {"cursor": cursor, "limit": None if limit is None else str(limit)}
        params = {key: value for key, value in query.items() if value is not None}
        answer = self._request("GET", f"/api/children/{_segment(child)}/data", params=params)
        return self._parse(ChildDataExport.from_json, answer)

    def delete_child_data(self, child: str) -> ChildDataDeleted:
        answer = self._request("DELETE", f"/api/children/{_segment(child)}/data")
        return self._parse(ChildDataDeleted.from_json, answer)

    # -- plumbing ---------------------------------------------------------------------------

    def _versioned(
        self, method: str, path: str, *, json: Any = None, if_match: str | None = None
    ) -> tuple[Any, str]:
        extra = {"If-Match": if_match} if if_match else {}
        value, headers = self._send(method, path, json=json, extra_headers=extra)
        etag = headers.get("ETag")
        if not etag:
            raise ProtocolError(f"{method} {path}: the answer has no ETag", code="bad_answer")
        return value, etag

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        return self._send(method, path, json=json, params=params)[0]

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[Any, Mapping[str, str]]:
        headers = {"Accept": "application/json", **(extra_headers or {})}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        url = self.base_url + path
        try:
            response = self._http.request(
                method, url, json=json, params=params, headers=headers, timeout=self.timeout
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise AgentNotRunningError(
                f"the Bảo An agent does not answer at {self.base_url} ({type(exc).__name__})",
                code="not_running",
            ) from exc
        except requests.RequestException as exc:
            raise ApiClientError(f"{method} {url} failed: {exc}", code="request_failed") from exc
        try:
            value = response.json()
        except ValueError:
            value = None
        if response.ok:
            if value is None:
                raise ProtocolError(
                    f"{method} {path}: the answer is not JSON",
                    status=response.status_code,
                    code="bad_answer",
                )
            return value, response.headers
        raise _error_for(response.status_code, value if isinstance(value, dict) else {}, path)

    @staticmethod
    def _parse(parse: Callable[[Any], T], value: Any) -> T:
        try:
            return parse(value)
        except ShapeError as exc:
            raise ProtocolError(str(exc), code="bad_answer") from exc


def _segment(value: str) -> str:
    """One path segment: a request id never reaches another path."""
    return quote(value, safe="")


def _error_for(status: int, body: Mapping[str, Any], path: str) -> ApiClientError:
    code = str(body.get("error", f"http_{status}"))
    message = str(body.get("message", f"HTTP {status} from {path}"))
    error_class: type[ApiClientError]
    if status == 401:
        error_class = WrongPinError if code == "wrong_pin" else UnauthorizedError
    elif status == 403:
        error_class = {
            "setup_code_required": SetupCodeRequiredError,
            "wrong_setup_code": WrongSetupCodeError,
            "wrong_recovery_code": WrongRecoveryCodeError,
        }.get(code, ForbiddenError)
    elif status == 429:
        error_class = LockedError
    elif code == "pin_not_set":
        error_class = PinNotSetError
    elif code == "already_decided":
        error_class = AlreadyDecidedError
    elif status == 412:
        error_class = PolicyConflictError
    elif status == 422:
        error_class = PolicyRefusedError
    else:
        error_class = ApiClientError
    return error_class(message, status=status, code=code, body=body)
