"""The Wayland watcher: GNOME and most Wayland desktops give no program the window in
front, so this reports only what logind knows (idle and locked); the app is unknown and
the dashboard says so. The agent's own process sampler sees which apps run.

logind is asked with ``loginctl show-session`` (no D-Bus library needed); the command
runner is injected so tests need no logind.
"""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence

from gui.tray.watchers.base import Sample

log = logging.getLogger(__name__)

Runner = Callable[[Sequence[str]], str]


def _run(command: Sequence[str]) -> str:
    done = subprocess.run(list(command), capture_output=True, text=True, timeout=2, check=True)
    return done.stdout


class WaylandWatcher:
    name = "linux-wayland"

    def __init__(
        self,
        session: str,
        run: Runner = _run,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._run = run
        self._monotonic = monotonic

    def sample(self) -> Sample:
        try:
            text = self._run(
                [
                    "loginctl",
                    "show-session",
                    self._session,
                    "-p",
                    "IdleHint",
                    "-p",
                    "IdleSinceHintMonotonic",
                    "-p",
                    "LockedHint",
                ]
            )
        except (OSError, subprocess.SubprocessError) as error:
            log.debug("logind did not answer: %s", error)
            return Sample()
        values = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        idle = 0.0
        if values.get("IdleHint") == "yes":
            since = values.get("IdleSinceHintMonotonic", "0")
            if since.isdigit() and int(since) > 0:
                idle = max(0.0, self._monotonic() - int(since) / 1_000_000)
        return Sample(idle_seconds=idle, locked=values.get("LockedHint") == "yes")

    def close(self) -> None:
        return None


def create(environ: Mapping[str, str], run: Runner = _run) -> WaylandWatcher:
    return WaylandWatcher(environ.get("XDG_SESSION_ID") or "auto", run)
