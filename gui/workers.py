"""Backend calls off the UI thread; answers come back only through Qt signals.

A call is a plain function of the backend. A :class:`BackendRunner` runs it on its own
:class:`QThreadPool`; the worker emits one signal with the outcome, which Qt queues to the
runner in the UI thread, and only there are the caller's callbacks invoked. Nothing a
worker does touches a widget or a model.

Calls may carry a ``key``: a newer call with the same key makes an older one's answer stale,
and stale answers are dropped (a query log asked for child A must not overwrite the one
asked for child B a moment later).

The dashboard uses :class:`ApiRunner`; the child's tray uses the same machinery over its
own backend (:mod:`gui.tray.workers`).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from gui.backend import BackendError, DashboardBackend

log = logging.getLogger(__name__)

BackendT = TypeVar("BackendT")
ErrorT = TypeVar("ErrorT", bound=Exception)

SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[ErrorT], None]


@dataclass(frozen=True)
class CallOutcome(Generic[ErrorT]):
    """What a worker reports: the call's id, and either a result or an error."""

    call_id: int
    result: Any = None
    error: ErrorT | None = None


class _WorkerSignals(QObject):
    # One signal for both outcomes keeps delivery ordered per call.
    done = Signal(object)  # CallOutcome


class _BackendCall(QRunnable, Generic[BackendT, ErrorT]):
    def __init__(
        self,
        call_id: int,
        runner: BackendRunner[BackendT, ErrorT],
        function: Callable[[BackendT], Any],
    ) -> None:
        super().__init__()
        # Everything the worker needs is taken here, in the UI thread.
        self._call_id = call_id
        self._function = function
        self._backend = runner.backend
        self._signals = runner._signals
        self._error_type = runner._error_type
        self._internal_error = runner._internal_error
        self._label = runner._label

    def run(self) -> None:
        try:
            result = self._function(self._backend)
        except self._error_type as error:
            self._signals.done.emit(CallOutcome(self._call_id, error=error))
        except Exception as error:  # a bug or an unexpected answer: report it, keep running
            log.exception("%s call failed", self._label)
            wrapped = self._internal_error(f"{type(error).__name__}: {error}")
            self._signals.done.emit(CallOutcome(self._call_id, error=wrapped))
        else:
            self._signals.done.emit(CallOutcome(self._call_id, result=result))


@dataclass
class _Pending(Generic[ErrorT]):
    key: str | None
    on_success: SuccessCallback | None
    on_failure: FailureCallback[ErrorT] | None


class BackendRunner(QObject, Generic[BackendT, ErrorT]):
    """Runs calls of one backend on a small private thread pool (two threads by default).

    ``error_type`` is the backend's own error, handed to ``on_failure`` as it is; any other
    exception becomes ``internal_error(message)``. ``label`` names the runner in the log,
    and a failure nobody asked to hear about is logged at ``unhandled_failure_level``.
    """

    busy_changed = Signal(bool)  # True when the first call starts, False when none is left
    idle = Signal()  # no call is pending any more, after the last callbacks ran

    def __init__(
        self,
        backend: BackendT,
        error_type: type[ErrorT],
        internal_error: Callable[[str], ErrorT],
        max_threads: int = 2,
        parent: QObject | None = None,
        *,
        label: str = "backend",
        unhandled_failure_level: int = logging.WARNING,
    ) -> None:
        super().__init__(parent)
        self._backend = backend
        self._error_type = error_type
        self._internal_error = internal_error
        self._label = label
        self._unhandled_failure_level = unhandled_failure_level
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        # Lives in the UI thread, so its queued signal runs _deliver there.
        self._signals = _WorkerSignals(self)
        self._signals.done.connect(self._deliver)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending[ErrorT]] = {}
        self._latest_by_key: dict[str, int] = {}
        self._closed = False

    @property
    def backend(self) -> BackendT:
        return self._backend

    def submit(
        self,
        function: Callable[[BackendT], Any],
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback[ErrorT] | None = None,
        key: str | None = None,
    ) -> int:
        """Run ``function(backend)`` on a worker; the callbacks run later in the UI thread."""
        if self._closed:
            return 0
        call_id = next(self._ids)
        self._pending[call_id] = _Pending(key, on_success, on_failure)
        if key is not None:
            self._latest_by_key[key] = call_id
        was_idle = len(self._pending) == 1
        self._pool.start(_BackendCall(call_id, self, function))
        if was_idle:
            self.busy_changed.emit(True)
        return call_id

    def pending_count(self) -> int:
        return len(self._pending)

    def shutdown(self, wait_ms: int = 3000) -> bool:
        """Stop taking calls, drop queued ones, and wait for running ones to end."""
        self._closed = True
        self._pool.clear()
        finished: bool = self._pool.waitForDone(wait_ms)
        self._pending.clear()
        return finished

    @Slot(object)
    def _deliver(self, outcome: CallOutcome[ErrorT]) -> None:
        pending = self._pending.pop(outcome.call_id, None)
        if not self._pending:
            self.busy_changed.emit(False)
        if pending is not None:  # else shut down meanwhile
            self._answer(pending, outcome)
        if not self._pending:
            self.idle.emit()

    def _answer(self, pending: _Pending[ErrorT], outcome: CallOutcome[ErrorT]) -> None:
        if pending.key is not None:
            if self._latest_by_key.get(pending.key) != outcome.call_id:
                log.debug("dropping a stale answer for %s", pending.key)
                return
            del self._latest_by_key[pending.key]
        if outcome.error is not None:
            if pending.on_failure is not None:
                pending.on_failure(outcome.error)
            else:
                log.log(
                    self._unhandled_failure_level, "%s call failed: %s", self._label, outcome.error
                )
        elif pending.on_success is not None:
            pending.on_success(outcome.result)


def _internal_backend_error(message: str) -> BackendError:
    return BackendError(message, code="internal")


class ApiRunner(BackendRunner[DashboardBackend, BackendError]):
    """The dashboard's runner: calls of a :class:`DashboardBackend`."""

    def __init__(
        self,
        backend: DashboardBackend,
        max_threads: int = 2,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(backend, BackendError, _internal_backend_error, max_threads, parent)
