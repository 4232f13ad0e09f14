"""The Web tab's state and flow, with no widgets: a child's rules read, edited, saved.

Every save carries the version of the rules the parent started from; when the file
changed in the meantime (a hand edit, another dashboard) the agent refuses it, and the
parent's edit stays on the screen with the news, never silently lost nor silently
written over the other change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from gui.backend import (
    BackendError,
    Catalogue,
    ExtraTimeBackend,
    RulesBackend,
    ScreenTimeLimits,
    SeenApp,
    SeenAppsBackend,
    TimeLeft,
    VersionedLimits,
    VersionedRules,
    WebRules,
)
from gui.parent_calls import ChildEditCalls
from gui.workers import ApiRunner

log = logging.getLogger(__name__)


class WebRulesController(ChildEditCalls):
    catalogue_changed = Signal(object)  # Catalogue
    rules_loaded = Signal(object)  # WebRules, fresh from the agent: the form shows them
    rules_saved = Signal(object)  # WebRules as the agent wrote them
    site_checked = Signal(object)  # SiteVerdict

    def __init__(
        self,
        runner: ApiRunner,
        token: Callable[[], str | None],
        on_failure: Callable[[BackendError], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, token, on_failure, parent)
        self.catalogue = Catalogue()

    @property
    def supported(self) -> bool:
        return isinstance(self._runner.backend, RulesBackend)

    @property
    def child(self) -> str | None:
        return self._child

    def load_catalogue(self) -> None:
        token = self._token()
        if token is None or not self.supported:
            return
        self._runner.submit(
            lambda backend: _rules(backend).catalogue(token),
            self._on_catalogue,
            self._on_load_failed,
            key="catalogue",
        )

    def load(self, child: str) -> None:
        """Read `child`'s rules; they come as ``rules_loaded``."""
        token = self._token()
        self._child = child
        if token is None or not self.supported:
            return
        self._runner.submit(
            lambda backend: _rules(backend).web_rules(token, child),
            self._on_loaded,
            self._on_load_failed,
            key="web-rules",
        )

    def save(self, rules: WebRules) -> None:
        """Save `rules` over the version read; ``rules_saved``, ``save_conflict`` or
        ``save_refused`` follows."""
        self._save(
            self._etag,
            lambda backend, token, etag: _rules(backend).save_web_rules(token, etag, rules),
            self._on_saved,
            "web-rules",
        )

    def check_site(self, name: str) -> None:
        token = self._token()
        if token is None or not name.strip():
            return
        child = self._child
        self._runner.submit(
            lambda backend: _rules(backend).check_site(token, name.strip(), child),
            self.site_checked.emit,
            self._on_check_failed,
            key="check-site",
        )

    # Answers.
    def _on_catalogue(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.catalogue_changed.emit(catalogue)

    def _on_loaded(self, version: VersionedRules) -> None:
        if self._took_read(version.rules.child, version.etag):
            self.rules_loaded.emit(version.rules)

    def _on_saved(self, version: VersionedRules) -> None:
        if self._took_saved(version.etag):
            self.rules_saved.emit(version.rules)

    def _after_conflict(self) -> None:
        self._read_version_again(
            lambda backend, token, child: _rules(backend).web_rules(token, child),
            lambda version: version.rules.child,
            self._report,
            "web-rules-version",
        )

    def _on_check_failed(self, error: BackendError) -> None:
        self._report(error)


class ScreenTimeController(ChildEditCalls):
    """The Screen time tab's flow: a child's limits read and saved, with the same
    stale-edit rule as the Web tab."""

    limits_loaded = Signal(object)  # ScreenTimeLimits
    limits_saved = Signal(object)  # ScreenTimeLimits
    time_left_changed = Signal(object)  # TimeLeft
    apps_loaded = Signal(object)  # tuple[SeenApp, ...]: the apps seen on this PC

    @property
    def version(self) -> str | None:
        """The version of the limits the next save goes over (the agent's ETag)."""
        return self._etag

    def load(self, child: str) -> None:
        token = self._token()
        self._child = child
        if token is None or not isinstance(self._runner.backend, RulesBackend):
            return
        self._runner.submit(
            lambda backend: _rules(backend).screen_time(token, child),
            self._on_loaded,
            self._report,
            key="screen-time",
        )

    def load_time_left(self, child: str) -> None:
        token = self._token()
        if token is None or not isinstance(self._runner.backend, ExtraTimeBackend):
            return
        self._runner.submit(
            lambda backend: _extra_time(backend).time_left(token, child),
            self._on_time_left,
            self._report,
            key="screen-time-left",
        )

    def give_extra_minutes(self, minutes: int) -> None:
        """The same extra minutes as ``POST /api/usage/extra`` (and an approved request for
        more time) give: for today, counted at once."""
        token, child = self._token(), self._child
        if token is None or child is None or minutes <= 0:
            return
        self._runner.submit(
            lambda backend: _extra_time(backend).give_extra_minutes(token, child, minutes),
            self._on_time_left,
            self._report,
            key="screen-time-extra",
        )

    def _on_time_left(self, left: TimeLeft) -> None:
        if self._token() is None or left.child != self._child:
            return
        self.time_left_changed.emit(left)

    def save(self, limits: ScreenTimeLimits) -> None:
        self._save(
            self._etag,
            lambda backend, token, etag: _rules(backend).save_screen_time(token, etag, limits),
            self._on_saved,
            "screen-time",
        )

    def _on_loaded(self, version: VersionedLimits) -> None:
        if self._took_read(version.limits.child, version.etag):
            self.limits_loaded.emit(version.limits)
            self.load_time_left(version.limits.child)
        self.load_apps()

    def load_apps(self) -> None:
        """The apps seen on this PC, for the always-allowed list (``apps_loaded``)."""
        token = self._token()
        if token is None or not isinstance(self._runner.backend, SeenAppsBackend):
            return
        self._runner.submit(
            lambda backend: _seen_apps(backend).seen_apps(token),
            self._on_apps,
            self._report,
            key="seen-apps",
        )

    def _on_apps(self, apps: tuple[SeenApp, ...]) -> None:
        if self._token() is not None:
            self.apps_loaded.emit(apps)

    def _on_saved(self, version: VersionedLimits) -> None:
        if self._took_saved(version.etag):
            self.limits_saved.emit(version.limits)

    def _after_conflict(self) -> None:
        self._read_version_again(
            lambda backend, token, child: _rules(backend).screen_time(token, child),
            lambda version: version.limits.child,
            self._report,
            "screen-time-version",
        )


def _rules(backend: object) -> RulesBackend:
    if not isinstance(backend, RulesBackend):
        raise BackendError("this agent does not edit rules", code="not_found")
    return backend


def _seen_apps(backend: object) -> SeenAppsBackend:
    if not isinstance(backend, SeenAppsBackend):
        raise BackendError("this agent does not list the apps it saw", code="not_found")
    return backend


def _extra_time(backend: object) -> ExtraTimeBackend:
    if not isinstance(backend, ExtraTimeBackend):
        raise BackendError("this agent does not give extra minutes", code="not_found")
    return backend
