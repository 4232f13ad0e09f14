"""The Settings page's agent side (docs/api.md, "Settings"). Parent only.

- ``GET /api/protection/pause``; ``POST`` ``{"minutes": 1…1440}`` pauses the DNS filter's
  blocks (an event and an alert); ``DELETE`` turns protection back on. Each answers
  ``{"paused", "paused_until", "paused_at"}``.
- ``GET /api/lists/update``: the progress of "update now"; ``POST`` starts it (``202``),
  ``DELETE`` cancels it before the next source.
- ``GET /api/children/<name>/data?cursor=&limit=``: a copy of the child's data, a page
  of at most 5,000 rows at a time with the next page's cursor; ``DELETE`` removes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.api.http import ApiError, Request, Response, Router, json_response
from agent.child_data import EXPORT_PAGE_MAX, ChildData
from agent.list_update import ListUpdates
from agent.protection_pause import ProtectionPause


@dataclass(frozen=True)
class SettingsEndpointServices:
    pause: ProtectionPause
    list_updates: ListUpdates
    child_data: ChildData


def register_settings_endpoints(router: Router, services: SettingsEndpointServices) -> None:
    endpoints = _SettingsEndpoints(services)
    router.add("GET", "/api/protection/pause", endpoints.pause_state, auth="parent")
    router.add("POST", "/api/protection/pause", endpoints.pause, auth="parent")
    router.add("DELETE", "/api/protection/pause", endpoints.resume, auth="parent")
    router.add("GET", "/api/lists/update", endpoints.update_state, auth="parent")
    router.add("POST", "/api/lists/update", endpoints.start_update, auth="parent")
    router.add("DELETE", "/api/lists/update", endpoints.cancel_update, auth="parent")
    router.add("GET", "/api/children/{name}/data", endpoints.export_data, auth="parent")
    router.add("DELETE", "/api/children/{name}/data", endpoints.delete_data, auth="parent")


class _SettingsEndpoints:
    def __init__(self, services: SettingsEndpointServices) -> None:
        self._pause = services.pause
        self._updates = services.list_updates
        self._data = services.child_data

    def pause_state(self, request: Request) -> object:
        return self._pause.state().to_json()

    def pause(self, request: Request) -> object:
        minutes = request.json_object().get("minutes")
        if not isinstance(minutes, int) or isinstance(minutes, bool):
            raise ApiError(400, "bad_request", "'minutes' must be a whole number (1 to 1440)")
        try:
            return self._pause.pause(minutes).to_json()
        except ValueError as error:
            raise ApiError(400, "bad_request", str(error)) from None

    def resume(self, request: Request) -> object:
        return self._pause.resume().to_json()

    def update_state(self, request: Request) -> object:
        return self._updates.state().to_json()

    def start_update(self, request: Request) -> Response:
        return json_response(self._updates.start().to_json(), status=202)

    def cancel_update(self, request: Request) -> object:
        return self._updates.cancel().to_json()

    def export_data(self, request: Request) -> object:
        limit = request.int_query("limit", EXPORT_PAGE_MAX, 1, EXPORT_PAGE_MAX)
        try:
            page = self._data.export(_child(request), request.query_value("cursor"), limit)
        except ValueError as error:
            raise ApiError(400, "bad_cursor", str(error)) from None
        return page.to_json()

    def delete_data(self, request: Request) -> object:
        return self._data.delete(_child(request)).to_json()


def _child(request: Request) -> str:
    name = request.path_params["name"].strip()
    if not name:
        raise ApiError(400, "bad_request", "name a child")
    return name
