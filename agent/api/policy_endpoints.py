"""The parent's edits of the family policy (docs/api.md, "The policy").

- ``GET /api/policy`` (parent): the content of `family.toml` as JSON, ``ETag`` header.
- ``PUT /api/policy`` (parent, ``If-Match``): replace it. ``422 invalid_policy`` with
  ``problems: [{path, expected, got, message, line}]``; ``412 precondition_failed`` when
  the file changed since (the answer carries the current ``ETag``); ``428
  precondition_required`` without ``If-Match``.
- ``GET /api/children/<name>/rules``, ``PUT`` the same (``If-Match``): one child's web rules.
- ``GET /api/children/<name>/screen-time``, ``PUT`` the same (``If-Match``): the limits.
- ``GET /api/children/<name>/schedules``, ``PUT`` the same (``If-Match``): the time rules.
- ``GET /api/check?name=&child=`` (parent): the verdict of the rules in force for a name.
- ``GET /api/catalogue`` (parent): the category ids and the services, for the rules' forms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from agent.api.http import ApiError, Request, Response, Router, json_response
from agent.api.types import (
    CatalogueInfo,
    ChildRules,
    ChildSchedules,
    ScreenTimeRules,
    ShapeError,
    SiteCheck,
)
from agent.policy.editing import PolicyTextError, errors_json
from agent.policy.errors import InvalidPolicyError
from agent.policy_editor import PolicyEditor, PolicyVersion, StalePolicyError, UnknownChildError

SiteChecker = Callable[[str, str | None], SiteCheck]


@dataclass(frozen=True)
class PolicyEndpointServices:
    editor: PolicyEditor
    check_site: SiteChecker  # raises ValueError for an unknown child or a bad name
    catalogue: CatalogueInfo


def register_policy_endpoints(router: Router, services: PolicyEndpointServices) -> None:
    endpoints = _PolicyEndpoints(services)
    router.add("GET", "/api/policy", endpoints.get_policy, auth="parent")
    router.add("PUT", "/api/policy", endpoints.put_policy, auth="parent")
    router.add("GET", "/api/children/{name}/rules", endpoints.get_rules, auth="parent")
    router.add("PUT", "/api/children/{name}/rules", endpoints.put_rules, auth="parent")
    router.add("GET", "/api/children/{name}/screen-time", endpoints.get_screen_time, auth="parent")
    router.add("PUT", "/api/children/{name}/screen-time", endpoints.put_screen_time, auth="parent")
    router.add("GET", "/api/children/{name}/schedules", endpoints.get_schedules, auth="parent")
    router.add("PUT", "/api/children/{name}/schedules", endpoints.put_schedules, auth="parent")
    router.add("GET", "/api/check", endpoints.check, auth="parent")
    router.add("GET", "/api/catalogue", endpoints.catalogue, auth="parent")


def if_match(request: Request) -> str:
    value = request.headers.get("if-match", "").strip()
    if not value:
        raise ApiError(
            428,
            "precondition_required",
            "send If-Match with the ETag of the policy you edited",
        )
    return value.removeprefix("W/")


def edit_error(error: Exception) -> ApiError:
    if isinstance(error, StalePolicyError):
        return ApiError(
            412,
            "precondition_failed",
            "family.toml changed since you read it; read it again and redo the change",
            headers={"ETag": error.current_etag},
            etag=error.current_etag,
        )
    if isinstance(error, InvalidPolicyError):
        return ApiError(
            422, "invalid_policy", "the policy is not valid", problems=errors_json(error)
        )
    if isinstance(error, UnknownChildError):
        return ApiError(404, "unknown_child", f"no child called {error} in the policy")
    if isinstance(error, PolicyTextError):
        return ApiError(409, "policy_unreadable", f"family.toml is not valid TOML: {error}")
    raise error


class _PolicyEndpoints:
    def __init__(self, services: PolicyEndpointServices) -> None:
        self._editor = services.editor
        self._check = services.check_site
        self._catalogue = services.catalogue

    def catalogue(self, request: Request) -> object:
        return self._catalogue.to_json()

    def get_policy(self, request: Request) -> Response:
        try:
            version = self._editor.read()
        except (InvalidPolicyError, PolicyTextError) as error:
            raise edit_error(error) from None
        return _versioned(version)

    def put_policy(self, request: Request) -> Response:
        etag = if_match(request)
        body = request.json_object()
        try:
            version = self._editor.replace(etag, body)
        except (StalePolicyError, InvalidPolicyError, PolicyTextError) as error:
            raise edit_error(error) from None
        return _versioned(version)

    def get_rules(self, request: Request) -> Response:
        return _read_part(request, self._editor.child_rules)

    def put_rules(self, request: Request) -> Response:
        return _write_part(request, ChildRules.from_json, self._editor.set_child_rules)

    def get_screen_time(self, request: Request) -> Response:
        return _read_part(request, self._editor.screen_time)

    def put_screen_time(self, request: Request) -> Response:
        return _write_part(request, ScreenTimeRules.from_json, self._editor.set_screen_time)

    def get_schedules(self, request: Request) -> Response:
        return _read_part(request, self._editor.schedules)

    def put_schedules(self, request: Request) -> Response:
        return _write_part(request, ChildSchedules.from_json, self._editor.set_schedules)

    def check(self, request: Request) -> object:
        name = (request.query_value("name") or "").strip()
        if not name:
            raise ApiError(400, "bad_request", "'name' is required")
        child = request.query_value("child") or None
        try:
            return self._check(name, child).to_json()
        except ValueError as error:
            raise ApiError(400, "bad_request", str(error)) from None


def _versioned(version: PolicyVersion) -> Response:
    return json_response(version.policy, headers={"ETag": version.etag})


class _ChildPart(Protocol):
    def to_json(self) -> dict[str, object]: ...


_Part = TypeVar("_Part", bound=_ChildPart)


def _read_part(request: Request, read: Callable[[str], tuple[str, _Part]]) -> Response:
    """One part of a child's rules (web rules, screen time, schedules) with its ETag."""
    try:
        etag, part = read(request.path_params["name"])
    except (UnknownChildError, InvalidPolicyError, PolicyTextError) as error:
        raise edit_error(error) from None
    return json_response(part.to_json(), headers={"ETag": etag})


def _write_part(
    request: Request,
    parse: Callable[[dict[str, object]], _Part],
    write: Callable[[str, _Part], tuple[str, _Part]],
) -> Response:
    """Replace one part of a child's rules, if the file is still the one the ETag names."""
    etag = if_match(request)
    body = request.json_object()
    body["child"] = request.path_params["name"]
    try:
        part = parse(body)
    except ShapeError as error:
        raise ApiError(400, "bad_request", str(error)) from None
    try:
        new_etag, saved = write(etag, part)
    except (StalePolicyError, InvalidPolicyError, UnknownChildError, PolicyTextError) as error:
        raise edit_error(error) from None
    return json_response(saved.to_json(), headers={"ETag": new_etag})
