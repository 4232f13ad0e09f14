"""The tray's "Open the parent's dashboard": starts `baoan dashboard` as its own process,
which asks for the parent PIN before it shows anything. A separate process keeps the
parent's session out of the tray (it runs in the child's desktop session) and lets the
tray go on if the dashboard fails; a second click while it runs starts no second one."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Protocol

log = logging.getLogger(__name__)


class Process(Protocol):
    def poll(self) -> int | None: ...


Launcher = Callable[[Sequence[str]], Process]


def dashboard_command(api_url: str) -> list[str]:
    return [sys.executable, "-m", "baoan", "dashboard", "--api", api_url]


def _popen(command: Sequence[str]) -> Process:
    return subprocess.Popen(list(command))


def dashboard_process_opener(
    api_url: str, launch: Launcher = _popen
) -> Callable[[], Process | None]:
    running: list[Process] = []

    def open_dashboard() -> Process | None:
        if running and running[0].poll() is None:
            log.info("the parent's dashboard is open already")
            return running[0]
        try:
            process = launch(dashboard_command(api_url))
        except OSError as error:
            log.error("cannot start the parent's dashboard: %s", error)
            return None
        running[:] = [process]
        return process

    return open_dashboard
