"""The real Win32 calls behind :class:`gui.tray.watchers.windows.Win32` (ctypes, user32,
kernel32, version.dll). Defined only on Windows; imported only by ``windows.create()``."""

from __future__ import annotations

import sys

if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    _PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
    _MONITOR_DEFAULTTONEAREST = 2
    _DESKTOP_SWITCHDESKTOP = 0x0100

    class _LastInputInfo(ctypes.Structure):
        _fields_ = (("cbSize", wintypes.UINT), ("dwTime", wintypes.DWORD))

    class _MonitorInfo(ctypes.Structure):
        _fields_ = (
            ("cbSize", wintypes.DWORD),
            ("rcMonitor", wintypes.RECT),
            ("rcWork", wintypes.RECT),
            ("dwFlags", wintypes.DWORD),
        )

    _ENUM_PROC = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)

    _WTS_CURRENT_SERVER_HANDLE = 0
    _WTS_CURRENT_SESSION = 0xFFFFFFFF
    _WTS_SESSION_INFO_EX = 25  # WTS_INFO_CLASS.WTSSessionInfoEx

    class _WtsInfoExLevel1(ctypes.Structure):
        # WTSINFOEX_LEVEL1_W: only the leading fields are read, the rest keeps the layout.
        _fields_ = (
            ("SessionId", wintypes.ULONG),
            ("SessionState", ctypes.c_int),
            ("SessionFlags", wintypes.LONG),
            ("WinStationName", wintypes.WCHAR * 33),
            ("UserName", wintypes.WCHAR * 21),
            ("DomainName", wintypes.WCHAR * 18),
            ("LogonTime", wintypes.LARGE_INTEGER),
            ("ConnectTime", wintypes.LARGE_INTEGER),
            ("DisconnectTime", wintypes.LARGE_INTEGER),
            ("LastInputTime", wintypes.LARGE_INTEGER),
            ("CurrentTime", wintypes.LARGE_INTEGER),
            ("IncomingBytes", wintypes.DWORD),
            ("OutgoingBytes", wintypes.DWORD),
            ("IncomingFrames", wintypes.DWORD),
            ("OutgoingFrames", wintypes.DWORD),
            ("IncomingCompressedBytes", wintypes.DWORD),
            ("OutgoingCompressedBytes", wintypes.DWORD),
        )

    class _WtsInfoExLevel(ctypes.Union):
        _fields_ = (("WTSInfoExLevel1", _WtsInfoExLevel1),)

    class _WtsInfoEx(ctypes.Structure):
        _fields_ = (("Level", wintypes.DWORD), ("Data", _WtsInfoExLevel))

    class CtypesWin32:
        def __init__(self) -> None:
            self._user32 = ctypes.WinDLL("user32", use_last_error=True)
            self._kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
            self._version = ctypes.WinDLL("version", use_last_error=True)
            self._wtsapi32 = ctypes.WinDLL("wtsapi32", use_last_error=True)
            self._user32.GetForegroundWindow.restype = wintypes.HWND
            self._user32.OpenInputDesktop.restype = wintypes.HANDLE
            self._kernel32.OpenProcess.restype = wintypes.HANDLE

        def foreground_window(self) -> int:
            return int(self._user32.GetForegroundWindow() or 0)

        def window_pid(self, hwnd: int) -> int:
            pid = wintypes.DWORD()
            self._user32.GetWindowThreadProcessId(wintypes.HWND(hwnd), ctypes.byref(pid))
            return int(pid.value)

        def child_windows(self, hwnd: int) -> list[int]:
            found: list[int] = []

            def collect(child: int, _param: int) -> bool:
                found.append(int(child))
                return True

            self._user32.EnumChildWindows(wintypes.HWND(hwnd), _ENUM_PROC(collect), 0)
            return found

        def process_image(self, pid: int) -> str:
            handle = self._kernel32.OpenProcess(_PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
            if not handle:
                return ""
            try:
                size = wintypes.DWORD(32768)
                buffer = ctypes.create_unicode_buffer(size.value)
                if not self._kernel32.QueryFullProcessImageNameW(
                    handle, 0, buffer, ctypes.byref(size)
                ):
                    return ""
                return buffer.value
            finally:
                self._kernel32.CloseHandle(handle)

        def window_title(self, hwnd: int) -> str:
            length = self._user32.GetWindowTextLengthW(wintypes.HWND(hwnd))
            buffer = ctypes.create_unicode_buffer(length + 1)
            self._user32.GetWindowTextW(wintypes.HWND(hwnd), buffer, length + 1)
            return buffer.value

        def version_names(self, path: str) -> tuple[str, str]:
            size = self._version.GetFileVersionInfoSizeW(path, None)
            if not size:
                return "", ""
            data = ctypes.create_string_buffer(size)
            if not self._version.GetFileVersionInfoW(path, 0, size, data):
                return "", ""
            pointer = ctypes.c_void_p()
            length = wintypes.UINT()
            if not self._version.VerQueryValueW(
                data, "\\VarFileInfo\\Translation", ctypes.byref(pointer), ctypes.byref(length)
            ) or length.value < 4:
                return "", ""
            words = ctypes.cast(pointer, ctypes.POINTER(wintypes.WORD))
            language = f"{words[0]:04x}{words[1]:04x}"

            def text(name: str) -> str:
                key = f"\\StringFileInfo\\{language}\\{name}"
                if not self._version.VerQueryValueW(
                    data, key, ctypes.byref(pointer), ctypes.byref(length)
                ):
                    return ""
                return ctypes.wstring_at(pointer, max(0, length.value - 1))

            return text("ProductName"), text("OriginalFilename")

        def last_input_tick(self) -> int:
            info = _LastInputInfo(ctypes.sizeof(_LastInputInfo), 0)
            self._user32.GetLastInputInfo(ctypes.byref(info))
            return int(info.dwTime)

        def tick_count(self) -> int:
            return int(self._kernel32.GetTickCount()) & 0xFFFFFFFF

        def session_flags(self) -> int | None:
            buffer = ctypes.POINTER(_WtsInfoEx)()
            size = wintypes.DWORD()
            if not self._wtsapi32.WTSQuerySessionInformationW(
                wintypes.HANDLE(_WTS_CURRENT_SERVER_HANDLE),
                wintypes.DWORD(_WTS_CURRENT_SESSION),
                _WTS_SESSION_INFO_EX,
                ctypes.byref(buffer),
                ctypes.byref(size),
            ):
                return None
            try:
                if size.value < ctypes.sizeof(_WtsInfoEx) or buffer.contents.Level != 1:
                    return None
                return int(buffer.contents.Data.WTSInfoExLevel1.SessionFlags)
            finally:
                self._wtsapi32.WTSFreeMemory(buffer)

        def windows_version(self) -> tuple[int, int]:
            version = sys.getwindowsversion()
            return version.major, version.minor

        def input_desktop_locked(self) -> bool:
            # While the lock screen (Winlogon's desktop) shows, a user's program cannot open
            # the input desktop.
            desktop = self._user32.OpenInputDesktop(0, False, _DESKTOP_SWITCHDESKTOP)
            if not desktop:
                return True
            self._user32.CloseDesktop(desktop)
            return False

        def covers_monitor(self, hwnd: int) -> bool:
            rect = wintypes.RECT()
            if not self._user32.GetWindowRect(wintypes.HWND(hwnd), ctypes.byref(rect)):
                return False
            monitor = self._user32.MonitorFromWindow(
                wintypes.HWND(hwnd), _MONITOR_DEFAULTTONEAREST
            )
            info = _MonitorInfo()
            info.cbSize = ctypes.sizeof(_MonitorInfo)
            if not self._user32.GetMonitorInfoW(monitor, ctypes.byref(info)):
                return False
            screen = info.rcMonitor
            return (
                rect.left <= screen.left
                and rect.top <= screen.top
                and rect.right >= screen.right
                and rect.bottom >= screen.bottom
            )
