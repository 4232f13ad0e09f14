"""The dashboard's family pages (docs/api.md, "Overview and activity"), parent only:

* ``GET /api/overview`` — today for each child: time used and left, top apps and sites,
  blocks, requests waiting, alerts, the tray; and whether the PC's protection is whole;
* ``GET /api/activity?child=&days=7|30`` — a child's daily screen time per app and per
  category, and blocks per category, oldest day first.
"""

from __future__ import annotations

from agent.api.http import ApiError, Request, Router
from agent.overview import HISTORY_DAYS, OverviewService, UnknownChildError


def register_overview_routes(router: Router, service: OverviewService) -> None:
    def overview(request: Request) -> object:
        return service.overview().to_json()

    def activity(request: Request) -> object:
        child = request.query_value("child") or ""
        if not child:
            raise ApiError(400, "bad_request", "'child' is required")
        days = request.int_query("days", HISTORY_DAYS[0], 1, max(HISTORY_DAYS))
        try:
            return service.activity(child, days).to_json()
        except UnknownChildError:
            raise ApiError(404, "unknown_child", f"no child called {child!r}") from None

    router.add("GET", "/api/overview", overview, auth="parent")
    router.add("GET", "/api/activity", activity, auth="parent")
