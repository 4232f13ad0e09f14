"""Per-OS watchers of the child's desktop session, behind one interface
(:class:`gui.tray.watchers.base.Watcher`), chosen by :func:`create_watcher` with a null
fallback. Nothing OS-specific is imported until a watcher is created."""

from __future__ import annotations

import logging
import os
import sys

from gui.tray.watchers.base import ForegroundWindow, Sample, Watcher

log = logging.getLogger(__name__)

__all__ = ["ForegroundWindow", "Sample", "Watcher", "create_watcher"]


def create_watcher(platform: str | None = None, environ: dict[str, str] | None = None) -> Watcher:
    """The watcher for this OS and session type, else the null watcher (logged)."""
    platform = platform or sys.platform
    env = environ if environ is not None else dict(os.environ)
    watcher: Watcher | None = None
    try:
        if platform.startswith("win"):
            from gui.tray.watchers import windows

            watcher = windows.create()
        elif platform == "darwin":
            from gui.tray.watchers import macos

            watcher = macos.create()
        elif env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland":
            from gui.tray.watchers import linux_wayland

            watcher = linux_wayland.create(env)
        elif env.get("DISPLAY"):
            from gui.tray.watchers import linux_x11

            watcher = linux_x11.create(env.get("DISPLAY"), env.get("XDG_SESSION_ID"))
    except Exception:
        log.exception("the %s session watcher could not start", platform)
        watcher = None
    if watcher is None:
        from gui.tray.watchers import null

        log.warning("no session watcher for this desktop: the agent counts session time")
        return null.create()
    return watcher
