"""The Wayland watcher: GNOME and most Wayland desktops give no program the window in
front, so this reports only what the session says of itself — idle and locked from
logind, media playing from MPRIS (:mod:`gui.tray.watchers.linux_session`); the app is
unknown and the dashboard says so. The agent's own process sampler sees which apps run.

The command runner is injected so tests need no logind.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from gui.tray.watchers.base import Sample
from gui.tray.watchers.linux_session import (
    LogindSession,
    MprisMedia,
    Runner,
    mpris_media,
    run_tool,
)


class WaylandWatcher:
    name = "linux-wayland"
    knows_foreground = False

    def __init__(
        self,
        session: str,
        run: Runner = run_tool,
        monotonic: Callable[[], float] = time.monotonic,
        media: MprisMedia | None = None,
    ) -> None:
        self._logind = LogindSession(session, run, monotonic)
        self._media = media

    def sample(self) -> Sample:
        idle, locked = self._logind.idle_and_locked()
        playing = self._media is not None and self._media.playing()
        return Sample(idle_seconds=idle, locked=locked, media_playing=playing)

    def close(self) -> None:
        return None


def create(environ: Mapping[str, str], run: Runner = run_tool) -> WaylandWatcher:
    return WaylandWatcher(environ.get("XDG_SESSION_ID") or "auto", run, media=mpris_media(run))
