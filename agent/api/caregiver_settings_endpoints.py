"""The caregivers' settings for the parent (docs/api.md, "Caregivers"): who hears the
alerts, what they hear, their cap and their channels, edited. Parent only.

- ``GET /api/family/caregivers``: ``{"caregivers": [settings, ...]}`` with the file's
  ``ETag``; secrets are never in it, only whether each is set.
- ``POST /api/family/caregivers`` (``If-Match``): add a caregiver → ``201`` their settings.
- ``PUT /api/family/caregivers/<name>`` (``If-Match``): change them (a new name renames);
  a secret left out is kept.
- ``DELETE /api/family/caregivers/<name>`` (``If-Match``): remove them.

The edits answer as ``PUT /api/policy`` does: ``412``, ``422``, ``428``; an unknown
caregiver is ``404 unknown_caregiver``, a name taken ``409 caregiver_exists``.
"""

from __future__ import annotations

from agent.api.http import ApiError, Request, Response, Router, json_response
from agent.api.policy_endpoints import edit_error, if_match
from agent.api.types import CaregiverSettings, ShapeError
from agent.caregiver_editor import CaregiverEditor, CaregiverExistsError, UnknownCaregiverError
from agent.policy.editing import PolicyTextError
from agent.policy.errors import InvalidPolicyError
from agent.policy_editor import StalePolicyError

_EDIT_ERRORS = (
    StalePolicyError,
    InvalidPolicyError,
    PolicyTextError,
    CaregiverExistsError,
    UnknownCaregiverError,
)


def register_caregiver_settings_endpoints(router: Router, editor: CaregiverEditor) -> None:
    endpoints = _CaregiverSettingsEndpoints(editor)
    router.add("GET", "/api/family/caregivers", endpoints.caregivers, auth="parent")
    router.add("POST", "/api/family/caregivers", endpoints.add, auth="parent")
    router.add("PUT", "/api/family/caregivers/{name}", endpoints.update, auth="parent")
    router.add("DELETE", "/api/family/caregivers/{name}", endpoints.remove, auth="parent")


def _error(error: Exception) -> ApiError:
    if isinstance(error, CaregiverExistsError):
        return ApiError(
            409, "caregiver_exists", f"a caregiver called {error} is in the policy already"
        )
    if isinstance(error, UnknownCaregiverError):
        return ApiError(404, "unknown_caregiver", f"no caregiver called {error} in the policy")
    return edit_error(error)


def _settings(request: Request) -> CaregiverSettings:
    try:
        settings = CaregiverSettings.from_json(request.json_object())
    except ShapeError as error:
        raise ApiError(400, "bad_request", str(error)) from None
    if not settings.name.strip():
        raise ApiError(400, "bad_request", "the caregiver needs a name")
    return settings


class _CaregiverSettingsEndpoints:
    def __init__(self, editor: CaregiverEditor) -> None:
        self._editor = editor

    def caregivers(self, request: Request) -> Response:
        try:
            etag, caregivers = self._editor.caregivers()
        except (InvalidPolicyError, PolicyTextError) as error:
            raise _error(error) from None
        body = {"caregivers": [caregiver.to_json() for caregiver in caregivers]}
        return json_response(body, headers={"ETag": etag})

    def add(self, request: Request) -> Response:
        etag = if_match(request)
        settings = _settings(request)
        try:
            new_etag, saved = self._editor.add_caregiver(etag, settings)
        except _EDIT_ERRORS as error:
            raise _error(error) from None
        return json_response(saved.to_json(), status=201, headers={"ETag": new_etag})

    def update(self, request: Request) -> Response:
        etag = if_match(request)
        settings = _settings(request)
        try:
            new_etag, saved = self._editor.update_caregiver(
                etag, request.path_params["name"], settings
            )
        except _EDIT_ERRORS as error:
            raise _error(error) from None
        return json_response(saved.to_json(), headers={"ETag": new_etag})

    def remove(self, request: Request) -> Response:
        etag = if_match(request)
        name = request.path_params["name"]
        try:
            new_etag = self._editor.remove_caregiver(etag, name)
        except _EDIT_ERRORS as error:
            raise _error(error) from None
        return json_response({"removed": name}, headers={"ETag": new_etag})
