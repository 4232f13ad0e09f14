"""The dashboard's family pages from what the agent already keeps: today at a glance
(``GET /api/overview``) and the days before (``GET /api/activity``).

Nothing here counts anew: today's time is the usage service's own tally (what the limits
see), the sites and blocks are the query log's statistics, the requests and alerts the
store's, the lists' state the status endpoint's. The history reads the store's usage
intervals and its per-minute answer counters, cut into days on the family's clock.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from datetime import time as wall_time
from typing import Protocol
from zoneinfo import ZoneInfo

from agent.api.types import (
    ActivityDay,
    ActivityHistory,
    ChildOverview,
    EventInfo,
    ListInfo,
    Overview,
    ProtectionInfo,
    UsageToday,
)
from agent.policy import FamilyPolicy
from agent.protection import DnsFinding
from agent.store import Store
from agent.usage.model import SessionWatch
from dns_filter.clock import Clock

log = logging.getLogger(__name__)

TOP_COUNT = 5
ALERT_SEVERITIES = ("alert", "urgent")
ALERTS_SHOWN = 20
HISTORY_DAYS = (7, 30)
# Lists refresh daily; three missed refreshes in a row make them stale.
LISTS_FRESH_FOR = timedelta(days=3)
OTHER = "other"  # the category of apps and blocks the catalogue does not name


class TodaySource(Protocol):
    """``agent.usage.service.UsageService``: today's tally, the tray, the apps' categories."""

    def today(self) -> UsageToday: ...

    def tray_state(self, child: str) -> str: ...

    def tray_watch(self, child: str) -> SessionWatch | None: ...

    def category_of_app(self, app_id: str) -> str | None: ...


DnsCheck = Callable[[], DnsFinding]


class UnknownChildError(LookupError):
    pass


class OverviewService:
    def __init__(
        self,
        *,
        family: Callable[[], FamilyPolicy],
        store: Store,
        clock: Clock,
        lists: Callable[[], Sequence[ListInfo]],
        dns_check: DnsCheck,
        usage: TodaySource | None = None,
    ) -> None:
        self._family = family
        self._store = store
        self._clock = clock
        self._lists = lists
        self._dns_check = dns_check
        self._usage = usage

    # -- today --------------------------------------------------------------------------------

    def overview(self) -> Overview:
        family = self._family()
        zone = ZoneInfo(family.settings.timezone)
        today = self._clock.now().astimezone(zone).date()
        midnight = datetime.combine(today, wall_time(0), tzinfo=zone)
        usage = self._usage.today() if self._usage is not None else None
        details = {detail.child: detail for detail in usage.details} if usage else {}
        minutes = usage.minutes if usage else self._store.usage.minutes_by_child(today, zone)
        alerts = [
            event
            for event in self._store.events.recent(since=midnight, limit=500)
            if event.severity in ALERT_SEVERITIES
        ]
        children: list[ChildOverview] = []
        for child in family.children:
            detail = details.get(child.name)
            stats = self._store.query_log.stats(child=child.name, since=midnight, top=TOP_COUNT)
            pending = self._store.requests.recent(child=child.name, status="pending", limit=1000)
            watch = self._usage.tray_watch(child.name) if self._usage else None
            children.append(
                ChildOverview(
                    child=child.name,
                    used_seconds=detail.counted_seconds
                    if detail
                    else int(minutes.get(child.name, 0.0) * 60),
                    seconds_left=detail.seconds_left if detail else None,
                    limit_kind=detail.limit.kind if detail else "none",
                    top_apps=detail.apps[:TOP_COUNT] if detail else (),
                    top_sites=tuple(stats.top_allowed[:TOP_COUNT]),
                    blocked=stats.blocked,
                    blocked_by_category=tuple(stats.by_category.items())[:TOP_COUNT],
                    pending_requests=len(pending),
                    alerts=sum(1 for event in alerts if event.child == child.name),
                    tray=self._usage.tray_state(child.name) if self._usage else "not_seen",
                    watcher=watch.watcher if watch else None,
                    foreground_known=watch.foreground_known if watch else None,
                )
            )
        return Overview(
            date=today,
            children=tuple(children),
            protection=self._protection(),
            alerts=tuple(
                EventInfo(e.id, e.time, e.kind, e.severity, e.message, e.child, dict(e.data))
                for e in alerts[:ALERTS_SHOWN]
            ),
        )

    def _protection(self) -> ProtectionInfo:
        try:
            dns = self._dns_check()
        except OSError as error:
            log.info("cannot tell where the PC's DNS points: %s", error)
            dns = DnsFinding("unknown", "unreadable")
        lists = list(self._lists())
        fetched = [item for item in lists if item.source != "starter"]
        oldest = min(
            (item.updated_at for item in fetched if item.updated_at is not None), default=None
        )
        unfetched = any(item.updated_at is None or item.error for item in fetched)
        old = oldest is not None and self._clock.now() - oldest > LISTS_FRESH_FOR
        if not any(item.count for item in lists):
            state = "missing"
        else:
            state = "stale" if unfetched or old else "fresh"
        return ProtectionInfo(
            dns=dns.state,
            dns_reason=dns.reason,
            dns_servers=dns.servers,
            lists=state,
            lists_updated_at=oldest,
        )

    # -- the days before ----------------------------------------------------------------------

    def activity(self, child: str, days: int) -> ActivityHistory:
        """The child's last `days` days (today included), oldest first."""
        family = self._family()
        profile = family.child(child)
        if profile is None:
            raise UnknownChildError(child)
        name = profile.name
        zone = ZoneInfo(family.settings.timezone)
        today = self._clock.now().astimezone(zone).date()
        first = today - timedelta(days=days - 1)
        usage = self._store.usage.seconds_by_day_and_app(name, first, days, zone)
        start = datetime.combine(first, wall_time(0), tzinfo=zone).timestamp()
        end = datetime.combine(today + timedelta(days=1), wall_time(0), tzinfo=zone).timestamp()
        blocked: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for minute, category, count in self._store.query_counts.blocked_by_minute(
            name, start, end
        ):
            day = datetime.fromtimestamp(minute, zone).date()
            blocked[day][category or OTHER] += count
        history: list[ActivityDay] = []
        for day, seconds, apps in usage:
            by_category: dict[str, float] = defaultdict(float)
            for app, app_seconds in apps.items():
                by_category[self._category(app)] += app_seconds
            history.append(
                ActivityDay(
                    date=day,
                    seconds=int(seconds),
                    apps=_most_first(apps),
                    categories=_most_first(by_category),
                    blocked=_most_first(blocked.get(day, {})),
                )
            )
        return ActivityHistory(child=name, days=tuple(history))

    def _category(self, app_id: str) -> str:
        found = self._usage.category_of_app(app_id) if self._usage is not None else None
        return found or OTHER


def _most_first(values: dict[str, float] | dict[str, int]) -> tuple[tuple[str, int], ...]:
    ordered = sorted(values.items(), key=lambda item: (-item[1], item[0]))
    return tuple((key, int(value)) for key, value in ordered if int(value) > 0)
