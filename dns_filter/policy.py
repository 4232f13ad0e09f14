"""The compiled, immutable policy snapshot that the agent hands to the DNS filter.

The agent compiles `family.toml` into a :class:`FilterPolicy` and swaps it in atomically
whenever the file changes; the filter never reads the agent's files. Everything here is
plain frozen data so a snapshot can be shared between tasks without locks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol


class BlockMode(StrEnum):
    """How a blocked name is answered."""

    PAGE = "page"  # the agent's block-page address (default)
    NULL = "null"  # 0.0.0.0 / ::
    NXDOMAIN = "nxdomain"


class YouTubeMode(StrEnum):
    OFF = "off"
    MODERATE = "moderate"
    STRICT = "strict"


class ScheduleMode(StrEnum):
    BLOCKED_DURING = "blocked_during"  # e.g. "no internet 21:30-06:00 on school nights"
    ALLOWED_ONLY_DURING = "allowed_only_during"  # e.g. "YouTube only 17:00-19:00"


@dataclass(frozen=True)
class TimeWindow:
    """A daily window on some weekdays (0 = Monday). `end <= start` means it crosses midnight;
    the weekday is the one on which the window starts."""

    days: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True)
class ScheduleRule:
    """A time rule for one target: `"*"` (all internet), `"service:<id>"` or `"category:<id>"`."""

    target: str
    mode: ScheduleMode
    windows: tuple[TimeWindow, ...]


@dataclass(frozen=True)
class Service:
    """A service from the catalogue: one entity for its domains (and, in the agent, its apps)."""

    service_id: str
    name: str
    category: str
    domains: tuple[str, ...]  # each matches the name itself and every subdomain


class DomainMatcher(Protocol):
    """A set of domain rules built from lists; `match` returns the rule that matched or None."""

    def match(self, name: str) -> str | None: ...

    def __len__(self) -> int: ...


def _no_grant_ends() -> Mapping[str, datetime]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Profile:
    """One child's filtering profile."""

    name: str
    preset: str
    blocked_categories: frozenset[str] = frozenset()
    blocked_services: frozenset[str] = frozenset()
    # Services whose screen-time minutes the child has spent today: running state that the
    # agent fills; blocked until the next day, before the child's allow list (a parent's
    # grant still opens them).
    time_up_services: frozenset[str] = frozenset()
    allow: tuple[str, ...] = ()  # the child's own allow list (suffix rules)
    # Names a parent approved for now (suffix rules, like `allow`): running state that the
    # agent fills from its grants. They pass every block, bedtime's "*" schedule included.
    granted: tuple[str, ...] = ()
    # When each granted name's approval ends (aware datetimes); a granted name missing here
    # has no end. The filter stops granting it then, and no answer outlives it (TTLs and
    # the server's memo are cut to the time left).
    granted_until: Mapping[str, datetime] = field(default_factory=_no_grant_ends)
    deny: tuple[str, ...] = ()  # the child's own deny list (suffix rules)
    allow_list_only: bool = False  # the youngest: only allowed names resolve
    safe_search: bool = True
    youtube_mode: YouTubeMode = YouTubeMode.STRICT
    block_bypass: bool = True  # DoH / VPN / proxy hosts
    schedules: tuple[ScheduleRule, ...] = ()
    block_mode: BlockMode = BlockMode.PAGE


def _frozen_mapping(value: Mapping[str, object] | None = None) -> Mapping[str, object]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class FilterPolicy:
    """Everything the DNS filter needs to decide, for every child, at one moment."""

    profiles: Mapping[str, Profile] = field(default_factory=_frozen_mapping)  # type: ignore[arg-type]
    services: Mapping[str, Service] = field(default_factory=_frozen_mapping)  # type: ignore[arg-type]
    # category id -> the compiled lists for it (hostsVN, UT1, Block List Project, starter list)
    categories: Mapping[str, DomainMatcher] = field(default_factory=_frozen_mapping)  # type: ignore[arg-type]
    # LAN client IP or MAC (lower-case, colon separated) -> profile name
    devices: Mapping[str, str] = field(default_factory=_frozen_mapping)  # type: ignore[arg-type]
    default_profile: str | None = None  # the PC's default child
    # The family's strictest profile: for a query from the PC whose session child (or
    # named default child) has no profile here, so that it is never left unfiltered.
    strictest_profile: str | None = None
    # names that are never blocked for anyone: the 111 hotline and help sites
    always_allowed: tuple[str, ...] = ()
    # (DNS label, address) of each LAN device the family named: answered locally as
    # `<label>.home.arpa`, and its address's reverse name (never forwarded)
    lan_hosts: tuple[tuple[str, str], ...] = ()
    block_page_ipv4: str = "127.0.0.1"
    block_page_ipv6: str = "::1"
    block_ttl: int = 60
    timezone: str = "Asia/Ho_Chi_Minh"
