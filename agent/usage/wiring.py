"""Screen time's periodic jobs, for the agent's scheduler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from agent.policy.services import load_catalogue
from agent.usage.apps import AppClassifier
from agent.usage.sampler import DEFAULT_INTERVAL_SECONDS, ProcessSampler
from agent.usage.service import UsageService
from agent.usage.tamper import ACCOUNTS_JOB_SECONDS, AccountWatch

SAVE_JOB_SECONDS = 10.0  # the counters are saved once 30 s old
CLOCK_JOB_SECONDS = 30.0
SESSION_JOB_SECONDS = 10.0


class IntervalJobs(Protocol):
    """``agent.scheduler.Scheduler``."""

    def add_interval_job(
        self, name: str, func: Callable[[], object], *, seconds: float = ...
    ) -> object: ...


def add_usage_jobs(
    scheduler: IntervalJobs,
    usage: UsageService,
    active_child: Callable[[], str | None],
    sampler: ProcessSampler | None = None,
    accounts: AccountWatch | None = None,
) -> ProcessSampler:
    """``usage-save`` (counters saved at least every 30 s), ``usage-clock`` (a change of the
    PC's clock), ``usage-session`` (a child's session without its tray),
    ``usage-processes`` (the children's running apps) and ``tamper-accounts`` (a new OS
    account)."""
    processes = sampler or ProcessSampler(
        AppClassifier(load_catalogue()), usage.children_by_account
    )
    scheduler.add_interval_job("usage-save", usage.save_if_due, seconds=SAVE_JOB_SECONDS)
    scheduler.add_interval_job("usage-clock", usage.check_clock, seconds=CLOCK_JOB_SECONDS)
    scheduler.add_interval_job(
        "usage-session", lambda: usage.watch_session(active_child()), seconds=SESSION_JOB_SECONDS
    )
    scheduler.add_interval_job(
        "usage-processes",
        lambda: usage.note_running(processes.sample(), active_child()),
        seconds=DEFAULT_INTERVAL_SECONDS,
    )
    if accounts is not None:
        scheduler.add_interval_job("tamper-accounts", accounts, seconds=ACCOUNTS_JOB_SECONDS)
    return processes
