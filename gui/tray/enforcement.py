"""At the limit: warnings at 15, 5 and 1 minute(s) left, then the parent's action.

The agent decides (its answer to each heartbeat says whether the child may go on, how long
is left, why, and the action); the tray, in the child's session, warns and acts, because
only there can a program lock the session or close an app. Everything OS-specific is
behind :class:`SessionController` (tests use a fake).

- ``lock`` (default): lock the session; unlocking while out of time locks it again at the
  next heartbeat.
- ``logoff``: end the session. ``close_app``: end the app in front (terminate, then kill
  after a grace period). ``notify``: only tell the child.
- The tray's own windows (Help / 111) and always-allowed apps are never closed: the agent
  answers "allowed" for them, and the tray never ends its own process.
- One service's minutes spent (its own, a game's, its category's): the agent names the
  child's processes of it (``close_pids``: the app in front, or one running behind) and
  the tray closes them, whatever the rest of the standing; the child is told "no more
  YouTube time today". Its website is blocked by the DNS filter; the browser stays.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from gui.tray.watchers.base import Sample

log = logging.getLogger(__name__)

CLOSE_GRACE_SECONDS = 10.0
ACTION_REPEAT_SECONDS = 15.0  # while out of time, act again at most this often


@dataclass(frozen=True)
class Standing:
    """The agent's answer, as the tray needs it (from ``HeartbeatAnswer``)."""

    allowed: bool
    seconds_left: float | None
    action: str = "lock"
    warnings_minutes: tuple[int, ...] = (15, 5, 1)
    limit_kind: str = "none"
    service: str | None = None
    close_pids: tuple[int, ...] = ()
    service_name: str | None = None


class SessionController(Protocol):
    def lock(self) -> None: ...

    def log_off(self) -> None: ...

    def close_app(self, pid: int) -> None: ...


# Words a child reads in a few seconds: (language, young) -> (title, body with {minutes}).
# Young is under 11 (the pages' 6-10 band and younger).
_WARNING: Mapping[tuple[str, bool], tuple[str, str]] = {
    ("vi", True): ("Sắp hết giờ chơi máy", "Còn {minutes} phút nữa thôi. Con chuẩn bị dừng nhé!"),
    ("vi", False): ("Sắp hết giờ", "Còn {minutes} phút dùng máy hôm nay."),
    ("en", True): ("Computer time is nearly over", "Only {minutes} min left. Get ready to stop!"),
    ("en", False): ("Time is nearly up", "{minutes} min of screen time left today."),
}
_OUT: Mapping[tuple[str, bool], tuple[str, str]] = {
    ("vi", True): (
        "Hết giờ rồi",
        "Hôm nay con dùng máy đủ rồi. Nghỉ ngơi nhé! Cần giúp: bấm Trợ giúp / 111.",
    ),
    ("vi", False): (
        "Hết giờ",
        "Hết thời gian dùng máy. Muốn thêm giờ, hãy hỏi bố mẹ. Trợ giúp / 111 luôn mở.",
    ),
    ("en", True): (
        "Time is up",
        "That's enough computer for today. Time for a break! Help / 111 is always there.",
    ),
    ("en", False): (
        "Time is up",
        "Your screen time is over. Ask a parent for more. Help / 111 always works.",
    ),
}
_SERVICE_OUT: Mapping[tuple[str, bool], tuple[str, str]] = {
    ("vi", True): ("Hết giờ {service} hôm nay", "{service} đóng lại rồi. Mai chơi tiếp nhé!"),
    ("vi", False): (
        "Hết giờ {service} hôm nay",
        "Bảo An đã đóng {service}. Việc khác trên máy vẫn dùng được; Trợ giúp / 111 luôn mở.",
    ),
    ("en", True): ("No more {service} time today", "{service} is closed now. Play again tomorrow!"),
    ("en", False): (
        "No more {service} time today",
        "Bảo An closed {service}. The rest of the computer still works; Help / 111 always does.",
    ),
}
SERVICE_LIMIT_KINDS = frozenset({"service", "category", "game"})
_YOUNG_BANDS = frozenset({"0-5", "6-10"})


def warning_words(language: str, age_band: str | None, minutes: int | None) -> tuple[str, str]:
    """(title, body) for a warning (`minutes` left) or, with None, for time that is up."""
    young = age_band in _YOUNG_BANDS
    key = (language if language in ("vi", "en") else "vi", young)
    if minutes is None:
        return _OUT[key]
    title, body = _WARNING[key]
    return title, body.format(minutes=minutes)


def service_out_words(language: str, age_band: str | None, service: str) -> tuple[str, str]:
    """(title, body) when one service's minutes are spent today."""
    key = (language if language in ("vi", "en") else "vi", age_band in _YOUNG_BANDS)
    title, body = _SERVICE_OUT[key]
    return title.format(service=service), body.format(service=service)


Notify = Callable[[str, str], None]


class Enforcer:
    """Turns each of the agent's answers into warnings and the action at zero."""

    def __init__(
        self,
        controller: SessionController,
        notify: Notify,
        *,
        words: Callable[[], tuple[str, str | None]] = lambda: ("vi", None),
        own_pid: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._controller = controller
        self._notify = notify
        self._words = words
        self._own_pid = own_pid if own_pid is not None else os.getpid()
        self._monotonic = monotonic
        self._warned: set[int] = set()
        self._told_out = False
        self._last_action: float | None = None
        self._closing: dict[int, float] = {}  # pid -> when it was last asked to close

    def on_standing(self, standing: Standing, sample: Sample | None) -> None:
        self._close_spent(standing)
        if standing.allowed:
            self._told_out = False
            self._last_action = None
            self._warn(standing)
            return
        if not self._told_out:
            language, band = self._words()
            if standing.limit_kind in SERVICE_LIMIT_KINDS and standing.service_name:
                self._notify(*service_out_words(language, band, standing.service_name))
            else:
                self._notify(*warning_words(language, band, None))
            self._told_out = True
        if standing.action == "notify":
            return
        locked = sample is not None and sample.locked
        now = self._monotonic()
        if locked or (
            self._last_action is not None and now - self._last_action < ACTION_REPEAT_SECONDS
        ):
            return
        self._last_action = now
        self._act(standing.action, sample)

    def _close_spent(self, standing: Standing) -> None:
        """Close each process the agent names (a spent service's app), at most once per
        :data:`ACTION_REPEAT_SECONDS` each; never the tray itself."""
        listed = set(standing.close_pids) - {self._own_pid}
        self._closing = {pid: at for pid, at in self._closing.items() if pid in listed}
        now = self._monotonic()
        for pid in sorted(listed):
            asked = self._closing.get(pid)
            if asked is not None and now - asked < ACTION_REPEAT_SECONDS:
                continue
            self._closing[pid] = now
            try:
                self._controller.close_app(pid)
            except Exception:
                log.exception("closing process %d failed", pid)

    def _warn(self, standing: Standing) -> None:
        left = standing.seconds_left
        thresholds = sorted(standing.warnings_minutes, reverse=True)
        if left is None or not thresholds:
            return
        if left > thresholds[0] * 60:
            self._warned.clear()  # more time came (a new day, extra minutes): warn again
            return
        crossed = [minutes for minutes in thresholds if left <= minutes * 60]
        fresh = [minutes for minutes in crossed if minutes not in self._warned]
        self._warned.update(crossed)
        if fresh:
            language, band = self._words()
            self._notify(*warning_words(language, band, min(fresh)))

    def _act(self, action: str, sample: Sample | None) -> None:
        try:
            if action == "logoff":
                self._controller.log_off()
            elif action == "close_app":
                app = sample.app if sample is not None else None
                pid = app.pid if app is not None else None
                # A pid the agent named is closed already (`_close_spent`).
                if pid and pid != self._own_pid and pid not in self._closing:
                    self._controller.close_app(pid)
            else:
                self._controller.lock()
        except Exception:
            log.exception("the %s action failed", action)


# -- the real controllers ----------------------------------------------------------------------


class NotifyOnly:
    """Where the OS gives no way to lock or log off: the child is told, nothing more."""

    def lock(self) -> None:
        log.warning("no session controller here: the child was only told")

    def log_off(self) -> None:
        self.lock()

    def close_app(self, pid: int) -> None:
        close_process(pid)


def _run(command: list[str]) -> None:
    subprocess.run(command, check=False, timeout=10, capture_output=True)


def close_process(pid: int, grace: float = CLOSE_GRACE_SECONDS) -> None:
    """Terminate `pid`, and kill it if it is still there after `grace` seconds (on a
    thread: the heartbeat goes on meanwhile)."""
    import psutil

    def end() -> None:
        try:
            process = psutil.Process(pid)
            process.terminate()
            process.wait(timeout=grace)
        except psutil.TimeoutExpired:
            with contextlib.suppress(psutil.Error):
                psutil.Process(pid).kill()
        except psutil.Error:
            return

    threading.Thread(target=end, name="baoan-close-app", daemon=True).start()


class LinuxSession:
    """logind: ``loginctl lock-session`` / ``terminate-session`` for this session."""

    def __init__(self, session_id: str | None = None) -> None:
        self._session = session_id or os.environ.get("XDG_SESSION_ID", "")

    def _loginctl(self, verb: str) -> None:
        command = ["loginctl", verb]
        if self._session:
            command.append(self._session)
        _run(command)

    def lock(self) -> None:
        self._loginctl("lock-session")

    def log_off(self) -> None:
        self._loginctl("terminate-session")

    def close_app(self, pid: int) -> None:
        close_process(pid)


class WindowsSession:
    """``LockWorkStation`` and ``ExitWindowsEx(EWX_LOGOFF)`` from the child's session."""

    def lock(self) -> None:
        if sys.platform == "win32":
            import ctypes

            ctypes.WinDLL("user32").LockWorkStation()

    def log_off(self) -> None:
        if sys.platform == "win32":
            import ctypes

            ctypes.WinDLL("user32").ExitWindowsEx(0, 0)  # EWX_LOGOFF

    def close_app(self, pid: int) -> None:
        close_process(pid)


class MacSession:
    """The lock screen (``CGSession -suspend``, else the display to sleep, which locks
    when the password is asked at wake) and a log-out through loginwindow."""

    CGSESSION = (
        "/System/Library/CoreServices/Menu Extras/User.menu/Contents/Resources/CGSession"
    )

    def lock(self) -> None:
        if os.path.exists(self.CGSESSION):
            _run([self.CGSESSION, "-suspend"])
        else:
            _run(["pmset", "displaysleepnow"])

    def log_off(self) -> None:
        _run(["osascript", "-e", 'tell application "loginwindow" to «event aevtrlgo»'])

    def close_app(self, pid: int) -> None:
        close_process(pid)


def session_controller(platform: str | None = None) -> SessionController | None:
    """This OS's controller, or None when it has none (the tray then only notifies)."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return WindowsSession()
    if platform == "darwin":
        return MacSession()
    if platform.startswith("linux") and shutil.which("loginctl"):
        return LinuxSession()
    return None
