"""What every page's controller shares: calls to the agent as the signed-in parent, run on
the runner's worker, and a failure turned into the page's signals (never raised into Qt).

`PolicyEditCalls` adds the stale-edit rule the editing pages follow: a save refused
because family.toml changed since it was read (412) says so and reads the new version,
keeping the parent's edit on screen so that saving again applies it knowingly; a save the
loader refused (422) hands over every problem. Every save carries the version it was read
from (`_save`). `ChildEditCalls` is that rule for a page that edits one child's part (the
Web and Screen time tabs, the weekly schedule): the child shown and its version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtCore import QObject, Signal

from gui.backend import BackendError, DashboardBackend, PolicyConflictError, PolicyRefusedError
from gui.workers import ApiRunner

AnswerT = TypeVar("AnswerT")


class Versioned(Protocol):
    @property
    def etag(self) -> str: ...


VersionT = TypeVar("VersionT", bound=Versioned)


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


class ChildEditCalls(PolicyEditCalls):
    """A page that edits one child's part of the policy: the child shown, and the version
    of that part the next save goes over (the agent's ETag)."""

    def __init__(
        self,
        runner: ApiRunner,
        token: Callable[[], str | None],
        on_failure: Callable[[BackendError], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, token, on_failure, parent)
        self._child: str | None = None
        self._etag: str | None = None

    @property
    def has_version(self) -> bool:
        return self._etag is not None

    def clear(self) -> None:
        """Forget the child and the version (on lock or expiry)."""
        self._child = None
        self._etag = None

    def _took_read(self, child: str, etag: str) -> bool:
        """Keep a read's version; False (drop the answer) when signed out meanwhile or
        another child is shown now."""
        if self._token() is None or child != self._child:
            return False
        self._etag = etag
        return True

    def _took_saved(self, etag: str) -> bool:
        """Keep a save's version; False (drop the answer) when signed out meanwhile."""
        if self._token() is None:
            return False
        self._etag = etag
        return True

    def _read_version_again(
        self,
        read: Callable[[DashboardBackend, str, str], VersionT],
        child_of: Callable[[VersionT], str],
        on_failure: Callable[[BackendError], None],
        key: str,
    ) -> None:
        """After a conflict: only the version now on file is taken (the parent's edit stays
        on screen), so that saving again goes over it knowingly."""
        token, child = self._token(), self._child
        if token is None or child is None:
            return

        def adopt(version: VersionT) -> None:
            if child_of(version) == self._child:
                self._etag = version.etag

        self._runner.submit(lambda backend: read(backend, token, child), adopt, on_failure, key=key)
