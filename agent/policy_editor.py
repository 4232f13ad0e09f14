"""A parent's edits of `family.toml` through the API.

Every edit reads the file, checks that it is the version the parent saw (its entity tag),
lays the change over the parsed document (:mod:`agent.policy.editing`), and writes it with
the policy writer (validated by the loader, atomic, sealed, the last good file kept as a
backup). The agent then adopts it at once, and the change is recorded as an event.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from agent.api.types import (
    WEEKDAY_KEYS,
    CatalogueInfo,
    ChildRules,
    ChildSchedules,
    ReasonInfo,
    ScheduleRule,
    ScreenTimeRules,
    ServiceInfo,
    SiteCheck,
    WeeklyWindow,
    app_entry_key,
)
from agent.policy.categories import categories
from agent.policy.compile import resolve_child
from agent.policy.editing import PolicyJson, apply_policy_json, policy_etag, policy_json
from agent.policy.errors import InvalidPolicyError, PolicyError
from agent.policy.folder_lock import policy_folder_lock
from agent.policy.model import FamilyPolicy
from agent.policy.services import ServiceCatalogue, load_catalogue
from agent.policy.this_pc import local_policy_path, merged_policy_json, split_policy_json
from agent.policy.writer import write_policy_pair, write_policy_text
from dns_filter.policy import FilterPolicy, TimeWindow
from dns_filter.verdict import verdict

log = logging.getLogger(__name__)


class StalePolicyError(Exception):
    """The file changed since the parent read it: their edit would overwrite another."""

    def __init__(self, current_etag: str) -> None:
        super().__init__("family.toml changed since it was read")
        self.current_etag = current_etag


class UnknownChildError(LookupError):
    pass


class EventLog(Protocol):
    def add(self, kind: str, message: str, *, child: str | None = ..., data: Mapping[str, object] | None = ...) -> object: ...  # noqa: E501


class PolicyAdopter(Protocol):
    @property
    def policy(self) -> FamilyPolicy: ...

    def check_for_changes(self) -> bool: ...

    def writing(self) -> AbstractContextManager[None]: ...


@dataclass(frozen=True)
class PolicyVersion:
    etag: str
    policy: PolicyJson


class PolicyEditor:
    """Reads and replaces the family policy for the API; one edit at a time."""

    def __init__(
        self,
        path: Path,
        holder: PolicyAdopter,
        events: EventLog,
        now: Callable[[], datetime],
        *,
        catalogue: ServiceCatalogue | None = None,
        local_path: Path | None = None,
    ) -> None:
        self._path = path
        # This PC's own settings (agent.policy.this_pc): when the file exists, the API
        # shows it with the family's file as one document and writes each part to its own.
        self._local_path = local_path if local_path is not None else local_policy_path(path)
        self._holder = holder
        self._events = events
        self._now = now
        self._catalogue = catalogue if catalogue is not None else load_catalogue()
        self._lock = threading.Lock()

    # -- the whole policy ---------------------------------------------------------------------

    def read(self) -> PolicyVersion:
        text, local, etag = self._read()
        document = policy_json(text)
        if local is not None:
            document = merged_policy_json(document, policy_json(local))
        return PolicyVersion(etag, document)

    def replace(
        self,
        if_match: str,
        new: Mapping[str, object],
        *,
        secrets_changed: Sequence[str] = (),
    ) -> PolicyVersion:
        """Write `new` if the files are still the version `if_match`; raise
        StalePolicyError or InvalidPolicyError (nothing written). `secrets_changed` names
        the caregivers whose channel secrets (in the keyring, not the file) the caller
        changes with it, so the event tells of them too."""
        # The folder's lock: `baoan caregiver` in another process waits, and what it writes
        # after is read again (a changed tag then refuses this edit as stale).
        with self._lock, policy_folder_lock(self._path):
            text, local, etag = self._read()
            if if_match != etag:
                raise StalePolicyError(etag)
            before = self._holder.policy
            with self._holder.writing():
                if local is None:
                    written = write_policy_text(
                        self._path, apply_policy_json(text, new), catalogue=self._catalogue
                    )
                else:
                    shared, own = split_policy_json(new, policy_json(local))
                    written = write_policy_pair(
                        self._path,
                        apply_policy_json(text, shared),
                        self._local_path,
                        apply_policy_json(local, own),
                        catalogue=self._catalogue,
                    )
                self._holder.check_for_changes()
            self._record(before, written, secrets_changed)
            return self.read()

    # -- one child's web rules ----------------------------------------------------------------

    def child_rules(self, name: str) -> tuple[str, ChildRules]:
        version = self.read()
        family = self._holder.policy
        child = family.child(name)
        if child is None:
            raise UnknownChildError(name)
        resolved = resolve_child(child, self._now().year, self._catalogue)
        rules = ChildRules(
            child=child.name,
            preset=resolved.preset.preset_id,
            blocked_categories=tuple(sorted(resolved.blocked_categories)),
            blocked_services=tuple(sorted(resolved.blocked_services)),
            allow=child.allow,
            deny=child.deny,
            safe_search=resolved.safe_search,
            youtube_mode=str(resolved.youtube_mode),
            allow_list_only=resolved.allow_list_only,
        )
        return version.etag, rules

    def set_child_rules(self, if_match: str, rules: ChildRules) -> tuple[str, ChildRules]:
        """Make the child's blocked categories and services, lists and switches `rules`;
        what equals the preset is not written unless the file already says it."""
        document = self.read().policy
        children = document.get("children")
        family = self._holder.policy
        child = family.child(rules.child)
        if child is None or not isinstance(children, list):
            raise UnknownChildError(rules.child)
        index = next(
            (
                i
                for i, raw in enumerate(children)
                if isinstance(raw, dict) and str(raw.get("name", "")).casefold()
                == rules.child.casefold()
            ),
            None,
        )
        if index is None:
            raise UnknownChildError(rules.child)
        raw = dict(children[index])
        preset = resolve_child(child, self._now().year, self._catalogue).preset
        categories = set(rules.blocked_categories)
        _set_list(raw, "block_categories", sorted(categories - preset.blocked_categories))
        _set_list(raw, "allow_categories", sorted(preset.blocked_categories - categories))
        # The services the categories alone block (as resolve_child computes them).
        freed = preset.blocked_categories - categories
        base = {s for s in preset.blocked_services if self._category(s) not in freed}
        base |= {entry.service_id for entry in self._catalogue if entry.category in categories}
        # A service the parent did not touch follows its category; one they ticked or
        # unticked is kept as they set it.
        before = set(resolve_child(child, self._now().year, self._catalogue).blocked_services)
        services = (base | set(child.block_services)) - set(child.allow_services)
        services |= set(rules.blocked_services) - before
        services -= before - set(rules.blocked_services)
        _set_list(raw, "block_services", sorted(services - base))
        _set_list(raw, "allow_services", sorted(base - services))
        _set_list(raw, "allow", list(rules.allow))
        _set_list(raw, "deny", list(rules.deny))
        _set_value(raw, "safe_search", rules.safe_search, preset.safe_search)
        _set_value(raw, "youtube_mode", rules.youtube_mode, str(preset.youtube_mode))
        _set_value(raw, "allow_list_only", rules.allow_list_only, preset.allow_list_only)
        children = list(children)
        children[index] = raw
        document["children"] = children
        self.replace(if_match, document)
        return self.child_rules(rules.child)

    # -- one child's screen time --------------------------------------------------------------

    def screen_time(self, name: str) -> tuple[str, ScreenTimeRules]:
        version = self.read()
        child = self._holder.policy.child(name)
        if child is None:
            raise UnknownChildError(name)
        limits = resolve_child(child, self._now().year, self._catalogue).screen_time
        mon, tue, wed, thu, fri, sat, sun = (limits.daily_minutes[day] for day in range(7))
        return version.etag, ScreenTimeRules(
            child=child.name,
            daily_minutes=(mon, tue, wed, thu, fri, sat, sun),
            action=str(limits.action),
            warnings_minutes=tuple(limits.warnings_minutes),
            category_minutes=dict(limits.category_minutes),
            service_minutes=dict(limits.service_minutes),
            allowed_hours=tuple(_weekly_window(window) for window in limits.allowed_hours),
            always_allowed_apps=tuple(limits.always_allowed_apps),
        )

    def set_screen_time(
        self, if_match: str, rules: ScreenTimeRules
    ) -> tuple[str, ScreenTimeRules]:
        """Make the child's limits `rules`; only what differs from what works now is
        written (the days as a whole week when one of them changed). A preset's category or
        service limit missing from `rules` is written ``false``: no limit, and the preset
        does not bring it back."""
        _etag, current = self.screen_time(rules.child)
        child = self._holder.policy.child(rules.child)
        if child is None:
            raise UnknownChildError(rules.child)
        preset = resolve_child(child, self._now().year, self._catalogue).preset.screen_time
        document = self.read().policy
        children = document.get("children")
        index = self._child_index(children, rules.child)
        assert isinstance(children, list)
        raw = dict(children[index])
        own = raw.get("screen_time")
        table: dict[str, object] = dict(own) if isinstance(own, dict) else {}
        if rules.daily_minutes != current.daily_minutes:
            table["daily_minutes"] = dict(zip(WEEKDAY_KEYS, rules.daily_minutes, strict=True))
        if rules.action != current.action:
            table["action"] = rules.action
        if rules.warnings_minutes != current.warnings_minutes:
            table["warnings_minutes"] = list(rules.warnings_minutes)
        for key, new, old, preset_minutes in (
            ("category_minutes", rules.category_minutes, current.category_minutes,
             preset.category_minutes),
            ("service_minutes", rules.service_minutes, current.service_minutes,
             preset.service_minutes),
        ):
            if dict(new) != dict(old):
                lifted: dict[str, object] = {k: False for k in preset_minutes if k not in new}
                table[key] = {**lifted, **dict(new)}
        if rules.allowed_hours is not None and _week_spans(rules.allowed_hours) != _week_spans(
            current.allowed_hours or ()
        ):
            table["allowed_hours"] = [
                {"days": _days_value(window.days), "start": window.start, "end": window.end}
                for window in rules.allowed_hours
            ]
        if rules.always_allowed_apps is not None and tuple(rules.always_allowed_apps) != tuple(
            current.always_allowed_apps or ()
        ):
            preset_keys = {app_entry_key(app) for app in preset.always_allowed_apps}
            kept: dict[str, str] = {}  # one entry per app, as the matcher compares them
            for name in rules.always_allowed_apps:
                if app_entry_key(name) not in preset_keys:  # the loader refuses garbage
                    kept.setdefault(app_entry_key(name), name.strip())
            table["always_allowed_apps"] = list(kept.values())
        if table:
            raw["screen_time"] = table
        children = list(children)
        children[index] = raw
        document["children"] = children
        self.replace(if_match, document)
        return self.screen_time(rules.child)

    # -- one child's schedules ----------------------------------------------------------------

    def schedules(self, name: str) -> tuple[str, ChildSchedules]:
        version = self.read()
        child = self._holder.policy.child(name)
        if child is None:
            raise UnknownChildError(name)
        rules = tuple(
            ScheduleRule(
                target=rule.target,
                mode=str(rule.mode),
                windows=tuple(_weekly_window(window) for window in rule.windows),
            )
            for rule in child.schedules
        )
        return version.etag, ChildSchedules(child.name, rules)

    def set_schedules(
        self, if_match: str, wanted: ChildSchedules
    ) -> tuple[str, ChildSchedules]:
        """Make the child's schedules `wanted` (a schedule with no window is dropped;
        days that make a group are written as the group's name)."""
        document = self.read().policy
        children = document.get("children")
        index = self._child_index(children, wanted.child)
        assert isinstance(children, list)
        raw = dict(children[index])
        tables = [
            {
                "target": rule.target,
                "mode": rule.mode,
                "windows": [
                    {"days": _days_value(window.days), "start": window.start, "end": window.end}
                    for window in rule.windows
                ],
            }
            for rule in wanted.schedules
            if rule.windows
        ]
        if tables:
            raw["schedules"] = tables
        else:
            raw.pop("schedules", None)
        children = list(children)
        children[index] = raw
        document["children"] = children
        self.replace(if_match, document)
        return self.schedules(wanted.child)

    # -- helpers ------------------------------------------------------------------------------

    def _child_index(self, children: object, name: str) -> int:
        if isinstance(children, list):
            for index, raw in enumerate(children):
                if isinstance(raw, dict) and str(raw.get("name", "")).casefold() == name.casefold():
                    return index
        raise UnknownChildError(name)

    def _category(self, service_id: str) -> str | None:
        entry = self._catalogue.get(service_id)
        return entry.category if entry else None

    def _read(self) -> tuple[str, str | None, str]:
        """The family's file, this PC's own file (None when there is none), and the
        entity tag of both."""
        try:
            data = self._path.read_bytes()
            local = self._local_path.read_bytes() if self._local_path.exists() else None
        except OSError as error:
            raise InvalidPolicyError(
                [PolicyError(str(self._path), f"cannot read the file: {error.strerror}")]
            ) from None
        text = data.decode("utf-8-sig", errors="replace")
        if local is None:
            return text, None, policy_etag(data)
        return (
            text,
            local.decode("utf-8-sig", errors="replace"),
            policy_etag(data + b"\0" + local),
        )

    def _record(
        self, before: FamilyPolicy, after: FamilyPolicy, secrets_changed: Sequence[str] = ()
    ) -> None:
        moment = self._now()
        changes = describe_changes(before, after)
        summary = "; ".join(changes) if changes else "the policy was saved unchanged"
        message = f"a parent changed the rules at {moment:%H:%M}: {summary}"
        # The English lines for `baoan events`; the edits as facts, for the dashboard to
        # word in the family's language.
        edits = policy_edits(before, after, self._catalogue)
        for name in secrets_changed:
            edit: dict[str, object] = {"field": "caregiver", "change": "changed", "value": name}
            if edit not in edits:
                edits.append(edit)
                changes.append(f"caregiver {name}: channel changed")
        children = {str(edit["child"]) for edit in edits if edit.get("child")}
        try:
            self._events.add(
                "policy-edited",
                message,
                child=children.pop() if len(children) == 1 else None,
                data={"changes": changes, "edits": edits},
            )
        except Exception:
            log.exception("cannot record the policy edit as an event")


def _weekly_window(window: TimeWindow) -> WeeklyWindow:
    return WeeklyWindow(
        days=tuple(WEEKDAY_KEYS[day] for day in sorted(window.days)),
        start=window.start.strftime("%H:%M"),
        end=window.end.strftime("%H:%M"),
    )


def _week_spans(windows: tuple[WeeklyWindow, ...]) -> frozenset[tuple[str, str, str]]:
    """Windows as (day, start, end) for each of their days: the same hours compare equal
    however their days were grouped."""
    return frozenset((day, w.start, w.end) for w in windows for day in w.days)


def _set_list(raw: dict[str, object], key: str, values: list[str]) -> None:
    if values or key in raw:
        raw[key] = values


def _set_value(raw: dict[str, object], key: str, value: object, preset_value: object) -> None:
    if key in raw or value != preset_value:
        raw[key] = value


_CHILD_FIELDS = (
    ("deny", "denied", "no longer denies"),
    ("allow", "allowed", "no longer allows"),
    ("block_categories", "blocked category", "no longer blocks category"),
    ("allow_categories", "allowed category", "no longer allows category"),
    ("block_services", "blocked", "no longer blocks"),
    ("allow_services", "allowed", "no longer allows"),
)


def describe_changes(before: FamilyPolicy, after: FamilyPolicy) -> list[str]:
    """Short English lines for the event log: ``Minh: blocked roblox``."""
    lines: list[str] = []
    for child in after.children:
        old = before.child(child.name)
        if old is None:
            lines.append(f"added child {child.name}")
            continue
        for field_name, added_word, removed_word in _CHILD_FIELDS:
            new_values = set(getattr(child, field_name))
            old_values = set(getattr(old, field_name))
            lines += [f"{child.name}: {added_word} {v}" for v in sorted(new_values - old_values)]
            lines += [f"{child.name}: {removed_word} {v}" for v in sorted(old_values - new_values)]
        for switch in ("safe_search", "youtube_mode", "allow_list_only"):
            if getattr(child, switch) != getattr(old, switch):
                lines.append(f"{child.name}: {switch} set to {getattr(child, switch)}")
        if child.schedules != old.schedules:
            lines.append(f"{child.name}: schedules changed")
        if child.screen_time != old.screen_time:
            lines.append(f"{child.name}: screen time changed")
    lines += [
        f"removed child {child.name}"
        for child in before.children
        if after.child(child.name) is None
    ]
    if before.settings != after.settings:
        lines.append("settings changed")
    lines += [
        f"{change} caregiver {name}" if change != "changed" else f"caregiver {name}: changed"
        for change, name in caregiver_changes(before, after)
    ]
    if before.devices != after.devices:
        lines.append("devices changed")
    return lines


_DAY_GROUP_NAMES = (
    ("every_day", frozenset(WEEKDAY_KEYS)),
    ("weekdays", frozenset(WEEKDAY_KEYS[:5])),
    ("weekend", frozenset(WEEKDAY_KEYS[5:])),
    ("school_nights", frozenset(("sun", "mon", "tue", "wed", "thu"))),
)


def _days_value(days: tuple[str, ...]) -> str | list[str]:
    """Days as family.toml says them: a group's name when they are exactly a group, one
    day's name, or the list (Monday first)."""
    wanted = frozenset(days)
    for name, group in _DAY_GROUP_NAMES:
        if wanted == group:
            return name
    ordered = [day for day in WEEKDAY_KEYS if day in wanted]
    return ordered[0] if len(ordered) == 1 else ordered


def policy_edits(
    before: FamilyPolicy, after: FamilyPolicy, catalogue: ServiceCatalogue
) -> list[dict[str, object]]:
    """What a save changed, as facts a client words in its own language:
    ``{"child": "An", "field": "block_services", "change": "added", "value": "roblox",
    "name": "Roblox"}``; ``field`` is a child's key (``deny``, ``allow``,
    ``block_categories``, …, ``safe_search``, ``schedules``, ``screen_time``), ``child``
    (a child added or removed), ``caregiver`` (one added, removed or changed, its name
    as ``value``) or a top-level table (``settings``, ``devices``)."""
    edits: list[dict[str, object]] = []
    for child in after.children:
        old = before.child(child.name)
        if old is None:
            edits.append({"child": child.name, "field": "child", "change": "added"})
            continue
        for field_name, _added, _removed in _CHILD_FIELDS:
            new_values = set(getattr(child, field_name))
            old_values = set(getattr(old, field_name))
            for change, values in (("added", new_values - old_values),
                                   ("removed", old_values - new_values)):
                for value in sorted(values):
                    edit: dict[str, object] = {
                        "child": child.name, "field": field_name, "change": change,
                        "value": value,
                    }
                    entry = catalogue.get(value) if "services" in field_name else None
                    if entry is not None:
                        edit["name"] = entry.name
                    edits.append(edit)
        for switch in ("safe_search", "youtube_mode", "allow_list_only"):
            if getattr(child, switch) != getattr(old, switch):
                value = getattr(child, switch)
                edits.append({
                    "child": child.name, "field": switch, "change": "set",
                    "value": value if isinstance(value, bool) or value is None else str(value),
                })
        for table in ("schedules", "screen_time"):
            if getattr(child, table) != getattr(old, table):
                edits.append({"child": child.name, "field": table, "change": "changed"})
    edits += [
        {"child": child.name, "field": "child", "change": "removed"}
        for child in before.children
        if after.child(child.name) is None
    ]
    edits += [
        {"field": "caregiver", "change": change, "value": name}
        for change, name in caregiver_changes(before, after)
    ]
    for table in ("settings", "devices"):
        if getattr(before, table) != getattr(after, table):
            edits.append({"field": table, "change": "changed"})
    return edits


def caregiver_changes(before: FamilyPolicy, after: FamilyPolicy) -> list[tuple[str, str]]:
    """Each caregiver added, removed or changed: ``("added", "Bà")``."""
    old = {caregiver.name.casefold(): caregiver for caregiver in before.caregivers}
    new = {caregiver.name.casefold(): caregiver for caregiver in after.caregivers}
    found = [("added", c.name) for key, c in new.items() if key not in old]
    found += [("removed", c.name) for key, c in old.items() if key not in new]
    found += [
        ("changed", c.name) for key, c in new.items() if key in old and old[key] != c
    ]
    return found


def site_checker(
    filter_policy: Callable[[], FilterPolicy], now: Callable[[], datetime]
) -> Callable[[str, str | None], SiteCheck]:
    """"Test a site": the verdict of the rules in force, computed as `baoan check` does."""

    def check(name: str, child: str | None) -> SiteCheck:
        found = verdict(filter_policy(), child, name, "A", now=now())
        return SiteCheck(
            name=name,
            child=found.profile,
            decision=found.decision,
            reason=ReasonInfo.from_stored(found.reason.to_json()),
        )

    return check


def catalogue_info(catalogue: ServiceCatalogue | None = None) -> CatalogueInfo:
    """The categories and services a parent may block, for the API."""
    entries = catalogue if catalogue is not None else load_catalogue()
    return CatalogueInfo(
        categories=tuple(categories()),
        services=tuple(
            ServiceInfo(entry.service_id, entry.name, entry.category, entry.age_rating)
            for entry in entries
        ),
    )
