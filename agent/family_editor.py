"""Who the children are, through the API: add, edit and remove a child (name, age or
birth year, preset, OS accounts, LAN devices), and what each age preset holds.

Every edit goes through :class:`agent.policy_editor.PolicyEditor` as the whole policy's
JSON: the same entity tag (a hand edit in the meantime is a ``412``), the same loader
(``422``), the same writer keeping the parent's comments, the same ``policy-edited``
event. The child's devices are the ``[[devices]]`` that name them; a rename carries them
and the PC's default child along.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from agent.api.types import ChildSettings, DeviceInfo, HoursInfo, PresetInfo
from agent.policy.model import Child, FamilyPolicy
from agent.policy.presets import Preset, preset_for_age, presets
from agent.policy_editor import PolicyAdopter, PolicyEditor, UnknownChildError


class ChildExistsError(ValueError):
    """A child of that name is in the policy already."""


def preset_info(preset: Preset) -> PresetInfo:
    limits = preset.screen_time
    return PresetInfo(
        id=preset.preset_id,
        name_vi=preset.name_vi,
        name_en=preset.name_en,
        min_age=preset.min_age,
        max_age=preset.max_age,
        film_ratings=preset.film_ratings,
        game_rating=preset.game_rating,
        blocked_categories=tuple(sorted(preset.blocked_categories)),
        blocked_services=tuple(sorted(preset.blocked_services)),
        allow_list_only=preset.allow_list_only,
        safe_search=preset.safe_search,
        youtube_mode=str(preset.youtube_mode),
        daily_minutes=tuple(limits.daily_minutes[day] for day in range(7)),
        allowed_hours=tuple(
            HoursInfo(
                tuple(sorted(window.days)),
                window.start.strftime("%H:%M"),
                window.end.strftime("%H:%M"),
            )
            for window in limits.allowed_hours
        ),
        category_minutes=dict(limits.category_minutes),
        per_game_minutes=limits.per_game_minutes,
    )


def preset_infos() -> tuple[PresetInfo, ...]:
    """Every age preset, youngest first."""
    return tuple(preset_info(preset) for preset in presets().values())


def _same(a: object, b: str) -> bool:
    return isinstance(a, str) and a.casefold() == b.casefold()


class FamilyEditor:
    """The children's settings over the policy editor; one edit at a time (the editor's)."""

    def __init__(
        self, editor: PolicyEditor, holder: PolicyAdopter, now: Callable[[], datetime]
    ) -> None:
        self._editor = editor
        self._holder = holder
        self._now = now

    # -- reading ------------------------------------------------------------------------------

    def children(self) -> tuple[str, tuple[ChildSettings, ...], str | None]:
        """The file's version, every child's settings and the PC's default child."""
        etag = self._editor.read().etag
        family = self._holder.policy
        return (
            etag,
            tuple(self._settings(family, child) for child in family.children),
            family.default_child,
        )

    def child(self, name: str) -> tuple[str, ChildSettings]:
        etag = self._editor.read().etag
        family = self._holder.policy
        found = family.child(name)
        if found is None:
            raise UnknownChildError(name)
        return etag, self._settings(family, found)

    # -- editing ------------------------------------------------------------------------------

    def add_child(self, if_match: str, settings: ChildSettings) -> tuple[str, ChildSettings]:
        """Add a child; raises ChildExistsError, StalePolicyError or InvalidPolicyError."""
        if self._holder.policy.child(settings.name.strip()) is not None:
            raise ChildExistsError(settings.name)
        document = self._editor.read().policy
        children = list(_tables(document.get("children")))
        children.append(_child_table({}, settings))
        document["children"] = children
        document["devices"] = _devices_with(document.get("devices"), None, settings) or None
        self._editor.replace(if_match, document)
        return self.child(settings.name.strip())

    def update_child(
        self, if_match: str, name: str, settings: ChildSettings
    ) -> tuple[str, ChildSettings]:
        """Change `name`'s settings (a new ``settings.name`` renames the child)."""
        document = self._editor.read().policy
        children = list(_tables(document.get("children")))
        index = next((i for i, raw in enumerate(children) if _same(raw.get("name"), name)), None)
        if index is None:
            raise UnknownChildError(name)
        new_name = settings.name.strip()
        if not _same(new_name, name) and self._holder.policy.child(new_name) is not None:
            raise ChildExistsError(new_name)
        children[index] = _child_table(dict(children[index]), settings)
        document["children"] = children
        document["devices"] = _devices_with(document.get("devices"), name, settings) or None
        if _same(document.get("default_child"), name):
            document["default_child"] = new_name
        self._editor.replace(if_match, document)
        return self.child(new_name)

    def remove_child(self, if_match: str, name: str) -> str:
        """Remove a child and their devices; the last child cannot go (the loader's 422)."""
        document = self._editor.read().policy
        children = list(_tables(document.get("children")))
        kept = [raw for raw in children if not _same(raw.get("name"), name)]
        if len(kept) == len(children):
            raise UnknownChildError(name)
        document["children"] = kept
        devices = [
            raw for raw in _tables(document.get("devices")) if not _same(raw.get("child"), name)
        ]
        document["devices"] = devices or None
        if _same(document.get("default_child"), name):
            document["default_child"] = None
        return self._editor.replace(if_match, document).etag

    # -- helpers ------------------------------------------------------------------------------

    def _settings(self, family: FamilyPolicy, child: Child) -> ChildSettings:
        devices = tuple(
            DeviceInfo(ip=device.ip, mac=device.mac, name=device.name)
            for device in family.devices
            if device.child.casefold() == child.name.casefold()
        )
        return ChildSettings(
            name=child.name,
            age=child.age,
            birth_year=child.birth_year,
            preset=child.preset,
            os_users=child.os_users,
            devices=devices,
            preset_in_force=self._preset_in_force(child),
        )

    def _preset_in_force(self, child: Child) -> str:
        if child.preset:
            return child.preset
        try:
            return preset_for_age(child.age_in(self._now().year)).preset_id
        except ValueError:
            return ""


def _tables(value: object) -> list[dict[str, object]]:
    if not isinstance(value, list):
        return []
    return [dict(item) for item in value if isinstance(item, dict)]


def _child_table(raw: dict[str, object], settings: ChildSettings) -> dict[str, object]:
    """`raw` (the child's table as the file has it) with the settings laid over; the
    child's rules, schedules and screen time stay as they are."""
    raw["name"] = settings.name.strip()
    raw.pop("age", None)
    raw.pop("birth_year", None)
    if settings.birth_year is not None:
        raw["birth_year"] = settings.birth_year
    else:
        raw["age"] = settings.age  # None: the loader says age or birth year is missing
    if settings.preset:
        raw["preset"] = settings.preset
    else:
        raw.pop("preset", None)
    raw["os_users"] = [user.strip() for user in settings.os_users if user.strip()]
    return raw


def _devices_with(
    value: object, old_name: str | None, settings: ChildSettings
) -> list[dict[str, object]]:
    """The family's devices with the child's replaced by `settings.devices`."""
    others = [
        raw for raw in _tables(value) if old_name is None or not _same(raw.get("child"), old_name)
    ]
    own: list[dict[str, object]] = []
    for device in settings.devices:
        table: dict[str, object] = {}
        if device.name.strip():
            table["name"] = device.name.strip()
        if device.ip:
            table["ip"] = device.ip.strip()
        if device.mac:
            table["mac"] = device.mac.strip()
        table["child"] = settings.name.strip()
        own.append(table)
    return others + own
