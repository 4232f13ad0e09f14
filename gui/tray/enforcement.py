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
  YouTube time today", and of one closed from behind, once, what and why ("Closed
  Minecraft: no more game time today"). Its website is blocked by the DNS filter; the
  browser stays.
- Every word the child reads here is the tray's translation (:class:`ChildWords`, through
  ``tr()``: ``gui/tray/i18n``), in the child's language, shorter for a child under 11.
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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject

from gui.tray.watchers.base import Sample

log = logging.getLogger(__name__)

CLOSE_GRACE_SECONDS = 10.0
ACTION_REPEAT_SECONDS = 15.0  # while out of time, act again at most this often


@dataclass(frozen=True)
class AppToClose:
    """One of ``close_pids`` with the words for it: the app's name and why it closes
    (``service``, ``games``, ``category``; see :meth:`ChildWords.app_closed`)."""

    pid: int
    name: str
    why: str = "service"


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
    closing: tuple[AppToClose, ...] = ()  # the names of close_pids, for the child


class SessionController(Protocol):
    def lock(self) -> None: ...

    def log_off(self) -> None: ...

    def close_app(self, pid: int) -> None: ...


SERVICE_LIMIT_KINDS = frozenset({"service", "category", "game"})
YOUNG_BANDS = frozenset({"0-5", "6-10"})  # under 11: the shortest words


class ChildWords(QObject):
    """What the child reads at the limit, in a few seconds, through the tray's translator
    (Vietnamese by default, English; ``gui/tray/i18n``), in words for the age: the young
    (:data:`YOUNG_BANDS`) get the shortest ones."""

    def warning(self, minutes: int, young: bool) -> tuple[str, str]:
        if young:
            return (
                self.tr("Computer time is nearly over"),
                self.tr("Only %n min left. Get ready to stop!", "", minutes),
            )
        return (
            self.tr("Time is nearly up"),
            self.tr("%n min of screen time left today.", "", minutes),
        )

    def time_up(self, young: bool) -> tuple[str, str]:
        if young:
            return (
                self.tr("Time is up", "young"),
                self.tr(
                    "That's enough computer for today. Time for a break! "
                    "Help / 111 is always there."
                ),
            )
        return (
            self.tr("Time is up"),
            self.tr("Your screen time is over. Ask a parent for more. Help / 111 always works."),
        )

    def service_out(self, service: str, young: bool) -> tuple[str, str]:
        title = self.tr("No more %1 time today").replace("%1", service)
        if young:
            body = self.tr("%1 is closed now. Play again tomorrow!")
        else:
            body = self.tr(
                "Bảo An closed %1. The rest of the computer still works; Help / 111 always does."
            )
        return title, body.replace("%1", service)

    def app_closed(self, app: str, why: str, young: bool) -> tuple[str, str]:
        """An app closed from behind (the child may not have seen it go): what and why.
        `why`: ``service`` (its own minutes, or a game's cap), ``games`` (the day's game
        minutes), ``category`` (the minutes of apps of its kind)."""
        if why == "games":
            title = self.tr("No more game time today")
            body = self.tr("Closed %1: no more game time today.")
        elif why == "category":
            title = self.tr("%1 closed")
            body = self.tr("Closed %1: no more time today for apps like it.")
        else:
            title = self.tr("No more %1 time today")
            body = self.tr("Closed %1: no more %1 time today.")
        if young:
            body += " " + self.tr("Play again tomorrow!")
        return title.replace("%1", app), body.replace("%1", app)


def warning_words(age_band: str | None, minutes: int | None) -> tuple[str, str]:
    """(title, body) for a warning (`minutes` left) or, with None, for time that is up."""
    words, young = ChildWords(), age_band in YOUNG_BANDS
    return words.time_up(young) if minutes is None else words.warning(minutes, young)


def service_out_words(age_band: str | None, service: str) -> tuple[str, str]:
    """(title, body) when one service's minutes are spent today."""
    return ChildWords().service_out(service, age_band in YOUNG_BANDS)


def app_closed_words(age_band: str | None, app: str, why: str) -> tuple[str, str]:
    """(title, body) when an app running behind was closed: its minutes are spent."""
    return ChildWords().app_closed(app, why, age_band in YOUNG_BANDS)


Notify = Callable[[str, str], None]


class Enforcer:
    """Turns each of the agent's answers into warnings and the action at zero."""

    def __init__(
        self,
        controller: SessionController,
        notify: Notify,
        *,
        age_band: Callable[[], str | None] = lambda: None,
        own_pid: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._controller = controller
        self._notify = notify
        self._age_band = age_band
        self._own_pid = own_pid if own_pid is not None else os.getpid()
        self._monotonic = monotonic
        self._warned: set[int] = set()
        self._told_out = False
        self._last_action: float | None = None
        self._closing: dict[int, float] = {}  # pid -> when it was last asked to close

    def on_standing(self, standing: Standing, sample: Sample | None) -> None:
        self._close_spent(standing, sample)
        if standing.allowed:
            self._told_out = False
            self._last_action = None
            self._warn(standing)
            return
        if not self._told_out:
            band = self._age_band()
            if standing.limit_kind in SERVICE_LIMIT_KINDS and standing.service_name:
                self._notify(*service_out_words(band, standing.service_name))
            else:
                self._notify(*warning_words(band, None))
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

    def _close_spent(self, standing: Standing, sample: Sample | None) -> None:
        """Close each process the agent names (a spent service's app), at most once per
        :data:`ACTION_REPEAT_SECONDS` each; never the tray itself. An app closed from
        behind is explained once (the one in front is, by "no more ... time today")."""
        listed = set(standing.close_pids) - {self._own_pid}
        self._closing = {pid: at for pid, at in self._closing.items() if pid in listed}
        names = {app.pid: app for app in standing.closing}
        front = sample.app.pid if sample is not None and sample.app is not None else None
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
            closed = names.get(pid)
            if asked is None and closed is not None and pid != front:
                self._notify(*app_closed_words(self._age_band(), closed.name, closed.why))

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
            self._notify(*warning_words(self._age_band(), min(fresh)))

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
