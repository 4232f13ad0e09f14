"""Backend calls off the UI thread; answers come back only through Qt signals.

A call is a plain function of the backend. :class:`ApiRunner` runs it on its own
:class:`QThreadPool`; the worker emits one signal with the outcome, which Qt queues to the
runner in the UI thread, and only there are the caller's callbacks invoked. Nothing a
worker does touches a widget or a model.

Calls may carry a ``key``: a newer call with the same key makes an older one's answer stale,
and stale answers are dropped (a query log asked for child A must not overwrite the one
asked for child B a moment later).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from gui.backend import BackendError, DashboardBackend

log = logging.getLogger(__name__)

SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[BackendError], None]


@dataclass(frozen=True)
class CallOutcome:
    """What a worker reports: the call's id, and either a result or an error."""

    call_id: int
    result: Any = None
    error: BackendError | None = None


class _WorkerSignals(QObject):
    # One signal for both outcomes keeps delivery ordered per call.
    done = Signal(object)  # CallOutcome


class _ApiCall(QRunnable):
    def __init__(
        self,
        call_id: int,
        backend: DashboardBackend,
        function: Callable[[DashboardBackend], Any],
        signals: _WorkerSignals,
    ) -> None:
        super().__init__()
        self._call_id = call_id
        self._backend = backend
        self._function = function
        self._signals = signals

    def run(self) -> None:
        try:
            result = self._function(self._backend)
        except BackendError as error:
            self._signals.done.emit(CallOutcome(self._call_id, error=error))
        except Exception as error:  # a bug or an unexpected answer: report it, keep running
            log.exception("backend call failed")
            wrapped = BackendError(f"{type(error).__name__}: {error}", code="internal")
            self._signals.done.emit(CallOutcome(self._call_id, error=wrapped))
        else:
            self._signals.done.emit(CallOutcome(self._call_id, result=result))


@dataclass
class _Pending:
    key: str | None
    on_success: SuccessCallback | None
    on_failure: FailureCallback | None


class ApiRunner(QObject):
    """Runs backend calls on a small private thread pool (two threads by default)."""

    busy_changed = Signal(bool)

    def __init__(
        self,
        backend: DashboardBackend,
        max_threads: int = 2,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend = backend
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        # Lives in the UI thread, so its queued signal runs _deliver there.
        self._signals = _WorkerSignals(self)
        self._signals.done.connect(self._deliver)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._latest_by_key: dict[str, int] = {}
        self._closed = False

    @property
    def backend(self) -> DashboardBackend:
        return self._backend

    def submit(
        self,
        function: Callable[[DashboardBackend], Any],
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
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
        self._pool.start(_ApiCall(call_id, self._backend, function, self._signals))
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
    def _deliver(self, outcome: CallOutcome) -> None:
        pending = self._pending.pop(outcome.call_id, None)
        if not self._pending:
            self.busy_changed.emit(False)
        if pending is None:  # shut down meanwhile
            return
        if pending.key is not None:
            if self._latest_by_key.get(pending.key) != outcome.call_id:
                log.debug("dropping a stale answer for %s", pending.key)
                return
            del self._latest_by_key[pending.key]
        if outcome.error is not None:
            if pending.on_failure is not None:
                pending.on_failure(outcome.error)
            else:
                log.warning("backend call failed: %s", outcome.error)
        elif pending.on_success is not None:
            pending.on_success(outcome.result)
