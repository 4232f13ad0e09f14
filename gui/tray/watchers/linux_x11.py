"""The X11 watcher: the active window (EWMH ``_NET_ACTIVE_WINDOW``), its process
(``_NET_WM_PID``), title (``_NET_WM_NAME``, else ``WM_NAME``) and full-screen state
(``_NET_WM_STATE_FULLSCREEN``), and the idle time from the MIT-SCREEN-SAVER extension —
where it is missing, logind's ``IdleHint`` — and media playing from MPRIS
(:mod:`gui.tray.watchers.linux_session`).

libX11 and libXss are loaded with ctypes when :func:`create` is called, never at import.
X errors (a window closed between two calls) go to a handler that ignores them: Xlib's
default handler would end the process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
from dataclasses import dataclass

from gui.tray.watchers.base import ForegroundWindow, Sample, process_create_time, process_exe
from gui.tray.watchers.linux_session import LogindSession, MprisMedia, logind_session, mpris_media

log = logging.getLogger(__name__)

_SUCCESS = 0
_ANY_PROPERTY_TYPE = 0
_SCREEN_SAVER_ON = 1
_LONG_LENGTH = 1 << 16  # in 32-bit units: titles and state lists are far shorter


class _ScreenSaverInfo(ctypes.Structure):
    _fields_ = (
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("event_mask", ctypes.c_ulong),
    )


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


@dataclass(frozen=True)
class _Property:
    type_atom: int
    format: int
    data: bytes
    count: int


class X11Watcher:
    name = "linux-x11"
    knows_foreground = True

    def __init__(
        self,
        display_name: str | None,
        logind: LogindSession | None = None,
        media: MprisMedia | None = None,
    ) -> None:
        # The idle fallback without XScreenSaver, and whether media plays (None: unknown).
        self._logind = logind
        self._media = media
        x11_path = ctypes.util.find_library("X11")
        if x11_path is None:
            raise OSError("libX11 is not installed")
        x11 = self._x11 = ctypes.cdll.LoadLibrary(x11_path)
        x11.XOpenDisplay.restype = ctypes.c_void_p
        x11.XOpenDisplay.argtypes = (ctypes.c_char_p,)
        x11.XDefaultRootWindow.restype = ctypes.c_ulong
        x11.XDefaultRootWindow.argtypes = (ctypes.c_void_p,)
        x11.XInternAtom.restype = ctypes.c_ulong
        x11.XInternAtom.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int)
        x11.XGetWindowProperty.restype = ctypes.c_int
        x11.XGetWindowProperty.argtypes = (
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.c_ulong,
            ctypes.c_long,
            ctypes.c_long,
            ctypes.c_int,
            ctypes.c_ulong,
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_void_p),
        )
        x11.XFree.argtypes = (ctypes.c_void_p,)
        x11.XCloseDisplay.argtypes = (ctypes.c_void_p,)
        x11.XSetErrorHandler.restype = ctypes.c_void_p
        x11.XSetErrorHandler.argtypes = (_ERROR_HANDLER,)
        self._on_error = _ERROR_HANDLER(lambda _display, _event: 0)
        x11.XSetErrorHandler(self._on_error)
        encoded = display_name.encode() if display_name else None
        display = x11.XOpenDisplay(encoded)
        if not display:
            raise OSError(f"cannot open the X display {display_name!r}")
        self._display: int = display
        self._root: int = x11.XDefaultRootWindow(display)
        self._lock = threading.Lock()
        self._atoms: dict[str, int] = {}
        self._xss = self._load_screen_saver()
        self._info = (
            ctypes.cast(self._xss.XScreenSaverAllocInfo(), ctypes.POINTER(_ScreenSaverInfo))
            if self._xss is not None
            else None
        )

    def _load_screen_saver(self) -> ctypes.CDLL | None:
        path = ctypes.util.find_library("Xss")
        if path is None:
            log.warning("libXss is not installed: idle time comes from logind, if it knows")
            return None
        xss = ctypes.cdll.LoadLibrary(path)
        xss.XScreenSaverAllocInfo.restype = ctypes.c_void_p
        xss.XScreenSaverQueryInfo.restype = ctypes.c_int
        xss.XScreenSaverQueryInfo.argtypes = (ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p)
        return xss

    # -- Watcher -----------------------------------------------------------------------------

    def sample(self) -> Sample:
        with self._lock:
            idle, saver_on = self._idle()
            window = self.active_window()
            app = self._app(window) if window else None
            full_screen = bool(window) and self._is_full_screen(window)
        playing = self._media is not None and self._media.playing()
        return Sample(
            app=app,
            idle_seconds=idle,
            locked=saver_on,
            full_screen=full_screen,
            media_playing=playing,
        )

    def close(self) -> None:
        with self._lock:
            if self._display:
                if self._info is not None:
                    self._x11.XFree(self._info)
                    self._info = None
                self._x11.XCloseDisplay(self._display)
                self._display = 0

    # -- the parts ---------------------------------------------------------------------------

    def atom(self, name: str) -> int:
        found = self._atoms.get(name)
        if found is None:
            found = int(self._x11.XInternAtom(self._display, name.encode(), 0))
            self._atoms[name] = found
        return found

    def active_window(self) -> int:
        prop = self._property(self._root, "_NET_ACTIVE_WINDOW")
        values = _longs(prop)
        return values[0] if values else 0

    def _app(self, window: int) -> ForegroundWindow:
        pids = _longs(self._property(window, "_NET_WM_PID"))
        pid = pids[0] if pids else None
        return ForegroundWindow(
            exe_path=process_exe(pid) if pid else "",
            pid=pid,
            create_time=process_create_time(pid) if pid else None,
            title=self._title(window),
        )

    def _title(self, window: int) -> str:
        for name in ("_NET_WM_NAME", "WM_NAME"):
            prop = self._property(window, name)
            if prop is not None and prop.format == 8 and prop.data:
                return prop.data.decode("utf-8", errors="replace")
        return ""

    def _is_full_screen(self, window: int) -> bool:
        states = _longs(self._property(window, "_NET_WM_STATE"))
        return self.atom("_NET_WM_STATE_FULLSCREEN") in states

    def _idle(self) -> tuple[float, bool]:
        if self._xss is None or self._info is None:
            if self._logind is not None:
                return self._logind.idle_and_locked()
            return 0.0, False
        if not self._xss.XScreenSaverQueryInfo(self._display, self._root, self._info):
            return 0.0, False
        info = self._info.contents
        return info.idle / 1000.0, info.state == _SCREEN_SAVER_ON

    def _property(self, window: int, name: str) -> _Property | None:
        actual_type = ctypes.c_ulong()
        actual_format = ctypes.c_int()
        count = ctypes.c_ulong()
        after = ctypes.c_ulong()
        data = ctypes.c_void_p()
        status = self._x11.XGetWindowProperty(
            self._display,
            window,
            self.atom(name),
            0,
            _LONG_LENGTH,
            0,
            _ANY_PROPERTY_TYPE,
            ctypes.byref(actual_type),
            ctypes.byref(actual_format),
            ctypes.byref(count),
            ctypes.byref(after),
            ctypes.byref(data),
        )
        if status != _SUCCESS or not data.value:
            return None
        try:
            # Format 32 items are C longs in memory, whatever the word size (Xlib's rule).
            size = {8: 1, 16: ctypes.sizeof(ctypes.c_short), 32: ctypes.sizeof(ctypes.c_long)}
            width = size.get(actual_format.value, 1)
            raw = ctypes.string_at(data.value, count.value * width)
        finally:
            self._x11.XFree(data)
        return _Property(actual_type.value, actual_format.value, raw, count.value)


def _longs(prop: _Property | None) -> list[int]:
    if prop is None or prop.format != 32:
        return []
    array = (ctypes.c_ulong * prop.count).from_buffer_copy(prop.data)
    return [int(value) for value in array]


def create(
    display_name: str | None = None, session: str | None = None
) -> X11Watcher | None:
    try:
        return X11Watcher(display_name, logind_session(session), mpris_media())
    except OSError as error:
        log.warning("no X11 watcher: %s", error)
        return None
