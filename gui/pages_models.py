"""The family pages' data as the views show it, with no widgets: today's cards (Tổng
quan), the charts' bars (Hoạt động) and the events' table (Yêu cầu và cảnh báo).

Every state is said in words and with a mark (✔, ⚠, ✖), never by a colour alone, so it
keeps its meaning in a high-contrast theme and for a screen reader.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QBrush

from gui.colours import Meaning, meaning_brush
from gui.colours import dark_palette as dark_palette  # where it was first, for its callers
from gui.event_words import event_text
from gui.labels import category_label, format_clock, format_minutes
from gui.models import _RecordTableModel
from gui.pages_backend import (
    ALERT_SEVERITIES,
    ActivityHistory,
    ChildToday,
    FamilyEvent,
    FamilyOverview,
    Protection,
)

translate = QCoreApplication.translate

OK_MARK, WARN_MARK, UNKNOWN_MARK = "✔", "⚠", "?"
CHART_SERIES = 5  # the biggest series are drawn; the rest are one "everything else"
REST = "\x00rest"  # the series of everything else


def _fill(text: str, *values: str) -> str:
    for index, value in enumerate(values, start=1):
        text = text.replace(f"%{index}", value)
    return text


def _minutes(seconds: int) -> str:
    return format_minutes(seconds // 60)


@dataclass(frozen=True)
class StatusLine:
    """A check and its result: ``ok`` True (whole), False (needs a look), None (unknown)."""

    key: str
    ok: bool | None
    text: str

    @property
    def mark(self) -> str:
        return OK_MARK if self.ok else UNKNOWN_MARK if self.ok is None else WARN_MARK

    @property
    def shown(self) -> str:
        return f"{self.mark} {self.text}"


@dataclass(frozen=True)
class ChildCard:
    """One child's day in words."""

    child: str
    used: str
    left: str
    apps: str
    sites: str
    blocked: str
    waiting: str
    protection: tuple[StatusLine, ...]
    watch_note: str = ""  # what Bảo An cannot see on this PC, when something

    @property
    def protected(self) -> bool:
        return all(line.ok for line in self.protection)

    def shown_lines(self) -> tuple[StatusLine, ...]:
        """What the card says of protection: whole or not (the PC's own checks are at
        the top of the page), and the child's own check, the tray."""
        whole = StatusLine(
            "whole",
            self.protected,
            translate("PagesModels", "Protection is whole")
            if self.protected
            else translate("PagesModels", "Protection needs a look (see above)"),
        )
        return (whole, *(line for line in self.protection if line.key == "tray"))


def protection_lines(protection: Protection, child: ChildToday | None) -> tuple[StatusLine, ...]:
    """The three checks of whole protection, for one child (the tray is the child's)."""
    servers = ", ".join(protection.dns_servers)
    reasons = {
        "asks_agent": (True, translate("PagesModels", "The computer's DNS goes through Bảo An")),
        "asks_others": (
            False,
            translate("PagesModels", "The computer's DNS does not go through Bảo An: it asks %1"),
        ),
        "agent_not_on_53": (
            False,
            translate(
                "PagesModels",
                "The computer's DNS cannot go through Bảo An: its filter does not answer on "
                "the usual port 53 (as in the try-out)",
            ),
        ),
        "no_servers": (False, translate("PagesModels", "The computer has no DNS server set")),
        "system_changed": (
            False,
            translate(
                "PagesModels",
                "The computer's DNS settings were changed: they no longer point at Bảo An",
            ),
        ),
        "resolved_stub": (
            None,
            translate(
                "PagesModels",
                "Not known whether the computer's DNS goes through Bảo An (it asks %1, "
                "which hides where it asks next)",
            ),
        ),
    }
    unknown = translate("PagesModels", "Not known whether the computer's DNS goes through Bảo An")
    dns_ok, dns_text = reasons.get(protection.dns_reason, (None, unknown))
    if protection.dns == "ok":
        dns_ok = True
    lines = [StatusLine("dns", dns_ok, _fill(dns_text, servers))]
    lists = {
        "fresh": (True, translate("PagesModels", "Block lists are up to date")),
        "stale": (False, translate("PagesModels", "Block lists have not been updated for a while")),
        "missing": (False, translate("PagesModels", "No block list is loaded")),
    }
    lists_ok, lists_text = lists.get(protection.lists, lists["missing"])
    lines.append(StatusLine("lists", lists_ok, lists_text))
    if child is not None:
        tray = {
            "running": (True, translate("PagesModels", "Bảo An's icon is running for %1")),
            "missing": (False, translate("PagesModels", "Bảo An's icon is not running for %1")),
            "not_seen": (
                None,
                translate("PagesModels", "%1 has not used the computer since Bảo An started"),
            ),
        }
        tray_ok, tray_text = tray.get(child.tray, tray["not_seen"])
        lines.append(StatusLine("tray", tray_ok, _fill(tray_text, child.child)))
    return tuple(lines)


def _with_amount(name: str, amount: str) -> str:
    return name + " (" + amount + ")"


def child_card(child: ChildToday, protection: Protection) -> ChildCard:
    blocked = _fill(translate("PagesModels", "Blocked attempts: %1"), str(child.blocked))
    waiting_parts = []
    if child.pending_requests:
        text = translate("PagesModels", "Requests waiting: %1")
        waiting_parts.append(_fill(text, str(child.pending_requests)))
    if child.alerts:
        waiting_parts.append(_fill(translate("PagesModels", "Alerts today: %1"), str(child.alerts)))
    if child.seconds_left is None:
        left = translate("PagesModels", "No limit today")
    elif child.seconds_left <= 0 and child.limit_kind == "allowed_hours":
        left = translate("PagesModels", "Outside the hours the computer may be used")
    elif child.seconds_left <= 0:
        left = translate("PagesModels", "No time left today")
    else:
        left = _fill(translate("PagesModels", "%1 left"), _minutes(child.seconds_left))
    apps = ", ".join(_with_amount(app, _minutes(seconds)) for app, seconds in child.top_apps)
    sites = ", ".join(_with_amount(site, str(count)) for site, count in child.top_sites)
    categories = ", ".join(
        _with_amount(category_label(category), str(count))
        for category, count in child.blocked_by_category
    )
    if categories:
        blocked = blocked + ": " + categories
    waiting = ", ".join(waiting_parts)
    return ChildCard(
        child=child.child,
        used=_fill(translate("PagesModels", "Used today: %1"), _minutes(child.used_seconds)),
        left=left,
        apps=apps or translate("PagesModels", "No app used yet"),
        sites=sites or translate("PagesModels", "No website visited yet"),
        blocked=blocked,
        waiting=waiting or translate("PagesModels", "Nothing waits for you"),
        protection=protection_lines(protection, child),
        watch_note=watch_note(child),
    )


def watch_note(child: ChildToday) -> str:
    """Said plainly when the child's tray cannot see the app in front (GNOME on Wayland
    gives no program the window in front): what it sees, and how app time is counted."""
    if child.foreground_known is not False:
        return ""
    return translate(
        "PagesModels",
        "On this computer's Wayland session, Bảo An sees idle time and the apps that are "
        "running, but not which window is in front, so app time is counted from the apps "
        "that are running.",
    )


class OverviewModel(QObject):
    """Today's overview as cards, redone on each answer and on a language switch."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._overview: FamilyOverview | None = None

    def set_overview(self, overview: FamilyOverview | None) -> None:
        self._overview = overview

    @property
    def overview(self) -> FamilyOverview | None:
        return self._overview

    def cards(self) -> list[ChildCard]:
        if self._overview is None:
            return []
        protection = self._overview.protection
        return [child_card(child, protection) for child in self._overview.children]

    def pc_lines(self) -> tuple[StatusLine, ...]:
        """The PC-wide checks (DNS, lists), for the page's heading."""
        if self._overview is None:
            return ()
        return protection_lines(self._overview.protection, None)

    def alerts(self) -> tuple[FamilyEvent, ...]:
        return self._overview.alerts if self._overview is not None else ()


# -- the charts -------------------------------------------------------------------------------

VIEWS = ("apps", "categories", "blocked")


@dataclass(frozen=True)
class ChartSeries:
    key: str  # an app id, a category id, or REST
    label: str
    values: tuple[int, ...]  # one a day, oldest first


@dataclass(frozen=True)
class ChartData:
    """Stacked bars, one a day: the days' labels, the series (biggest first) and the unit
    (``minutes`` or ``attempts``)."""

    day_labels: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    unit: str

    def totals(self) -> tuple[int, ...]:
        return tuple(
            sum(series.values[index] for series in self.series)
            for index in range(len(self.day_labels))
        )

    @property
    def empty(self) -> bool:
        return not any(self.totals())

    def value_text(self, value: int) -> str:
        if self.unit == "minutes":
            return format_minutes(value)
        return _fill(translate("PagesModels", "%1 blocked"), str(value))

    def day_summary(self, index: int) -> str:
        """One day in words, for the keyboard's selected bar and a screen reader."""
        parts = [
            f"{series.label}: {self.value_text(series.values[index])}"
            for series in self.series
            if series.values[index]
        ]
        total = self.value_text(self.totals()[index])
        text = f"{self.day_labels[index]} — {total}"
        return f"{text} ({'; '.join(parts)})" if parts else text

    def summary(self) -> str:
        """The whole chart in one sentence (its accessible description)."""
        if self.empty:
            return translate("PagesModels", "Nothing recorded on these days")
        totals = self.totals()
        busiest = max(range(len(totals)), key=lambda index: totals[index])
        biggest = self.series[0].label if self.series else ""
        return _fill(
            translate("PagesModels", "In all %1; the most on %2 (%3); most of it: %4"),
            self.value_text(sum(totals)),
            self.day_labels[busiest],
            self.value_text(totals[busiest]),
            biggest,
        )


def chart_data(history: ActivityHistory | None, view: str) -> ChartData:
    """The bars of `view` (``apps``, ``categories`` or ``blocked``) over the history's
    days; the biggest :data:`CHART_SERIES` series by name, the rest as one."""
    days = history.days if history is not None else ()
    unit = "attempts" if view == "blocked" else "minutes"

    def pairs(index: int) -> tuple[tuple[str, int], ...]:
        day = days[index]
        if view == "apps":
            return day.apps
        if view == "categories":
            return day.categories
        return day.blocked

    def amount(value: int) -> int:
        return value // 60 if unit == "minutes" else value

    totals: dict[str, int] = {}
    for index in range(len(days)):
        for key, value in pairs(index):
            totals[key] = totals.get(key, 0) + value
    ranked = sorted(totals, key=lambda key: (-totals[key], key))
    shown, rest = ranked[:CHART_SERIES], set(ranked[CHART_SERIES:])
    series: list[ChartSeries] = []
    for key in shown:
        values = tuple(amount(dict(pairs(index)).get(key, 0)) for index in range(len(days)))
        series.append(ChartSeries(key, _series_label(key, view), values))
    if rest:
        values = tuple(
            amount(sum(value for key, value in pairs(index) if key in rest))
            for index in range(len(days))
        )
        series.append(ChartSeries(REST, translate("PagesModels", "Everything else"), values))
    labels = tuple(_day_label(day.date, len(days)) for day in days)
    return ChartData(labels, tuple(item for item in series if any(item.values)), unit)


def _series_label(key: str, view: str) -> str:
    if view == "apps":
        return key
    if key == "other":
        return (
            translate("PagesModels", "Other apps")
            if view == "categories"
            else translate("PagesModels", "Other reasons")
        )
    return category_label(key)


def _day_label(day: date, count: int) -> str:
    names = (
        translate("PagesModels", "Mon"),
        translate("PagesModels", "Tue"),
        translate("PagesModels", "Wed"),
        translate("PagesModels", "Thu"),
        translate("PagesModels", "Fri"),
        translate("PagesModels", "Sat"),
        translate("PagesModels", "Sun"),
    )
    if count <= 7:
        return f"{names[day.weekday()]} {day:%d/%m}"
    return f"{day:%d/%m}"


# -- the events -------------------------------------------------------------------------------


class EventsTableModel(_RecordTableModel[FamilyEvent]):
    """The store's events, newest first: time, child, importance (in words), what."""

    TIME, CHILD, LEVEL, WHAT = range(4)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        timezone: tzinfo | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._zone = timezone or datetime.now().astimezone().tzinfo
        self._now = now or (lambda: datetime.now(self._zone))

    def set_timezone(self, zone: tzinfo) -> None:
        self._zone = zone
        self._times_changed(self.TIME, self.WHAT)

    def set_events(self, events: Sequence[FamilyEvent]) -> None:
        self.set_rows(events)

    def column_titles(self) -> list[str]:
        return [self.tr("Time"), self.tr("Child"), self.tr("Importance"), self.tr("What happened")]

    def display(self, row: FamilyEvent, column: int) -> str:
        zone = self._zone
        assert zone is not None
        if column == self.TIME:
            return format_clock(row.time, zone, self._now())
        if column == self.CHILD:
            return row.child or "—"
        if column == self.LEVEL:
            return self.level_label(row.severity)
        return event_text(row, zone)

    def level_label(self, severity: str) -> str:
        if severity == "urgent":
            return f"{WARN_MARK} " + self.tr("Urgent")
        if severity == "alert":
            return f"{WARN_MARK} " + self.tr("Alert")
        if severity == "warning":
            return self.tr("Worth a look")
        return self.tr("For your information")

    def sort_value(self, row: FamilyEvent, column: int) -> Any:
        if column == self.TIME:
            return row.time.timestamp()
        return self.display(row, column)

    def tooltip(self, row: FamilyEvent, column: int) -> str | None:
        return self.display(row, self.WHAT) if column == self.WHAT else None

    def foreground(self, row: FamilyEvent, column: int) -> QBrush | None:
        # The mark and the words say it; red adds to them where red is readable.
        if row.severity in ALERT_SEVERITIES and column in (self.LEVEL, self.WHAT):
            return meaning_brush(Meaning.PROBLEM)
        return None

    def row_key(self, row: FamilyEvent) -> Any:
        return row.event_id

    def alert_count(self) -> int:
        return sum(1 for row in self._rows if row.severity in ALERT_SEVERITIES)
