"""Tray backend calls off the UI thread, on the dashboard's worker machinery.

:class:`TrayRunner` is a :class:`gui.workers.BackendRunner` over a :class:`TrayBackend`:
calls run on its own small pool and the callbacks run in the UI thread. An unheard failure
is logged at INFO only, since the tray polls and the agent may simply be down.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject

from gui.tray.backend import TrayBackend, TrayBackendError
from gui.workers import BackendRunner


def _internal_tray_error(message: str) -> TrayBackendError:
    return TrayBackendError(message, code="internal")


class TrayRunner(BackendRunner[TrayBackend, TrayBackendError]):
    """Runs tray backend calls on a small private pool; callbacks run in the UI thread."""

    def __init__(
        self, backend: TrayBackend, max_threads: int = 2, parent: QObject | None = None
    ) -> None:
        super().__init__(
            backend,
            TrayBackendError,
            _internal_tray_error,
            max_threads,
            parent,
            label="tray backend",
            unhandled_failure_level=logging.INFO,
        )
