"""The scheduler: real APScheduler triggers, driven by a manual clock, without sleeping."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agent.scheduler import (
    JOB_DAILY_ROLLOVER,
    JOB_LIST_REFRESH,
    JOB_RETENTION,
    Scheduler,
    add_agent_jobs,
)
from agent.store import QueryLogEntry, RetentionPolicy, Store
from dns_filter.clock import ManualClock

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


class Recorder:
    def __init__(self, clock: ManualClock, name: str) -> None:
        self.clock = clock
        self.name = name
        self.times: list[datetime] = []

    def __call__(self) -> None:
        self.times.append(self.clock.now())


def walk(scheduler: Scheduler, clock: ManualClock, until: datetime, step: timedelta) -> None:
    while clock.now() < until:
        clock.advance(step)
        scheduler.run_pending()


def test_rollover_fires_at_local_midnight_in_ho_chi_minh_city() -> None:
    # 22:00 in Ho Chi Minh City on 10 March = 15:00 UTC.
    clock = ManualClock(datetime(2025, 3, 10, 15, 0, tzinfo=UTC))
    scheduler = Scheduler(clock=clock)
    rollover = Recorder(clock, "rollover")
    retention = Recorder(clock, "retention")
    refresh = Recorder(clock, "refresh")
    add_agent_jobs(
        scheduler,
        retention=retention,
        daily_rollover=rollover,
        list_refresh=refresh,
        list_refresh_hours=6,
    )
    assert scheduler.job_names() == sorted([JOB_RETENTION, JOB_DAILY_ROLLOVER, JOB_LIST_REFRESH])
    midnight = datetime(2025, 3, 11, 0, 0, tzinfo=HCM)
    assert scheduler.status(JOB_DAILY_ROLLOVER).next_run == midnight

    # One second before local midnight (16:59:59 UTC): no roll-over yet.
    clock.set(midnight - timedelta(seconds=1))
    assert JOB_DAILY_ROLLOVER not in scheduler.run_pending()
    assert rollover.times == []
    clock.set(midnight.astimezone(UTC))
    assert JOB_DAILY_ROLLOVER in scheduler.run_pending()
    assert rollover.times == [midnight]

    # Three days in ten-minute steps: one roll-over per local midnight, never at UTC midnight.
    walk(scheduler, clock, midnight + timedelta(days=3), timedelta(minutes=10))
    assert [t.astimezone(HCM) for t in rollover.times] == [
        midnight + timedelta(days=d) for d in range(4)
    ]
    assert all(t.astimezone(HCM).hour == 0 for t in rollover.times)
    # Retention: the 23:00 run was due when the clock jumped to 23:59:59, then every hour
    # on the hour from midnight on the 11th to midnight on the 14th.
    assert retention.times[0] == midnight - timedelta(seconds=1)
    assert retention.times[1:] == [midnight + timedelta(hours=h) for h in range(73)]
    # List refresh every 6 hours from 04:00 on the 11th.
    assert len(refresh.times) == 12
    assert refresh.times[0] == datetime(2025, 3, 11, 4, 0, tzinfo=HCM)


def test_missed_runs_are_coalesced_into_one() -> None:
    clock = ManualClock(datetime(2025, 3, 10, 12, 0, tzinfo=HCM))
    scheduler = Scheduler(clock=clock)
    retention = Recorder(clock, "retention")
    scheduler.add_interval_job(JOB_RETENTION, retention, hours=1)
    clock.advance(timedelta(hours=5, minutes=30))  # the PC slept
    assert scheduler.run_pending() == [JOB_RETENTION]
    assert len(retention.times) == 1
    assert scheduler.status(JOB_RETENTION).next_run == datetime(2025, 3, 10, 18, 0, tzinfo=HCM)
    assert scheduler.run_pending() == []


def test_a_failing_job_is_logged_and_never_stops_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock(datetime(2025, 3, 10, 12, 0, tzinfo=HCM))
    scheduler = Scheduler(clock=clock)
    good = Recorder(clock, "good")

    def broken() -> None:
        raise RuntimeError("list server unreachable")

    scheduler.add_interval_job("broken", broken, minutes=30)
    scheduler.add_interval_job("good", good, hours=1)
    with caplog.at_level(logging.ERROR, logger="agent.scheduler"):
        walk(scheduler, clock, clock.now() + timedelta(hours=3), timedelta(minutes=30))
    assert len(good.times) == 3
    status = scheduler.status("broken")
    assert (status.runs, status.failures) == (6, 6)
    assert status.last_error == "RuntimeError: list server unreachable"
    assert "scheduled job 'broken' failed" in caplog.text
    assert scheduler.status("good").failures == 0


def test_daily_jobs_follow_daylight_saving_in_other_zones() -> None:
    # Europe/Berlin springs forward on 30 March 2025: midnight is 23:00 UTC before, 22:00 after.
    berlin = ZoneInfo("Europe/Berlin")
    clock = ManualClock(datetime(2025, 3, 29, 12, 0, tzinfo=UTC))
    scheduler = Scheduler(clock=clock, timezone="Europe/Berlin")
    rollover = Recorder(clock, "rollover")
    scheduler.add_daily_job(JOB_DAILY_ROLLOVER, rollover)
    walk(scheduler, clock, datetime(2025, 4, 1, 0, 0, tzinfo=UTC), timedelta(minutes=15))
    assert [t.astimezone(UTC).hour for t in rollover.times] == [23, 22, 22]
    assert all(t.astimezone(berlin).time() == wall_time(0, 0) for t in rollover.times)


def test_registration_rules() -> None:
    clock = ManualClock(datetime(2025, 3, 10, 12, 0, tzinfo=HCM))
    scheduler = Scheduler(clock=clock)
    scheduler.add_interval_job("job", lambda: None, hours=1)
    with pytest.raises(ValueError, match="already registered"):
        scheduler.add_interval_job("job", lambda: None, hours=1)
    replaced = scheduler.add_interval_job("job", lambda: None, hours=2, replace=True)
    assert replaced.next_run == datetime(2025, 3, 10, 14, 0, tzinfo=HCM)
    with pytest.raises(ValueError, match="positive"):
        scheduler.add_interval_job("zero", lambda: None)
    with pytest.raises(ValueError, match="naive"):
        scheduler.run_pending(datetime(2025, 3, 10, 12, 0))
    with pytest.raises(ValueError, match="naive"):
        ManualClock(datetime(2025, 3, 10))
    scheduler.remove_job("job")
    assert scheduler.job_names() == []
    with pytest.raises(KeyError):
        scheduler.remove_job("job")
    ran: list[int] = []
    scheduler.add_daily_job("once", lambda: ran.append(1), at=wall_time(7, 30))
    assert scheduler.run_job_now("once") and ran == [1]


def test_retention_job_prunes_the_store_on_the_clock(tmp_path: Path) -> None:
    start = datetime(2025, 3, 10, 12, 0, tzinfo=HCM)
    clock = ManualClock(start)  # the store takes the program's clock
    with Store(
        tmp_path / "s.sqlite3", clock=clock, retention=RetentionPolicy(query_log_days=1)
    ) as store:
        store.query_log.add(
            [QueryLogEntry(start, "127.0.0.1", f"n{i}.vn", "A", "resolved") for i in range(10)]
        )
        scheduler = Scheduler(clock=clock)
        add_agent_jobs(scheduler, retention=store.prune, daily_rollover=lambda: None)
        walk(scheduler, clock, start + timedelta(hours=23), timedelta(minutes=20))
        assert store.query_log.count() == 10  # not a day old yet
        walk(scheduler, clock, start + timedelta(hours=25), timedelta(minutes=20))
        assert store.query_log.count() == 0


def test_production_mode_runs_jobs_in_the_background_and_survives_errors() -> None:
    scheduler = Scheduler()
    good_runs = threading.Semaphore(0)
    broken_runs = threading.Semaphore(0)

    def good() -> None:
        good_runs.release()

    def broken() -> None:
        broken_runs.release()
        raise RuntimeError("boom")

    now = datetime.now(UTC)
    scheduler.add_interval_job("good", good, seconds=0.1, first_run=now)
    scheduler.add_interval_job("broken", broken, seconds=0.1, first_run=now)
    scheduler.start()
    try:
        assert scheduler.running
        with pytest.raises(RuntimeError, match="not started"):
            scheduler.run_pending()
        for _ in range(3):
            assert good_runs.acquire(timeout=5)
            assert broken_runs.acquire(timeout=5)
        assert scheduler.status("broken").failures >= 2
        late = threading.Event()
        scheduler.add_interval_job("late", late.set, seconds=0.1, first_run=datetime.now(UTC))
        assert late.wait(5)
    finally:
        scheduler.shutdown()
    assert not scheduler.running


def test_a_stop_waits_for_the_job_still_running_and_starts_no_other() -> None:
    scheduler = Scheduler()
    inside, release, finished = threading.Event(), threading.Event(), threading.Event()
    runs: list[str] = []

    def slow() -> None:
        runs.append("slow")
        inside.set()
        release.wait(30)
        finished.set()

    scheduler.add_interval_job("slow", slow, seconds=0.05, first_run=datetime.now(UTC))
    scheduler.start()
    assert inside.wait(10)
    scheduler.shutdown(wait=False)
    assert not scheduler.wait_until_idle(0.2)  # the job is still writing
    release.set()
    assert scheduler.wait_until_idle(10)
    assert finished.is_set()
    # a run handed over before the shutdown but not begun does nothing now
    assert not scheduler.run_job_now("slow")
    assert runs == ["slow"]
