"""The parents' temporary approvals end on time, in one place.

Each compile of the DNS policy puts the grants in force in the children's ``granted``
names and asks :class:`GrantExpiry` to compile again at the earliest end among them: a
one-off scheduler job, replaced by every compile, so a grant ends when its time is up (to
the scheduler's precision, well under a second) and nothing polls in between.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

log = logging.getLogger(__name__)

JOB_GRANT_EXPIRY = "grant-expiry"


class OnceScheduler(Protocol):
    """The part of :class:`agent.scheduler.Scheduler` this needs."""

    def add_once_job(self, name: str, func: Callable[[], object], *, at: datetime) -> object: ...

    def discard_job(self, name: str) -> None: ...


class GrantExpiry:
    """Runs `action` (the recompile) once at the next grant's end.

    The job's own compile arms the next one. That is safe with APScheduler: it retires a
    one-off job that has fired under its job-store lock, before the job it started can
    add one of the same name.
    """

    def __init__(self, scheduler: OnceScheduler) -> None:
        self._scheduler = scheduler

    def arm(self, ends_at: datetime | None, action: Callable[[], None]) -> None:
        """Compile again at `ends_at`; None (no grant with an end in force): nothing to do."""
        if ends_at is None:
            self._scheduler.discard_job(JOB_GRANT_EXPIRY)
            return
        log.debug("the next grant ends at %s", ends_at.isoformat())
        self._scheduler.add_once_job(JOB_GRANT_EXPIRY, action, at=ends_at)
