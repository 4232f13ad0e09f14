"""Tray backend calls off the UI thread; answers come back only through a Qt signal.

A call is a plain function of the backend. A worker runs it on the runner's own
:class:`QThreadPool` and emits one signal with the outcome; Qt queues it to the runner,
which lives in the UI thread, and only there are the callbacks invoked. Nothing a worker
does touches a widget.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from gui.tray.backend import TrayBackend, TrayBackendError

log = logging.getLogger(__name__)

SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[TrayBackendError], None]


@dataclass(frozen=True)
class CallOutcome:
    call_id: int
    result: Any = None
    error: TrayBackendError | None = None


class _Signals(QObject):
    done = Signal(object)  # CallOutcome


class _Call(QRunnable):
    def __init__(
        self,
        call_id: int,
        backend: TrayBackend,
        function: Callable[[TrayBackend], Any],
        signals: _Signals,
    ) -> None:
        super().__init__()
        self._call_id = call_id
        self._backend = backend
        self._function = function
        self._signals = signals

    def run(self) -> None:
        try:
            result = self._function(self._backend)
        except TrayBackendError as error:
            self._signals.done.emit(CallOutcome(self._call_id, error=error))
        except Exception as error:  # a bug or an odd answer: report it, keep the tray alive
            log.exception("tray backend call failed")
            wrapped = TrayBackendError(f"{type(error).__name__}: {error}", code="internal")
            self._signals.done.emit(CallOutcome(self._call_id, error=wrapped))
        else:
            self._signals.done.emit(CallOutcome(self._call_id, result=result))


class TrayRunner(QObject):
    """Runs backend calls on a small private pool; callbacks run in the UI thread."""

    idle = Signal()  # no call is pending any more

    def __init__(
        self, backend: TrayBackend, max_threads: int = 2, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._backend = backend
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._signals = _Signals(self)
        self._signals.done.connect(self._deliver)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[SuccessCallback | None, FailureCallback | None]] = {}
        self._closed = False

    @property
    def backend(self) -> TrayBackend:
        return self._backend

    def submit(
        self,
        function: Callable[[TrayBackend], Any],
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
    ) -> int:
        if self._closed:
            return 0
        call_id = next(self._ids)
        self._pending[call_id] = (on_success, on_failure)
        self._pool.start(_Call(call_id, self._backend, function, self._signals))
        return call_id

    def pending_count(self) -> int:
        return len(self._pending)

    def shutdown(self, wait_ms: int = 3000) -> bool:
        self._closed = True
        self._pool.clear()
        finished: bool = self._pool.waitForDone(wait_ms)
        self._pending.clear()
        return finished

    @Slot(object)
    def _deliver(self, outcome: CallOutcome) -> None:
        callbacks = self._pending.pop(outcome.call_id, None)
        if callbacks is not None:
            on_success, on_failure = callbacks
            if outcome.error is not None:
                if on_failure is not None:
                    on_failure(outcome.error)
                else:
                    log.info("tray call failed: %s", outcome.error)
            elif on_success is not None:
                on_success(outcome.result)
        if not self._pending:
            self.idle.emit()
