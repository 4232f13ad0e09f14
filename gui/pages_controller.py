"""The family pages' flow, with no widgets: today's overview, a child's history, the
events, and a child's weekly schedule read and saved.

Each asks the backend only through the dashboard's :class:`~gui.workers.ApiRunner` and
answers with signals; an agent without these endpoints (``404``) makes ``unavailable``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from gui.backend import BackendError
from gui.pages_backend import (
    ActivityHistory,
    FamilyEvent,
    FamilyOverview,
    PagesBackend,
    Schedule,
    SchedulesBackend,
    VersionedSchedules,
)
from gui.parent_calls import ChildEditCalls, ParentCalls
from gui.workers import ApiRunner

log = logging.getLogger(__name__)

EVENTS_SHOWN = 100
HISTORY_CHOICES = (7, 30)


def _pages(backend: object) -> PagesBackend:
    if not isinstance(backend, PagesBackend):
        raise BackendError("this agent has no family pages", code="not_found")
    return backend


def _schedules(backend: object) -> SchedulesBackend:
    if not isinstance(backend, SchedulesBackend):
        raise BackendError("this agent does not edit schedules", code="not_found")
    return backend


class OverviewController(ParentCalls):
    """Today for each child and the protection's state; the events."""

    overview_changed = Signal(object)  # FamilyOverview
    events_changed = Signal(object)  # list[FamilyEvent]

    def refresh(self) -> None:
        token = self._token()
        if token is None:
            return
        self._runner.submit(
            lambda backend: _pages(backend).overview(token),
            self._on_overview,
            self._on_load_failed,
            key="overview",
        )
        self._runner.submit(
            lambda backend: _pages(backend).events(token, EVENTS_SHOWN),
            self._on_events,
            self._on_load_failed,
            key="events",
        )

    def _on_overview(self, overview: FamilyOverview) -> None:
        if self._token() is not None:
            self.overview_changed.emit(overview)

    def _on_events(self, events: list[FamilyEvent]) -> None:
        if self._token() is not None:
            self.events_changed.emit(list(events))


class ActivityController(ParentCalls):
    """A child's last 7 or 30 days."""

    history_changed = Signal(object)  # ActivityHistory

    def __init__(
        self,
        runner: ApiRunner,
        token: Callable[[], str | None],
        on_failure: Callable[[BackendError], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, token, on_failure, parent)
        self.child: str | None = None
        self.days = HISTORY_CHOICES[0]

    def show(self, child: str | None, days: int | None = None) -> None:
        self.child = child
        if days is not None:
            self.days = days
        self.refresh()

    def refresh(self) -> None:
        token, child, days = self._token(), self.child, self.days
        if token is None or not child:
            return
        self._runner.submit(
            lambda backend: _pages(backend).activity(token, child, days),
            self._on_history,
            self._on_load_failed,
            key="activity",
        )

    def clear(self) -> None:
        self.child = None

    def _on_history(self, history: ActivityHistory) -> None:
        if self._token() is not None and history.child == self.child:
            self.history_changed.emit(history)


class ScheduleController(ChildEditCalls):
    """A child's schedules, saved with the version they were read from (the Web tab's
    stale-edit rule: a conflict keeps the parent's edit on screen)."""

    schedules_loaded = Signal(object)  # VersionedSchedules
    schedules_saved = Signal(object)  # VersionedSchedules

    @property
    def supported(self) -> bool:
        return isinstance(self._runner.backend, SchedulesBackend)

    def load(self, child: str) -> None:
        token = self._token()
        self._child = child
        if token is None or not self.supported:
            return
        self._runner.submit(
            lambda backend: _schedules(backend).schedules(token, child),
            self._on_loaded,
            self._on_load_failed,
            key="schedules",
        )

    def save(self, schedules: tuple[Schedule, ...]) -> None:
        child = self._child
        if child is None:
            return
        self._save(
            self._etag,
            lambda backend, token, etag: _schedules(backend).save_schedules(
                token, etag, child, schedules
            ),
            self._on_saved,
            "schedules",
        )

    def _on_loaded(self, version: VersionedSchedules) -> None:
        if self._took_read(version.child, version.etag):
            self.schedules_loaded.emit(version)

    def _on_saved(self, version: VersionedSchedules) -> None:
        if self._took_saved(version.etag):
            self.schedules_saved.emit(version)

    def _after_conflict(self) -> None:
        self._read_version_again(
            lambda backend, token, child: _schedules(backend).schedules(token, child),
            lambda version: version.child,
            self._on_load_failed,
            "schedules-version",
        )
