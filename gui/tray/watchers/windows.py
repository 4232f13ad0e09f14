"""The Windows watcher: GetForegroundWindow → GetWindowThreadProcessId →
QueryFullProcessImageNameW, the real app behind ApplicationFrameHost (a UWP app's frame
belongs to the host; the app's own window is a child with another process), the version
information's ProductName and OriginalFilename, GetLastInputInfo against GetTickCount with
the 32-bit wrap (every 49.7 days), the lock (no input desktop while the lock screen shows)
and full screen (the window covers its monitor).

Every OS call goes through :class:`Win32`, so tests put a fake at that boundary; the real
one (ctypes) is built by :func:`create` only on Windows.
"""

from __future__ import annotations

import logging
import sys
from typing import Protocol

from gui.tray.watchers.base import ForegroundWindow, Sample, process_create_time

log = logging.getLogger(__name__)

FRAME_HOST = "applicationframehost.exe"
TICK_WRAP = 1 << 32


class Win32(Protocol):
    def foreground_window(self) -> int: ...

    def window_pid(self, hwnd: int) -> int: ...

    def child_windows(self, hwnd: int) -> list[int]: ...

    def process_image(self, pid: int) -> str: ...

    def window_title(self, hwnd: int) -> str: ...

    def version_names(self, path: str) -> tuple[str, str]:
        """(ProductName, OriginalFilename) of the executable, "" where there is none."""
        ...

    def last_input_tick(self) -> int: ...

    def tick_count(self) -> int: ...

    def input_desktop_locked(self) -> bool: ...

    def covers_monitor(self, hwnd: int) -> bool: ...


def idle_seconds(tick_count: int, last_input_tick: int) -> float:
    """Both are 32-bit millisecond counters: the difference modulo 2**32 stays right
    across the wrap."""
    return ((tick_count - last_input_tick) % TICK_WRAP) / 1000.0


def _base_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1].casefold()


class WindowsWatcher:
    name = "windows"

    def __init__(self, api: Win32) -> None:
        self._api = api

    def sample(self) -> Sample:
        api = self._api
        idle = idle_seconds(api.tick_count(), api.last_input_tick())
        if api.input_desktop_locked():
            return Sample(idle_seconds=idle, locked=True)
        hwnd = api.foreground_window()
        if not hwnd:
            return Sample(idle_seconds=idle)
        return Sample(
            app=self._app(hwnd), idle_seconds=idle, full_screen=api.covers_monitor(hwnd)
        )

    def _app(self, hwnd: int) -> ForegroundWindow:
        api = self._api
        pid = api.window_pid(hwnd)
        image = api.process_image(pid)
        if _base_name(image) == FRAME_HOST:
            for child in api.child_windows(hwnd):
                child_pid = api.window_pid(child)
                if child_pid and child_pid != pid:
                    pid, image = child_pid, api.process_image(child_pid)
                    break
        product, original = api.version_names(image) if image else ("", "")
        return ForegroundWindow(
            exe_path=image,
            pid=pid or None,
            create_time=process_create_time(pid) if pid else None,
            title=api.window_title(hwnd),
            product_name=product,
            original_name=original,
        )

    def close(self) -> None:
        return None


def create() -> WindowsWatcher | None:
    if sys.platform == "win32":
        from gui.tray.watchers.windows_api import CtypesWin32

        return WindowsWatcher(CtypesWin32())
    return None
