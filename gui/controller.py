"""The dashboard's state and flow, with no widgets: connection, login, parent data.

The views hold no logic of their own: they call these methods and listen to these signals.
The controller asks the backend only through its :class:`~gui.workers.ApiRunner`, and
refreshes on a :class:`QTimer` (public status always; the parent's data while logged in).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta, tzinfo
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QObject, QTimer, Signal

from gui.backend import (
    AccessRequest,
    AgentStatus,
    AgentUnreachableError,
    BackendError,
    ChildSummary,
    DashboardBackend,
    LockedOutError,
    PinNotSetError,
    QueryLogEntry,
    RequestsBackend,
    RequestsSnapshot,
    Session,
    SessionExpiredError,
    SetupCodeRequiredError,
    Stats,
    WrongPinError,
    WrongSetupCodeError,
)
from gui.family_backend import WrongRecoveryCodeError
from gui.labels import local_timezone
from gui.workers import ApiRunner

log = logging.getLogger(__name__)

DEFAULT_REFRESH_MS = 10_000
# The window locks itself after this long with no key pressed and no click (the agent's
# own session ends after 20 minutes; a parent who walks away should not leave it open).
DEFAULT_IDLE_LOCK_MS = 5 * 60_000
QUERY_LOG_LIMIT = 200
DECIDED_REQUESTS_LIMIT = 50  # the recently decided requests shown under the waiting ones
MAX_GRANT_MINUTES = 24 * 60  # the agent's limit for one approval


def minutes_until_end_of_day(now: datetime, zone: tzinfo) -> int:
    """Whole minutes from `now` to midnight in `zone`, so that a grant for them ends
    today (at least 1, the agent's smallest grant)."""
    local = now.astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
    seconds = (midnight - local).total_seconds()
    return max(1, min(MAX_GRANT_MINUTES, int(seconds // 60)))


class Connection(Enum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    UNREACHABLE = "unreachable"


class DashboardController(QObject):
    """Connection and login state of the dashboard; every answer arrives as a signal."""

    connection_changed = Signal(object)  # Connection
    status_changed = Signal(object)  # AgentStatus
    connection_error = Signal(str)  # why the agent cannot be reached
    pin_setup_required = Signal(bool)  # True: no PIN yet, show the "set a PIN" form
    login_succeeded = Signal()
    wrong_pin = Signal(object)  # tries left (int) or None
    wrong_setup_code = Signal(object)  # tries left (int) or None
    locked_out = Signal(float)  # seconds to wait
    logged_out = Signal(bool)  # True when the session expired rather than closed
    request_failed = Signal(str)  # any other error, as text for the status bar
    children_changed = Signal(object)  # list[ChildSummary]
    query_log_changed = Signal(object)  # list[QueryLogEntry]
    stats_changed = Signal(object)  # Stats
    language_reported = Signal(str)  # the agent's settings.language, when it says
    busy_changed = Signal(bool)
    requests_changed = Signal(object)  # RequestsSnapshot
    requests_unavailable = Signal()  # this agent has no requests endpoints
    request_decided = Signal(object, str)  # AccessRequest as stored; "allow", "deny", "revoke"
    request_action_failed = Signal(str, object)  # request id, BackendError
    timezone_changed = Signal(object)  # tzinfo: the family's, once the agent says it
    idle_locked = Signal()  # locked after minutes unused (then logged_out follows)

    def __init__(
        self,
        runner: ApiRunner,
        refresh_ms: int = DEFAULT_REFRESH_MS,
        parent: QObject | None = None,
        *,
        timezone: tzinfo | None = None,
        clock: Callable[[], datetime] | None = None,
        idle_lock_ms: int = DEFAULT_IDLE_LOCK_MS,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        # The family's time zone for "until the end of today" and the times shown. One
        # passed in stays; otherwise the PC's zone until the agent reports the family's.
        self.timezone: tzinfo = timezone or local_timezone()
        self._timezone_fixed = timezone is not None
        self._clock = clock or (lambda: datetime.now(self.timezone))
        self._runner.busy_changed.connect(self.busy_changed)
        self._token: str | None = None
        self._connection = Connection.CONNECTING
        self._pin_set: bool | None = None
        self._query_log_child: str | None = None
        self._stats_child: str | None = None
        self._last_status: AgentStatus | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self.refresh)
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setInterval(idle_lock_ms)
        self._idle_timer.timeout.connect(self._lock_when_idle)

    # State.
    @property
    def logged_in(self) -> bool:
        return self._token is not None

    @property
    def connection(self) -> Connection:
        return self._connection

    @property
    def last_status(self) -> AgentStatus | None:
        return self._last_status

    @property
    def requests_supported(self) -> bool:
        """Whether the backend speaks the requests API at all."""
        return isinstance(self._runner.backend, RequestsBackend)

    def now(self) -> datetime:
        return self._clock()

    def parent_token(self) -> str | None:
        """The parent session's token while logged in (for the other tabs' controllers)."""
        return self._token

    def report_failure(self, error: BackendError) -> None:
        """A parent call of another tab failed: an expired session locks the window, an
        agent that does not answer turns the banner red, the rest goes to the status line."""
        self._on_parent_call_failed(error)

    @property
    def query_log_child(self) -> str | None:
        return self._query_log_child

    @property
    def stats_child(self) -> str | None:
        return self._stats_child

    # Life cycle.
    def start(self) -> None:
        """Ask for the status now, then every refresh interval."""
        self.refresh()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._idle_timer.stop()

    def note_activity(self) -> None:
        """The parent pressed a key or clicked: the idle lock starts counting again."""
        if self.logged_in:
            self._idle_timer.start()

    def _lock_when_idle(self) -> None:
        if self.logged_in:
            log.info("the dashboard locked itself after %d s unused",
                     self._idle_timer.interval() // 1000)
            self.idle_locked.emit()
            self.logout()

    def refresh(self) -> None:
        self.refresh_status()
        if self.logged_in:
            self.refresh_parent_data()

    # Public status.
    def refresh_status(self) -> None:
        token = self._token
        self._runner.submit(
            lambda backend: backend.status(token),
            self._on_status,
            self._on_status_failed,
            key="status",
        )

    def _on_status(self, status: AgentStatus) -> None:
        self._last_status = status
        self._set_connection(Connection.CONNECTED)
        self.status_changed.emit(status)
        if status.language:
            self.language_reported.emit(status.language)
        if status.timezone:
            self._adopt_timezone(status.timezone)
        if status.pin_set is not None and status.pin_set != self._pin_set:
            self._pin_set = status.pin_set
            if not self.logged_in:
                self.pin_setup_required.emit(not status.pin_set)

    def _adopt_timezone(self, name: str) -> None:
        """Use the family's zone, as the agent reports it, unless one was passed in."""
        if self._timezone_fixed or name == getattr(self.timezone, "key", None):
            return
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("the agent reports an unknown time zone %r; keeping %s", name,
                        self.timezone)
            return
        self.timezone = zone
        self.timezone_changed.emit(zone)

    def _on_status_failed(self, error: BackendError) -> None:
        if isinstance(error, SessionExpiredError):
            self._expire_session()
            return
        self._set_connection(Connection.UNREACHABLE)
        self.connection_error.emit(str(error))

    def _set_connection(self, connection: Connection) -> None:
        if connection != self._connection:
            self._connection = connection
            self.connection_changed.emit(connection)

    # Login.
    def login(self, pin: str) -> None:
        self._runner.submit(
            lambda backend: backend.open_session(pin),
            self._on_session,
            self._on_login_failed,
            key="login",
        )

    def set_first_pin(self, pin: str, setup_code: str | None = None) -> None:
        """First run, or a forgotten PIN: set the PIN with the one-time set-up code (the
        proof of set-up the agent asks for), then open a session with it."""

        def set_and_open(backend: DashboardBackend) -> Session:
            if setup_code is None:
                backend.set_pin(pin)
            else:
                backend.set_pin(pin, setup_code=setup_code)
            return backend.open_session(pin)

        self._runner.submit(set_and_open, self._on_session, self._on_login_failed, key="login")

    def adopt_session(self, session: Session) -> None:
        """A session opened elsewhere (the first run's PIN): log in with it."""
        self._on_session(session)

    def report_login_failure(self, error: BackendError) -> None:
        """A PIN or code refused elsewhere (the first run): shown as a login's refusal."""
        self._on_login_failed(error)

    def _on_session(self, session: Session) -> None:
        self._token = session.token
        self._pin_set = True
        self._idle_timer.start()
        self.login_succeeded.emit()
        self.refresh()

    def _on_login_failed(self, error: BackendError) -> None:
        if isinstance(error, WrongPinError):
            self.wrong_pin.emit(error.tries_left)
        elif isinstance(error, WrongSetupCodeError | WrongRecoveryCodeError):
            self.wrong_setup_code.emit(error.tries_left)
        elif isinstance(error, SetupCodeRequiredError):
            self._pin_set = False
            self.wrong_setup_code.emit(None)
        elif isinstance(error, LockedOutError):
            self.locked_out.emit(float(error.retry_after))
        elif isinstance(error, PinNotSetError):
            self._pin_set = False
            self.pin_setup_required.emit(True)
        elif isinstance(error, AgentUnreachableError):
            self._set_connection(Connection.UNREACHABLE)
            self.connection_error.emit(str(error))
        else:
            self.request_failed.emit(str(error))

    def logout(self) -> None:
        token = self._token
        self._token = None
        self._idle_timer.stop()
        if token is not None:
            self._runner.submit(
                lambda backend: backend.close_session(token),
                None,
                lambda error: log.info("closing the session failed: %s", error),
            )
        self.logged_out.emit(False)
        self.refresh_status()

    def _expire_session(self) -> None:
        if self._token is None:
            return
        self._token = None
        self.logged_out.emit(True)

    # Parent data.
    def refresh_parent_data(self) -> None:
        token = self._token
        if token is None:
            return
        self._runner.submit(
            lambda backend: backend.children(token),
            self._on_children,
            self._on_parent_call_failed,
            key="children",
        )
        self.refresh_query_log()
        self.refresh_stats()
        self.refresh_requests()

    def refresh_query_log(self) -> None:
        token, child = self._token, self._query_log_child
        if token is None:
            return
        self._runner.submit(
            lambda backend: backend.query_log(token, child, QUERY_LOG_LIMIT),
            self._on_query_log,
            self._on_parent_call_failed,
            key="querylog",
        )

    def refresh_stats(self) -> None:
        token, child = self._token, self._stats_child
        if token is None:
            return
        self._runner.submit(
            lambda backend: backend.stats(token, child),
            self._on_stats,
            self._on_parent_call_failed,
            key="stats",
        )

    def set_query_log_child(self, child: str | None) -> None:
        """Show only this child's queries (``None``: every child)."""
        if child != self._query_log_child:
            self._query_log_child = child
            self.refresh_query_log()

    def set_stats_child(self, child: str | None) -> None:
        if child != self._stats_child:
            self._stats_child = child
            self.refresh_stats()

    def _on_children(self, children: list[ChildSummary]) -> None:
        if self.logged_in:
            self.children_changed.emit(list(children))

    def _on_query_log(self, entries: list[QueryLogEntry]) -> None:
        if self.logged_in:
            self.query_log_changed.emit(list(entries))

    def _on_stats(self, stats: Stats) -> None:
        if self.logged_in:
            self.stats_changed.emit(stats)

    def _on_parent_call_failed(self, error: BackendError) -> None:
        if isinstance(error, SessionExpiredError):
            self._expire_session()
        elif isinstance(error, AgentUnreachableError):
            self._set_connection(Connection.UNREACHABLE)
            self.connection_error.emit(str(error))
        else:
            self.request_failed.emit(str(error))

    # A child's requests.
    def refresh_requests(self) -> None:
        token = self._token
        if token is None or not self.requests_supported:
            return
        self._runner.submit(
            lambda backend: _requests(backend).requests_snapshot(token, DECIDED_REQUESTS_LIMIT),
            self._on_requests,
            self._on_requests_failed,
            key="requests",
        )

    def decide_request(self, request_id: str, allow: bool, minutes: int | None = None) -> None:
        """Allow for `minutes` or deny; the answer comes as ``request_decided`` or
        ``request_action_failed``, and the list refreshes either way."""
        token = self._token
        if token is None:
            return
        self._runner.submit(
            lambda backend: _requests(backend).decide_request(token, request_id, allow, minutes),
            lambda request: self._on_request_decided(request, "allow" if allow else "deny"),
            lambda error: self._on_request_action_failed(request_id, error),
        )

    def allow_until_end_of_day(self, request_id: str) -> None:
        """Allow until midnight in the family's time zone."""
        self.decide_request(request_id, True, minutes_until_end_of_day(self.now(), self.timezone))

    def revoke_request(self, request_id: str) -> None:
        token = self._token
        if token is None:
            return
        self._runner.submit(
            lambda backend: _requests(backend).revoke_request(token, request_id),
            lambda request: self._on_request_decided(request, "revoke"),
            lambda error: self._on_request_action_failed(request_id, error),
        )

    def _on_requests(self, snapshot: RequestsSnapshot) -> None:
        if self.logged_in:
            self.requests_changed.emit(snapshot)

    def _on_requests_failed(self, error: BackendError) -> None:
        if error.code == "not_found":
            self.requests_unavailable.emit()  # an agent without the requests endpoints
        else:
            self._on_parent_call_failed(error)

    def _on_request_decided(self, request: AccessRequest, action: str) -> None:
        if not self.logged_in:
            return
        self.request_decided.emit(request, action)
        self.refresh_requests()

    def _on_request_action_failed(self, request_id: str, error: BackendError) -> None:
        if isinstance(error, SessionExpiredError):
            self._expire_session()
            return
        if isinstance(error, AgentUnreachableError):
            self._set_connection(Connection.UNREACHABLE)
            self.connection_error.emit(str(error))
        self.request_action_failed.emit(request_id, error)
        self.refresh_requests()  # show what the agent has now (say, the other answer)


def _requests(backend: object) -> RequestsBackend:
    if not isinstance(backend, RequestsBackend):
        raise BackendError("this agent does not take requests", code="not_found")
    return backend
