"""The running part of screen time: heartbeats in, counted, saved, and the limits' answer.

One :class:`UsageService` per agent. Counting itself is pure (:mod:`agent.usage.counting`);
this keeps each child's counter, dates heartbeats on the trusted time line, records the
counted spans as usage intervals (never a window title), raises the clock and tamper
events, and saves the counters in the store's key-value table at least every
:data:`SAVE_EVERY_SECONDS` and on stop, so a restart neither loses nor counts twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from agent.api.types import (
    ChildUsage,
    ClosingApp,
    HeartbeatAnswer,
    HeartbeatBatch,
    HeartbeatReport,
    LimitInfo,
    SeenApp,
    UsageToday,
)
from agent.policy.compile import resolve_child
from agent.policy.model import FamilyPolicy, ScreenTimeLimits
from agent.policy.services import ServiceCatalogue, load_catalogue
from agent.store.models import QueryLogEntry
from agent.usage.apps import AlwaysAllowed, AppClassifier
from agent.usage.counting import (
    CountResult,
    count_heartbeat,
    count_span,
    new_counter,
    roll_over,
)
from agent.usage.limits import (
    GAMES_CATEGORY,
    LimitDecision,
    LimitKind,
    LimitReason,
    decide,
    spent_reasons,
)
from agent.usage.model import (
    SLEEP_GAP_SECONDS,
    AppIdentity,
    AppUse,
    ChildCounter,
    Heartbeat,
    SessionWatch,
    UsageEvent,
    UsageEventKind,
)
from agent.usage.sampler import RunningApp, cmdline_of
from agent.usage.seen_apps import SEEN_APPS_KEY, SeenApps, seen_app_list
from agent.usage.tamper import (
    AlertWords,
    TamperAlerts,
    clock_moved_words,
    tray_missing_words,
    unclean_stop_words,
)
from agent.usage.trusted_clock import TrustedClock
from dns_filter.clock import Clock, SystemClock

log = logging.getLogger(__name__)

SAVE_EVERY_SECONDS = 30.0
# No heartbeat for this long while the child holds the desktop session: the tray is gone
# (killed, or never started), which is a tamper event, and the session's time counts.
TRAY_SILENCE_SECONDS = 60.0
SESSION_APP = AppUse(app_id="session-without-tray")
# Limits of one service (its minutes, a game's, its category's): at zero its app closes and
# its website is blocked; the rest of the child's time goes on.
SERVICE_LIMIT_KINDS = frozenset({LimitKind.SERVICE, LimitKind.CATEGORY, LimitKind.GAME})
RECENT_NAMES_CACHE_SECONDS = 30.0
RECENT_NAMES_MINUTES = 15  # a website in front keeps asking for its names
TRUSTED_TIME_KEY = "usage.trusted_time"
RUNNING_KEY = "usage.running"
COUNTER_KEY = "usage.counter.{child}"
EXTRA_KEY = "usage.extra.{child}"


class KeyValueStore(Protocol):
    """``agent.store.Store.kv``."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, *, now: datetime | None = None) -> None: ...


class IntervalStore(Protocol):
    """``agent.store.Store.usage``."""

    def record_heartbeat(
        self,
        child: str,
        app_id: str,
        exe: str = "",
        *,
        at: datetime | None = None,
        pulsetime: float = 15.0,
    ) -> object: ...

    def apps_used(self, since: datetime | None = None) -> list[tuple[str, str]]: ...


class EventSink(Protocol):
    """``agent.store.Store.events``."""

    def add(
        self,
        kind: str,
        message: str,
        *,
        child: str | None = None,
        severity: str = "info",
        data: Mapping[str, Any] | None = None,
        at: datetime | None = None,
    ) -> object: ...


@dataclass(frozen=True)
class ChildRules:
    limits: ScreenTimeLimits
    age: int


def limit_info(reason: LimitReason) -> LimitInfo:
    return LimitInfo(
        kind=str(reason.kind),
        limit_minutes=reason.limit_minutes,
        service=reason.service,
        category=reason.category,
        decree_147=reason.decree_147,
        window_ends=reason.window_ends,
    )


def heartbeat_of(child: str, report: HeartbeatReport) -> Heartbeat:
    app = report.app
    return Heartbeat(
        child=child,
        tray_instance=report.tray_instance,
        monotonic=report.monotonic,
        wall=report.wall,
        app=AppIdentity()
        if app is None
        else AppIdentity(
            exe_path=app.exe_path,
            pid=app.pid,
            create_time=app.create_time,
            title=app.title,
            product_name=app.product_name,
            original_name=app.original_name,
        ),
        idle_seconds=report.idle_seconds,
        locked=report.locked,
        full_screen=report.full_screen,
        media_playing=report.media_playing,
        utc_offset_minutes=report.utc_offset_minutes,
    )


def _most_first(mapping: Mapping[str, float]) -> tuple[tuple[str, int], ...]:
    return tuple(
        (name, int(seconds))
        for name, seconds in sorted(mapping.items(), key=lambda item: (-item[1], item[0]))
    )


class QueryLogSource(Protocol):
    """``agent.store.Store.query_log``."""

    def recent(
        self,
        child: str | None = None,
        limit: int = 100,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Sequence[QueryLogEntry]: ...


def recent_dns_names(query_log: QueryLogSource, child: str, now: datetime) -> frozenset[str]:
    """The names `child` looked up in the last :data:`RECENT_NAMES_MINUTES` minutes."""
    since = now - timedelta(minutes=RECENT_NAMES_MINUTES)
    return frozenset(entry.name for entry in query_log.recent(child, 2000, since=since))


class UsageService:
    def __init__(
        self,
        *,
        kv: KeyValueStore,
        intervals: IntervalStore,
        events: EventSink,
        family: Callable[[], FamilyPolicy],
        clock: Clock | None = None,
        catalogue: ServiceCatalogue | None = None,
        cmdline_of: Callable[[int, float | None], tuple[str, ...]] = cmdline_of,
        approved_minutes: Callable[[str, date], int] | None = None,
        recent_names: Callable[[str], frozenset[str]] | None = None,
        on_spent_changed: Callable[[], None] | None = None,
        tamper: TamperAlerts | None = None,
        on_limit_reached: Callable[[str, int | None], object] | None = None,
    ) -> None:
        # Tamper events that reach the family (an event and an alert); without it, events.
        self._tamper = tamper
        # A child's day at zero (the caregivers' `limit` alert, told once a day there).
        self._on_limit_reached = on_limit_reached
        # A service's minutes spent (or a new day): the DNS policy is compiled again.
        self._on_spent_changed = on_spent_changed
        self._spent: dict[str, dict[str, str]] = {}  # child -> spent service -> why
        self._watches: dict[str, SessionWatch] = {}  # child -> how the tray watches
        # The child's recent DNS names (the query log): a browser title naming a service
        # counts as its website only when they name the service's domains too.
        self._recent_names = recent_names
        self._names_cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._cmdline_of = cmdline_of
        self._approved_minutes = approved_minutes
        self._kv = kv
        self._intervals = intervals
        self._events = events
        self._family = family
        self._clock = clock or SystemClock()
        self._catalogue = catalogue or load_catalogue()
        self._classifier = AppClassifier(self._catalogue)
        self._lock = threading.RLock()
        self._counters: dict[str, ChildCounter] = {}
        self._dirty: set[str] = set()
        self._trusted: TrustedClock | None = None
        self._last_save = 0.0
        self._rules_for: tuple[FamilyPolicy, Mapping[str, ChildRules]] | None = None
        self._last_heard: dict[str, float] = {}  # child -> the agent's monotonic time
        self._silent: set[str] = set()
        self._started_at = self._clock.monotonic()
        self._last_session_check: float | None = None
        self._session: tuple[str, float] | None = None  # the active child, and since when
        self._running: Mapping[str, tuple[str, ...]] = {}
        self._running_apps: Mapping[str, tuple[RunningApp, ...]] = {}
        self._last_running_check: float | None = None
        # What each app is, for the parent who picks always-allowed apps (no titles).
        self._seen = SeenApps(kv.get(SEEN_APPS_KEY))

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Read the saved state: the trusted time (a floor: a clock set back while the agent
        was stopped gives no new day) and whether the last stop was clean."""
        with self._lock:
            saved = self._kv.get(TRUSTED_TIME_KEY)
            floor = datetime.fromisoformat(saved) if isinstance(saved, str) else None
            trusted = self._trusted = TrustedClock(self._clock, floor)
            if trusted.started_behind_floor and floor is not None:
                seconds = (self._clock.now() - floor).total_seconds()
                self._tamper_alert(
                    "clock-changed",
                    "the PC's clock was set back while the agent was stopped",
                    clock_moved_words(seconds, while_stopped=True),
                    data={"seconds": seconds, "side": "agent"},
                )
            if self._kv.get(RUNNING_KEY) is True:
                # Killed, or the power went: the service manager started it again; the
                # family hears of it, since stopping the agent is a way round every rule.
                self._tamper_alert(
                    "agent-unclean-stop",
                    "the agent stopped without saving (killed or power lost)",
                    unclean_stop_words(),
                )
            self._kv.set(RUNNING_KEY, True)
            self._last_save = self._clock.monotonic()

    def stop(self) -> None:
        with self._lock:
            if self._trusted is None:
                return
            self.save()
            self._kv.set(RUNNING_KEY, False)
            self._trusted = None

    def now(self) -> datetime:
        trusted = self._trusted
        return trusted.now() if trusted is not None else self._clock.now()

    # -- heartbeats -------------------------------------------------------------------------

    def receive(self, child: str | None, batch: HeartbeatBatch) -> HeartbeatAnswer:
        """Count a batch of one child's heartbeats (oldest first) and answer with the
        child's standing now."""
        if child is None:
            return HeartbeatAnswer(0, None, True, None, LimitInfo("none"))
        rules = self._rules().get(child)
        family = self._family()
        zone = ZoneInfo(family.settings.timezone)
        accepted = 0
        front: AppIdentity | None = None  # the newest heartbeat's app, and what it is
        front_use: AppUse | None = None
        with self._lock:
            now = self.now()
            counter = self._counter(child, now, zone)
            idle = 60.0 * (rules.limits.idle_minutes if rules else 3)
            always = rules.limits.always_allowed_apps if rules else ()
            for report in sorted(batch.beats, key=lambda beat: beat.monotonic):
                beat = heartbeat_of(child, report)
                front = beat.app
                age = max(0.0, batch.sent_monotonic - beat.monotonic)
                at = now - timedelta(seconds=age)
                app = self._classify(child, beat.app, always)
                front_use = app
                self._seen.note(child, app.app_id, beat.app, app.service, app.category, at)
                result = count_heartbeat(counter, beat, app, at, zone, idle)
                if result.counter is not counter:
                    accepted += 1
                counter = result.counter
                self._apply(result)
            self._counters[child] = counter
            self._dirty.add(child)
            self._last_heard[child] = self._clock.monotonic()
            if batch.watcher:
                self._watches[child] = SessionWatch(batch.watcher, batch.foreground_known)
            current = counter.last.app if counter.last is not None else None
            decision = self._decide(child, counter, now, zone, rules, current)
            changed = self._note_spent(child, counter, rules)
            closing = self._to_close(child, front, front_use, always)
        if changed and self._on_spent_changed is not None:
            self._on_spent_changed()
        if (
            not decision.allowed
            and decision.reason.kind is LimitKind.DAILY
            and self._on_limit_reached is not None
        ):
            try:
                self._on_limit_reached(child, decision.reason.limit_minutes)
            except Exception:
                log.exception("the limit-reached alert for %s failed", child)
        self.save_if_due()
        action = str(rules.limits.action) if rules else "lock"
        if action == "notify":
            closing = ()  # the parent chose to have the child only told
        close = tuple(app.pid for app in closing)
        spent_only = not decision.allowed and decision.reason.kind in SERVICE_LIMIT_KINDS
        if action != "notify" and spent_only:
            # One service's time is up, not the child's: its app closes; its website in a
            # browser is blocked by the DNS filter, and the browser stays open.
            action = "close_app" if front is not None and front.pid in close else "notify"
        warnings = tuple(rules.limits.warnings_minutes) if rules else (15, 5, 1)
        return HeartbeatAnswer(
            accepted=accepted,
            child=child,
            allowed=decision.allowed,
            seconds_left=decision.seconds_left,
            limit=self._limit_info(decision.reason, current),
            action=action,
            warnings_minutes=warnings,
            close_pids=close,
            closing=closing,
        )

    def _limit_info(self, reason: LimitReason, current: AppUse | None) -> LimitInfo:
        info = limit_info(reason)
        service = reason.service or (current.service if current is not None else None)
        entry = self._catalogue.get(service) if service else None
        return replace(info, service_name=entry.name) if entry is not None else info

    def _to_close(
        self,
        child: str,
        front: AppIdentity | None,
        current: AppUse | None,
        always: tuple[str, ...],
    ) -> tuple[ClosingApp, ...]:
        """The child's processes of today's spent services, with the service's name and
        why for the child's words: the app in front (not a browser showing the service's
        website: the DNS filter blocks that) and those the sampler saw running behind.
        Never an always-allowed app, never the tray."""
        spent = self._spent.get(child, {})
        if not spent:
            return ()
        allowed = AlwaysAllowed(always)
        found: dict[int, str] = {}  # pid -> service
        if (
            front is not None
            and front.pid
            and current is not None
            and current.service in spent
            and not current.always_allowed
            and not self._classifier.is_browser(front)
        ):
            found[front.pid] = current.service
        for app in self._running_apps.get(child, ()):
            if (
                app.pid > 0
                and app.app.service in spent
                and not app.app.always_allowed
                and not allowed.allows(AppIdentity(exe_path=app.exe_path), app.app.service)
                and app.pid not in found
            ):
                found[app.pid] = app.app.service
        return tuple(
            ClosingApp(pid, self._service_name(service), spent[service])
            for pid, service in found.items()
        )

    def _service_name(self, service: str) -> str:
        entry = self._catalogue.get(service)
        return entry.name if entry is not None else service

    def _classify(self, child: str, app: AppIdentity, always: tuple[str, ...]) -> AppUse:
        # An interpreter (java, python, wine) is the app its command line names; the
        # agent reads it itself, for the very process the tray saw.
        cmdline: tuple[str, ...] = ()
        if app.pid and self._classifier.is_interpreter(app):
            cmdline = self._cmdline_of(app.pid, app.create_time)
        support = None if self._recent_names is None else self._site_support(child)
        return self._classifier.classify(app, always, cmdline, support)

    def _site_support(self, child: str) -> Callable[[str], bool]:
        def supported(service: str) -> bool:
            names = self._names_of(child)
            return any(
                name == domain or name.endswith("." + domain)
                for domain in self._classifier.domains_of(service)
                for name in names
            )

        return supported

    def _names_of(self, child: str) -> frozenset[str]:
        moment = self._clock.monotonic()
        cached = self._names_cache.get(child)
        if cached is not None and moment - cached[0] < RECENT_NAMES_CACHE_SECONDS:
            return cached[1]
        try:
            names = self._recent_names(child) if self._recent_names else frozenset()
        except Exception:
            log.exception("the recent DNS names of %s could not be read", child)
            names = frozenset()
        self._names_cache[child] = (moment, names)
        return names

    def _apply(self, result: CountResult) -> None:
        child = result.counter.child
        for span in result.spans:
            try:
                self._intervals.record_heartbeat(child, span.app.app_id, at=span.start)
                self._intervals.record_heartbeat(child, span.app.app_id, at=span.end)
            except Exception:
                log.exception("a usage interval of %s could not be recorded", child)
        for event in result.events:
            self._record_usage_event(event)

    def _record_usage_event(self, event: UsageEvent) -> None:
        if event.kind is UsageEventKind.SLEEP:
            log.debug("%s: a gap of %.0f s counted as sleep", event.child, event.seconds)
            return
        if event.kind is UsageEventKind.CLOCK_CHANGED:
            message = f"the PC's clock was moved {event.detail} by {abs(event.seconds):.0f} s"
        else:
            message = f"the PC's time zone was changed ({event.detail})"
        self._event(
            str(event.kind),
            message,
            child=event.child,
            severity="warning",
            data={"seconds": event.seconds, "side": "tray"},
        )

    def note_running(
        self, running: Mapping[str, Sequence[RunningApp]], active_child: str | None = None
    ) -> None:
        """The process sampler's last pass: each child's catalogue services running. A game
        of `active_child` (who holds the desktop session) running without focus counts,
        since the last pass, for its game's and the day's game caps (Decree 147/2024) —
        while the child uses the PC (the tray's last heartbeat active, or the tray silent)
        and not when it is the app in front (the heartbeats count that)."""
        moment = self._clock.monotonic()
        previous, self._last_running_check = self._last_running_check, moment
        self._running = {
            child: tuple(sorted({app.app.service for app in apps if app.app.service}))
            for child, apps in running.items()
        }
        self._running_apps = {child: tuple(apps) for child, apps in running.items()}
        seen_at = self.now()
        for child, apps in running.items():
            for app in apps:
                self._seen.note(
                    child, app.app.app_id, AppIdentity(exe_path=app.exe_path),
                    app.app.service, app.app.category, seen_at,
                )
        if active_child is None or previous is None:
            return
        elapsed = moment - previous
        if elapsed <= 0.0 or elapsed >= SLEEP_GAP_SECONDS:
            return  # a longer pause between two passes is sleep
        rules = self._rules().get(active_child)
        if rules is None:
            return
        if self._count_games_behind(
            active_child, running.get(active_child, ()), elapsed, moment, rules
        ) and self._on_spent_changed is not None:
            self._on_spent_changed()

    def _count_games_behind(
        self,
        child: str,
        apps: Sequence[RunningApp],
        elapsed: float,
        moment: float,
        rules: ChildRules,
    ) -> bool:
        """Count `elapsed` seconds for each game of `child` running behind; whether the set
        of spent services changed."""
        allowed = AlwaysAllowed(rules.limits.always_allowed_apps)
        zone = ZoneInfo(self._family().settings.timezone)
        with self._lock:
            now = self.now()
            counter = self._counter(child, now, zone)
            heard = self._last_heard.get(child)
            last = counter.last
            reporting = heard is not None and moment - heard < TRAY_SILENCE_SECONDS
            if reporting and (last is None or not last.active):
                return False  # locked or idle: nobody is playing
            in_front = last.app.service if reporting and last is not None else None
            # A tray that cannot know the app in front (GNOME on Wayland): every
            # catalogue app that runs counts for its service and category, not only games.
            watch = self._watches.get(child)
            every_app = reporting and watch is not None and watch.foreground_known is False
            games: dict[str, AppUse] = {}
            for app in apps:
                use = app.app
                if (
                    (use.category == GAMES_CATEGORY or every_app)
                    and use.service is not None
                    and use.service != in_front
                    and not use.always_allowed
                    and not allowed.allows(AppIdentity(exe_path=app.exe_path), use.service)
                ):
                    games.setdefault(
                        use.service, AppUse(f"{use.app_id}:behind", use.service, use.category)
                    )
            if not games:
                return False
            for game in games.values():
                result = count_span(
                    counter, game, now - timedelta(seconds=elapsed), now, zone, in_front=False
                )
                counter = result.counter
                self._apply(result)
            self._counters[child] = counter
            self._dirty.add(child)
            return self._note_spent(child, counter, rules)

    def children_by_account(self) -> Mapping[str, str]:
        """Each child's OS accounts (for the process sampler)."""
        return {
            user: child.name for child in self._family().children for user in child.os_users
        }

    def watch_session(self, active_child: str | None) -> None:
        """A periodic job: while `active_child` holds the desktop session and its tray is
        silent, raise ``tray-missing`` once and count the session's time (as
        ``session-without-tray``), so killing the tray gains nothing."""
        moment = self._clock.monotonic()
        family = self._family()
        zone = ZoneInfo(family.settings.timezone)
        with self._lock:
            previous, self._last_session_check = self._last_session_check, moment
            if active_child is None or active_child not in self._rules():
                self._session = None
                return
            if self._session is None or self._session[0] != active_child:
                self._session = (active_child, moment)
            # Silence counts from the last heartbeat, but never from before this session.
            heard = max(self._last_heard.get(active_child, self._started_at), self._session[1])
            if moment - heard < TRAY_SILENCE_SECONDS:
                if active_child in self._silent:
                    self._silent.discard(active_child)
                    self._event("tray-back", "the tray reports again", child=active_child)
                return
            # From the last heartbeat on: the silence before it was noticed counts too.
            noticed_before = active_child in self._silent
            if active_child not in self._silent:
                self._silent.add(active_child)
                self._tray_missing(active_child, moment - heard)
            # The checks come every 10 s; a longer pause between two is sleep.
            if previous is None or moment - previous >= SLEEP_GAP_SECONDS:
                return
            elapsed = moment - (max(previous, heard) if noticed_before else heard)
            if elapsed <= 0.0:
                return
            now = self.now()
            counter = self._counter(active_child, now, zone)
            result = count_span(counter, SESSION_APP, now - timedelta(seconds=elapsed), now, zone)
            self._counters[active_child] = result.counter
            self._dirty.add(active_child)
            self._apply(result)

    def tray_state(self, child: str) -> str:
        """``running`` when the child's tray sent a heartbeat within the last minute,
        ``missing`` while the child's session is on without it, else ``not_seen``."""
        with self._lock:
            heard = self._last_heard.get(child)
            if heard is not None and self._clock.monotonic() - heard < TRAY_SILENCE_SECONDS:
                return "running"
            return "missing" if child in self._silent else "not_seen"

    def tray_watch(self, child: str) -> SessionWatch | None:
        """How the child's tray last said it watches (None before its first heartbeat)."""
        with self._lock:
            return self._watches.get(child)

    def category_of_app(self, app_id: str) -> str | None:
        """The catalogue's category of a counted app id (``robloxplayerbeta.exe``)."""
        return self._classifier.category_of_app_id(app_id)

    def _tray_missing(self, child: str, silent_seconds: float) -> None:
        message = (
            "no heartbeat from the tray while the child's session is active; "
            "the session's time counts"
        )
        self._tamper_alert(
            "tray-missing", message, tray_missing_words(child), child=child,
            data={"silent_seconds": silent_seconds}, severity="alert",
        )

    def _tamper_alert(
        self,
        kind: str,
        message: str,
        words: AlertWords,
        *,
        child: str | None = None,
        data: Mapping[str, Any] | None = None,
        severity: str = "warning",
    ) -> None:
        """A tamper event, and the family's alert when there is a way to raise one."""
        if self._tamper is None:
            self._event(kind, message, child=child, severity=severity, data=data)
            return
        try:
            self._tamper.alert(kind, message, words, child=child, data=data)
        except Exception:
            log.exception("the %s alert could not be raised", kind)

    # -- the day ----------------------------------------------------------------------------

    def today(self) -> UsageToday:
        family = self._family()
        zone = ZoneInfo(family.settings.timezone)
        rules = self._rules()
        now = self.now()
        details: list[ChildUsage] = []
        minutes: dict[str, float] = {}
        with self._lock:
            for child in family.children:
                counter = roll_over(self._counter(child.name, now, zone), now, zone).counter
                decision = self._decide(child.name, counter, now, zone, rules.get(child.name))
                tally = counter.tally
                minutes[child.name] = tally.counted_seconds / 60.0
                details.append(
                    ChildUsage(
                        child=child.name,
                        counted_seconds=int(tally.counted_seconds),
                        apps=_most_first(tally.app_seconds),
                        services=_most_first(tally.service_seconds),
                        categories=_most_first(tally.category_seconds),
                        seconds_left=None
                        if decision.seconds_left is None
                        else int(decision.seconds_left),
                        limit=limit_info(decision.reason),
                        extra_minutes=self._extra_minutes(child.name, counter),
                        running=self._running.get(child.name, ()),
                    )
                )
        return UsageToday(date=now.astimezone(zone).date(), minutes=minutes, details=tuple(details))

    def spent_services(self, child: str) -> frozenset[str]:
        """Today's services with their minutes spent (the DNS filter blocks them), read
        afresh so that a new day frees them."""
        zone = ZoneInfo(self._family().settings.timezone)
        with self._lock:
            now = self.now()
            counter = roll_over(self._counter(child, now, zone), now, zone).counter
            rules = self._rules().get(child)
            if rules is None:
                return frozenset()
            found = spent_reasons(
                rules.limits, rules.age, counter.tally, self._classifier.services_in
            )
            self._spent[child] = found
            return frozenset(found)

    def _note_spent(self, child: str, counter: ChildCounter, rules: ChildRules | None) -> bool:
        if rules is None:
            return False
        found = spent_reasons(rules.limits, rules.age, counter.tally, self._classifier.services_in)
        changed = set(found) != set(self._spent.get(child, {}))
        self._spent[child] = found
        return changed

    def seen_apps(self) -> tuple[SeenApp, ...]:
        """The apps seen on this PC (heartbeats, the sampler, the usage records kept)."""
        return seen_app_list(
            self._seen.records(), self._intervals.apps_used(), self._catalogue, self._classifier
        )

    def child_names(self) -> tuple[str, ...]:
        return tuple(child.name for child in self._family().children)

    def add_extra_minutes(self, child: str, minutes: int) -> int:
        """One-off extra minutes for `child` today (a parent's gift); today's extra in all."""
        if minutes <= 0:
            raise ValueError("extra minutes must be more than 0")
        zone = ZoneInfo(self._family().settings.timezone)
        with self._lock:
            counter = roll_over(self._counter(child, self.now(), zone), self.now(), zone).counter
            day = counter.tally.day
            given = self._given_minutes(child, day) + minutes
            self._kv.set(EXTRA_KEY.format(child=child), {"day": day.isoformat(), "minutes": given})
        return self._extra_minutes(child, counter)

    def _given_minutes(self, child: str, day: date) -> int:
        saved = self._kv.get(EXTRA_KEY.format(child=child))
        if not isinstance(saved, dict) or saved.get("day") != day.isoformat():
            return 0
        minutes = saved.get("minutes", 0)
        return minutes if isinstance(minutes, int) else 0

    def _extra_minutes(self, child: str, counter: ChildCounter) -> int:
        """Today's one-off minutes: a parent's gifts and the approved requests for more
        time (:mod:`agent.usage.more_time`)."""
        day = counter.tally.day
        approved = self._approved_minutes(child, day) if self._approved_minutes else 0
        return self._given_minutes(child, day) + approved

    def _decide(
        self,
        child: str,
        counter: ChildCounter,
        now: datetime,
        zone: ZoneInfo,
        rules: ChildRules | None,
        app: AppUse | None = None,
    ) -> LimitDecision:
        if rules is None:
            return LimitDecision(True, None, LimitReason(LimitKind.NONE))
        return decide(
            rules.limits,
            rules.age,
            counter.tally,
            now.astimezone(zone),
            app,
            self._extra_minutes(child, counter),
        )

    # -- state ------------------------------------------------------------------------------

    def _counter(self, child: str, now: datetime, zone: ZoneInfo) -> ChildCounter:
        counter = self._counters.get(child)
        if counter is not None:
            return counter
        saved = self._kv.get(COUNTER_KEY.format(child=child))
        if isinstance(saved, dict):
            try:
                counter = ChildCounter.from_json(saved)
            except (KeyError, TypeError, ValueError):
                log.warning("the saved screen time of %s was unreadable; starting afresh", child)
        if counter is None:
            counter = new_counter(child, now, zone)
        self._counters[child] = counter
        return counter

    def save_if_due(self) -> None:
        """Save when the last save is :data:`SAVE_EVERY_SECONDS` old (called on each batch
        and by a periodic job)."""
        if self._clock.monotonic() - self._last_save >= SAVE_EVERY_SECONDS:
            self.save()

    def save(self) -> None:
        with self._lock:
            for child in sorted(self._dirty):
                self._kv.set(COUNTER_KEY.format(child=child), self._counters[child].to_json())
            self._dirty.clear()
            if self._seen.changed:
                self._kv.set(SEEN_APPS_KEY, self._seen.to_json())
            self._kv.set(TRUSTED_TIME_KEY, self.now().isoformat())
            self._last_save = self._clock.monotonic()

    def check_clock(self) -> None:
        """A change of the PC's clock seen by the agent (a periodic job) raises an event."""
        trusted = self._trusted
        jump = trusted.check() if trusted is not None else None
        if jump is not None:
            direction = "forward" if jump.seconds > 0 else "back"
            self._tamper_alert(
                "clock-changed",
                f"the PC's clock was moved {direction} by {abs(jump.seconds):.0f} s",
                clock_moved_words(jump.seconds, while_stopped=False),
                data={"seconds": jump.seconds, "side": "agent"},
            )

    def _rules(self) -> Mapping[str, ChildRules]:
        family = self._family()
        cached = self._rules_for
        if cached is not None and cached[0] is family:
            return cached[1]
        year = self.now().year
        rules: dict[str, ChildRules] = {}
        for child in family.children:
            try:
                resolved = resolve_child(child, year)
            except ValueError:
                log.warning("no screen-time rules for %s: no age", child.name)
                continue
            rules[child.name] = ChildRules(resolved.screen_time, resolved.age)
        self._rules_for = (family, rules)
        return rules

    def _event(
        self,
        kind: str,
        message: str,
        *,
        child: str | None = None,
        severity: str = "info",
        data: Mapping[str, Any] | None = None,
    ) -> None:
        try:
            self._events.add(kind, message, child=child, severity=severity, data=data)
        except Exception:
            log.exception("the %s event could not be recorded", kind)
