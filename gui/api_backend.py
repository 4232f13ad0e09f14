"""The dashboard's backend over the agent's local HTTP API (``agent.api.client``).

This module is the only place in ``gui`` that touches the agent's package, and it uses
only the API client and its plain data types. It turns the client's answers into the
dashboard's own records (:mod:`gui.backend`) and its exceptions into the dashboard's
errors, so that the views never depend on HTTP details.

Workers call it from several threads at once: each thread gets its own client (and so its
own HTTP connection and token), because the client keeps the token as state.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from agent.api import client as api
from agent.api import types as api_types
from agent.api.types import APP_ENTRY_MAX_LENGTH as APP_ENTRY_MAX_LENGTH  # the agent's rule
from agent.api.types import app_entry_key as app_entry_key  # for an app a parent types,
from agent.api.types import app_entry_problem as app_entry_problem  # for the dashboard
from gui.backend import (
    AccessRequest,
    AgentStatus,
    AgentUnreachableError,
    AlreadyDecidedError,
    BackendError,
    Catalogue,
    ChildSummary,
    Health,
    ListInfo,
    LockedOutError,
    PinNotSetError,
    PolicyConflictError,
    PolicyProblem,
    PolicyRefusedError,
    QueryLogEntry,
    QueryReason,
    RequestsSnapshot,
    ScheduleWindow,
    ScreenTimeLimits,
    SeenApp,
    ServiceEntry,
    Session,
    SessionExpiredError,
    SetupCodeRequiredError,
    SiteVerdict,
    Stats,
    TimeLeft,
    VersionedLimits,
    VersionedRules,
    WebRules,
    WrongPinError,
    WrongSetupCodeError,
)
from gui.caregiver_settings import (
    AppriseEntry,
    CaregiverEntry,
    CaregiverExistsError,
    CaregiverList,
    EmailEntry,
    NtfyEntry,
)
from gui.caregivers import (
    CaregiversSnapshot,
    CaregiverState,
    ChannelState,
    ChannelTest,
    DeadManState,
)
from gui.family_backend import (
    ChildEntry,
    ChildExistsError,
    ChildExport,
    DeviceEntry,
    FamilySnapshot,
    ListUpdate,
    OsAccount,
    PauseState,
    PinCreated,
    PresetSummary,
    WrongRecoveryCodeError,
)
from gui.pages_backend import (
    ActivityHistory,
    ChildToday,
    DayActivity,
    FamilyEvent,
    FamilyOverview,
    Protection,
    Schedule,
    VersionedSchedules,
    WeekWindow,
)

T = TypeVar("T")
log = logging.getLogger(__name__)

# Pending requests are all shown; this many is far more than a family has waiting.
PENDING_LIMIT = 1000


class ApiBackend:
    """:class:`gui.backend.DashboardBackend` and :class:`gui.backend.RequestsBackend` over
    ``agent.api.client.ApiClient``."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 5.0,
        client_factory: Callable[[str, float], api.ApiClient] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._make_client = client_factory or (
            lambda url, seconds: api.ApiClient(url, timeout=seconds)
        )
        self._local = threading.local()
        self._clients: list[api.ApiClient] = []
        self._clients_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ApiBackend({self.base_url!r})"

    def close(self) -> None:
        with self._clients_lock:
            clients, self._clients = self._clients, []
        for each in clients:
            each.close()

    # DashboardBackend.
    def health(self) -> Health:
        answer = self._call(None, lambda c: c.health())
        return Health(status=answer.status, version=answer.version)

    def status(self, token: str | None = None) -> AgentStatus:
        return _status(self._call(token, lambda c: c.status()))

    def open_session(self, pin: str) -> Session:
        answer = self._call(None, lambda c: c.open_session(pin), login=True)
        return Session(token=answer.token, expires_at=answer.expires_at.isoformat())

    def close_session(self, token: str) -> None:
        self._call(token, lambda c: c.close_session())

    def set_pin(
        self,
        pin: str,
        old_pin: str | None = None,
        token: str | None = None,
        setup_code: str | None = None,
    ) -> None:
        self._call(token, lambda c: c.set_pin(pin, old_pin, setup_code), login=True)

    def children(self, token: str) -> list[ChildSummary]:
        children = [_child(item) for item in self._call(token, lambda c: c.children())]
        try:
            answers = self._call(token, lambda c: c.watch_answers())
        except (SessionExpiredError, AgentUnreachableError):
            raise
        except BackendError as error:
            # An agent without the answers: the children still show.
            log.info("the children's answers to what Bảo An watches are not available: %s", error)
            return children
        return [
            replace(child, watch_answer=_current_answer(answers.get(child.name)))
            for child in children
        ]

    def query_log(
        self, token: str, child: str | None = None, limit: int = 200
    ) -> list[QueryLogEntry]:
        answer = self._call(token, lambda c: c.query_log(child, limit))
        return [_query(item) for item in answer]

    def stats(self, token: str, child: str | None = None) -> Stats:
        answer = self._call(token, lambda c: c.stats(child))
        return Stats(
            top_blocked=tuple(answer.top_blocked),
            top_allowed=tuple(answer.top_allowed),
            by_category=tuple(answer.by_category.items()),
        )

    # RequestsBackend.
    def requests_snapshot(self, token: str, decided_limit: int = 50) -> RequestsSnapshot:
        def ask(client: api.ApiClient) -> RequestsSnapshot:
            pending = client.requests(status="pending", limit=PENDING_LIMIT)
            # Newest first; the pending ones among them are dropped, so ask for enough.
            recent = client.requests(limit=min(PENDING_LIMIT, len(pending) + decided_limit))
            grants = client.grants()
            decided = [item for item in recent if item.status != "pending"][:decided_limit]
            return RequestsSnapshot(
                pending=tuple(_request(item) for item in pending),
                decided=tuple(_request(item) for item in decided),
                active_ids=frozenset(grant.request_id for grant in grants),
            )

        return self._call(token, ask)

    def decide_request(
        self, token: str, request_id: str, allow: bool, minutes: int | None = None
    ) -> AccessRequest:
        return _request(self._call(token, lambda c: c.decide_request(request_id, allow, minutes)))

    def revoke_request(self, token: str, request_id: str) -> AccessRequest:
        return _request(self._call(token, lambda c: c.revoke_request(request_id)))

    # RulesBackend.
    def catalogue(self, token: str) -> Catalogue:
        answer = self._call(token, lambda c: c.catalogue())
        return Catalogue(
            categories=answer.categories,
            services=tuple(
                ServiceEntry(item.id, item.name, item.category, item.age_rating)
                for item in answer.services
            ),
        )

    def web_rules(self, token: str, child: str) -> VersionedRules:
        etag, rules = self._call(token, lambda c: c.child_rules(child))
        return VersionedRules(etag, _rules(rules))

    def save_web_rules(self, token: str, etag: str, rules: WebRules) -> VersionedRules:
        wire = api_types.ChildRules(
            child=rules.child,
            preset=rules.preset,
            blocked_categories=tuple(sorted(rules.blocked_categories)),
            blocked_services=tuple(sorted(rules.blocked_services)),
            allow=rules.allow,
            deny=rules.deny,
            safe_search=rules.safe_search,
            youtube_mode=rules.youtube_mode,
            allow_list_only=rules.allow_list_only,
        )
        new_etag, saved = self._call(token, lambda c: c.set_child_rules(etag, wire))
        return VersionedRules(new_etag, _rules(saved))

    def check_site(self, token: str, name: str, child: str | None) -> SiteVerdict:
        answer = self._call(token, lambda c: c.check_site(name, child))
        return SiteVerdict(answer.name, answer.child, answer.decision, _reason(answer.reason))

    def screen_time(self, token: str, child: str) -> VersionedLimits:
        etag, limits = self._call(token, lambda c: c.screen_time(child))
        return VersionedLimits(etag, _limits(limits))

    def save_screen_time(self, token: str, etag: str, limits: ScreenTimeLimits) -> VersionedLimits:
        mon, tue, wed, thu, fri, sat, sun = limits.daily_minutes
        wire = api_types.ScreenTimeRules(
            child=limits.child,
            daily_minutes=(mon, tue, wed, thu, fri, sat, sun),
            action=limits.action,
            warnings_minutes=limits.warnings_minutes,
            category_minutes=dict(limits.category_minutes),
            service_minutes=dict(limits.service_minutes),
            allowed_hours=_grouped_windows(limits.allowed_hours),
            always_allowed_apps=limits.always_allowed_apps,
        )
        new_etag, saved = self._call(token, lambda c: c.set_screen_time(etag, wire))
        return VersionedLimits(new_etag, _limits(saved))

    # SeenAppsBackend: the apps seen on this PC.
    def seen_apps(self, token: str) -> tuple[SeenApp, ...]:
        answer = self._call(token, lambda c: c.seen_apps())
        return tuple(
            SeenApp(
                allow_name=app.allow_name,
                exe_name=app.exe_name,
                exe_path=app.exe_path,
                product_name=app.product_name,
                service=app.service,
                service_name=app.service_name,
                category=app.category,
                children=app.children,
            )
            for app in answer.apps
        )

    # ExtraTimeBackend: time left today and the parent's extra minutes.
    def time_left(self, token: str, child: str) -> TimeLeft:
        today = self._call(token, lambda c: c.usage_today())
        for item in today.details:
            if item.child == child:
                return TimeLeft(child, item.extra_minutes, item.seconds_left)
        return TimeLeft(child)

    def give_extra_minutes(self, token: str, child: str, minutes: int) -> TimeLeft:
        self._call(token, lambda c: c.add_extra_minutes(child, minutes))
        return self.time_left(token, child)

    # PagesBackend: the family pages.
    def overview(self, token: str) -> FamilyOverview:
        answer = self._call(token, lambda c: c.overview())
        protection = answer.protection
        return FamilyOverview(
            date=answer.date,
            children=tuple(
                ChildToday(
                    child=item.child,
                    used_seconds=item.used_seconds,
                    seconds_left=item.seconds_left,
                    limit_kind=item.limit_kind,
                    top_apps=item.top_apps,
                    top_sites=item.top_sites,
                    blocked=item.blocked,
                    blocked_by_category=item.blocked_by_category,
                    pending_requests=item.pending_requests,
                    alerts=item.alerts,
                    tray=item.tray,
                    foreground_known=item.foreground_known,
                )
                for item in answer.children
            ),
            protection=Protection(
                protection.dns,
                protection.dns_reason,
                protection.dns_servers,
                protection.lists,
                protection.lists_updated_at,
            ),
            alerts=tuple(_event(item) for item in answer.alerts),
        )

    def activity(self, token: str, child: str, days: int) -> ActivityHistory:
        answer = self._call(token, lambda c: c.activity(child, days))
        return ActivityHistory(
            child=answer.child,
            days=tuple(
                DayActivity(day.date, day.seconds, day.apps, day.categories, day.blocked)
                for day in answer.days
            ),
        )

    def events(self, token: str, limit: int = 100) -> list[FamilyEvent]:
        return [_event(item) for item in self._call(token, lambda c: c.events(limit=limit))]

    # SchedulesBackend.
    def schedules(self, token: str, child: str) -> VersionedSchedules:
        etag, answer = self._call(token, lambda c: c.schedules(child))
        return _schedules(etag, answer)

    def save_schedules(
        self, token: str, etag: str, child: str, schedules: tuple[Schedule, ...]
    ) -> VersionedSchedules:
        wire = api_types.ChildSchedules(
            child=child,
            schedules=tuple(
                api_types.ScheduleRule(
                    target=rule.target,
                    mode=rule.mode,
                    windows=_grouped_windows(rule.windows),
                )
                for rule in schedules
            ),
        )
        new_etag, answer = self._call(token, lambda c: c.set_schedules(etag, wire))
        return _schedules(new_etag, answer)

    # FamilyBackend: the first PIN, the presets, the PC's accounts, the children.
    def create_pin(self, pin: str, setup_code: str) -> PinCreated:
        answer = self._call(None, lambda c: c.create_pin(pin, setup_code), login=True)
        return PinCreated(self.open_session(pin), answer.recovery_code)

    def presets(self, token: str) -> tuple[PresetSummary, ...]:
        return tuple(_preset(item) for item in self._call(token, lambda c: c.presets()))

    def os_accounts(self, token: str) -> tuple[OsAccount, ...]:
        answer = self._call(token, lambda c: c.os_accounts())
        return tuple(OsAccount(item.name, item.full_name) for item in answer)

    def family(self, token: str) -> FamilySnapshot:
        etag, children, default = self._call(token, lambda c: c.family_children())
        return FamilySnapshot(etag, tuple(_child_entry(item) for item in children), default)

    def add_child(self, token: str, etag: str, child: ChildEntry) -> FamilySnapshot:
        self._call(token, lambda c: c.add_child(etag, _child_settings(child)))
        return self.family(token)

    def update_child(self, token: str, etag: str, name: str, child: ChildEntry) -> FamilySnapshot:
        self._call(token, lambda c: c.update_child(etag, name, _child_settings(child)))
        return self.family(token)

    def remove_child(self, token: str, etag: str, name: str) -> FamilySnapshot:
        self._call(token, lambda c: c.remove_child(etag, name))
        return self.family(token)

    # SettingsBackend: pause, "update now", a child's data, the PIN.
    def pause_state(self, token: str) -> PauseState:
        return _pause(self._call(token, lambda c: c.protection_pause()))

    def pause_protection(self, token: str, minutes: int) -> PauseState:
        return _pause(self._call(token, lambda c: c.pause_protection(minutes)))

    def resume_protection(self, token: str) -> PauseState:
        return _pause(self._call(token, lambda c: c.resume_protection()))

    def list_update(self, token: str) -> ListUpdate:
        return _list_update(self._call(token, lambda c: c.list_update()))

    def start_list_update(self, token: str) -> ListUpdate:
        return _list_update(self._call(token, lambda c: c.start_list_update()))

    def cancel_list_update(self, token: str) -> ListUpdate:
        return _list_update(self._call(token, lambda c: c.cancel_list_update()))

    def export_child_data(self, token: str, child: str) -> ChildExport:
        """The whole export, page after page (the agent answers at most a page at once)."""
        first = self._call(token, lambda c: c.export_child_data(child))
        tables = {name: list(rows) for name, rows in first.tables.items()}
        cursor = first.next_cursor
        while cursor is not None:
            page = self._call(token, functools.partial(_export_page, child=child, cursor=cursor))
            for name, rows in page.tables.items():
                tables.setdefault(name, []).extend(rows)
            cursor = page.next_cursor
        return ChildExport(
            first.child, first.exported_at, {name: tuple(rows) for name, rows in tables.items()}
        )

    def delete_child_data(self, token: str, child: str) -> int:
        answer = self._call(token, lambda c: c.delete_child_data(child))
        return sum(answer.removed.values())

    def change_pin(self, token: str, old_pin: str, new_pin: str) -> None:
        # The old PIN is checked as a login is: a wrong one is WrongPinError, not an expiry.
        self._call(token, lambda c: c.set_pin(new_pin, old_pin), login=True)

    def new_recovery_code(self, token: str) -> str:
        return self._call(token, lambda c: c.new_recovery_code())

    def reset_pin_with_recovery_code(self, pin: str, recovery_code: str) -> PinCreated:
        answer = self._call(
            None, lambda c: c.reset_pin_with_recovery_code(pin, recovery_code), login=True
        )
        return PinCreated(self.open_session(pin), answer.recovery_code)

    # CaregiversBackend (gui.caregivers).
    def caregivers(self, token: str) -> CaregiversSnapshot:
        return _caregivers(self._call(token, lambda c: c.caregivers()))

    def send_test_alert(self, token: str) -> tuple[ChannelTest, ...]:
        answer = self._call(token, lambda c: c.send_test_alert())
        return tuple(
            ChannelTest(item.receiver, item.outcome, item.detail) for item in answer.checks
        )

    # CaregiverSettingsBackend (gui.caregiver_settings).
    def caregiver_settings(self, token: str) -> CaregiverList:
        etag, items = self._call(token, lambda c: c.family_caregivers())
        return CaregiverList(etag, tuple(_caregiver_entry(item) for item in items))

    def add_caregiver(self, token: str, etag: str, entry: CaregiverEntry) -> CaregiverList:
        self._call(token, lambda c: c.add_caregiver(etag, _caregiver_settings(entry)))
        return self.caregiver_settings(token)

    def update_caregiver(
        self, token: str, etag: str, name: str, entry: CaregiverEntry
    ) -> CaregiverList:
        self._call(token, lambda c: c.update_caregiver(etag, name, _caregiver_settings(entry)))
        return self.caregiver_settings(token)

    def remove_caregiver(self, token: str, etag: str, name: str) -> CaregiverList:
        self._call(token, lambda c: c.remove_caregiver(etag, name))
        return self.caregiver_settings(token)

    # Plumbing.
    def _client(self) -> api.ApiClient:
        existing: api.ApiClient | None = getattr(self._local, "client", None)
        if existing is None:
            existing = self._make_client(self.base_url, self._timeout)
            self._local.client = existing
            with self._clients_lock:
                self._clients.append(existing)
        return existing

    def _call(
        self, token: str | None, request: Callable[[api.ApiClient], T], login: bool = False
    ) -> T:
        client = self._client()
        client.token = token
        try:
            return request(client)
        except api.AgentNotRunningError as error:
            raise AgentUnreachableError(str(error)) from error
        except api.WrongPinError as error:
            raise WrongPinError(error.tries_left, str(error)) from error
        except api.LockedError as error:
            raise LockedOutError(float(error.retry_after), str(error)) from error
        except api.PinNotSetError as error:
            raise PinNotSetError(str(error)) from error
        except api.AlreadyDecidedError as error:
            raise AlreadyDecidedError(str(error)) from error
        except api.WrongSetupCodeError as error:
            raise WrongSetupCodeError(error.tries_left, str(error)) from error
        except api.WrongRecoveryCodeError as error:
            raise WrongRecoveryCodeError(error.tries_left, str(error)) from error
        except api.SetupCodeRequiredError as error:
            raise SetupCodeRequiredError(str(error)) from error
        except api.PolicyConflictError as error:
            raise PolicyConflictError(str(error)) from error
        except api.PolicyRefusedError as error:
            problems = tuple(
                PolicyProblem(item.path, item.expected, item.got) for item in error.problems
            )
            raise PolicyRefusedError(problems, str(error)) from error
        except api.UnauthorizedError as error:
            if login:
                raise BackendError(str(error), code=error.code) from error
            raise SessionExpiredError(str(error)) from error
        except api.ApiClientError as error:
            if error.code == "child_exists":
                raise ChildExistsError(str(error)) from error
            if error.code == "caregiver_exists":
                raise CaregiverExistsError(str(error)) from error
            raise BackendError(str(error), code=error.code) from error
        finally:
            client.token = None


def _caregiver_entry(item: api_types.CaregiverSettings) -> CaregiverEntry:
    ntfy, email, apprise = item.ntfy, item.email, item.apprise
    return CaregiverEntry(
        name=item.name,
        hears=item.hears,
        alerts_per_hour=item.alerts_per_hour,
        quiet_start=item.quiet_start,
        quiet_end=item.quiet_end,
        ntfy=None if ntfy is None else NtfyEntry(ntfy.server, ntfy.topic, ntfy.token_set),
        email=None
        if email is None
        else EmailEntry(email.address, email.smtp, email.username, email.password_set),
        apprise=None if apprise is None else AppriseEntry(apprise.url_set, apprise.url_hint),
    )


def _caregiver_settings(entry: CaregiverEntry) -> api_types.CaregiverSettings:
    ntfy, email, apprise = entry.ntfy, entry.email, entry.apprise
    return api_types.CaregiverSettings(
        name=entry.name.strip(),
        hears=entry.hears,
        alerts_per_hour=entry.alerts_per_hour,
        quiet_start=entry.quiet_start,
        quiet_end=entry.quiet_end,
        ntfy=None
        if ntfy is None
        else api_types.NtfyChannelSettings(ntfy.server.strip(), ntfy.topic.strip(),
                                           token=ntfy.token),
        email=None
        if email is None
        else api_types.EmailChannelSettings(
            email.address.strip(), email.smtp.strip(), email.username.strip(),
            password=email.password,
        ),
        apprise=None if apprise is None else api_types.AppriseChannelSettings(url=apprise.url),
    )


def _caregivers(answer: api_types.CaregiversInfo) -> CaregiversSnapshot:
    return CaregiversSnapshot(
        pc=answer.pc,
        caregivers=tuple(
            CaregiverState(
                name=item.name,
                hears=item.hears,
                quiet_hours=item.quiet_hours,
                channels=tuple(
                    ChannelState(
                        receiver=channel.receiver,
                        kind=channel.kind,
                        address=channel.address,
                        last_delivered=channel.last_delivered,
                        last_error=channel.last_error,
                        refused_for_good=channel.refused_for_good,
                        waiting=channel.waiting,
                    )
                    for channel in item.channels
                ),
                dead_man=None
                if item.dead_man is None
                else DeadManState(
                    server=item.dead_man.server,
                    support=item.dead_man.support,
                    last_published=item.dead_man.last_published,
                    last_error=item.dead_man.last_error,
                ),
            )
            for item in answer.caregivers
        ),
    )


def _status(answer: api_types.Status) -> AgentStatus:
    return AgentStatus(
        version=answer.version,
        dns_listening=tuple(answer.dns_listening),
        policy_loaded_at=None
        if answer.policy.loaded_at is None
        else answer.policy.loaded_at.isoformat(),
        policy_source=answer.policy.source,
        policy_error=answer.policy.error,
        lists=tuple(
            ListInfo(
                category=item.category,
                source=item.source,
                count=item.count,
                updated_at=None if item.updated_at is None else item.updated_at.isoformat(),
            )
            for item in answer.lists
        ),
        children=None
        if answer.children is None
        else tuple(_child(item) for item in answer.children),
        pin_set=answer.pin_set,
        language=answer.language,
        timezone=answer.timezone,
    )


def _current_answer(ack: api_types.WatchAcknowledgementInfo | None) -> str | None:
    """The answer to the notice shown now; an answer to an older notice is no answer."""
    return ack.answer if ack is not None and ack.current else None


def _child(item: api_types.ChildInfo) -> ChildSummary:
    return ChildSummary(
        name=item.name,
        age=item.age,
        preset=item.preset,
        usage_today_minutes=item.usage_today_minutes,
        os_users=tuple(item.os_users),
    )


def _query(item: api_types.QueryLogEntry) -> QueryLogEntry:
    return QueryLogEntry(
        time=item.time.isoformat(),
        child=item.child,
        name=item.name,
        qtype=item.qtype,
        decision=item.decision,
        reason=_reason(item.reason),
        latency_ms=item.latency_ms,
        category=item.category,
        count=item.count,
    )


def _reason(item: api_types.ReasonInfo) -> QueryReason:
    window = item.window
    return QueryReason(
        kind=item.kind,
        category=item.category,
        service=item.service,
        rule=item.rule,
        window=None if window is None else ScheduleWindow(window.target, window.mode, window.spans),
        cname_target=item.cname_target,
        target_kind=item.target_kind,
        upstream=item.upstream,
        detail=item.detail,
    )


def _limits(item: api_types.ScreenTimeRules) -> ScreenTimeLimits:
    return ScreenTimeLimits(
        child=item.child,
        daily_minutes=tuple(item.daily_minutes),
        action=item.action,
        warnings_minutes=item.warnings_minutes,
        category_minutes=tuple(sorted(item.category_minutes.items())),
        service_minutes=tuple(sorted(item.service_minutes.items())),
        allowed_hours=tuple(
            WeekWindow(day, window.start, window.end)
            for window in item.allowed_hours or ()
            for day in window.days
        ),
        always_allowed_apps=tuple(item.always_allowed_apps or ()),
    )


def _rules(item: api_types.ChildRules) -> WebRules:
    return WebRules(
        child=item.child,
        preset=item.preset,
        blocked_categories=frozenset(item.blocked_categories),
        blocked_services=frozenset(item.blocked_services),
        allow=item.allow,
        deny=item.deny,
        safe_search=item.safe_search,
        youtube_mode=item.youtube_mode,
        allow_list_only=item.allow_list_only,
    )


def _request(item: api_types.AccessRequestInfo) -> AccessRequest:
    return AccessRequest(
        id=item.id,
        child=item.child,
        site=item.target,
        reason=item.reason,
        status=item.status,
        created_at=item.created_at,
        decided_at=item.decided_at,
        decided_by=item.decided_by,
        allowed_until=item.allowed_until,
        kind=item.kind,
        state=item.state,
        revoked_at=item.revoked_at,
    )


def _event(item: api_types.EventInfo) -> FamilyEvent:
    return FamilyEvent(
        event_id=item.event_id,
        time=item.time,
        kind=item.kind,
        severity=item.severity,
        message=item.message,
        child=item.child,
        data=dict(item.data),
    )


def _schedules(etag: str, item: api_types.ChildSchedules) -> VersionedSchedules:
    """One window a day: the editor shows and edits each day's windows on their own."""
    return VersionedSchedules(
        etag=etag,
        child=item.child,
        schedules=tuple(
            Schedule(
                target=rule.target,
                mode=rule.mode,
                windows=tuple(
                    WeekWindow(day, window.start, window.end)
                    for window in rule.windows
                    for day in window.days
                ),
            )
            for rule in item.schedules
        ),
    )


def _grouped_windows(windows: tuple[WeekWindow, ...]) -> tuple[api_types.WeeklyWindow, ...]:
    """Days with the same hours as one window (``weekdays 07:00–09:00``), as a parent
    would write them in family.toml."""
    days_by_hours: dict[tuple[str, str], list[str]] = {}
    for window in windows:
        days = days_by_hours.setdefault((window.start, window.end), [])
        if window.day not in days:
            days.append(window.day)
    return tuple(
        api_types.WeeklyWindow(tuple(days), start, end)
        for (start, end), days in days_by_hours.items()
    )


def _preset(item: api_types.PresetInfo) -> PresetSummary:
    return PresetSummary(
        preset_id=item.id,
        name_vi=item.name_vi,
        name_en=item.name_en,
        min_age=item.min_age,
        max_age=item.max_age,
        blocked_categories=item.blocked_categories,
        blocked_services=item.blocked_services,
        allow_list_only=item.allow_list_only,
        safe_search=item.safe_search,
        youtube_mode=item.youtube_mode,
        daily_minutes=item.daily_minutes,
        allowed_hours=tuple((window.start, window.end) for window in item.allowed_hours),
        category_minutes=tuple(sorted(item.category_minutes.items())),
        per_game_minutes=item.per_game_minutes,
        film_ratings=item.film_ratings,
        game_rating=item.game_rating,
    )


def _child_entry(item: api_types.ChildSettings) -> ChildEntry:
    return ChildEntry(
        name=item.name,
        age=item.age,
        birth_year=item.birth_year,
        preset=item.preset,
        os_users=item.os_users,
        devices=tuple(DeviceEntry(device.name, device.ip, device.mac) for device in item.devices),
        preset_in_force=item.preset_in_force,
    )


def _child_settings(child: ChildEntry) -> api_types.ChildSettings:
    return api_types.ChildSettings(
        name=child.name,
        age=child.age,
        birth_year=child.birth_year,
        preset=child.preset,
        os_users=child.os_users,
        devices=tuple(
            api_types.DeviceInfo(ip=device.ip, mac=device.mac, name=device.name)
            for device in child.devices
        ),
    )


def _pause(item: api_types.ProtectionPauseInfo) -> PauseState:
    return PauseState(paused_until=item.paused_until)


def _list_update(item: api_types.ListUpdateInfo) -> ListUpdate:
    return ListUpdate(
        state=item.state,
        total=item.total,
        done=item.done,
        current=item.current,
        updated=item.updated,
        failed=item.failed,
    )


def _export_page(client: api.ApiClient, child: str, cursor: str) -> api_types.ChildDataExport:
    return client.export_child_data(child, cursor)
