"""What every page's controller shares: calls to the agent as the signed-in parent, run on
the runner's worker, and a failure turned into the page's signals (never raised into Qt).

`PolicyEditCalls` adds the stale-edit rule the editing pages follow: a save refused
because family.toml changed since it was read (412) says so and reads the new version,
keeping the parent's edit on screen so that saving again applies it knowingly; a save the
loader refused (422) hands over every problem. Every save carries the version it was read
from (`_save`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from gui.backend import BackendError, DashboardBackend, PolicyConflictError, PolicyRefusedError
from gui.workers import ApiRunner

AnswerT = TypeVar("AnswerT")


class ParentCalls(QObject):
    failed = Signal(str)  # anything else, in words for the status line
    unavailable = Signal()  # an agent without this page's endpoints

    def __init__(
        self,
        runner: ApiRunner,
        token: Callable[[], str | None],
        on_failure: Callable[[BackendError], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._token = token
        self._on_failure = on_failure

    def _report(self, error: BackendError) -> None:
        self.failed.emit(self._words_for(error))
        self._on_failure(error)

    def _words_for(self, error: BackendError) -> str:
        return str(error)

    def _on_load_failed(self, error: BackendError) -> None:
        if error.code == "not_found":
            self.unavailable.emit()
        else:
            self._report(error)


class PolicyEditCalls(ParentCalls):
    save_conflict = Signal()  # changed elsewhere since read: nothing saved, read again
    save_refused = Signal(object)  # tuple[PolicyProblem, ...]

    def _save(
        self,
        etag: str | None,
        call: Callable[[DashboardBackend, str, str], AnswerT],
        saved: Callable[[AnswerT], None],
        key: str,
    ) -> None:
        """Run ``call(backend, token, etag)`` over the version read (``etag``; None: nothing
        read yet, so nothing to save over); its answer goes to ``saved``, a refusal to
        the stale-edit rule. Signed out, nothing is sent."""
        token = self._token()
        if token is None or etag is None:
            return
        self._runner.submit(
            lambda backend: call(backend, token, etag), saved, self._on_save_failed, key=key
        )

    def _on_save_failed(self, error: BackendError) -> None:
        if isinstance(error, PolicyConflictError):
            self.save_conflict.emit()
            self._after_conflict()
        elif isinstance(error, PolicyRefusedError):
            self.save_refused.emit(tuple(error.problems))
        else:
            self._report(error)

    def _after_conflict(self) -> None:
        """Read the version that is now on file (each page knows its own)."""
        raise NotImplementedError
