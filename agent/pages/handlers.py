"""The child's pages on the agent's HTTP listener: the block page (for any Host), the state
of a request to a parent, Help / 111, "Báo điều xấu" and "what Bảo An watches".

Paths live under ``/__baoan/`` so they do not clash with a blocked site's own paths; every
other path outside ``/api/`` is the block page for the Host the browser asked for. On the
agent's own names (``127.0.0.1``, ``localhost``…) the block page takes the site from
``?site=`` — that is the address the tray's notification opens for a blocked HTTPS site.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from agent.access import (
    AccessService,
    InvalidInputError,
    RateLimitedError,
    RequestNotFoundError,
    UnknownChildError,
    display_site,
    normalise_site,
)
from agent.alert_receivers import alert_receivers, help_alerts_unheard, pc_name
from agent.api.http import Request, Response, Router, html_response, json_response
from agent.api.server import LOOPBACK_NAMES, split_host
from agent.pages import render
from agent.pages.csrf import CsrfSigner, same_origin
from agent.pages.explain import Explanation, explain
from agent.pages.i18n import AgeBand, band_for_age, choose_language
from agent.pages.render import PAGE_PREFIX, PageContext
from agent.pages.tips import tips_for
from agent.pages.watch import asks_consent, watch_words
from agent.policy.services import ServiceCatalogue, load_catalogue
from dns_filter.policy import FilterPolicy
from dns_filter.verdict import verdict

log = logging.getLogger(__name__)

# The pages must never be cached: under a blocked site's name, a cached block page would
# hide the real site once a parent allows it. No script, no frames, forms to ourselves only.
PAGE_HEADERS: Mapping[str, str] = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self';"
        " frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

ASK_PURPOSE = "ask"
HELP_PURPOSE = "help"
REPORT_PURPOSE = "report"


@dataclass(frozen=True)
class PageServices:
    """What the pages need, passed in by the agent runtime."""

    access: AccessService
    filter_policy: Callable[[], FilterPolicy | None]  # the compiled DNS policy in force
    # Which child a client address is: the DNS filter's own ChildResolver, so a device is
    # the same child for the filter, the page and its "ask a parent" form.
    child_for_address: Callable[[str], str | None]
    csrf: CsrfSigner
    agent_hosts: frozenset[str] = field(default_factory=lambda: frozenset(LOOPBACK_NAMES))
    catalogue: ServiceCatalogue | None = None


def register_pages(router: Router, services: PageServices) -> None:
    """Add the pages to the router; the block page becomes the fallback for any path."""
    pages = _Pages(services)
    router.add("POST", f"{PAGE_PREFIX}/ask", pages.ask)
    router.add("GET", f"{PAGE_PREFIX}/ask", pages.block)
    router.add("GET", f"{PAGE_PREFIX}/request/{{request_id}}/state", pages.request_state)
    router.add("GET", f"{PAGE_PREFIX}/request/{{request_id}}", pages.request_page)
    router.add("GET", f"{PAGE_PREFIX}/help", pages.help_get)
    router.add("POST", f"{PAGE_PREFIX}/help", pages.help_post)
    router.add("GET", f"{PAGE_PREFIX}/report", pages.report_get)
    router.add("POST", f"{PAGE_PREFIX}/report", pages.report_post)
    router.add("GET", f"{PAGE_PREFIX}/watch", pages.watch)
    router.add("GET", f"{PAGE_PREFIX}/blocked", pages.block)
    router.set_page_fallback(pages.block)


def _page(text: str, status: int = 200, extra: Mapping[str, str] | None = None) -> Response:
    return html_response(text, status=status, headers={**PAGE_HEADERS, **(extra or {})})


@dataclass(frozen=True)
class _Who:
    child: str | None
    band: AgeBand
    language: str
    age: int | None = None  # the child's own age, when known (consent is asked from 7)


class _Pages:
    def __init__(self, services: PageServices) -> None:
        self._services = services
        self._access = services.access

    # -- who is asking, in which language -----------------------------------------------------

    def _catalogue(self) -> ServiceCatalogue:
        return self._services.catalogue or load_catalogue()

    def _host(self, request: Request) -> str:
        return request.headers.get("host", "").strip()

    def _host_name(self, request: Request) -> str | None:
        parsed = split_host(self._host(request))
        return None if parsed is None else parsed[0]

    def _is_agent_host(self, request: Request) -> bool:
        name = self._host_name(request)
        if name is None:
            return True
        if name in self._services.agent_hosts:
            return True
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True  # an address, not a name: the agent itself (names are what get blocked)

    def _who(self, request: Request, form: Mapping[str, str] | None = None) -> _Who:
        child: str | None = None
        try:
            child = self._services.child_for_address(request.client_address)
        except Exception:
            log.exception("finding the child for %s failed", request.client_address)
        family = self._access.family
        if child is None or family.child(child) is None:
            child = family.pc_default_child()
        explicit = (form or {}).get("lang") or request.query_value("lang")
        # The family's language wins over the browser's; the page's own switch wins over both.
        language = choose_language(explicit, family.settings.language.value)
        age = self._access.child_age(child)
        return _Who(child, band_for_age(age), language, age)

    def _context(
        self, request: Request, who: _Who, path: str, params: Mapping[str, str]
    ) -> PageContext:
        other = "vi" if who.language == "en" else "en"
        return PageContext(
            language=who.language,
            band=who.band,
            lang_href=render.lang_href(path, params, other),
            help_token=self._services.csrf.token(
                HELP_PURPOSE, self._host(request), request.client_address
            ),
            help_alerts=self._help_receivers() > 0,
            help_alerts_unheard=help_alerts_unheard(self._access.family),
            report_token=self._services.csrf.token(
                REPORT_PURPOSE, self._host(request), request.client_address
            ),
            report_receivers=len(alert_receivers(self._access.family)),
        )

    def _help_receivers(self) -> int:
        """How many caregivers a help alert would reach now (0 when alerts are off)."""
        family = self._access.family
        if not family.settings.help_alerts_caregivers:
            return 0
        return len(alert_receivers(family))

    def _site(self, request: Request, form: Mapping[str, str] | None = None) -> str | None:
        """The blocked site: the Host itself, or ``?site=`` on the agent's own names."""
        if self._is_agent_host(request):
            raw = (form or {}).get("site") or request.query_value("site") or ""
            return normalise_site(raw)
        name = self._host_name(request)
        return None if name is None else normalise_site(name)

    def _time_text(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        return moment.astimezone(self._access.timezone()).strftime("%H:%M")

    # -- the block page -------------------------------------------------------------------------

    def block(self, request: Request) -> Response:
        if request.headers.get("sec-fetch-dest", "document") not in ("document", "iframe", ""):
            # A blocked page's images and scripts: no need for a whole page each.
            return Response(403, b"", "text/plain; charset=utf-8", dict(PAGE_HEADERS))
        return self._block_page(request)

    def _block_page(
        self, request: Request, *, reason: str = "", error: str = "", status: int = 403
    ) -> Response:
        who = self._who(request)
        site = self._site(request)
        explanation = self._explain(who.child, site)
        params = {"site": site} if site and self._is_agent_host(request) else {}
        context = self._context(request, who, request.path, params)
        token: str | None = None
        if who.child is not None and site is not None:
            token = self._services.csrf.token(
                f"{ASK_PURPOSE}:{site}", self._host(request), request.client_address
            )
        # A page that is not blocked any more needs no asking.
        ask_html = (
            render.ask_form(context, site=site or "", token=token, reason=reason, error=error)
            if explanation.blocked
            else ""
        )
        page = render.block_page(
            context,
            site_display=display_site(site) if site else None,
            reason_sentence=explanation.sentence(who.language, who.band, self._catalogue()),
            group=explanation.group,
            ask_html=ask_html,
            tips=tips_for(who.band, self._access.now().astimezone(self._access.timezone()).date()),
        )
        return _page(page, status=status)

    def _explain(self, child: str | None, site: str | None) -> Explanation:
        if site is None:
            return Explanation("generic")
        policy = self._services.filter_policy()
        if policy is None:
            return Explanation("generic")
        profile = child if child is not None and child in policy.profiles else None
        if profile is None and policy.default_profile is None:
            return Explanation("generic")
        try:
            result = verdict(policy, profile, site, "A", self._access.now())
        except ValueError:
            return Explanation("generic")
        if result.decision == "allowed":
            return Explanation("not_blocked")
        return explain(result.reason, self._catalogue())

    # -- asking a parent --------------------------------------------------------------------------

    def _form(self, request: Request) -> dict[str, str]:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return {}
        return request.form()

    def _csrf_ok(self, request: Request, form: Mapping[str, str], purpose: str) -> bool:
        host = self._host(request)
        if not same_origin(request.headers, host):
            return False
        return self._services.csrf.verify(form.get("csrf"), purpose, host, request.client_address)

    def ask(self, request: Request) -> Response:
        form = self._form(request)
        who = self._who(request, form)
        site = self._site(request, form)
        reason = form.get("reason", "")
        if site is None:
            return self._error(request, who, "error_bad_site", 400)
        if not self._csrf_ok(request, form, f"{ASK_PURPOSE}:{site}"):
            context = self._context(request, who, request.path, {})
            return self._block_page_with(
                request, reason, context.t("error_csrf"), status=403, form=form
            )
        if who.child is None:
            return self._block_page_with(request, reason, "", status=400, form=form)
        try:
            created = self._access.request_access(who.child, site, reason, request.client_address)
        except RateLimitedError as limited:
            context = self._context(request, who, request.path, {})
            response = self._block_page_with(
                request, reason, context.t("error_rate"), status=429, form=form
            )
            headers = {**response.headers, "Retry-After": str(limited.retry_after)}
            return Response(response.status, response.body, response.content_type, headers)
        except (InvalidInputError, UnknownChildError):
            return self._error(request, who, "error_bad_site", 400)
        location = render.lang_href(f"{PAGE_PREFIX}/request/{created.id}", {}, who.language)
        return Response(
            303, b"", "text/plain; charset=utf-8", {**PAGE_HEADERS, "Location": location}
        )

    def _block_page_with(
        self,
        request: Request,
        reason: str,
        error: str,
        *,
        status: int,
        form: Mapping[str, str],
    ) -> Response:
        # The form's own site and language, as if the block page were asked for again.
        query = dict(request.query)
        if form.get("site"):
            query["site"] = [form["site"]]
        if form.get("lang"):
            query["lang"] = [form["lang"]]
        again = Request(
            method="GET",
            path=request.path,
            query=query,
            headers=request.headers,
            body=b"",
            client_address=request.client_address,
        )
        return self._block_page(again, reason=reason, error=error, status=status)

    def request_page(self, request: Request) -> Response:
        who = self._who(request)
        request_id = request.path_params.get("request_id", "")
        try:
            state = self._access.request_state(request_id)
        except RequestNotFoundError:
            return self._error(request, who, "error_not_found", 404)
        site = state.request.target
        context = self._context(request, who, request.path, {})
        on_agent = self._is_agent_host(request)
        back = render.lang_href(
            f"{PAGE_PREFIX}/blocked" if on_agent else "/",
            {"site": site} if on_agent else {},
            who.language,
        )
        page = render.request_page(
            context,
            state=state.state,
            site_display=display_site(site),
            site_href=f"http://{site}/",
            time_text=self._time_text(state.allowed_until),
            reason=state.request.reason,
            back_href=back,
        )
        return _page(page)

    def request_state(self, request: Request) -> Response:
        """The state as JSON, for a page or the tray that polls."""
        try:
            state = self._access.request_state(request.path_params.get("request_id", ""))
        except RequestNotFoundError:
            return json_response({"error": "not_found"}, status=404, headers=PAGE_HEADERS)
        until = state.allowed_until
        return json_response(
            {
                "state": state.state,
                "site": state.request.target,
                "allowed_until": None if until is None else until.isoformat(),
                "allowed_until_local": None if until is None else self._time_text(until),
            },
            headers=PAGE_HEADERS,
        )

    # -- help -----------------------------------------------------------------------------------

    def help_get(self, request: Request) -> Response:
        who = self._who(request)
        context = self._context(request, who, request.path, {})
        return _page(render.help_page(context, alert_message=None))

    def help_post(self, request: Request) -> Response:
        form = self._form(request)
        who = self._who(request, form)
        context = self._context(request, who, f"{PAGE_PREFIX}/help", {})
        if not self._csrf_ok(request, form, HELP_PURPOSE):
            # Still show 111: help is never refused, only the alert needs the token.
            return _page(render.help_page(context, alert_message=None), status=403)
        result = self._access.help_pressed(who.child, request.client_address)
        receivers = self._help_receivers() if result.receivers is None else result.receivers
        # Say what actually happened: to how many, or that nobody could be told.
        if not result.alerts_enabled:
            message = None
        elif receivers == 0:
            message = context.t("help_alert_nobody")
        elif result.already_told:
            message = context.t("help_alert_already")
        elif result.alerted:
            message = context.t("help_alert_sent").format(count=receivers)
        else:
            message = context.t("help_alert_busy")
        return _page(render.help_page(context, alert_message=message))

    # -- report something bad ----------------------------------------------------------------

    def report_get(self, request: Request) -> Response:
        who = self._who(request)
        context = self._context(request, who, request.path, {})
        return _page(render.report_page(context, message=None))

    def report_post(self, request: Request) -> Response:
        """The child chose to tell a caregiver they want to report something bad: an alert
        of its own kind (``report``), for the child the device is (IP, MAC, the PC's
        session) — never a name from the form."""
        form = self._form(request)
        who = self._who(request, form)
        context = self._context(request, who, f"{PAGE_PREFIX}/report", {})
        if not self._csrf_ok(request, form, REPORT_PURPOSE):
            # vn-cop.vn and 111 are still shown; only the alert needs the token.
            return _page(render.report_page(context, message=None), status=403)
        result = self._access.report_pressed(who.child, request.client_address)
        # Say what actually happened: to how many, or that nobody could be told.
        if result.child is None:
            message = context.t("report_no_child")
        elif result.receivers == 0:
            message = context.t("report_nobody")
        elif result.already_told:
            message = context.t("report_already")
        elif result.alerted:
            message = context.t("report_sent").format(count=result.receivers)
        else:
            message = context.t("report_busy")
        return _page(render.report_page(context, message=message))

    # -- what Bảo An watches -------------------------------------------------------------------

    def watch(self, request: Request) -> Response:
        who = self._who(request)
        context = self._context(request, who, request.path, {})
        page = render.watch_page(
            context,
            words=watch_words(
                who.language,
                who.band,
                self._access.retention(),
                consent=asks_consent(who.age),
                pc=pc_name(self._access.family),
            ),
            choice=asks_consent(who.age),
        )
        return _page(page)

    # -- errors ---------------------------------------------------------------------------------

    def _error(self, request: Request, who: _Who, key: str, status: int) -> Response:
        context = self._context(request, who, request.path, {})
        back = render.lang_href("/", {}, who.language)
        return _page(render.error_page(context, context.t(key), back), status=status)
