"""The macOS watcher: NSWorkspace's frontmost application (its process, bundle executable
and name), idle time from CGEventSourceSecondsSinceLastEventType, and the lock from the
session dictionary (``CGSSessionScreenIsLocked``). Window titles need the screen-recording
permission on macOS, so none is read.

The OS calls go through :class:`MacApi` (tests use a fake); the real one needs PyObjC and
is imported only in :func:`create`.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import Protocol

from gui.tray.watchers.base import ForegroundWindow, Sample, process_create_time

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FrontApp:
    pid: int
    executable_path: str
    name: str  # localizedName
    bundle_executable: str  # CFBundleExecutable: survives renaming the .app


class MacApi(Protocol):
    def frontmost(self) -> FrontApp | None: ...

    def idle_seconds(self) -> float: ...

    def screen_locked(self) -> bool: ...


class MacWatcher:
    name = "macos"
    knows_foreground = True

    def __init__(self, api: MacApi) -> None:
        self._api = api

    def sample(self) -> Sample:
        idle = self._api.idle_seconds()
        if self._api.screen_locked():
            return Sample(idle_seconds=idle, locked=True)
        front = self._api.frontmost()
        if front is None:
            return Sample(idle_seconds=idle)
        app = ForegroundWindow(
            exe_path=front.executable_path,
            pid=front.pid,
            create_time=process_create_time(front.pid),
            product_name=front.name,
            original_name=front.bundle_executable,
        )
        return Sample(app=app, idle_seconds=idle)

    def close(self) -> None:
        return None


class _PyObjCApi:
    """The real calls (PyObjC's AppKit and Quartz)."""

    def __init__(self) -> None:
        import AppKit
        import Quartz

        self._appkit = AppKit
        self._quartz = Quartz

    def frontmost(self) -> FrontApp | None:
        app = self._appkit.NSWorkspace.sharedWorkspace().frontmostApplication()
        if app is None:
            return None
        url = app.executableURL()
        bundle = self._appkit.NSBundle.bundleWithURL_(app.bundleURL()) if app.bundleURL() else None
        executable = bundle.objectForInfoDictionaryKey_("CFBundleExecutable") if bundle else None
        return FrontApp(
            pid=int(app.processIdentifier()),
            executable_path=str(url.path()) if url is not None else "",
            name=str(app.localizedName() or ""),
            bundle_executable=str(executable or ""),
        )

    def idle_seconds(self) -> float:
        quartz = self._quartz
        any_input = 0xFFFFFFFF  # kCGAnyInputEventType
        return float(
            quartz.CGEventSourceSecondsSinceLastEventType(
                quartz.kCGEventSourceStateCombinedSessionState, any_input
            )
        )

    def screen_locked(self) -> bool:
        session = self._quartz.CGSessionCopyCurrentDictionary()
        return bool(session and session.get("CGSSessionScreenIsLocked", False))


def create() -> MacWatcher | None:
    if sys.platform != "darwin":
        return None
    try:
        return MacWatcher(_PyObjCApi())
    except ImportError:
        log.warning("PyObjC is not installed: no macOS session watcher")
        return None
