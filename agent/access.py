"""A child's requests to open a blocked site, the parents' temporary grants, help alerts,
reports of something bad online and the child's acknowledgement of what Bảo An watches.

Plain Python over the store; everything it needs is passed in:

* ``store`` — the agent's :class:`~agent.store.Store` (tables ``access_requests``,
  ``events``, ``outbox``, ``kv``);
* ``family_policy`` — a callable giving the family policy in force (children, ages,
  caregivers, the help-alert setting, the time zone);
* ``clock`` — the :class:`~dns_filter.clock.Clock` whose ``now()`` is the current moment;
* ``grants_changed`` — called (without arguments, outside any lock) when a parent allows
  a site or takes a grant back. The runtime then recompiles the DNS policy with
  :meth:`AccessService.active_grants` as each child's ``granted`` names (which pass every
  block, bedtime included), so an approval works at once.

Grants end by themselves: every compile asks :meth:`AccessService.next_expiry` and compiles
again at that moment (:mod:`agent.grant_expiry`); nothing here watches the clock.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.alert_receivers import alert_receivers
from agent.api.types import AccessRequestInfo, GrantInfo, WatchAcknowledgementInfo
from agent.policy.model import FamilyPolicy
from agent.policy.services import ServiceCatalogue, load_catalogue
from agent.store import Store
from agent.store import access_requests as stored_requests
from agent.store.models import AccessRequest, Event, RetentionPolicy
from dns_filter.addresses import is_loopback
from dns_filter.clock import Clock
from dns_filter.names import InvalidNameError, normalise_name

log = logging.getLogger(__name__)

ALERTS_CHANNEL = "alerts"  # the outbox channel the sync layer delivers to caregivers
# Bump when "what Bảo An watches" changes in substance: every child is asked again.
# 2: each record's real retention, what leaves the PC, and a real choice from 7.
# 3: "Báo điều xấu" → "tell my parents" leaves the PC too; consent by the child's own age.
WATCH_NOTICE_VERSION = 3
MAX_REASON_CHARS = 500
MIN_GRANT_MINUTES = 1
MAX_GRANT_MINUTES = 24 * 60

EVENT_ACCESS_REQUEST = "access_request"
EVENT_ACCESS_DECISION = "access_decision"
EVENT_HELP = "help"
# The child chose to tell a caregiver that they want to report something bad met online
# ("Báo điều xấu"): its own kind, never a Help / 111 alert.
EVENT_REPORT = "report"
EVENT_WATCH_ACK = "watch_acknowledged"
EVENT_WATCH_DISAGREE = "watch_disagreed"

# Decree 13/2023 (art. 20) asks for the consent of a child of 7 or more; the pages and the
# tray ask it from this age (agent.pages.watch.asks_consent).
CONSENT_AGE = 7
# A child's answer to "what Bảo An watches": "acknowledged" (a child under 7, who read it with
# a parent), "agree", or "disagree" — "con chưa đồng ý / con muốn nói chuyện với bố mẹ".
# Protection stays on whatever the answer; a disagreement tells the parents.
WATCH_ANSWERS = ("acknowledged", "agree", "disagree")

_WATCH_ACK_KEY = "watch_ack:"
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_URL_TAIL = re.compile(r"[/?#\\]")  # where a URL's host ends (browsers read "\" as "/")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")



# -- errors ---------------------------------------------------------------------------------


class AccessError(Exception):
    """Base of every refusal; `code` is the API's error code."""

    code = "access_error"


class InvalidInputError(AccessError, ValueError):
    code = "bad_request"


class UnknownChildError(AccessError, LookupError):
    code = "unknown_child"


class RequestNotFoundError(AccessError, LookupError):
    code = "not_found"


class AlreadyDecidedError(AccessError):
    code = "already_decided"


class RateLimitedError(AccessError):
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# -- plain data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """A site a parent opened for a child until `until`; `names` go on the allow list."""

    request_id: str
    child: str
    site: str
    names: tuple[str, ...]
    until: datetime | None  # None: until a parent takes it back

    def info(self) -> GrantInfo:
        """The API's plain shape of it."""
        return GrantInfo(self.request_id, self.child, self.site, self.names, self.until)


@dataclass(frozen=True)
class RequestState:
    """What the child's page shows for one request."""

    request: AccessRequest
    # "pending", "allowed", "denied" or "expired": for the child a grant a parent took back
    # has ended like one whose time ran out ("the time ended at HH:MM").
    state: str
    allowed_until: datetime | None


@dataclass(frozen=True)
class HelpResult:
    child: str | None  # None: no known child pressed it, and no alert went
    alerted: bool  # an urgent alert went (or had just gone) to the caregivers
    alerts_enabled: bool  # the parent turned help alerts on in family.toml
    already_told: bool = False  # this press sent nothing new: the parents were told recently
    # How many caregivers the alert was queued for (None: none was tried). 0 with alerts
    # on: nobody is set up to receive one, so nobody was told.
    receivers: int | None = None


@dataclass(frozen=True)
class ReportResult:
    """What became of a child's "tell my parents" from "Báo điều xấu"."""

    child: str | None  # None: no known child pressed it, and no alert went
    alerted: bool  # an alert went (or had just gone) to the caregivers
    # How many caregivers the alert was queued for; 0: nobody is set up to receive one.
    receivers: int = 0
    already_told: bool = False  # this press sent nothing new: they were told recently


@dataclass(frozen=True)
class WatchAcknowledgement:
    child: str
    acknowledged_at: datetime
    notice_version: int
    language: str
    answer: str = "acknowledged"  # one of WATCH_ANSWERS

    @property
    def current(self) -> bool:
        return self.notice_version >= WATCH_NOTICE_VERSION

    def info(self) -> WatchAcknowledgementInfo:
        """The API's plain shape of it."""
        return WatchAcknowledgementInfo(
            self.child,
            self.acknowledged_at,
            self.notice_version,
            self.language,
            self.current,
            answer=self.answer,
        )


def request_info(request: AccessRequest, now: datetime) -> AccessRequestInfo:
    """The API's plain shape of a request. `state` is what it is at `now`: ``pending``,
    ``allowed``, ``denied``, ``expired`` or ``revoked``; `status` is the stored decision
    (``pending``, ``allowed``, ``denied``)."""
    return AccessRequestInfo(
        id=request.id,
        child=request.child,
        kind=request.kind,
        target=request.target,
        reason=request.reason,
        status=request.status,
        created_at=request.created_at,
        decided_at=request.decided_at,
        decided_by=request.decided_by,
        allowed_until=request.allowed_until,
        state=request.state(now),
        revoked_at=request.revoked_at,
    )


# -- input hygiene ----------------------------------------------------------------------------


def site_host(value: str) -> str:
    """The host part of what a child typed or a page sent: a bare name as it is, a URL
    without its scheme, user, port, path, query and fragment (``https://YouTube.com:443/x``
    → ``YouTube.com``). Not yet checked; :func:`normalise_site` does that."""
    text = value.strip()
    scheme, sep, rest = text.partition("://")
    if sep and _URL_SCHEME.fullmatch(scheme):
        text = rest
    text = text.removeprefix("//")  # a scheme-relative URL
    host = _URL_TAIL.split(text, maxsplit=1)[0].rpartition("@")[2]
    if host.startswith("["):
        return host.partition("]")[0] + "]"  # an IPv6 address, which is not a site name
    return host.partition(":")[0]


def normalise_site(value: str) -> str | None:
    """The site a child asks for (a name or a URL) as the one canonical domain name of
    :func:`dns_filter.names.normalise_name`, or None when it is not a domain name. Never
    raises."""
    try:
        return normalise_name(site_host(value), strict_hyphens=True)
    except InvalidNameError:
        return None


def display_site(site: str) -> str:
    """The host name as a person reads it (IDN decoded); still to be HTML-escaped."""
    try:
        return site.encode("ascii").decode("idna")
    except UnicodeError:
        return site


def clean_reason(value: str) -> str:
    """The child's reason: normalised, control and direction characters removed, capped."""
    text = unicodedata.normalize("NFC", value)
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.strip() for line in text.split("\n")).strip()
    return text[:MAX_REASON_CHARS]


# -- rate limits ------------------------------------------------------------------------------


class SlidingWindowLimiter:
    """At most `limit` hits per key in any `window` seconds (thread-safe)."""

    def __init__(self, limit: int, window_seconds: float, max_keys: int = 10_000) -> None:
        if limit < 1 or window_seconds <= 0:
            raise ValueError("a rate limit needs limit >= 1 and a positive window")
        self.limit = limit
        self.window = window_seconds
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str, now: float) -> int:
        """0 when a hit is allowed now, else the whole seconds until it is."""
        with self._lock:
            hits = self._trim(key, now)
            if len(hits) < self.limit:
                return 0
            return max(1, int(hits[0] + self.window - now + 0.999))

    def hit(self, key: str, now: float) -> None:
        with self._lock:
            if key not in self._hits and len(self._hits) >= self._max_keys:
                # Forget the stalest keys rather than grow without bound.
                for stale in sorted(self._hits, key=lambda k: self._hits[k][-1])[:1000]:
                    del self._hits[stale]
            self._trim(key, now).append(now)

    def _trim(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits


@dataclass(frozen=True)
class AccessLimits:
    """Rate limits on what a child can make the agent do (docs/api.md, "Child-side limits").

    Every limit counts a child (by their verified identity) or the whole PC, never a
    loopback address: every address in 127.0.0.0/8 is this PC, so a program binding
    127.0.11.N gains nothing. A LAN device is also held to its own address's limit.
    """

    requests_per_address: int = 5  # per LAN device; the PC itself counts as one device
    requests_per_address_seconds: float = 10 * 60
    requests_per_child: int = 15
    requests_per_child_seconds: float = 60 * 60
    requests_per_pc: int = 30  # every child together
    requests_per_pc_seconds: float = 60 * 60
    help_alert_every_seconds: float = 5 * 60  # one urgent alert per child in this time
    help_alerts_per_pc: int = 6  # every child together
    help_alerts_per_pc_seconds: float = 60 * 60
    # "Báo điều xấu" → "tell my parents": its own limits, so that reports never spend
    # the Help / 111 alerts' allowance (nor the other way round).
    report_alert_every_seconds: float = 5 * 60  # one report alert per child in this time
    report_alerts_per_pc: int = 6  # every child together
    report_alerts_per_pc_seconds: float = 60 * 60


THIS_PC = "this PC"  # the rate-limit key of every loopback address


def device_key(client_address: str) -> str:
    """The key a device is rate-limited by: its address, or one key for the whole PC."""
    return THIS_PC if is_loopback(client_address) else client_address


# -- the service ------------------------------------------------------------------------------


class AccessService:
    """Access requests, grants, help alerts and watch acknowledgements (thread-safe)."""

    def __init__(
        self,
        store: Store,
        family_policy: Callable[[], FamilyPolicy],
        clock: Clock,
        grants_changed: Callable[[], None],
        *,
        limits: AccessLimits | None = None,
        catalogue: ServiceCatalogue | None = None,
    ) -> None:
        self._store = store
        self._family_policy = family_policy
        self._clock = clock
        self._grants_changed = grants_changed
        self.limits = limits or AccessLimits()
        self._catalogue = catalogue
        limits = self.limits
        self._per_address = SlidingWindowLimiter(
            limits.requests_per_address, limits.requests_per_address_seconds
        )
        self._per_child = SlidingWindowLimiter(
            limits.requests_per_child, limits.requests_per_child_seconds
        )
        self._per_pc = SlidingWindowLimiter(limits.requests_per_pc, limits.requests_per_pc_seconds)
        self._help_per_pc = SlidingWindowLimiter(
            limits.help_alerts_per_pc, limits.help_alerts_per_pc_seconds
        )
        self._last_help_alert: dict[str, float] = {}
        self._report_per_pc = SlidingWindowLimiter(
            limits.report_alerts_per_pc, limits.report_alerts_per_pc_seconds
        )
        self._last_report_alert: dict[str, float] = {}
        self._lock = threading.Lock()

    # -- policy helpers -----------------------------------------------------------------------

    @property
    def family(self) -> FamilyPolicy:
        return self._family_policy()

    def now(self) -> datetime:
        return self._clock.now()

    def timezone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.family.settings.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("Asia/Ho_Chi_Minh")

    def child_name(self, name: str) -> str:
        """The child's name as the policy spells it; UnknownChildError if none matches."""
        child = self.family.child(name)
        if child is None:
            raise UnknownChildError(f"no child called {name!r} in the family policy")
        return child.name

    def child_age(self, name: str | None) -> int | None:
        if name is None:
            return None
        child = self.family.child(name)
        if child is None:
            return None
        try:
            return child.age_in(self.now().astimezone(self.timezone()).year)
        except ValueError:
            return None

    # -- requests -----------------------------------------------------------------------------

    def request_access(
        self, child: str, site: str, reason: str, client_address: str
    ) -> AccessRequest:
        """The child asks to open `site`: a pending request, an event and an alert.

        Asking again for the same site while it is pending returns the same request (with
        the newer reason) and sends no second alert. Raises RateLimitedError past the
        limits (per device, per child and for the whole PC), InvalidInputError for a bad
        site, UnknownChildError when `child` is no child of the policy.
        """
        name = self.child_name(child)
        canonical = normalise_site(site)
        if canonical is None:
            raise InvalidInputError("the site is not a valid host name")
        text = clean_reason(reason)
        now = self.now()
        moment = now.timestamp()
        limits = (
            (self._per_address, device_key(client_address), "from this device"),
            (self._per_child, name.casefold(), "for this child"),
            (self._per_pc, THIS_PC, "on this PC"),
        )
        with self._lock:
            for limiter, key, who in limits:
                wait = limiter.retry_after(key, moment)
                if wait:
                    raise RateLimitedError(f"too many requests {who}; wait {wait} s", wait)
            before = self._store.requests.recent(child=name, status="pending", limit=1000)
            request = self._store.requests.create(name, "site", canonical, text, now=now)
            for limiter, key, _who in limits:
                limiter.hit(key, moment)
        if any(item.id == request.id for item in before):
            return request  # the same pending request: the parents already know
        event = self._store.events.add(
            EVENT_ACCESS_REQUEST,
            f"{name} asks to open {canonical}",
            child=name,
            severity="alert",
            data={"request_id": request.id, "site": canonical, "reason": text},
            at=now,
        )
        self._alert_caregivers(
            event,
            {
                "kind": EVENT_ACCESS_REQUEST,
                "severity": "alert",
                "child": name,
                "site": canonical,
                "reason": text,
                "request_id": request.id,
                "title": f"{name} xin mở {canonical}",
                "title_en": f"{name} asks to open {canonical}",
                "actions": {"allow_minutes": [30, 60, 120], "deny": True},
            },
        )
        log.info("access request %s: %s asks for %s", request.id, name, canonical)
        return request

    def request_state(self, request_id: str) -> RequestState:
        request = self._store.requests.get(request_id)
        if request is None:
            raise RequestNotFoundError(f"no request with id {request_id!r}")
        state = request.state(self.now())
        return RequestState(request, "expired" if state == "revoked" else state,
                            request.allowed_until)

    def requests(
        self, *, child: str | None = None, status: str | None = None, limit: int = 100
    ) -> list[AccessRequest]:
        if status is not None and status not in ("pending", "allowed", "denied"):
            raise InvalidInputError("status must be pending, allowed or denied")
        name = self.child_name(child) if child else None
        return self._store.requests.recent(child=name, status=status, limit=limit)

    def decide(
        self, request_id: str, allow: bool, minutes: int | None = None, *, by: str = "parent"
    ) -> AccessRequest:
        """A parent allows (for `minutes`, 1 to 1440) or denies a pending request.

        The first decision stands (AlreadyDecidedError after). An approval records a grant
        and calls ``grants_changed`` at once, so the DNS policy opens the site now.
        """
        until: datetime | None = None
        now = self.now()
        if allow:
            if (
                not isinstance(minutes, int)
                or isinstance(minutes, bool)
                or not MIN_GRANT_MINUTES <= minutes <= MAX_GRANT_MINUTES
            ):
                raise InvalidInputError(
                    f"minutes must be a whole number from {MIN_GRANT_MINUTES} to"
                    f" {MAX_GRANT_MINUTES}"
                )
            until = now + timedelta(minutes=minutes)
        try:
            request = self._store.requests.decide(
                request_id, allow, until=until, by=by, now=now
            )
        except stored_requests.AccessRequestNotFoundError:
            raise RequestNotFoundError(f"no request with id {request_id!r}") from None
        except stored_requests.AlreadyDecidedError as error:
            raise AlreadyDecidedError(str(error)) from None
        self._store.events.add(
            EVENT_ACCESS_DECISION,
            f"{request.target} {'allowed' if allow else 'not allowed'} for {request.child}",
            child=request.child,
            data={
                "request_id": request.id,
                "site": request.target,
                "allow": allow,
                "minutes": minutes if allow else None,
                "by": by,
            },
            at=now,
        )
        log.info("access request %s %s by %s", request.id, "allowed" if allow else "denied", by)
        if allow:
            self._notify_grants_changed()
        return request

    def revoke(self, request_id: str) -> AccessRequest:
        """End a grant now (a parent changed their mind)."""
        try:
            request = self._store.requests.revoke(request_id, now=self.now())
        except stored_requests.AccessRequestNotFoundError:
            raise RequestNotFoundError(f"no request with id {request_id!r}") from None
        self._notify_grants_changed()
        return request

    # -- grants -------------------------------------------------------------------------------

    def grants(self, child: str | None = None, now: datetime | None = None) -> tuple[Grant, ...]:
        """Grants in force at `now` (default: the clock), of one child or of all.

        Each grant's `names` are the site itself and, when the site belongs to a service in
        the catalogue (say ``www.tiktok.com``), every domain of that service, since a site
        rarely works from its own name alone.
        """
        moment = now if now is not None else self.now()
        name: str | None = None
        if child is not None:
            found = self.family.child(child)
            name = found.name if found is not None else child
        rows = self._store.requests.active_allowances(child=name, now=moment)
        return tuple(
            Grant(row.id, row.child, row.target, self._grant_names(row.target), row.allowed_until)
            for row in rows
            if row.kind == "site"
        )

    def active_grants(self, child: str, now: datetime | None = None) -> tuple[str, ...]:
        """The names a parent opened for `child` at `now`: every active grant's names.
        The runtime puts them in the profile's ``granted`` names when it compiles the DNS
        policy."""
        names: dict[str, None] = {}
        for grant in self.grants(child, now):
            names.update(dict.fromkeys(grant.names))
        return tuple(names)

    def allow_lists(self, now: datetime | None = None) -> Mapping[str, tuple[str, ...]]:
        """Child name → the granted names from every active grant."""
        result: dict[str, list[str]] = {}
        for grant in self.grants(now=now):
            names = result.setdefault(grant.child, [])
            names.extend(name for name in grant.names if name not in names)
        return {child: tuple(names) for child, names in result.items()}

    def next_expiry(self, now: datetime | None = None) -> datetime | None:
        """The earliest end among the grants in force at `now` (None: no grant ends)."""
        ends = [g.until for g in self.grants(now=now) if g.until is not None]
        return min(ends) if ends else None

    def _grant_names(self, site: str) -> tuple[str, ...]:
        catalogue = self._catalogue if self._catalogue is not None else load_catalogue()
        names = [site]
        for entry in catalogue:
            if any(site == domain or site.endswith("." + domain) for domain in entry.domains):
                names.extend(domain for domain in entry.domains if domain not in names)
                break
        return tuple(names)

    def _notify_grants_changed(self) -> None:
        try:
            self._grants_changed()
        except Exception:
            log.exception("recompiling the policy after a grant change failed")

    # -- help ---------------------------------------------------------------------------------

    def help_pressed(self, child: str | None, client_address: str) -> HelpResult:
        """A child pressed Help / 111. If the parent turned help alerts on, caregivers get
        an urgent alert: at most one per child every few minutes (pressing again within
        that time says the parents were already told) and a few per hour on the whole PC.
        A press that names no child of the policy alerts no one: an unknown child gets no
        limit of its own to spend. The child always sees 111, whatever this says.
        """
        enabled = self.family.settings.help_alerts_caregivers
        name: str | None = None
        if child is not None:
            found = self.family.child(child)
            name = found.name if found is not None else None
        if not enabled:
            # The child's call for help stays private when the parent chose so.
            return HelpResult(name, alerted=False, alerts_enabled=False)
        if name is None:
            log.info("help pressed by no known child (from %s): no alert", client_address)
            return HelpResult(None, alerted=False, alerts_enabled=True)
        now = self.now()
        moment = now.timestamp()
        key = name.casefold()
        receivers = len(alert_receivers(self.family))
        with self._lock:
            last = self._last_help_alert.get(key)
            if last is not None and moment - last < self.limits.help_alert_every_seconds:
                return HelpResult(
                    name,
                    alerted=receivers > 0,
                    alerts_enabled=True,
                    already_told=receivers > 0,
                    receivers=receivers,
                )
            if self._help_per_pc.retry_after(THIS_PC, moment):
                log.warning("help pressed (%s): too many help alerts on this PC, none sent", name)
                return HelpResult(name, alerted=False, alerts_enabled=True)
            self._help_per_pc.hit(THIS_PC, moment)
            self._last_help_alert[key] = moment
        event = self._store.events.add(
            EVENT_HELP,
            f"{name} pressed Help / 111",
            child=name,
            severity="urgent",
            data={"client": client_address},
            at=now,
        )
        self._alert_caregivers(
            event,
            {
                "kind": EVENT_HELP,
                "severity": "urgent",
                "child": name,
                "title": f"{name} vừa bấm nút Trợ giúp / 111",
                "title_en": f"{name} pressed Help / 111",
                "message": "Hãy hỏi thăm con ngay. Tổng đài 111 luôn sẵn sàng, miễn phí.",
                "message_en": "Please check on your child now. The 111 hotline is free.",
            },
        )
        if receivers == 0:
            # Recorded for the dashboard, but nobody could be told: the child is told so.
            log.warning("help pressed (%s): no caregiver could receive the alert", name)
        else:
            log.warning("help pressed (%s): caregivers alerted", name)
        return HelpResult(name, alerted=receivers > 0, alerts_enabled=True, receivers=receivers)

    # -- report something bad -------------------------------------------------------------------

    def report_pressed(self, child: str | None, client_address: str) -> ReportResult:
        """From "Báo điều xấu", the child chose to tell a caregiver that they want to report
        something bad they met online. Caregivers get an alert of kind ``report`` (severity
        ``alert``: important, but not Help's ``urgent``) that says only that, and carries
        no browsing history. At most one per child every few minutes (pressing again says
        the family was told) and a few per hour on the whole PC, counted apart from Help's.
        It does not depend on ``help_alerts_caregivers``: it is a message the child chose
        to send, like asking to open a site. A press that names no child of the policy
        alerts no one."""
        name: str | None = None
        if child is not None:
            found = self.family.child(child)
            name = found.name if found is not None else None
        if name is None:
            log.info("report pressed by no known child (from %s): no alert", client_address)
            return ReportResult(None, alerted=False)
        now = self.now()
        moment = now.timestamp()
        key = name.casefold()
        receivers = len(alert_receivers(self.family))
        with self._lock:
            last = self._last_report_alert.get(key)
            if last is not None and moment - last < self.limits.report_alert_every_seconds:
                return ReportResult(
                    name, alerted=receivers > 0, receivers=receivers, already_told=receivers > 0
                )
            if self._report_per_pc.retry_after(THIS_PC, moment):
                log.warning("report pressed (%s): too many report alerts on this PC", name)
                return ReportResult(name, alerted=False, receivers=receivers)
            self._report_per_pc.hit(THIS_PC, moment)
            self._last_report_alert[key] = moment
        event = self._store.events.add(
            EVENT_REPORT,
            f"{name} wants to report something bad met online",
            child=name,
            severity="alert",
            at=now,
        )
        self._alert_caregivers(
            event,
            {
                "kind": EVENT_REPORT,
                "severity": "alert",
                "child": name,
                "title": f"{name} muốn báo một điều xấu gặp trên mạng",
                "title_en": f"{name} wants to report something bad they met online",
                "message": (
                    f"{name} đã chọn báo cho người thân. Hãy bình tĩnh hỏi han và lắng nghe "
                    "con trước. Con có thể tự báo cáo trên vn-cop.vn; Tổng đài 111 luôn sẵn "
                    "sàng, miễn phí."
                ),
                "message_en": (
                    f"{name} chose to tell the family. Please talk with them calmly and "
                    "listen first. They can report it on vn-cop.vn; the 111 hotline is free."
                ),
            },
        )
        if receivers == 0:
            log.warning("report pressed (%s): no caregiver could receive the alert", name)
        else:
            log.info("report pressed (%s): caregivers alerted", name)
        return ReportResult(name, alerted=receivers > 0, receivers=receivers)

    # -- what Bảo An watches --------------------------------------------------------------------

    def acknowledge_watch(
        self, child: str, language: str = "vi", answer: str = "acknowledged"
    ) -> WatchAcknowledgement:
        """Record the child's answer to "what Bảo An watches" (Decree 13/2023: a child of 7
        or more gives their own consent): "agree", "disagree", or "acknowledged" for a child
        under 7 (whose "agree" is recorded as that). Protection stays on whatever the
        answer; "disagree" tells the parents (an event for the dashboard and an alert to the
        caregivers) so that they talk."""
        name = self.child_name(child)
        if language not in ("vi", "en"):
            raise InvalidInputError("language must be 'vi' or 'en'")
        if answer not in WATCH_ANSWERS:
            raise InvalidInputError("answer must be 'acknowledged', 'agree' or 'disagree'")
        age = self.child_age(name)
        if answer == "agree" and age is not None and age < CONSENT_AGE:
            # Under 7 a child is not asked for consent (Decree 13/2023): what they gave is
            # an acknowledgement, and the parents' dashboard must not read it as consent.
            answer = "acknowledged"
        now = self.now()
        ack = WatchAcknowledgement(name, now, WATCH_NOTICE_VERSION, language, answer)
        self._store.kv.set(
            _WATCH_ACK_KEY + name.casefold(),
            {
                "child": name,
                "at": now.isoformat(),
                "version": WATCH_NOTICE_VERSION,
                "language": language,
                "answer": answer,
            },
            now=now,
        )
        data = {"version": WATCH_NOTICE_VERSION, "language": language, "answer": answer}
        if answer != "disagree":
            self._store.events.add(
                EVENT_WATCH_ACK, f"{name} read what Bảo An watches", child=name, data=data, at=now
            )
            return ack
        event = self._store.events.add(
            EVENT_WATCH_DISAGREE,
            f"{name} does not agree yet with what Bảo An watches, and wants to talk",
            child=name,
            severity="alert",
            data=data,
            at=now,
        )
        self._alert_caregivers(
            event,
            {
                "kind": EVENT_WATCH_DISAGREE,
                "severity": "alert",
                "child": name,
                "title": f"{name} chưa đồng ý với những gì Bảo An ghi lại",
                "title_en": f"{name} does not agree yet with what Bảo An records",
                "message": (
                    f"{name} muốn nói chuyện với cha mẹ về những gì Bảo An ghi lại. "
                    "Bảo An vẫn bảo vệ như cũ; hãy dành thời gian nói chuyện với con."
                ),
                "message_en": (
                    f"{name} would like to talk with you about what Bảo An records. "
                    "Protection stays on; please make time to talk it over."
                ),
            },
        )
        log.info("%s does not agree yet with what Bảo An watches", name)
        return ack

    def watch_acknowledgement(self, child: str) -> WatchAcknowledgement | None:
        name = self.child_name(child)
        raw = self._store.kv.get(_WATCH_ACK_KEY + name.casefold())
        if not isinstance(raw, dict):
            return None
        try:
            return WatchAcknowledgement(
                child=str(raw["child"]),
                acknowledged_at=datetime.fromisoformat(str(raw["at"])),
                notice_version=int(raw["version"]),
                language=str(raw.get("language", "vi")),
                answer=_stored_answer(raw.get("answer")),
            )
        except (KeyError, TypeError, ValueError):
            log.warning("the stored watch acknowledgement of %s is unreadable", name)
            return None

    def watch_acknowledgements(self) -> list[tuple[str, WatchAcknowledgement | None]]:
        """Every child in the policy, with their acknowledgement or None."""
        return [
            (child.name, self.watch_acknowledgement(child.name)) for child in self.family.children
        ]

    def retention(self) -> RetentionPolicy:
        """How long the store keeps each kind of record (what the child is told)."""
        return self._store.database.retention

    # -- alerts -------------------------------------------------------------------------------

    def _alert_caregivers(self, event: Event, payload: dict[str, Any]) -> None:
        """One outbox item for the sync layer, when there is anyone who could receive it."""
        if not alert_receivers(self.family):
            return
        payload = {**payload, "event_id": event.id, "time": event.time.isoformat()}
        self._store.outbox.enqueue(ALERTS_CHANNEL, payload, event_id=event.id, now=event.time)


def _stored_answer(value: object) -> str:
    return value if isinstance(value, str) and value in WATCH_ANSWERS else "acknowledged"
