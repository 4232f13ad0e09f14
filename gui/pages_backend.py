"""What the family pages need from the agent: today at a glance, the days before, the
events, and a child's weekly schedules (docs/api.md, "Overview and activity").

Separate protocols from :class:`gui.backend.DashboardBackend`, so that a backend of an
agent without these endpoints still fits the dashboard; the pages then say so. The
records are the dashboard's own (frozen dataclasses), made by :mod:`gui.api_backend`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, runtime_checkable

# Codes the agent uses (docs/api.md).
TRAY_STATES = ("running", "missing", "not_seen")
DNS_STATES = ("ok", "off", "unknown")
LIST_STATES = ("fresh", "stale", "missing")
ALERT_SEVERITIES = ("alert", "urgent")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SCHEDULE_MODES = ("allowed_only_during", "blocked_during")


@dataclass(frozen=True)
class ChildToday:
    """One child's day so far."""

    child: str
    used_seconds: int
    seconds_left: int | None = None
    limit_kind: str = "none"
    top_apps: tuple[tuple[str, int], ...] = ()
    top_sites: tuple[tuple[str, int], ...] = ()
    blocked: int = 0
    blocked_by_category: tuple[tuple[str, int], ...] = ()
    pending_requests: int = 0
    alerts: int = 0
    tray: str = "not_seen"
    foreground_known: bool | None = None  # False: a Wayland session, the app in front unseen


@dataclass(frozen=True)
class Protection:
    """Whether the PC's protection is whole: its DNS asks the agent, the lists are fresh."""

    dns: str = "unknown"
    dns_reason: str = ""
    dns_servers: tuple[str, ...] = ()
    lists: str = "missing"
    lists_updated_at: datetime | None = None


@dataclass(frozen=True)
class FamilyEvent:
    """An event of the store (an alert, a tamper or clock event, a policy edit), with the
    facts a dashboard words (``data``)."""

    event_id: int
    time: datetime
    kind: str
    severity: str
    message: str
    child: str | None = None
    data: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class FamilyOverview:
    date: date
    children: tuple[ChildToday, ...] = ()
    protection: Protection = field(default_factory=Protection)
    alerts: tuple[FamilyEvent, ...] = ()


@dataclass(frozen=True)
class DayActivity:
    """A family day: seconds counted, per app and per category, blocks per category."""

    date: date
    seconds: int = 0
    apps: tuple[tuple[str, int], ...] = ()
    categories: tuple[tuple[str, int], ...] = ()
    blocked: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class ActivityHistory:
    child: str
    days: tuple[DayActivity, ...] = ()


@dataclass(frozen=True)
class WeekWindow:
    """A window of a schedule: on `day` (``mon`` … ``sun``) from `start` to `end`
    (``"HH:MM"``); an end before the start goes on into the next morning."""

    day: str
    start: str
    end: str


@dataclass(frozen=True)
class Schedule:
    """One schedule of a child: its target (``*`` is all internet), its mode and windows."""

    target: str
    mode: str
    windows: tuple[WeekWindow, ...] = ()


@dataclass(frozen=True)
class VersionedSchedules:
    etag: str
    child: str
    schedules: tuple[Schedule, ...] = ()


@runtime_checkable
class PagesBackend(Protocol):
    def overview(self, token: str) -> FamilyOverview:
        """``GET /api/overview``."""
        ...

    def activity(self, token: str, child: str, days: int) -> ActivityHistory:
        """``GET /api/activity?child=&days=``."""
        ...

    def events(self, token: str, limit: int = 100) -> list[FamilyEvent]:
        """``GET /api/events?limit=``, newest first."""
        ...


@runtime_checkable
class SchedulesBackend(Protocol):
    def schedules(self, token: str, child: str) -> VersionedSchedules:
        """``GET /api/children/<name>/schedules``."""
        ...

    def save_schedules(
        self, token: str, etag: str, child: str, schedules: tuple[Schedule, ...]
    ) -> VersionedSchedules:
        """``PUT /api/children/<name>/schedules``; raises PolicyConflictError,
        PolicyRefusedError."""
        ...
