"""The weekly windows a parent edits, with no widgets: several a day, each may go on past
midnight into the next morning. The Web tab's schedules are one for the whole internet
(target ``*``) and one for each service (``service:youtube``) or category
(``category:games``) the parent picks; one is edited at a time, the others kept with
their edits until Save; the Screen time tab's allowed hours are windows alone (the same
functions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from PySide6.QtCore import QCoreApplication

from gui.backend import Catalogue
from gui.labels import category_label
from gui.pages_backend import SCHEDULE_MODES, WEEKDAYS, Schedule, VersionedSchedules, WeekWindow

translate = QCoreApplication.translate

INTERNET = "*"
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")



def day_name(day: str) -> str:
    names = {
        "mon": translate("ScheduleModel", "Monday"),
        "tue": translate("ScheduleModel", "Tuesday"),
        "wed": translate("ScheduleModel", "Wednesday"),
        "thu": translate("ScheduleModel", "Thursday"),
        "fri": translate("ScheduleModel", "Friday"),
        "sat": translate("ScheduleModel", "Saturday"),
        "sun": translate("ScheduleModel", "Sunday"),
    }
    return names.get(day, day)


def minutes_of(text: str) -> int:
    match = _TIME.match(text)
    if match is None:
        raise ValueError(f"not a time of day: {text!r}")
    return int(match.group(1)) * 60 + int(match.group(2))


def crosses_midnight(window: WeekWindow) -> bool:
    return minutes_of(window.end) <= minutes_of(window.start) and window.end != window.start


def window_text(window: WeekWindow) -> str:
    """``Thứ Hai 21:30 – 06:00 (sáng hôm sau)``."""
    if window.start == window.end:
        return translate("ScheduleModel", "%1: the whole day").replace("%1", day_name(window.day))
    text = translate("ScheduleModel", "%1: %2 – %3").replace("%1", day_name(window.day))
    text = text.replace("%2", window.start).replace("%3", window.end)
    if crosses_midnight(window):
        text += " " + translate("ScheduleModel", "(the next morning)")
    return text


def _order(window: WeekWindow) -> tuple[int, int, int]:
    return WEEKDAYS.index(window.day), minutes_of(window.start), minutes_of(window.end)


def with_window(
    windows: tuple[WeekWindow, ...], window: WeekWindow, replacing: int | None = None
) -> tuple[WeekWindow, ...]:
    """`windows` with `window` added (or put in place of the one at `replacing`), in the
    week's order; ValueError for a bad day or time, or a window that is there already."""
    if window.day not in WEEKDAYS:
        raise ValueError(f"not a day: {window.day!r}")
    minutes_of(window.start)
    minutes_of(window.end)
    kept = [w for index, w in enumerate(windows) if index != replacing]
    if window in kept:
        raise ValueError("this window is there already")
    return tuple(sorted((*kept, window), key=_order))


def without_window(windows: tuple[WeekWindow, ...], index: int) -> tuple[WeekWindow, ...]:
    return tuple(w for i, w in enumerate(windows) if i != index)


def ordered_windows(windows: tuple[WeekWindow, ...]) -> tuple[WeekWindow, ...]:
    return tuple(sorted(set(windows), key=_order))


def week_summary(windows: tuple[WeekWindow, ...]) -> str:
    """How the week reads, in one line a day (for a screen reader and the tests)."""
    lines = []
    for day in WEEKDAYS:
        found = [window for window in windows if window.day == day]
        if found:
            lines.append("; ".join(window_text(window) for window in found))
    return "\n".join(lines)


SERVICE_TARGET = "service:"
CATEGORY_TARGET = "category:"
DEFAULT_MODE = "allowed_only_during"


def service_target(service_id: str) -> str:
    return SERVICE_TARGET + service_id


def category_target(category: str) -> str:
    return CATEGORY_TARGET + category


@dataclass(frozen=True)
class WeekSchedule:
    """The schedule being edited (of `target`: ``*``, ``service:<id>`` or
    ``category:<id>``), and the child's other schedules, with their edits so far."""

    child: str
    mode: str = DEFAULT_MODE
    windows: tuple[WeekWindow, ...] = ()
    others: tuple[Schedule, ...] = ()
    target: str = INTERNET

    @classmethod
    def from_version(cls, version: VersionedSchedules, target: str = INTERNET) -> WeekSchedule:
        return cls(version.child, others=version.schedules, target=INTERNET).for_target(target)

    def for_target(self, target: str) -> WeekSchedule:
        """Edit `target`'s schedule now (empty when it has none); the one edited so far is
        kept among the others, and saved with them."""
        kept = tuple(rule for rule in self.schedules() if rule.target != target)
        found = next((rule for rule in self.schedules() if rule.target == target), None)
        if found is None:
            return WeekSchedule(self.child, DEFAULT_MODE, (), kept, target)
        windows = tuple(sorted(found.windows, key=_order))
        return WeekSchedule(self.child, found.mode, windows, kept, target)

    def targets(self) -> tuple[str, ...]:
        """The targets with a schedule (a window at least), the edited one among them."""
        return tuple(rule.target for rule in self.schedules())

    def with_mode(self, mode: str) -> WeekSchedule:
        if mode not in SCHEDULE_MODES:
            raise ValueError(f"not a schedule mode: {mode!r}")
        return replace(self, mode=mode)

    def with_window(self, window: WeekWindow, replacing: int | None = None) -> WeekSchedule:
        """A window added (or put in place of the one at `replacing`); ValueError for a bad
        day or time, or a window that is there already."""
        return replace(self, windows=with_window(self.windows, window, replacing))

    def without_window(self, index: int) -> WeekSchedule:
        return replace(self, windows=without_window(self.windows, index))

    def with_windows(self, windows: tuple[WeekWindow, ...]) -> WeekSchedule:
        return replace(self, windows=ordered_windows(windows))

    def day_windows(self, day: str) -> tuple[WeekWindow, ...]:
        return tuple(window for window in self.windows if window.day == day)

    def index_of(self, window: WeekWindow) -> int:
        return self.windows.index(window)

    def schedules(self) -> tuple[Schedule, ...]:
        """What to save: the other schedules, and the edited one when it has a window (a
        schedule without windows is no schedule)."""
        if not self.windows:
            return self.others
        return (*self.others, Schedule(self.target, self.mode, self.windows))

    def summary(self) -> str:
        """How the week reads, in one line a day (for a screen reader and the tests)."""
        return week_summary(self.windows)


def target_label(target: str, catalogue: Catalogue) -> str:
    """``*`` as the whole internet, a category by its label, a service by its name."""
    if target == INTERNET:
        return translate("ScheduleModel", "The whole internet")
    if target.startswith(CATEGORY_TARGET):
        return category_label(target.removeprefix(CATEGORY_TARGET))
    service = target.removeprefix(SERVICE_TARGET)
    names = {entry.service_id: entry.name for entry in catalogue.services}
    return names.get(service, service)


def target_choices(
    catalogue: Catalogue, schedule: WeekSchedule | None
) -> tuple[tuple[str, str], ...]:
    """What the schedule editor offers, as (target, words): the whole internet, then the
    categories, then the services (and any target of a schedule the catalogue does not
    name); one with hours set says so."""
    targets = [
        INTERNET,
        *(category_target(category) for category in catalogue.categories),
        *(service_target(entry.service_id) for entry in catalogue.services),
    ]
    scheduled = set(schedule.targets()) if schedule is not None else set()
    targets += sorted(scheduled - set(targets))
    with_hours = translate("ScheduleModel", "%1 (hours set)")
    return tuple(
        (
            target,
            with_hours.replace("%1", target_label(target, catalogue))
            if target in scheduled
            else target_label(target, catalogue),
        )
        for target in targets
    )


def day_spans(windows: tuple[WeekWindow, ...]) -> dict[str, list[tuple[int, int]]]:
    """The minutes of each day (``mon`` … ``sun``) the windows cover, as (start, end)
    pairs from 0 to 1440: a window across midnight goes on into the next day's morning
    (Sunday's into Monday's)."""
    spans: dict[str, list[tuple[int, int]]] = {day: [] for day in WEEKDAYS}
    for window in windows:
        start, end = minutes_of(window.start), minutes_of(window.end)
        index = WEEKDAYS.index(window.day)
        if start == end:
            spans[window.day].append((0, 24 * 60))
        elif end > start:
            spans[window.day].append((start, end))
        else:
            spans[window.day].append((start, 24 * 60))
            if end:
                spans[WEEKDAYS[(index + 1) % 7]].append((0, end))
    return {day: sorted(found) for day, found in spans.items()}
