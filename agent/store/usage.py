"""Counted use of apps: heartbeats merged into intervals, minutes per child and per app."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as wall_time
from zoneinfo import ZoneInfo

from agent.store.core import DAY_SECONDS, Database, Where
from agent.store.models import RetentionPolicy, UsageInterval, from_timestamp


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _day_bounds(day: date, tz: str | tzinfo) -> tuple[float, float]:
    """Epoch seconds of local midnight at the start and end of `day` in `tz`."""
    zone = _zone(tz)
    start = datetime.combine(day, wall_time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), wall_time(0), tzinfo=zone)
    return start.timestamp(), end.timestamp()


def _union_seconds(spans: list[tuple[float, float]]) -> float:
    """Length of the union of [start, end) spans, so overlaps never count twice."""
    total = 0.0
    current_start = current_end = -math.inf
    for start, end in sorted(spans):
        if start > current_end:
            if current_end > current_start:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end > current_start:
        total += current_end - current_start
    return total


class Usage:
    """The `usage_intervals` table (never a window title)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def record_heartbeat(
        self,
        child: str,
        app_id: str,
        exe: str = "",
        *,
        at: datetime | None = None,
        pulsetime: float = 15.0,
    ) -> UsageInterval:
        """Merge one foreground-app heartbeat into the child's usage intervals.

        As in ActivityWatch: the same app seen again within `pulsetime` seconds extends
        the open interval; another app within `pulsetime` closes the previous interval at
        this moment and opens a new one, so switching apps loses no time; a longer gap
        (idle, locked, tray gone) starts afresh. Send heartbeats only while time counts.
        """
        if not child or not app_id:
            raise ValueError("a heartbeat needs a child and an app id")
        moment = self._db.timestamp(at)
        with self._db.transaction() as conn:
            last = conn.execute(
                'SELECT id, app_id, exe, start, "end" FROM usage_intervals WHERE child = ?'
                ' ORDER BY "end" DESC, id DESC LIMIT 1',
                (child,),
            ).fetchone()
            if last is not None:
                last_id, last_app, last_exe, last_start, last_end = last
                within = last_start <= moment and moment - last_end <= pulsetime
                if within and last_app == app_id and last_exe == exe:
                    new_end = max(last_end, moment)
                    conn.execute(
                        'UPDATE usage_intervals SET "end" = ? WHERE id = ?', (new_end, last_id)
                    )
                    return UsageInterval(
                        last_id,
                        child,
                        app_id,
                        exe,
                        from_timestamp(last_start),
                        from_timestamp(new_end),
                    )
                if within and moment > last_end:
                    conn.execute(
                        'UPDATE usage_intervals SET "end" = ? WHERE id = ?', (moment, last_id)
                    )
            cursor = conn.execute(
                'INSERT INTO usage_intervals (child, app_id, exe, start, "end")'
                " VALUES (?, ?, ?, ?, ?)",
                (child, app_id, exe, moment, moment),
            )
            new_id = int(cursor.lastrowid or 0)
        when = from_timestamp(moment)
        return UsageInterval(new_id, child, app_id, exe, when, when)

    def intervals(
        self,
        child: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[UsageInterval]:
        """Intervals overlapping [start, end), oldest first."""
        where = Where()
        where.add("child = ?", child)
        where.add_time('"end" > ?', start)
        where.add_time("start < ?", end)
        rows = self._db.connection().execute(
            f'SELECT id, child, app_id, exe, start, "end" FROM usage_intervals {where.sql}'
            " ORDER BY start, id",
            where.params,
        )
        return [
            UsageInterval(r[0], r[1], r[2], r[3], from_timestamp(r[4]), from_timestamp(r[5]))
            for r in rows.fetchall()
        ]

    def _spans(
        self, day: date, tz: str | tzinfo, child: str | None
    ) -> list[tuple[str, str, float, float]]:
        day_start, day_end = _day_bounds(day, tz)
        where = Where('"end" > ?', "start < ?", params=(day_start, day_end))
        where.add("child = ?", child)
        rows = self._db.connection().execute(
            f'SELECT child, app_id, start, "end" FROM usage_intervals {where.sql}',
            where.params,
        )
        return [
            (c, app, max(start, day_start), min(end, day_end))
            for c, app, start, end in rows.fetchall()
        ]

    def minutes_by_child(
        self, day: date, tz: str | tzinfo = "Asia/Ho_Chi_Minh"
    ) -> dict[str, float]:
        """Minutes of counted use per child on `day`, midnight to midnight in `tz`."""
        spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for child, _app, start, end in self._spans(day, tz, None):
            spans[child].append((start, end))
        return {child: _union_seconds(s) / 60.0 for child, s in sorted(spans.items())}

    def minutes_by_app(
        self, child: str, day: date, tz: str | tzinfo = "Asia/Ho_Chi_Minh"
    ) -> dict[str, float]:
        """Minutes per app id for one child on `day` (for per-service limits)."""
        spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for _child, app, start, end in self._spans(day, tz, child):
            spans[app].append((start, end))
        return {app: _union_seconds(s) / 60.0 for app, s in sorted(spans.items())}

    def seconds_by_day_and_app(
        self, child: str, first_day: date, days: int, tz: str | tzinfo = "Asia/Ho_Chi_Minh"
    ) -> list[tuple[date, float, dict[str, float]]]:
        """For each of `days` days from `first_day` (midnight to midnight in `tz`): the
        child's counted seconds (overlaps once) and the seconds per app id, oldest first."""
        history: list[tuple[date, float, dict[str, float]]] = []
        for offset in range(max(0, days)):
            day = first_day + timedelta(days=offset)
            every: list[tuple[float, float]] = []
            by_app: dict[str, list[tuple[float, float]]] = defaultdict(list)
            for _child, app, start, end in self._spans(day, tz, child):
                every.append((start, end))
                by_app[app].append((start, end))
            apps = {app: _union_seconds(spans) for app, spans in sorted(by_app.items())}
            history.append((day, _union_seconds(every), apps))
        return history

    def apps_used(self, since: datetime | None = None) -> list[tuple[str, str]]:
        """Each (child, app id) with usage since `since` (all kept: None), by child and app."""
        where = Where()
        where.add_time('"end" >= ?', since)
        rows = self._db.connection().execute(
            f"SELECT DISTINCT child, app_id FROM usage_intervals {where.sql}"
            " ORDER BY child, app_id",
            where.params,
        )
        return [(str(child), str(app)) for child, app in rows.fetchall()]

    # --- retention and privacy ----------------------------------------------------------

    def prune(self, moment: float, retention: RetentionPolicy) -> int:
        """Intervals that ended more than `usage_days` ago."""
        return self._db.delete_chunked(
            'DELETE FROM usage_intervals WHERE id IN (SELECT id FROM usage_intervals WHERE "end"'
            " < ? LIMIT ?)",
            (moment - retention.usage_days * DAY_SECONDS,),
        )

    def delete_child(self, child: str) -> int:
        with self._db.transaction() as conn:
            cursor = conn.execute("DELETE FROM usage_intervals WHERE child = ?", (child,))
            return int(cursor.rowcount)
