"""The agent's periodic jobs (retention, the daily roll-over, list refresh) on APScheduler 3.

Jobs are registered by name with the callables the agent passes in. Each job keeps one
APScheduler trigger, and that trigger decides when it fires in both modes:

- production: `start()` hands every job to a `BackgroundScheduler`, which sleeps until the
  trigger's next time on the real clock;
- tests (and catching up after sleep): `run_pending(now)` asks the same triggers what was
  due by `now` on an injected clock and runs it, so a test proves that the roll-over fires
  at local midnight in Asia/Ho_Chi_Minh without waiting for it.

A job that raises is logged and counted; the scheduler and the other jobs go on.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as wall_time
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from dns_filter.clock import Clock, SystemClock

logger = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
JOB_RETENTION = "retention"
JOB_DAILY_ROLLOVER = "daily-rollover"
JOB_LIST_REFRESH = "list-refresh"

JobFunc = Callable[[], object]


def _require_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: give it a time zone")
    return moment


class DailyTrigger(BaseTrigger):
    """Fires once a day at a wall-clock time in a time zone, right across DST changes.

    APScheduler 3's CronTrigger skips the day after a spring-forward day for a job at
    midnight (agronholm/apscheduler#606, #529); this trigger computes each local day's
    time directly. A time that a DST jump skips fires when that moment comes (02:30 that
    does not exist fires at 03:30); a repeated time fires on its first occurrence.
    """

    def __init__(self, at: wall_time, timezone: tzinfo) -> None:
        self.at = at.replace(tzinfo=None)
        self.timezone = timezone

    def _on(self, day: date) -> datetime:
        local = datetime.combine(day, self.at, tzinfo=self.timezone)
        # The UTC round trip moves a skipped wall time forward past the gap.
        return local.astimezone(UTC).astimezone(self.timezone)

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        after = previous_fire_time + timedelta(microseconds=1) if previous_fire_time else now
        day = after.astimezone(self.timezone).date()
        for offset in range(3):
            candidate = self._on(day + timedelta(days=offset))
            if candidate >= after:
                return candidate
        raise AssertionError("a daily time must occur within three days")  # pragma: no cover

    def __str__(self) -> str:
        return f"daily[{self.at.isoformat()} {self.timezone}]"

    def __repr__(self) -> str:
        return f"<DailyTrigger (at={self.at.isoformat()!r}, timezone={self.timezone!s})>"


@dataclass(frozen=True)
class JobStatus:
    name: str
    next_run: datetime | None
    last_run: datetime | None
    runs: int
    failures: int
    last_error: str | None


@dataclass
class _Job:
    name: str
    func: JobFunc
    trigger: BaseTrigger
    next_run: datetime | None
    last_run: datetime | None = None
    runs: int = 0
    failures: int = 0
    last_error: str | None = None


class Scheduler:
    """Named periodic jobs with an injectable clock. See the module docstring."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        timezone: str | tzinfo = DEFAULT_TIMEZONE,
        misfire_grace_seconds: int = 6 * 3600,
    ) -> None:
        self._clock: Clock = clock or SystemClock()
        self._timezone: tzinfo = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
        # A PC asleep at midnight still rolls the day over when it wakes, within this grace.
        self._misfire_grace_seconds = misfire_grace_seconds
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.RLock()
        self._background: BackgroundScheduler | None = None
        # Jobs running now, and whether the scheduler is shut down: the agent closes the
        # store only once no job is left writing to it.
        self._idle = threading.Condition(self._lock)
        self._running = 0
        self._shut_down = False

    @property
    def timezone(self) -> tzinfo:
        return self._timezone

    @property
    def running(self) -> bool:
        return self._background is not None

    # --- registration -------------------------------------------------------------------

    def add_job(
        self, name: str, func: JobFunc, trigger: BaseTrigger, *, replace: bool = False
    ) -> JobStatus:
        """Register `func` to run whenever `trigger` fires."""
        if not name:
            raise ValueError("a job needs a name")
        with self._lock:
            if name in self._jobs and not replace:
                raise ValueError(f"a job named {name!r} is already registered")
            if name in self._jobs:
                self.remove_job(name)
            now = self._clock.now()
            job = _Job(name, func, trigger, trigger.get_next_fire_time(None, now))
            self._jobs[name] = job
            if self._background is not None:
                self._schedule_in_background(job)
            return self._status(job)

    def add_interval_job(
        self,
        name: str,
        func: JobFunc,
        *,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
        first_run: datetime | None = None,
        replace: bool = False,
    ) -> JobStatus:
        """Every so often; first at `first_run` (default: one interval from now)."""
        interval = timedelta(hours=hours, minutes=minutes, seconds=seconds)
        if interval <= timedelta(0):
            raise ValueError(f"job {name!r}: the interval must be positive")
        start = _require_aware(first_run) if first_run else self._clock.now() + interval
        trigger = IntervalTrigger(
            seconds=interval.total_seconds(), start_date=start, timezone=self._timezone
        )
        return self.add_job(name, func, trigger, replace=replace)

    def add_daily_job(
        self, name: str, func: JobFunc, *, at: wall_time = wall_time(0, 0), replace: bool = False
    ) -> JobStatus:
        """Every day at wall-clock time `at` in the family's time zone."""
        return self.add_job(name, func, DailyTrigger(at, self._timezone), replace=replace)

    def add_once_job(self, name: str, func: JobFunc, *, at: datetime) -> JobStatus:
        """Once, at `at` (a job of that name waiting to run is replaced)."""
        trigger = DateTrigger(run_date=_require_aware(at), timezone=self._timezone)
        return self.add_job(name, func, trigger, replace=True)

    def remove_job(self, name: str) -> None:
        with self._lock:
            if self._jobs.pop(name, None) is None:
                raise KeyError(f"no job named {name!r}")
            if self._background is not None:
                # A one-off job that has run is gone from APScheduler already.
                with contextlib.suppress(JobLookupError):
                    self._background.remove_job(name)

    def discard_job(self, name: str) -> None:
        """Remove the job if there is one."""
        with self._lock:
            if name in self._jobs:
                self.remove_job(name)

    def job_names(self) -> list[str]:
        with self._lock:
            return sorted(self._jobs)

    def status(self, name: str) -> JobStatus:
        with self._lock:
            job = self._jobs.get(name)
            if job is None:
                raise KeyError(f"no job named {name!r}")
            if self._background is not None:
                background_job = self._background.get_job(name)
                job.next_run = None if background_job is None else background_job.next_run_time
            return self._status(job)

    @staticmethod
    def _status(job: _Job) -> JobStatus:
        return JobStatus(
            job.name, job.next_run, job.last_run, job.runs, job.failures, job.last_error
        )

    # --- running ------------------------------------------------------------------------

    def _execute(self, job: _Job) -> bool:
        """Run one job; its errors are logged and kept, never raised."""
        with self._lock:
            if self._shut_down:
                return False  # queued before the shutdown: what it needs may be closed
            self._running += 1
        started = self._clock.now()
        ok = True
        try:
            job.func()
        except Exception as error:
            ok = False
            logger.exception("scheduled job %r failed", job.name)
            with self._lock:
                job.failures += 1
                job.last_error = f"{type(error).__name__}: {error}"
        with self._lock:
            job.runs += 1
            job.last_run = started
            if ok:
                job.last_error = None
            self._running -= 1
            self._idle.notify_all()
        return ok

    def wait_until_idle(self, timeout: float) -> bool:
        """After `shutdown(wait=False)`: wait up to `timeout` seconds for the jobs still
        running to end. True when none is left."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout)

    def run_pending(self, now: datetime | None = None) -> list[str]:
        """Run every job due at or before `now` (default: the clock's now), once each.

        Missed runs are coalesced into one, as the background scheduler does. Returns the
        names of the jobs run, in the order of their due times.
        """
        if self._background is not None:
            raise RuntimeError("run_pending is for a scheduler that is not started")
        moment = _require_aware(now) if now is not None else self._clock.now()
        due: list[tuple[datetime, str]] = []
        with self._lock:
            for job in self._jobs.values():
                fire = job.next_run
                if fire is None or fire > moment:
                    continue
                first_due = fire
                while fire is not None and fire <= moment:
                    fire = job.trigger.get_next_fire_time(fire, moment)
                job.next_run = fire
                due.append((first_due, job.name))
        ran: list[str] = []
        for _when, name in sorted(due):
            with self._lock:
                job_or_none = self._jobs.get(name)
            if job_or_none is not None:
                self._execute(job_or_none)
                ran.append(name)
        return ran

    def run_job_now(self, name: str) -> bool:
        """Run one job at once, off schedule; True when it succeeded."""
        with self._lock:
            job = self._jobs.get(name)
        if job is None:
            raise KeyError(f"no job named {name!r}")
        return self._execute(job)

    def _schedule_in_background(self, job: _Job) -> None:
        assert self._background is not None
        if job.next_run is None:
            return  # the trigger will never fire again
        self._background.add_job(
            self._execute,
            trigger=job.trigger,
            args=(job,),
            id=job.name,
            name=job.name,
            next_run_time=job.next_run,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=self._misfire_grace_seconds,
            replace_existing=True,
        )

    def start(self) -> None:
        """Run the jobs on the real clock in APScheduler's background thread."""
        with self._lock:
            if self._background is not None:
                raise RuntimeError("the scheduler is already started")
            self._background = BackgroundScheduler(timezone=self._timezone, daemon=True)
            for job in self._jobs.values():
                self._schedule_in_background(job)
            self._background.start()
        logger.info("scheduler started with jobs: %s", ", ".join(self.job_names()) or "none")

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            background, self._background = self._background, None
            self._shut_down = True
        if background is not None:
            background.shutdown(wait=wait)

    def __enter__(self) -> Scheduler:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.shutdown()


def add_agent_jobs(
    scheduler: Scheduler,
    *,
    retention: JobFunc,
    daily_rollover: JobFunc,
    list_refresh: JobFunc | None = None,
    list_refresh_hours: float = 24.0,
) -> None:
    """The agent's standard jobs: retention hourly, roll-over at local midnight, list
    refresh every `list_refresh_hours` hours."""
    scheduler.add_interval_job(JOB_RETENTION, retention, hours=1)
    scheduler.add_daily_job(JOB_DAILY_ROLLOVER, daily_rollover, at=wall_time(0, 0))
    if list_refresh is not None:
        scheduler.add_interval_job(JOB_LIST_REFRESH, list_refresh, hours=list_refresh_hours)
