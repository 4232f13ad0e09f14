"""Which changes to the family policy protect less: a pure comparison of two policies.

`loosenings(before, after)` lists, as data, every way `after` protects a child less than
`before` does: a child, caregiver, account or device gone, a category, service or site let
through, SafeSearch, allow-list-only or a schedule switched off, more screen time. A change
with none of these is as strict or stricter. Children are compared by their resolved rules
(preset and the parent's edits together), so a new age that changes the preset counts too.
The holder uses it to hold such a change to a higher standard (the file must be whole) and
the agent records it as an event and an alert.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from agent.policy.compile import ResolvedChild, resolve_child
from agent.policy.model import WEEKDAYS, FamilyPolicy, LimitAction
from agent.policy.services import ServiceCatalogue
from dns_filter.policy import ScheduleMode, ScheduleRule, TimeWindow, YouTubeMode

_YOUTUBE_RANK = {YouTubeMode.OFF: 0, YouTubeMode.MODERATE: 1, YouTubeMode.STRICT: 2}


class LooseningKind(StrEnum):
    CHILD_REMOVED = "child-removed"
    CAREGIVER_REMOVED = "caregiver-removed"
    CAREGIVER_CHANNEL_CHANGED = "caregiver-channel-changed"  # alerts go elsewhere or nowhere
    HELP_ALERTS_OFF = "help-alerts-off"
    ACCOUNT_REMOVED = "account-removed"  # an OS account no longer belongs to the child
    DEVICE_REMOVED = "device-removed"  # a LAN device no longer belongs to the child
    DEFAULT_CHILD_LOOSER = "default-child-looser"  # the PC's default child is gone or laxer
    LIST_SOURCE_REMOVED = "list-source-removed"
    CATEGORY_UNBLOCKED = "category-unblocked"
    SERVICE_UNBLOCKED = "service-unblocked"
    SITE_ALLOWED = "site-allowed"
    DENY_REMOVED = "deny-removed"
    ALLOW_LIST_ONLY_OFF = "allow-list-only-off"
    SAFE_SEARCH_OFF = "safe-search-off"
    YOUTUBE_RELAXED = "youtube-relaxed"
    SCHEDULE_REMOVED = "schedule-removed"
    SCREEN_TIME_RAISED = "screen-time-raised"


_WORDS: dict[LooseningKind, str] = {
    LooseningKind.CHILD_REMOVED: "the child is no longer in the policy",
    LooseningKind.CAREGIVER_REMOVED: "caregiver {subject} removed",
    LooseningKind.CAREGIVER_CHANNEL_CHANGED: "caregiver {subject}: alert channel changed",
    LooseningKind.HELP_ALERTS_OFF: "Help no longer alerts the caregivers",
    LooseningKind.ACCOUNT_REMOVED: "the account {subject} no longer belongs to the child",
    LooseningKind.DEVICE_REMOVED: "the device {subject} no longer belongs to the child",
    LooseningKind.DEFAULT_CHILD_LOOSER: "the PC's default child is now {subject}",
    LooseningKind.LIST_SOURCE_REMOVED: "list source removed: {subject}",
    LooseningKind.CATEGORY_UNBLOCKED: "category {subject} no longer blocked",
    LooseningKind.SERVICE_UNBLOCKED: "service {subject} no longer blocked",
    LooseningKind.SITE_ALLOWED: "{subject} always allowed",
    LooseningKind.DENY_REMOVED: "{subject} no longer denied",
    LooseningKind.ALLOW_LIST_ONLY_OFF: "allow-list-only switched off",
    LooseningKind.SAFE_SEARCH_OFF: "SafeSearch switched off",
    LooseningKind.YOUTUBE_RELAXED: "YouTube mode now {subject}",
    LooseningKind.SCHEDULE_REMOVED: "schedule for {subject} removed or widened",
    LooseningKind.SCREEN_TIME_RAISED: "screen time raised: {subject}",
}


@dataclass(frozen=True)
class Loosening:
    """One way a new policy protects less; `subject` is what it is about (a category,
    service, site, account, device, caregiver, list source or screen-time key)."""

    kind: LooseningKind
    child: str | None = None
    subject: str = ""

    def describe(self) -> str:
        words = _WORDS[self.kind].format(subject=self.subject)
        return f"{self.child}: {words}" if self.child is not None else words

    def to_json(self) -> dict[str, str | None]:
        return {"kind": self.kind.value, "child": self.child, "subject": self.subject}


def loosenings(
    before: FamilyPolicy,
    after: FamilyPolicy,
    *,
    year: int,
    catalogue: ServiceCatalogue | None = None,
) -> tuple[Loosening, ...]:
    """Every way `after` protects less than `before`; empty when it is as strict or more."""
    return tuple(_family(before, after, year, catalogue))


def filters_less(
    before: FamilyPolicy,
    after: FamilyPolicy,
    *,
    year: int,
    catalogue: ServiceCatalogue | None = None,
) -> bool:
    return bool(loosenings(before, after, year=year, catalogue=catalogue))


def _family(
    before: FamilyPolicy, after: FamilyPolicy, year: int, catalogue: ServiceCatalogue | None
) -> Iterator[Loosening]:
    kind = LooseningKind
    for child in before.children:
        new = after.child(child.name)
        if new is None:
            yield Loosening(kind.CHILD_REMOVED, child.name)
            continue
        yield from child_loosenings(
            resolve_child(child, year, catalogue), resolve_child(new, year, catalogue)
        )
        for user in child.os_users:
            owner = after.child_for_os_user(user)
            if owner is None or owner.name.casefold() != child.name.casefold():
                yield Loosening(kind.ACCOUNT_REMOVED, child.name, user)
    after_devices = {device.key: device.child.casefold() for device in after.devices}
    for device in before.devices:
        if after_devices.get(device.key) != device.child.casefold():
            yield Loosening(kind.DEVICE_REMOVED, device.child, device.name or device.key)
    yield from _default_child(before, after, year, catalogue)

    new_caregivers = {caregiver.name.casefold(): caregiver for caregiver in after.caregivers}
    for caregiver in before.caregivers:
        new_caregiver = new_caregivers.get(caregiver.name.casefold())
        if new_caregiver is None:
            yield Loosening(kind.CAREGIVER_REMOVED, None, caregiver.name)
        elif (caregiver.ntfy_topic is not None and (
            (caregiver.ntfy_topic, caregiver.ntfy_server)
            != (new_caregiver.ntfy_topic, new_caregiver.ntfy_server)
        )) or (caregiver.email is not None and caregiver.email != new_caregiver.email):
            yield Loosening(kind.CAREGIVER_CHANNEL_CHANGED, None, caregiver.name)
    if before.settings.help_alerts_caregivers and not after.settings.help_alerts_caregivers:
        yield Loosening(kind.HELP_ALERTS_OFF)
    for category, sources in before.settings.lists.items():
        kept = set(after.settings.lists.get(category, ()))
        for source in sources:
            if source not in kept:
                yield Loosening(kind.LIST_SOURCE_REMOVED, None, f"{category}: {source}")


def _default_child(
    before: FamilyPolicy, after: FamilyPolicy, year: int, catalogue: ServiceCatalogue | None
) -> Iterator[Loosening]:
    old_name, new_name = before.pc_default_child(), after.pc_default_child()
    if old_name is None or (new_name is not None and new_name.casefold() == old_name.casefold()):
        return
    old, new = before.child(old_name), after.child(new_name) if new_name else None
    if old is None:
        return
    if new is None or any(
        child_loosenings(resolve_child(old, year, catalogue), resolve_child(new, year, catalogue))
    ):
        yield Loosening(LooseningKind.DEFAULT_CHILD_LOOSER, None, new_name or "none")


def child_loosenings(before: ResolvedChild, after: ResolvedChild) -> Iterator[Loosening]:
    """How one child's resolved rules protect less after than before."""
    kind, name = LooseningKind, before.name
    for category in sorted(before.blocked_categories - after.blocked_categories):
        yield Loosening(kind.CATEGORY_UNBLOCKED, name, category)
    for service in sorted(before.blocked_services - after.blocked_services):
        yield Loosening(kind.SERVICE_UNBLOCKED, name, service)
    for site in sorted(set(after.allow) - set(before.allow)):
        yield Loosening(kind.SITE_ALLOWED, name, site)
    for site in sorted(set(before.deny) - set(after.deny)):
        yield Loosening(kind.DENY_REMOVED, name, site)
    if before.allow_list_only and not after.allow_list_only:
        yield Loosening(kind.ALLOW_LIST_ONLY_OFF, name)
    if before.safe_search and not after.safe_search:
        yield Loosening(kind.SAFE_SEARCH_OFF, name)
    if _YOUTUBE_RANK[after.youtube_mode] < _YOUTUBE_RANK[before.youtube_mode]:
        yield Loosening(kind.YOUTUBE_RELAXED, name, after.youtube_mode.value)
    for rule in before.schedules:
        if not any(_covers(new, rule) for new in after.schedules):
            yield Loosening(kind.SCHEDULE_REMOVED, name, rule.target)
    for key in _screen_time_raised(before, after):
        yield Loosening(kind.SCREEN_TIME_RAISED, name, key)


def _covers(new: ScheduleRule, old: ScheduleRule) -> bool:
    """Whether `new` restricts at least what `old` did (same target and mode; a block over
    at least the same windows, or an allowance within no more windows)."""
    if (new.target, new.mode) != (old.target, old.mode):
        return False
    if new.mode is ScheduleMode.BLOCKED_DURING:
        return set(old.windows) <= set(new.windows)
    return set(new.windows) <= set(old.windows)


def _screen_time_raised(before: ResolvedChild, after: ResolvedChild) -> Iterator[str]:
    old, new = before.screen_time, after.screen_time
    for day, minutes in old.daily_minutes.items():
        if new.daily_minutes.get(day, minutes) > minutes:
            yield f"daily_minutes.{WEEKDAYS[day]}"
    if _allowed_minutes(new.allowed_hours) & ~_allowed_minutes(old.allowed_hours):
        yield "allowed_hours"
    for table, old_minutes, new_minutes, blocked in (
        ("service_minutes", old.service_minutes, new.service_minutes, after.blocked_services),
        ("category_minutes", old.category_minutes, new.category_minutes,
         after.blocked_categories),
    ):
        for key, minutes in old_minutes.items():
            if key not in blocked and new_minutes.get(key, MINUTES_UNLIMITED) > minutes:
                yield f"{table}.{key}"
    if old.per_game_minutes is not None and (
        new.per_game_minutes is None or new.per_game_minutes > old.per_game_minutes
    ):
        yield "per_game_minutes"
    for app in sorted(set(new.always_allowed_apps) - set(old.always_allowed_apps)):
        yield f"always_allowed_apps.{app}"
    if old.action is not LimitAction.NOTIFY and new.action is LimitAction.NOTIFY:
        yield "action"


MINUTES_UNLIMITED = 24 * 60 + 1  # a limit that was removed: more than any day has
_MINUTES_PER_WEEK = 7 * 24 * 60


def _allowed_minutes(windows: tuple[TimeWindow, ...]) -> int:
    """The minutes of the week allowed hours allow: no window at all is every minute."""
    return _week_minutes(windows) if windows else (1 << _MINUTES_PER_WEEK) - 1


def _week_minutes(windows: tuple[TimeWindow, ...]) -> int:
    """The minutes of the week the windows cover, as bits (minute 0: Monday 00:00); a
    window that ends at or before its start runs past midnight into the next day."""
    bits = 0
    for window in windows:
        start = window.start.hour * 60 + window.start.minute
        end = window.end.hour * 60 + window.end.minute
        length = end - start if end > start else end + 24 * 60 - start
        for day in window.days:
            first = day * 24 * 60 + start
            bits |= ((1 << length) - 1) << first
    # What runs past Sunday midnight wraps to Monday.
    return (bits | bits >> _MINUTES_PER_WEEK) & ((1 << _MINUTES_PER_WEEK) - 1)
