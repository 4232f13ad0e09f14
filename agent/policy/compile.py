"""Compile the family policy into what the running parts use.

- :func:`compile_filter_policy` builds the DNS filter's immutable snapshot.
- :func:`compile_screen_time` gives each child's resolved screen-time limits.
- :func:`resolve_child` applies a child's own edits over the preset for their age.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from agent.policy.model import Child, FamilyPolicy, ScreenTimeLimits
from agent.policy.presets import Preset, preset_for_age, presets
from agent.policy.services import ServiceCatalogue, load_catalogue
from dns_filter.policy import (
    BlockMode,
    DomainMatcher,
    FilterPolicy,
    Profile,
    ScheduleRule,
    YouTubeMode,
)
from dns_filter.resolvers.local_zones import device_host_name

# Never blocked for anyone: where a child finds help.
HELP_SITES: tuple[str, ...] = (
    "tongdai111.vn",  # Tổng đài quốc gia bảo vệ trẻ em 111 (the national child helpline)
    "vn-cop.vn",  # Cổng bảo vệ trẻ em trên môi trường mạng (child online protection portal)
    "khonggianmang.vn",  # Trung tâm Giám sát an toàn không gian mạng: report scams and fakes
    "tinnhiemmang.vn",  # Tín nhiệm mạng: check whether a site or a message is a known scam
    "bocongan.gov.vn",  # Bộ Công an: report a crime against a child
)


@dataclass(frozen=True)
class ResolvedChild:
    """A child's rules with the preset's defaults and the parent's edits merged."""

    name: str
    age: int
    preset: Preset
    blocked_categories: frozenset[str]
    blocked_services: frozenset[str]
    allow: tuple[str, ...]
    deny: tuple[str, ...]
    allow_list_only: bool
    safe_search: bool
    youtube_mode: YouTubeMode
    schedules: tuple[ScheduleRule, ...]
    screen_time: ScreenTimeLimits


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def resolve_child(
    child: Child, year: int | None = None, catalogue: ServiceCatalogue | None = None
) -> ResolvedChild:
    """Merge `child`'s edits over its preset (named, or the one for its age in `year`)."""
    catalogue = catalogue if catalogue is not None else load_catalogue()
    age = child.age_in(year if year is not None else date.today().year)
    preset = presets()[child.preset] if child.preset else preset_for_age(age)

    allowed_categories = frozenset(child.allow_categories)
    blocked_categories = (
        frozenset(preset.blocked_categories) | frozenset(child.block_categories)
    ) - allowed_categories

    def category_of(service_id: str) -> str | None:
        entry = catalogue.get(service_id)
        return entry.category if entry else None

    # A category the parent allows frees its services too; a blocked category blocks them.
    blocked_services = {
        service
        for service in preset.blocked_services
        if category_of(service) not in allowed_categories
    }
    blocked_services |= {
        entry.service_id for entry in catalogue if entry.category in blocked_categories
    }
    blocked_services |= set(child.block_services)
    blocked_services -= set(child.allow_services)

    return ResolvedChild(
        name=child.name,
        age=age,
        preset=preset,
        blocked_categories=blocked_categories,
        blocked_services=frozenset(blocked_services),
        allow=_unique((*preset.allow, *child.allow)),
        deny=_unique(child.deny),
        allow_list_only=(
            preset.allow_list_only if child.allow_list_only is None else child.allow_list_only
        ),
        safe_search=preset.safe_search if child.safe_search is None else child.safe_search,
        youtube_mode=preset.youtube_mode if child.youtube_mode is None else child.youtube_mode,
        schedules=child.schedules,
        screen_time=_merge_screen_time(preset.screen_time, child),
    )


def _merge_screen_time(defaults: ScreenTimeLimits, child: Child) -> ScreenTimeLimits:
    own = child.screen_time
    return ScreenTimeLimits(
        daily_minutes=MappingProxyType({**defaults.daily_minutes, **own.daily_minutes}),
        allowed_hours=defaults.allowed_hours if own.allowed_hours is None else own.allowed_hours,
        service_minutes=_minutes_over(
            defaults.service_minutes, own.service_minutes, own.unlimited_services
        ),
        category_minutes=_minutes_over(
            defaults.category_minutes, own.category_minutes, own.unlimited_categories
        ),
        per_game_minutes=(
            defaults.per_game_minutes if own.per_game_minutes is None else own.per_game_minutes
        ),
        always_allowed_apps=_unique((*defaults.always_allowed_apps, *own.always_allowed_apps)),
        warnings_minutes=(
            defaults.warnings_minutes if own.warnings_minutes is None else own.warnings_minutes
        ),
        action=defaults.action if own.action is None else own.action,
        idle_minutes=defaults.idle_minutes if own.idle_minutes is None else own.idle_minutes,
    )


def _minutes_over(
    defaults: Mapping[str, int], own: Mapping[str, int], unlimited: frozenset[str]
) -> Mapping[str, int]:
    """The preset's minutes with the child's own over them, less those the parent lifted."""
    merged = {**defaults, **own}
    return MappingProxyType({key: value for key, value in merged.items() if key not in unlimited})


def child_profile(resolved: ResolvedChild, block_mode: BlockMode) -> Profile:
    return Profile(
        name=resolved.name,
        preset=resolved.preset.preset_id,
        blocked_categories=resolved.blocked_categories,
        blocked_services=resolved.blocked_services,
        allow=resolved.allow,
        deny=resolved.deny,
        allow_list_only=resolved.allow_list_only,
        safe_search=resolved.safe_search,
        youtube_mode=resolved.youtube_mode,
        block_bypass="bypass" in resolved.blocked_categories,
        schedules=resolved.schedules,
        block_mode=block_mode,
    )


_YOUTUBE_STRICTNESS = {YouTubeMode.OFF: 0, YouTubeMode.MODERATE: 1, YouTubeMode.STRICT: 2}


def strictness_key(profile: Profile) -> tuple[int, int, int, int, int, int, int]:
    """Larger is stricter. The rule, in order: allow-list-only (everything else blocked)
    first; then more categories blocked; more services blocked; SafeSearch on; the stricter
    YouTube mode; bypass hosts blocked; and a shorter allow list."""
    return (
        int(profile.allow_list_only),
        len(profile.blocked_categories),
        len(profile.blocked_services),
        int(profile.safe_search),
        _YOUTUBE_STRICTNESS[profile.youtube_mode],
        int(profile.block_bypass),
        -len(profile.allow),
    )


def strictest_profile(profiles: Mapping[str, Profile]) -> str | None:
    """The name of the strictest profile by :func:`strictness_key`; a tie goes to the name
    first in case-folded order, so the choice never depends on the order of the file."""
    if not profiles:
        return None
    # max() keeps the first of equals: the names go in case-folded order.
    ordered = sorted(profiles, key=str.casefold)
    return max(ordered, key=lambda name: strictness_key(profiles[name]))


def compile_filter_policy(
    family: FamilyPolicy,
    categories: Mapping[str, DomainMatcher],
    block_page_ipv4: str,
    block_page_ipv6: str,
    now_year: int | None = None,
    catalogue: ServiceCatalogue | None = None,
) -> FilterPolicy:
    """The DNS filter's snapshot: one Profile per child, every catalogue service, devices,
    the PC's default child and the help sites that are never blocked."""
    catalogue = catalogue if catalogue is not None else load_catalogue()
    year = now_year if now_year is not None else date.today().year
    profiles = {
        child.name: child_profile(
            resolve_child(child, year, catalogue), family.settings.block_mode
        )
        for child in family.children
    }
    return FilterPolicy(
        profiles=MappingProxyType(profiles),
        services=MappingProxyType(
            {entry.service_id: entry.to_filter_service() for entry in catalogue}
        ),
        categories=MappingProxyType(dict(categories)),
        devices=MappingProxyType({device.key: device.child for device in family.devices}),
        lan_hosts=lan_hosts(family),
        default_profile=family.pc_default_child(),
        strictest_profile=strictest_profile(profiles),
        always_allowed=HELP_SITES,
        block_page_ipv4=block_page_ipv4,
        block_page_ipv6=block_page_ipv6,
        timezone=family.settings.timezone,
    )


def lan_hosts(family: FamilyPolicy) -> tuple[tuple[str, str], ...]:
    """(DNS label, address) of every device the family named and gave an IP address, for
    the filter's local answers (`<label>.home.arpa` and the address's reverse name)."""
    found = []
    for device in family.devices:
        label = device_host_name(device.name) if device.ip is not None else None
        if label is not None and device.ip is not None:
            found.append((label, device.ip))
    return tuple(found)


def compile_screen_time(
    family: FamilyPolicy, now_year: int | None = None, catalogue: ServiceCatalogue | None = None
) -> Mapping[str, ScreenTimeLimits]:
    """Each child's resolved screen-time limits, by child name."""
    year = now_year if now_year is not None else date.today().year
    return MappingProxyType(
        {
            child.name: resolve_child(child, year, catalogue).screen_time
            for child in family.children
        }
    )
