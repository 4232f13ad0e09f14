"""What the first run, the Children page and the Settings page need from the agent: the
records they show and the backend methods, as :class:`gui.backend` does for the rest.

:class:`FamilyBackend` and :class:`SettingsBackend` are separate Protocols, so a backend
of an agent without these endpoints still fits the dashboard (the pages then say so).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from gui.backend import BackendError, Session


@dataclass(frozen=True)
class PresetSummary:
    """An age preset: what it blocks and limits (for "before you save")."""

    preset_id: str
    name_vi: str
    name_en: str
    min_age: int
    max_age: int
    blocked_categories: tuple[str, ...] = ()
    blocked_services: tuple[str, ...] = ()
    allow_list_only: bool = False
    safe_search: bool = True
    youtube_mode: str = "strict"
    daily_minutes: tuple[int, ...] = (0,) * 7  # Monday first
    allowed_hours: tuple[tuple[str, str], ...] = ()  # (start, end) of each window
    category_minutes: tuple[tuple[str, int], ...] = ()
    per_game_minutes: int | None = None
    film_ratings: tuple[str, ...] = ()
    game_rating: str = ""


@dataclass(frozen=True)
class OsAccount:
    name: str
    full_name: str = ""


@dataclass(frozen=True)
class DeviceEntry:
    """A LAN device of a child, by IP or MAC address."""

    name: str = ""
    ip: str | None = None
    mac: str | None = None

    @property
    def address(self) -> str:
        return self.ip or self.mac or ""


@dataclass(frozen=True)
class ChildEntry:
    """Who a child is on this PC: age or birth year, the preset the file names (None:
    by age) and the one in force, OS accounts, LAN devices."""

    name: str
    age: int | None = None
    birth_year: int | None = None
    preset: str | None = None
    os_users: tuple[str, ...] = ()
    devices: tuple[DeviceEntry, ...] = ()
    preset_in_force: str = ""

    def age_in(self, year: int) -> int | None:
        if self.age is not None:
            return self.age
        return None if self.birth_year is None else year - self.birth_year


@dataclass(frozen=True)
class FamilySnapshot:
    """The children's settings, with the version of the file they were read from."""

    etag: str
    children: tuple[ChildEntry, ...] = ()
    default_child: str | None = None


@dataclass(frozen=True)
class PinCreated:
    """The first PIN is set: the parent session it opened, and the recovery code the agent
    made (None with an agent that keeps none), shown once."""

    session: Session
    recovery_code: str | None


@dataclass(frozen=True)
class PauseState:
    paused_until: datetime | None = None

    @property
    def paused(self) -> bool:
        return self.paused_until is not None


@dataclass(frozen=True)
class ListUpdate:
    """The progress of "update now": ``state`` is idle, running, done, cancelled or failed."""

    state: str = "idle"
    total: int = 0
    done: int = 0
    current: str | None = None
    updated: int = 0
    failed: int = 0

    @property
    def running(self) -> bool:
        return self.state == "running"


@dataclass(frozen=True)
class ChildExport:
    """Everything the agent keeps about one child, table by table, as plain rows."""

    child: str
    exported_at: datetime
    tables: Mapping[str, tuple[Mapping[str, object], ...]] = field(default_factory=dict)


class ChildExistsError(BackendError):
    def __init__(self, message: str = "a child of that name exists") -> None:
        super().__init__(message, code="child_exists")


class WrongRecoveryCodeError(BackendError):
    def __init__(self, tries_left: int | None, message: str = "wrong recovery code") -> None:
        super().__init__(message, code="wrong_recovery_code")
        self.tries_left = tries_left


@runtime_checkable
class FamilyBackend(Protocol):
    """The first PIN with its recovery code, the presets, the PC's accounts, the children."""

    def create_pin(self, pin: str, setup_code: str) -> PinCreated:
        """``POST /api/pin`` with the set-up code, then ``POST /api/session``."""
        ...

    def presets(self, token: str) -> tuple[PresetSummary, ...]: ...

    def os_accounts(self, token: str) -> tuple[OsAccount, ...]: ...

    def family(self, token: str) -> FamilySnapshot: ...

    def add_child(self, token: str, etag: str, child: ChildEntry) -> FamilySnapshot:
        """Raises PolicyConflictError, PolicyRefusedError, ChildExistsError."""
        ...

    def update_child(
        self, token: str, etag: str, name: str, child: ChildEntry
    ) -> FamilySnapshot: ...

    def remove_child(self, token: str, etag: str, name: str) -> FamilySnapshot: ...


ProgressReport = Callable[[int, int], None]


@runtime_checkable
class SettingsBackend(Protocol):
    """Pause, "update now", a child's data, the PIN and its recovery code."""

    def pause_state(self, token: str) -> PauseState: ...

    def pause_protection(self, token: str, minutes: int) -> PauseState: ...

    def resume_protection(self, token: str) -> PauseState: ...

    def list_update(self, token: str) -> ListUpdate: ...

    def start_list_update(self, token: str) -> ListUpdate: ...

    def cancel_list_update(self, token: str) -> ListUpdate: ...

    def export_child_data(self, token: str, child: str) -> ChildExport: ...

    def delete_child_data(self, token: str, child: str) -> int:
        """Returns how many rows were removed."""
        ...

    def change_pin(self, token: str, old_pin: str, new_pin: str) -> None:
        """Raises WrongPinError or LockedOutError."""
        ...

    def new_recovery_code(self, token: str) -> str: ...

    def reset_pin_with_recovery_code(self, pin: str, recovery_code: str) -> PinCreated:
        """A forgotten PIN replaced; the session it opened and the next recovery code."""
        ...
