"""Who the children are (docs/api.md, "The family"): the age presets, the PC's accounts,
and each child's name, age, preset, OS accounts and LAN devices. Parent only.

- ``GET /api/presets``: ``{"presets": [preset, ...]}``, youngest first.
- ``GET /api/os-accounts``: ``{"accounts": [{"name", "full_name"}, ...]}``, the people's
  accounts on this PC.
- ``GET /api/family/children``: ``{"children": [settings, ...], "default_child"}`` with the
  file's ``ETag``.
- ``POST /api/family/children`` (``If-Match``): add a child → ``201`` the child's settings.
- ``PUT /api/family/children/<name>`` (``If-Match``): change them (a new name renames).
- ``DELETE /api/family/children/<name>`` (``If-Match``): remove the child and their devices.

The edits answer as ``PUT /api/policy`` does: ``412``, ``422``, ``428``; an unknown child
is ``404 unknown_child``, a name taken ``409 child_exists``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agent.api.http import ApiError, Request, Response, Router, json_response
from agent.api.policy_endpoints import edit_error, if_match
from agent.api.types import ChildSettings, OsAccountInfo, ShapeError
from agent.family_editor import ChildExistsError, FamilyEditor, preset_infos
from agent.policy.editing import PolicyTextError
from agent.policy.errors import InvalidPolicyError
from agent.policy_editor import StalePolicyError, UnknownChildError

AccountLister = Callable[[], Sequence[OsAccountInfo]]
_EDIT_ERRORS = (
    StalePolicyError,
    InvalidPolicyError,
    UnknownChildError,
    PolicyTextError,
    ChildExistsError,
)


@dataclass(frozen=True)
class FamilyEndpointServices:
    family: FamilyEditor
    accounts: AccountLister


def register_family_endpoints(router: Router, services: FamilyEndpointServices) -> None:
    endpoints = _FamilyEndpoints(services)
    router.add("GET", "/api/presets", endpoints.presets, auth="parent")
    router.add("GET", "/api/os-accounts", endpoints.accounts, auth="parent")
    router.add("GET", "/api/family/children", endpoints.children, auth="parent")
    router.add("POST", "/api/family/children", endpoints.add_child, auth="parent")
    router.add("PUT", "/api/family/children/{name}", endpoints.update_child, auth="parent")
    router.add("DELETE", "/api/family/children/{name}", endpoints.remove_child, auth="parent")


def _error(error: Exception) -> ApiError:
    if isinstance(error, ChildExistsError):
        return ApiError(409, "child_exists", f"a child called {error} is in the policy already")
    return edit_error(error)


def _settings(request: Request) -> ChildSettings:
    try:
        settings = ChildSettings.from_json(request.json_object())
    except ShapeError as error:
        raise ApiError(400, "bad_request", str(error)) from None
    if not settings.name.strip():
        raise ApiError(400, "bad_request", "the child needs a name")
    return settings


class _FamilyEndpoints:
    def __init__(self, services: FamilyEndpointServices) -> None:
        self._family = services.family
        self._accounts = services.accounts

    def presets(self, request: Request) -> object:
        return {"presets": [preset.to_json() for preset in preset_infos()]}

    def accounts(self, request: Request) -> object:
        return {"accounts": [account.to_json() for account in self._accounts()]}

    def children(self, request: Request) -> Response:
        try:
            etag, children, default_child = self._family.children()
        except (InvalidPolicyError, PolicyTextError) as error:
            raise _error(error) from None
        body = {"children": [child.to_json() for child in children], "default_child": default_child}
        return json_response(body, headers={"ETag": etag})

    def add_child(self, request: Request) -> Response:
        etag = if_match(request)
        settings = _settings(request)
        try:
            new_etag, saved = self._family.add_child(etag, settings)
        except _EDIT_ERRORS as error:
            raise _error(error) from None
        return json_response(saved.to_json(), status=201, headers={"ETag": new_etag})

    def update_child(self, request: Request) -> Response:
        etag = if_match(request)
        settings = _settings(request)
        try:
            new_etag, saved = self._family.update_child(
                etag, request.path_params["name"], settings
            )
        except _EDIT_ERRORS as error:
            raise _error(error) from None
        return json_response(saved.to_json(), headers={"ETag": new_etag})

    def remove_child(self, request: Request) -> Response:
        etag = if_match(request)
        name = request.path_params["name"]
        try:
            new_etag = self._family.remove_child(etag, name)
        except _EDIT_ERRORS as error:
            raise _error(error) from None
        return json_response({"removed": name}, headers={"ETag": new_etag})
