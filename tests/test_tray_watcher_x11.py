"""The X11 watcher for real: Xvfb, a real window whose title, process and full-screen state
are read back, and idle time from the MIT-SCREEN-SAVER extension."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence

import pytest

from gui.tray.watchers import create_watcher
from gui.tray.watchers.linux_x11 import X11Watcher

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None or not sys.platform.startswith("linux"),
    reason="needs Xvfb (./dev test installs it)",
)

# A window as an app makes it, and the window manager's part: it names the active window.
WINDOW_PROGRAM = r"""
import ctypes, ctypes.util, os, sys
c = ctypes
x = c.cdll.LoadLibrary(c.util.find_library("X11"))
x.XOpenDisplay.restype = c.c_void_p
x.XOpenDisplay.argtypes = (c.c_char_p,)
x.XDefaultRootWindow.restype = c.c_ulong
x.XDefaultRootWindow.argtypes = (c.c_void_p,)
x.XCreateSimpleWindow.restype = c.c_ulong
x.XCreateSimpleWindow.argtypes = (c.c_void_p, c.c_ulong, c.c_int, c.c_int, c.c_uint, c.c_uint,
                                  c.c_uint, c.c_ulong, c.c_ulong)
x.XInternAtom.restype = c.c_ulong
x.XInternAtom.argtypes = (c.c_void_p, c.c_char_p, c.c_int)
x.XChangeProperty.argtypes = (c.c_void_p, c.c_ulong, c.c_ulong, c.c_ulong, c.c_int, c.c_int,
                              c.c_void_p, c.c_int)
x.XMapWindow.argtypes = (c.c_void_p, c.c_ulong)
x.XFlush.argtypes = (c.c_void_p,)
d = x.XOpenDisplay(None)
root = x.XDefaultRootWindow(d)
w = x.XCreateSimpleWindow(d, root, 0, 0, 200, 100, 0, 0, 0)
atom = lambda name: x.XInternAtom(d, name.encode(), 0)
def longs(win, name, kind, values):
    data = (c.c_ulong * len(values))(*values)
    x.XChangeProperty(d, win, atom(name), atom(kind), 32, 0, data, len(values))
title = sys.argv[1].encode("utf-8")
x.XChangeProperty(d, w, atom("_NET_WM_NAME"), atom("UTF8_STRING"), 8, 0, title, len(title))
longs(w, "_NET_WM_PID", "CARDINAL", [os.getpid()])
if sys.argv[2] == "full":
    longs(w, "_NET_WM_STATE", "ATOM", [atom("_NET_WM_STATE_FULLSCREEN")])
x.XMapWindow(d, w)
longs(root, "_NET_ACTIVE_WINDOW", "WINDOW", [w])
x.XFlush(d)
print(w, flush=True)
sys.stdin.read()
"""


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "640x480x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def open_window(display: str, title: str, state: str = "normal") -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", WINDOW_PROGRAM, title, state],
        env={**os.environ, "DISPLAY": display},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip().isdigit()
    return child


def close_window(child: subprocess.Popen[str]) -> None:
    assert child.stdin is not None
    child.stdin.close()
    child.wait(timeout=10)


def test_the_active_windows_title_and_process_are_read_back(display: str) -> None:
    watcher = create_watcher("linux", {"DISPLAY": display})
    assert isinstance(watcher, X11Watcher) and watcher.name == "linux-x11"
    child = open_window(display, "Minecraft – Bảo An thử")
    try:
        sample = watcher.sample()
        assert sample.app is not None
        assert sample.app.title == "Minecraft – Bảo An thử"
        assert sample.app.pid == child.pid
        assert os.path.realpath(sample.app.exe_path) == os.path.realpath(sys.executable)
        assert sample.app.create_time is not None and sample.app.create_time > 0
        assert sample.full_screen is False and sample.locked is False
        assert 0.0 <= sample.idle_seconds < 3600
    finally:
        close_window(child)
        watcher.close()


def test_a_full_screen_window_is_seen(display: str) -> None:
    watcher = X11Watcher(display)
    child = open_window(display, "Phim", "full")
    try:
        assert watcher.sample().full_screen is True
    finally:
        close_window(child)
        watcher.close()


def test_a_closed_active_window_does_not_end_the_tray(display: str) -> None:
    watcher = X11Watcher(display)
    child = open_window(display, "soon gone")
    close_window(child)  # _NET_ACTIVE_WINDOW still names the destroyed window
    sample = watcher.sample()  # a BadWindow error is ignored, not fatal
    assert sample.app is None or sample.app.title == ""
    watcher.close()


def test_no_display_falls_back_to_the_null_watcher() -> None:
    assert create_watcher("linux", {}).name == "null"
    assert create_watcher("linux", {"DISPLAY": ":999"}).name == "null"


def test_without_xscreensaver_idle_and_lock_come_from_logind(
    display: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ctypes.util

    from gui.tray.watchers import linux_x11
    from gui.tray.watchers.linux_session import LogindSession

    real_find = ctypes.util.find_library
    monkeypatch.setattr(
        linux_x11.ctypes.util,
        "find_library",
        lambda name: None if name == "Xss" else real_find(name),
    )
    asked: list[list[str]] = []

    def loginctl(command: Sequence[str]) -> str:
        asked.append(list(command))
        # `loginctl show-session 2 -p IdleHint -p IdleSinceHintMonotonic -p LockedHint`
        return "IdleHint=yes\nIdleSinceHintMonotonic=40000000\nLockedHint=yes\n"

    watcher = X11Watcher(display, logind=LogindSession("2", loginctl, monotonic=lambda: 100.0))
    try:
        sample = watcher.sample()
        assert sample.idle_seconds == pytest.approx(60.0) and sample.locked is True
        assert asked and asked[0][:3] == ["loginctl", "show-session", "2"]
    finally:
        watcher.close()
