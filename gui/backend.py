"""What the dashboard needs from the agent, as a small typed interface.

The dashboard is a client of the agent's local HTTP API (docs/api.md) and nothing else.
:class:`DashboardBackend` mirrors that API one method per endpoint; the views never see
HTTP. The production implementation wraps ``agent.api.client`` (see :mod:`gui.api_backend`);
tests may hand the window any object with these methods.

Every method blocks, so the views call them only through :mod:`gui.workers`, off the UI
thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from gui.pages_backend import WeekWindow

# Decisions a query-log entry can carry (docs/api.md, ARCHITECTURE.md "DNS filter").
DECISIONS = ("resolved", "cached", "blocked", "rewritten", "bypass", "failed", "allowed")


@dataclass(frozen=True)
class Health:
    """``GET /api/health``: the agent answers, and which version it is."""

    status: str
    version: str


@dataclass(frozen=True)
class ListInfo:
    """One blocklist the agent loaded."""

    category: str
    source: str
    count: int
    updated_at: str | None = None


@dataclass(frozen=True)
class ChildSummary:
    """A child as the parent sees it in the children table."""

    name: str
    age: int | None
    preset: str
    usage_today_minutes: int
    os_users: tuple[str, ...] = ()
    # The child's answer to "what Bảo An watches": "agree", "disagree" (not yet; wants to
    # talk), "acknowledged" (the youngest); None: no answer to the notice shown now.
    watch_answer: str | None = None


@dataclass(frozen=True)
class AgentStatus:
    """``GET /api/status``: public health, plus the children when asked with a parent token.

    ``pin_set``, ``language`` and ``timezone`` (the family's IANA zone, such as
    ``Asia/Ho_Chi_Minh``) are optional extras: ``None`` when the agent does not say.
    """

    version: str
    dns_listening: tuple[str, ...]
    policy_loaded_at: str | None
    policy_source: str | None
    policy_error: str | None
    lists: tuple[ListInfo, ...]
    children: tuple[ChildSummary, ...] | None = None
    pin_set: bool | None = None
    language: str | None = None
    timezone: str | None = None

    @property
    def total_list_entries(self) -> int:
        return sum(item.count for item in self.lists)


@dataclass(frozen=True)
class Session:
    """A parent session opened with the PIN."""

    token: str
    expires_at: str


@dataclass(frozen=True)
class ScheduleWindow:
    """The schedule behind a reason: target (``*``, ``service:<id>``, ``category:<id>``),
    mode (``blocked`` or ``allowed_only``) and ``("HH:MM", "HH:MM")`` spans."""

    target: str
    mode: str
    spans: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class QueryReason:
    """Why the agent answered a query as it did: a kind (docs/api.md) and its facts. The
    dashboard words it (:func:`gui.labels.reason_label`); it never shows the raw kind."""

    kind: str
    category: str | None = None
    service: str | None = None
    rule: str | None = None
    window: ScheduleWindow | None = None
    cname_target: str | None = None
    target_kind: str | None = None
    upstream: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class QueryLogEntry:
    """One DNS query as the agent logged it."""

    time: str
    child: str | None
    name: str
    qtype: str
    decision: str
    reason: QueryReason | None
    latency_ms: float | None = None
    category: str | None = None  # the list category behind a block, when there is one
    count: int = 1  # the answers the row stands for: repeats within a minute are merged


@dataclass(frozen=True)
class Stats:
    """``GET /api/stats``: what was blocked and allowed most, and blocks per category."""

    top_blocked: tuple[tuple[str, int], ...] = ()
    top_allowed: tuple[tuple[str, int], ...] = ()
    by_category: tuple[tuple[str, int], ...] = field(default=())


# What a request's row says (docs/dashboard.md, "Yêu cầu"): the stored status, and for an
# allowed one whether its grant is in force, ran out, or was taken back.
REQUEST_STATES = ("pending", "allowed", "denied", "expired", "revoked")


@dataclass(frozen=True)
class AccessRequest:
    """A child's request to open a site, as ``GET /api/requests`` gives it.

    ``status`` is the agent's stored status (``pending``, ``allowed``, ``denied``);
    ``state`` is what the agent says the request is now (one of :data:`REQUEST_STATES`, or
    ``None`` from an older agent), ``revoked_at`` when a parent took the grant back. See
    :func:`request_state` for what the parent is shown.
    """

    id: str
    child: str
    site: str
    reason: str
    status: str
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    allowed_until: datetime | None = None
    kind: str = "site"
    state: str | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class RequestsSnapshot:
    """What the requests tab shows: every pending request, the recently decided ones, and
    the ids of the grants in force now (by the agent's clock, ``GET /api/grants``)."""

    pending: tuple[AccessRequest, ...] = ()
    decided: tuple[AccessRequest, ...] = ()
    active_ids: frozenset[str] = frozenset()

    @property
    def waiting_count(self) -> int:
        return len(self.pending)


def request_state(request: AccessRequest, active_ids: frozenset[str]) -> str:
    """One of :data:`REQUEST_STATES`: the agent's own word (``request.state``) when it
    gives one, since the agent knows whether a grant ran out or was revoked.

    An older agent does not say. Then an allowed request is ``allowed`` while its grant is
    in force (``GET /api/grants``); once it is not, a revoke is told from a grant that ran
    out by its end: an approval lasts a whole number of minutes after the decision, while
    such an agent's revoke moved ``allowed_until`` to the moment of the revoke.
    """
    if request.state in REQUEST_STATES:
        return request.state
    if request.status == "pending":
        return "pending"
    if request.status != "allowed":
        return "denied" if request.status == "denied" else request.status
    if request.id in active_ids:
        return "allowed"
    if request.allowed_until is None or request.decided_at is None:
        return "revoked"  # an open-ended grant ends only by a revoke
    seconds = (request.allowed_until - request.decided_at).total_seconds()
    whole_minutes = round(seconds / 60)
    if whole_minutes < 1 or abs(seconds - whole_minutes * 60) > 0.001:
        return "revoked"
    return "expired"


@dataclass(frozen=True)
class WebRules:
    """A child's web rules as they work: the categories and services blocked, the child's
    own allow and deny lists, SafeSearch, YouTube's mode and allow-list-only."""

    child: str
    preset: str
    blocked_categories: frozenset[str] = frozenset()
    blocked_services: frozenset[str] = frozenset()
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    safe_search: bool = True
    youtube_mode: str = "strict"
    allow_list_only: bool = False


@dataclass(frozen=True)
class VersionedRules:
    """Rules with the version of the file they were read from (the agent's ETag)."""

    etag: str
    rules: WebRules


@dataclass(frozen=True)
class ScreenTimeLimits:
    """A child's screen-time limits as they work: minutes Monday to Sunday, the action
    when time runs out, the warnings, per-category and per-service daily minutes (one
    missing has no limit), the allowed hours (none: any hour) and the always-allowed apps."""

    child: str
    daily_minutes: tuple[int, ...]  # seven: Monday first
    action: str = "lock"
    warnings_minutes: tuple[int, ...] = (15, 5, 1)
    category_minutes: tuple[tuple[str, int], ...] = ()
    service_minutes: tuple[tuple[str, int], ...] = ()
    allowed_hours: tuple[WeekWindow, ...] = ()  # one window a day
    always_allowed_apps: tuple[str, ...] = ()


@dataclass(frozen=True)
class VersionedLimits:
    etag: str
    limits: ScreenTimeLimits


@dataclass(frozen=True)
class TimeLeft:
    """A child's time today as the agent counts it: the extra minutes given today and the
    seconds left (None: no limit today)."""

    child: str
    extra_minutes: int = 0
    seconds_left: int | None = None


@dataclass(frozen=True)
class SeenApp:
    """An app seen on this PC (``GET /api/apps``): `allow_name` is what the child's
    always-allowed list takes for it; the rest says which app it is."""

    allow_name: str
    exe_name: str = ""
    exe_path: str = ""
    product_name: str = ""
    service: str | None = None
    service_name: str | None = None
    category: str | None = None
    children: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceEntry:
    service_id: str
    name: str
    category: str
    age_rating: str = ""


@dataclass(frozen=True)
class Catalogue:
    """What a parent may block: category ids (in the agent's order) and services."""

    categories: tuple[str, ...] = ()
    services: tuple[ServiceEntry, ...] = ()


@dataclass(frozen=True)
class SiteVerdict:
    """"Test a site": what the rules in force answer for a name, and why."""

    name: str
    child: str | None
    decision: str
    reason: QueryReason


@dataclass(frozen=True)
class PolicyProblem:
    """One reason the agent refused a change: where (``children[0].deny[1]``), what it
    expected and what it found."""

    path: str
    expected: str | None
    got: str | None = None


class BackendError(Exception):
    """The agent could not be asked, or refused. ``code`` is the API's error code."""

    def __init__(self, message: str, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


class AgentUnreachableError(BackendError):
    """Nothing answers at the agent's address (not running, wrong port)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="unreachable")


class WrongPinError(BackendError):
    """``401 wrong_pin``: the PIN did not match; ``tries_left`` before a lockout."""

    def __init__(self, tries_left: int | None, message: str = "wrong PIN") -> None:
        super().__init__(message, code="wrong_pin")
        self.tries_left = tries_left


class LockedOutError(BackendError):
    """``429 locked``: too many wrong PINs; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float, message: str = "locked") -> None:
        super().__init__(message, code="locked")
        self.retry_after = retry_after


class PinNotSetError(BackendError):
    """No parent PIN exists yet: the first-run "set a PIN" flow applies."""

    def __init__(self, message: str = "no PIN set") -> None:
        super().__init__(message, code="pin_not_set")


class SetupCodeRequiredError(BackendError):
    """``403 setup_code_required``: setting the first PIN needs the one-time set-up code."""

    def __init__(self, message: str = "the set-up code is needed") -> None:
        super().__init__(message, code="setup_code_required")


class WrongSetupCodeError(BackendError):
    """``403 wrong_setup_code``: the set-up code did not match; ``tries_left`` before a
    lockout."""

    def __init__(self, tries_left: int | None, message: str = "wrong set-up code") -> None:
        super().__init__(message, code="wrong_setup_code")
        self.tries_left = tries_left


class AlreadyDecidedError(BackendError):
    """``409 already_decided``: someone answered the request first; the first answer stands."""

    def __init__(self, message: str = "already decided") -> None:
        super().__init__(message, code="already_decided")


class PolicyConflictError(BackendError):
    """The rules changed since they were read (by hand, or on another device): nothing was
    saved."""

    def __init__(self, message: str = "the policy changed since it was read") -> None:
        super().__init__(message, code="precondition_failed")


class PolicyRefusedError(BackendError):
    """The agent refused the change as invalid; nothing was saved."""

    def __init__(self, problems: tuple[PolicyProblem, ...], message: str = "invalid") -> None:
        super().__init__(message, code="invalid_policy")
        self.problems = problems


class SessionExpiredError(BackendError):
    """The parent token is no longer valid (``401`` on a parent endpoint)."""

    def __init__(self, message: str = "session expired") -> None:
        super().__init__(message, code="unauthorized")


@runtime_checkable
class DashboardBackend(Protocol):
    """The agent's local API as the dashboard uses it (one method per endpoint).

    Parent calls take the session token explicitly so that the backend holds no login
    state of its own and can be shared by concurrent workers.
    """

    def health(self) -> Health:
        """``GET /api/health``."""
        ...

    def status(self, token: str | None = None) -> AgentStatus:
        """``GET /api/status`` (with the parent token: also the children)."""
        ...

    def open_session(self, pin: str) -> Session:
        """``POST /api/session``; raises WrongPinError, LockedOutError or PinNotSetError."""
        ...

    def close_session(self, token: str) -> None:
        """``DELETE /api/session``."""
        ...

    def set_pin(
        self,
        pin: str,
        old_pin: str | None = None,
        token: str | None = None,
        setup_code: str | None = None,
    ) -> None:
        """``POST /api/pin``: the first PIN or a forgotten one with the one-time
        `setup_code` (raises SetupCodeRequiredError, WrongSetupCodeError, LockedOutError),
        or a change with a parent session."""
        ...

    def children(self, token: str) -> list[ChildSummary]:
        """``GET /api/children``."""
        ...

    def query_log(
        self, token: str, child: str | None = None, limit: int = 200
    ) -> list[QueryLogEntry]:
        """``GET /api/querylog?child=&limit=``, newest first."""
        ...

    def stats(self, token: str, child: str | None = None) -> Stats:
        """``GET /api/stats?child=``."""
        ...


@runtime_checkable
class RequestsBackend(Protocol):
    """The API of a child's requests and the parents' grants (docs/block-page.md).

    Separate from :class:`DashboardBackend` so that a backend of an agent without the
    requests endpoints still fits the dashboard; the requests tab then says so.
    """

    def requests_snapshot(self, token: str, decided_limit: int = 50) -> RequestsSnapshot:
        """Every pending request, the newest `decided_limit` decided ones and the grants in
        force (``GET /api/requests`` twice and ``GET /api/grants``)."""
        ...

    def decide_request(
        self, token: str, request_id: str, allow: bool, minutes: int | None = None
    ) -> AccessRequest:
        """``POST /api/requests/<id>/decision``; raises AlreadyDecidedError."""
        ...

    def revoke_request(self, token: str, request_id: str) -> AccessRequest:
        """``POST /api/requests/<id>/revoke``."""
        ...


@runtime_checkable
class ExtraTimeBackend(Protocol):
    """A child's time left today and the parent's extra minutes (docs/api.md, screen time)."""

    def time_left(self, token: str, child: str) -> TimeLeft:
        """``GET /api/usage/today``, the child's line."""
        ...

    def give_extra_minutes(self, token: str, child: str, minutes: int) -> TimeLeft:
        """``POST /api/usage/extra``, then the child's time left."""
        ...


@runtime_checkable
class SeenAppsBackend(Protocol):
    """The apps seen on this PC, for the always-allowed list (docs/api.md, screen time)."""

    def seen_apps(self, token: str) -> tuple[SeenApp, ...]:
        """``GET /api/apps``."""
        ...


@runtime_checkable
class RulesBackend(Protocol):
    """The API of the family's rules (docs/api.md, "The policy")."""

    def catalogue(self, token: str) -> Catalogue:
        """``GET /api/catalogue``."""
        ...

    def web_rules(self, token: str, child: str) -> VersionedRules:
        """``GET /api/children/<name>/rules``."""
        ...

    def save_web_rules(self, token: str, etag: str, rules: WebRules) -> VersionedRules:
        """``PUT /api/children/<name>/rules``; raises PolicyConflictError, PolicyRefusedError."""
        ...

    def check_site(self, token: str, name: str, child: str | None) -> SiteVerdict:
        """``GET /api/check``."""
        ...

    def screen_time(self, token: str, child: str) -> VersionedLimits:
        """``GET /api/children/<name>/screen-time``."""
        ...

    def save_screen_time(self, token: str, etag: str, limits: ScreenTimeLimits) -> VersionedLimits:
        """``PUT /api/children/<name>/screen-time``; the same errors as save_web_rules."""
        ...
