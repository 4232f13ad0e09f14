"""`family.toml` schema v1 as frozen data.

The loader builds these from a validated file; nothing here reads files. Time windows,
schedules and the enums shared with the DNS filter come from :mod:`dns_filter.policy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum
from types import MappingProxyType

from dns_filter.policy import BlockMode, ScheduleRule, TimeWindow, YouTubeMode
from dns_filter.upstreams import UpstreamSpec

SCHEMA_VERSION = 1
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_QUERY_LOG_RETENTION_DAYS = 30
DEFAULT_DNS_RATE_LIMIT_QPS = 20  # AdGuard Home's default per client
DEFAULT_UPSTREAMS = ("udp://1.1.1.1", "udp://8.8.8.8")
DEFAULT_NTFY_SERVER = "https://ntfy.sh"
DEFAULT_ALERTS_PER_HOUR = 10  # to one caregiver; past it the rest go as one digest
MAX_ALERTS_PER_HOUR = 1000
MAX_CHILD_AGE = 17  # Bảo An protects children: a person of 18 or more is refused.

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()


def _empty_mapping() -> Mapping[str, object]:
    return MappingProxyType({})


class Language(StrEnum):
    VI = "vi"
    EN = "en"


class LimitAction(StrEnum):
    """What happens when screen time runs out."""

    LOCK = "lock"  # lock the session (default)
    LOGOFF = "logoff"
    CLOSE_APP = "close_app"
    NOTIFY = "notify"  # only tell the child and the parents


@dataclass(frozen=True)
class Settings:
    language: Language = Language.VI
    timezone: str = DEFAULT_TIMEZONE
    upstreams: tuple[UpstreamSpec, ...] = ()  # checked by dns_filter.upstreams' parser
    # category id -> list sources (URLs or local paths); every category is present
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=_empty_mapping)  # type: ignore[arg-type]
    block_mode: BlockMode = BlockMode.PAGE
    query_log_retention_days: int = DEFAULT_QUERY_LOG_RETENTION_DAYS
    help_alerts_caregivers: bool = True
    # DNS queries a second one LAN client may ask (bursts of twice that); past it, REFUSED.
    # The PC itself and the block page are never limited; 0 turns the limit off.
    dns_rate_limit_qps: int = DEFAULT_DNS_RATE_LIMIT_QPS


@dataclass(frozen=True)
class ScreenTimeOverrides:
    """A child's own screen-time settings; None (or an empty mapping) keeps the preset's.
    A service or category in `unlimited_services` / `unlimited_categories` (``false`` in
    family.toml's minutes tables) has no limit, even one its preset sets."""

    daily_minutes: Mapping[int, int] = field(default_factory=_empty_mapping)  # type: ignore[arg-type]
    allowed_hours: tuple[TimeWindow, ...] | None = None
    service_minutes: Mapping[str, int] = field(default_factory=_empty_mapping)  # type: ignore[arg-type]
    category_minutes: Mapping[str, int] = field(default_factory=_empty_mapping)  # type: ignore[arg-type]
    unlimited_services: frozenset[str] = frozenset()
    unlimited_categories: frozenset[str] = frozenset()
    per_game_minutes: int | None = None
    always_allowed_apps: tuple[str, ...] = ()
    warnings_minutes: tuple[int, ...] | None = None
    action: LimitAction | None = None
    idle_minutes: int | None = None


@dataclass(frozen=True)
class Child:
    name: str
    age: int | None = None
    birth_year: int | None = None
    os_users: tuple[str, ...] = ()
    preset: str | None = None  # None: derived from the age
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    block_categories: tuple[str, ...] = ()  # added to the preset's
    allow_categories: tuple[str, ...] = ()  # removed from the preset's
    block_services: tuple[str, ...] = ()
    allow_services: tuple[str, ...] = ()
    safe_search: bool | None = None
    youtube_mode: YouTubeMode | None = None
    allow_list_only: bool | None = None
    schedules: tuple[ScheduleRule, ...] = ()
    screen_time: ScreenTimeOverrides = field(default_factory=ScreenTimeOverrides)

    def age_in(self, year: int) -> int:
        """The age as written, or the age reached in `year` for a birth year."""
        if self.age is not None:
            return self.age
        if self.birth_year is None:
            raise ValueError(f"child {self.name!r} has neither age nor birth_year")
        return year - self.birth_year


@dataclass(frozen=True)
class Device:
    """A LAN device (by IP address or MAC address) that belongs to a child."""

    child: str
    ip: str | None = None
    mac: str | None = None  # lower case, colon separated
    name: str = ""

    @property
    def key(self) -> str:
        return self.ip if self.ip is not None else str(self.mac)


# What a caregiver can choose to hear (`hears` in [[caregivers]]). Help is always heard.
ALERT_TOPICS = ("help", "adult", "tamper", "limit", "requests", "paused")


@dataclass(frozen=True)
class Caregiver:
    name: str
    ntfy_topic: str | None = None
    ntfy_server: str = DEFAULT_NTFY_SERVER
    email: str | None = None
    smtp: str | None = None  # "host:port" of the mail server that sends to `email`
    # An Apprise channel whose URL is in the keyring (`apprise:<name>`): it may hold a token.
    apprise: bool = False
    # What this caregiver hears (ALERT_TOPICS); empty: everything.
    hears: tuple[str, ...] = ()
    # Alerts wait until `quiet_end` between these times (Help never waits).
    quiet_start: time | None = None
    quiet_end: time | None = None
    # At most this many alerts an hour reach this caregiver (each channel); the rest go
    # as one digest. Help is never counted nor held.
    alerts_per_hour: int = DEFAULT_ALERTS_PER_HOUR


@dataclass(frozen=True)
class FamilyPolicy:
    settings: Settings = field(default_factory=Settings)
    children: tuple[Child, ...] = ()
    devices: tuple[Device, ...] = ()
    default_child: str | None = None
    caregivers: tuple[Caregiver, ...] = ()
    schema_version: int = SCHEMA_VERSION
    # This PC's name in alerts and its dead-man signal (this-pc.toml `name`); None: the
    # host name.
    pc_name: str | None = None

    def child(self, name: str) -> Child | None:
        wanted = name.casefold()
        return next((child for child in self.children if child.name.casefold() == wanted), None)

    def child_for_os_user(self, os_user: str) -> Child | None:
        wanted = os_user.casefold()
        for child in self.children:
            if any(user.casefold() == wanted for user in child.os_users):
                return child
        return None

    def pc_default_child(self) -> str | None:
        """The PC's default child: the one named, else the only child, else none."""
        if self.default_child is not None:
            return self.default_child
        if len(self.children) == 1:
            return self.children[0].name
        return None


@dataclass(frozen=True)
class ScreenTimeLimits:
    """A child's resolved screen-time limits (the preset's defaults with the parent's edits)."""

    daily_minutes: Mapping[int, int]  # weekday (0 = Monday) -> minutes; all seven days
    allowed_hours: tuple[TimeWindow, ...]  # when the PC may be used; outside them is bedtime
    service_minutes: Mapping[str, int] = field(default_factory=_empty_mapping)  # type: ignore[arg-type]
    category_minutes: Mapping[str, int] = field(default_factory=_empty_mapping)  # type: ignore[arg-type]
    per_game_minutes: int | None = None  # each game service, per day (Decree 147/2024: 60)
    always_allowed_apps: tuple[str, ...] = ()
    warnings_minutes: tuple[int, ...] = (15, 5, 1)
    action: LimitAction = LimitAction.LOCK
    idle_minutes: int = 3
