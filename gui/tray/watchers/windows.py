"""The Windows watcher: GetForegroundWindow → GetWindowThreadProcessId →
QueryFullProcessImageNameW, the real app behind ApplicationFrameHost (a UWP app's frame
belongs to the host; the app's own window is a child with another process), the version
information's ProductName and OriginalFilename, GetLastInputInfo against GetTickCount with
the 32-bit wrap (every 49.7 days), the lock and full screen (the window covers its
monitor).

The lock is the session's own state, as Windows keeps it: ``WTSQuerySessionInformationW``
with ``WTSSessionInfoEx`` gives ``WTSINFOEX_LEVEL1_W.SessionFlags``,
``WTS_SESSIONSTATE_LOCK`` or ``WTS_SESSIONSTATE_UNLOCK`` — the two the other way round on
Windows 7 and Server 2008 R2 (6.1), as Microsoft documents for that structure. Where the
state is unknown (``WTS_SESSIONSTATE_UNKNOWN``, or the call fails), a missing input desktop
(Winlogon's desktop is in front while the lock screen shows) says locked.

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
WTS_SESSIONSTATE_LOCK = 0x0
WTS_SESSIONSTATE_UNLOCK = 0x1
WTS_SESSIONSTATE_UNKNOWN = 0xFFFFFFFF
WINDOWS_7 = (6, 1)  # and Server 2008 R2: LOCK and UNLOCK reversed


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

    def session_flags(self) -> int | None:
        """``SessionFlags`` of this session's ``WTSINFOEX_LEVEL1_W``
        (``WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, WTS_CURRENT_SESSION,
        WTSSessionInfoEx)``), None when the call fails."""
        ...

    def windows_version(self) -> tuple[int, int]:
        """(major, minor): 6.1 is Windows 7."""
        ...

    def input_desktop_locked(self) -> bool: ...

    def covers_monitor(self, hwnd: int) -> bool: ...


def idle_seconds(tick_count: int, last_input_tick: int) -> float:
    """Both are 32-bit millisecond counters: the difference modulo 2**32 stays right
    across the wrap."""
    return ((tick_count - last_input_tick) % TICK_WRAP) / 1000.0


def locked_by_session_flags(flags: int | None, version: tuple[int, int]) -> bool | None:
    """The session's lock from its ``SessionFlags``; None when it does not say."""
    if flags is None:
        return None
    flags &= 0xFFFFFFFF  # a LONG: WTS_SESSIONSTATE_UNKNOWN may come as -1
    if flags not in (WTS_SESSIONSTATE_LOCK, WTS_SESSIONSTATE_UNLOCK):
        return None
    locked = flags == WTS_SESSIONSTATE_LOCK
    return not locked if tuple(version[:2]) == WINDOWS_7 else locked


def _base_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1].casefold()


class WindowsWatcher:
    name = "windows"
    knows_foreground = True

    def __init__(self, api: Win32) -> None:
        self._api = api

    def sample(self) -> Sample:
        api = self._api
        idle = idle_seconds(api.tick_count(), api.last_input_tick())
        if self._locked():
            return Sample(idle_seconds=idle, locked=True)
        hwnd = api.foreground_window()
        if not hwnd:
            return Sample(idle_seconds=idle)
        return Sample(
            app=self._app(hwnd), idle_seconds=idle, full_screen=api.covers_monitor(hwnd)
        )

    def _locked(self) -> bool:
        api = self._api
        try:
            by_session = locked_by_session_flags(api.session_flags(), api.windows_version())
        except OSError:
            log.debug("the session's state is not known; the input desktop tells", exc_info=True)
            by_session = None
        return api.input_desktop_locked() if by_session is None else by_session

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
