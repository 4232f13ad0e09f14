"""The data of screen time: heartbeats, counted spans, a day's tally and a child's counter.

All frozen: the counting functions take one state and return the next.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

# A gap this long between two heartbeats of one tray is sleep (or the tray stopped): the
# time in between counts nothing.
SLEEP_GAP_SECONDS = 45.0
# The tray's wall clock moving against its monotonic clock by more than this between two
# heartbeats is a change of the PC's clock, not drift.
CLOCK_CHANGE_SECONDS = 60.0


def _empty() -> Mapping[str, float]:
    return MappingProxyType({})


@dataclass(frozen=True)
class SessionWatch:
    """How the child's tray watches the session: its watcher (``linux-wayland``, ...)
    and whether it knows the app in front (None: an older tray that does not say)."""

    watcher: str
    foreground_known: bool | None = None


@dataclass(frozen=True)
class AppIdentity:
    """The foreground app as the tray sees it. The title stays on the PC."""

    exe_path: str = ""
    pid: int | None = None
    create_time: float | None = None  # the process's start, epoch seconds
    title: str = ""
    product_name: str = ""  # from the executable's version information, where there is one
    original_name: str = ""  # Windows OriginalFilename, macOS CFBundleExecutable

    @property
    def exe_name(self) -> str:
        """The executable's file name, without folders (either separator)."""
        return self.exe_path.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Heartbeat:
    """One report from a child's tray. `monotonic` and `wall` are the tray's own clocks;
    `tray_instance` changes each time the tray starts (its monotonic clock may restart)."""

    child: str
    tray_instance: str
    monotonic: float
    wall: datetime
    app: AppIdentity
    idle_seconds: float = 0.0
    locked: bool = False
    full_screen: bool = False
    media_playing: bool = False
    utc_offset_minutes: int | None = None  # the PC's time zone offset at `wall`

    def is_active(self, idle_threshold_seconds: float) -> bool:
        """Time counts while unlocked and used: recent input, or a full-screen app or
        playing media in front (a film watched without touching the mouse)."""
        if self.locked:
            return False
        return self.idle_seconds < idle_threshold_seconds or self.full_screen or self.media_playing


@dataclass(frozen=True)
class AppUse:
    """What a heartbeat's app is for counting: a stable id, its service and category from
    the catalogue, and whether the parent allows it always (it then never counts)."""

    app_id: str
    service: str | None = None
    category: str | None = None
    always_allowed: bool = False


@dataclass(frozen=True)
class CountedSpan:
    """Time that counted, on the agent's trusted time line; never crosses midnight."""

    child: str
    app: AppUse
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class DayTally:
    """A child's counted seconds on one family day. `counted_seconds` is what the daily
    limit sees (always-allowed apps left out); the per-app figures include them."""

    day: date
    counted_seconds: float = 0.0
    app_seconds: Mapping[str, float] = field(default_factory=_empty)
    service_seconds: Mapping[str, float] = field(default_factory=_empty)
    category_seconds: Mapping[str, float] = field(default_factory=_empty)

    def add(self, app: AppUse, seconds: float, *, in_front: bool = True) -> DayTally:
        """`seconds` more of `app`. An app running behind another (`in_front` False: a game
        the sampler sees without focus) counts for its service and category — a game's
        caps — but not for the day's minutes, which the app in front already uses."""

        def plus(mapping: Mapping[str, float], key: str | None) -> Mapping[str, float]:
            if key is None:
                return mapping
            return MappingProxyType({**mapping, key: mapping.get(key, 0.0) + seconds})

        counts_for_day = in_front and not app.always_allowed
        return DayTally(
            day=self.day,
            counted_seconds=self.counted_seconds + (seconds if counts_for_day else 0.0),
            app_seconds=plus(self.app_seconds, app.app_id),
            service_seconds=plus(self.service_seconds, app.service),
            category_seconds=plus(self.category_seconds, app.category),
        )

    def to_json(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "counted_seconds": self.counted_seconds,
            "app_seconds": dict(self.app_seconds),
            "service_seconds": dict(self.service_seconds),
            "category_seconds": dict(self.category_seconds),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> DayTally:
        def seconds(name: str) -> Mapping[str, float]:
            value = data.get(name, {})
            if not isinstance(value, Mapping):
                raise ValueError(f"{name}: expected an object")
            return MappingProxyType({str(k): float(v) for k, v in value.items()})

        counted = data.get("counted_seconds", 0.0)
        if not isinstance(counted, int | float):
            raise ValueError("counted_seconds: expected a number")
        return cls(
            day=date.fromisoformat(str(data["day"])),
            counted_seconds=float(counted),
            app_seconds=seconds("app_seconds"),
            service_seconds=seconds("service_seconds"),
            category_seconds=seconds("category_seconds"),
        )


@dataclass(frozen=True)
class LastBeat:
    """What the counter keeps of the previous heartbeat of a child's tray."""

    tray_instance: str
    monotonic: float
    wall_minus_monotonic: float  # the tray's wall clock against its monotonic clock
    utc_offset_minutes: int | None
    app: AppUse
    active: bool

    def to_json(self) -> dict[str, object]:
        return {
            "tray_instance": self.tray_instance,
            "monotonic": self.monotonic,
            "wall_minus_monotonic": self.wall_minus_monotonic,
            "utc_offset_minutes": self.utc_offset_minutes,
            "app": {
                "app_id": self.app.app_id,
                "service": self.app.service,
                "category": self.app.category,
                "always_allowed": self.app.always_allowed,
            },
            "active": self.active,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> LastBeat:
        app = data["app"]
        if not isinstance(app, Mapping):
            raise ValueError("app: expected an object")
        offset = data.get("utc_offset_minutes")
        service, category = app.get("service"), app.get("category")
        return cls(
            tray_instance=str(data["tray_instance"]),
            monotonic=float(str(data["monotonic"])),
            wall_minus_monotonic=float(str(data["wall_minus_monotonic"])),
            utc_offset_minutes=None if offset is None else int(str(offset)),
            app=AppUse(
                app_id=str(app["app_id"]),
                service=None if service is None else str(service),
                category=None if category is None else str(category),
                always_allowed=bool(app.get("always_allowed", False)),
            ),
            active=bool(data["active"]),
        )


@dataclass(frozen=True)
class ChildCounter:
    """A child's running count: today's tally and the last heartbeat seen."""

    child: str
    tally: DayTally
    last: LastBeat | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "child": self.child,
            "tally": self.tally.to_json(),
            "last": None if self.last is None else self.last.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> ChildCounter:
        tally, last = data["tally"], data.get("last")
        if not isinstance(tally, Mapping) or not (last is None or isinstance(last, Mapping)):
            raise ValueError("a saved counter needs a tally object and a last-beat object")
        return cls(
            child=str(data["child"]),
            tally=DayTally.from_json(tally),
            last=None if last is None else LastBeat.from_json(last),
        )


class UsageEventKind(StrEnum):
    """What the counter noticed besides time."""

    CLOCK_CHANGED = "clock-changed"  # the PC's clock was moved (tray or agent side)
    TIMEZONE_CHANGED = "timezone-changed"  # the PC's time zone was changed
    SLEEP = "sleep"  # a gap long enough to be sleep: nothing counted for it


@dataclass(frozen=True)
class UsageEvent:
    kind: UsageEventKind
    child: str
    seconds: float = 0.0  # the size of the jump or the gap
    detail: str = ""
