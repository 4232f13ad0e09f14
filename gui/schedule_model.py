"""The weekly windows a parent edits, with no widgets: several a day, each may go on past
midnight into the next morning. The Web tab's schedule is the internet's windows (target
``*``), the child's other schedules (one for a service or a category) kept as read; the
Screen time tab's allowed hours are windows alone (the same functions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from PySide6.QtCore import QCoreApplication

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


@dataclass(frozen=True)
class WeekSchedule:
    """The internet's schedule being edited, and the child's other schedules."""

    child: str
    mode: str = "allowed_only_during"
    windows: tuple[WeekWindow, ...] = ()
    others: tuple[Schedule, ...] = ()

    @classmethod
    def from_version(cls, version: VersionedSchedules) -> WeekSchedule:
        internet = next((rule for rule in version.schedules if rule.target == INTERNET), None)
        others = tuple(rule for rule in version.schedules if rule is not internet)
        if internet is None:
            return cls(version.child, others=others)
        return cls(
            version.child,
            internet.mode,
            tuple(sorted(internet.windows, key=_order)),
            others,
        )

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
        """What to save: the other schedules as they were, and the internet's when it has a
        window (a schedule without windows is no schedule)."""
        if not self.windows:
            return self.others
        return (*self.others, Schedule(INTERNET, self.mode, self.windows))

    def summary(self) -> str:
        """How the week reads, in one line a day (for a screen reader and the tests)."""
        return week_summary(self.windows)


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
