"""The Settings page's flow, with no widgets: pause protection, "update now" with its
progress and cancel, a child's data exported (JSON and CSV) and deleted, the PIN changed,
a new recovery code.

Long work runs on the runner's workers and reports through signals: the list update is
polled while it runs; an export fetches the child's data and writes the files on a
worker, with its progress and a cancel. The window never waits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from gui.backend import BackendError, LockedOutError, WrongPinError
from gui.export_files import ExportCancelledError, write_export
from gui.family_backend import ListUpdate, PauseState, SettingsBackend
from gui.parent_calls import ParentCalls
from gui.workers import ApiRunner

log = logging.getLogger(__name__)

POLL_MS = 400
PAUSE_END_MARGIN_MS = 500  # the agent's own end comes first


class _Progress(QObject):
    """Lives in the UI thread; a worker's emit is queued to it."""

    changed = Signal(int, int)


class SettingsController(ParentCalls):
    pause_changed = Signal(object)  # PauseState
    update_progress = Signal(object)  # ListUpdate
    update_finished = Signal(object)  # ListUpdate: done, cancelled or failed
    lists_changed = Signal()  # a finished update: the status (the lists' counts) is stale
    export_progress = Signal(int, int)  # rows written, rows in all
    export_finished = Signal(object)  # tuple[Path, ...]
    export_cancelled = Signal()
    data_deleted = Signal(str, int)  # child, rows removed
    pin_changed = Signal()
    pin_refused = Signal(object)  # tries left (int | None), or -1 for a lockout
    recovery_code_made = Signal(str)

    def __init__(
        self,
        runner: ApiRunner,
        token: Callable[[], str | None],
        on_failure: Callable[[BackendError], None],
        parent: QObject | None = None,
        *,
        poll_ms: int = POLL_MS,
    ) -> None:
        super().__init__(runner, token, on_failure, parent)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self._ask_update)
        self._export_stop = threading.Event()
        self._progress = _Progress(self)
        self._progress.changed.connect(self.export_progress)
        self.exporting = False
        # A pause ends by itself in the agent: ask again then, so the page says so.
        self._pause_end = QTimer(self)
        self._pause_end.setSingleShot(True)
        self._pause_end.timeout.connect(self._ask_pause)

    @property
    def supported(self) -> bool:
        return isinstance(self._runner.backend, SettingsBackend)

    def stop(self) -> None:
        self._poll.stop()
        self._pause_end.stop()
        self._export_stop.set()

    # Pause.
    def load(self) -> None:
        self._ask_pause()
        self._call("list-update", lambda b, t: b.list_update(t), self._on_update)

    def pause(self, minutes: int) -> None:
        self._call("pause", lambda b, t: b.pause_protection(t, minutes), self._on_pause)

    def resume(self) -> None:
        self._call("pause", lambda b, t: b.resume_protection(t), self._on_pause)

    def _ask_pause(self) -> None:
        self._call("pause", lambda b, t: b.pause_state(t), self._on_pause)

    def _on_pause(self, state: PauseState) -> None:
        self._pause_end.stop()
        if state.paused_until is not None:
            left = (state.paused_until - datetime.now(UTC)).total_seconds()
            self._pause_end.start(max(0, int(left * 1000)) + PAUSE_END_MARGIN_MS)
        self.pause_changed.emit(state)

    # "Update now".
    def start_list_update(self) -> None:
        self._call("list-update", lambda b, t: b.start_list_update(t), self._on_update)

    def cancel_list_update(self) -> None:
        self._call("list-update", lambda b, t: b.cancel_list_update(t), self._on_update)

    def _ask_update(self) -> None:
        self._call("list-update", lambda b, t: b.list_update(t), self._on_update)

    def _on_update(self, update: ListUpdate) -> None:
        self.update_progress.emit(update)
        if update.running:
            if not self._poll.isActive():
                self._poll.start()
            return
        if self._poll.isActive():
            self._poll.stop()
            self.update_finished.emit(update)
            self.lists_changed.emit()

    # A child's data.
    def export(self, child: str, folder: Path) -> None:
        """Fetch the child's data and write the files on a worker."""
        token = self._token()
        if token is None or self.exporting:
            return
        self.exporting = True
        self._export_stop.clear()
        stop, progress = self._export_stop, self._progress

        def run(backend: object) -> tuple[Path, ...]:
            data = _settings(backend).export_child_data(token, child)
            if stop.is_set():
                raise ExportCancelledError
            return write_export(
                data, folder, should_stop=stop.is_set, on_progress=progress.changed.emit
            )

        self._runner.submit(run, self._on_exported, self._on_export_failed, key="export")

    def cancel_export(self) -> None:
        self._export_stop.set()

    def _on_exported(self, paths: tuple[Path, ...]) -> None:
        self.exporting = False
        self.export_finished.emit(paths)

    def _on_export_failed(self, error: BackendError) -> None:
        self.exporting = False
        if error.code == "cancelled":
            self.export_cancelled.emit()
        else:
            self._report(error)

    def delete_data(self, child: str) -> None:
        self._call(
            "delete-data",
            lambda b, t: b.delete_child_data(t, child),
            lambda removed: self.data_deleted.emit(child, int(removed)),
        )

    # The PIN.
    def change_pin(self, old_pin: str, new_pin: str) -> None:
        token = self._token()
        if token is None:
            return
        self._runner.submit(
            lambda backend: _settings(backend).change_pin(token, old_pin, new_pin),
            lambda _none: self.pin_changed.emit(),
            self._on_pin_failed,
            key="change-pin",
        )

    def _on_pin_failed(self, error: BackendError) -> None:
        if isinstance(error, WrongPinError):
            self.pin_refused.emit(error.tries_left)
        elif isinstance(error, LockedOutError):
            self.pin_refused.emit(-1)
        else:
            self._report(error)

    def new_recovery_code(self) -> None:
        self._call("recovery", lambda b, t: b.new_recovery_code(t), self.recovery_code_made.emit)

    # Plumbing.
    def _call(
        self,
        key: str,
        call: Callable[[SettingsBackend, str], object],
        on_success: Callable[[object], None] | Callable[[PauseState], None] | Callable[..., None],
    ) -> None:
        token = self._token()
        if token is None or not self.supported:
            return
        self._runner.submit(
            lambda backend: call(_settings(backend), token), on_success, self._report, key=key
        )


def _settings(backend: object) -> SettingsBackend:
    if not isinstance(backend, SettingsBackend):
        raise BackendError("this agent has no settings endpoints", code="not_found")
    return backend
