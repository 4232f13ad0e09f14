"""What a Linux desktop session says of itself, beside the window in front: idle and lock
from systemd-logind, and media playing from MPRIS players on the session bus.

Both are asked through the desktop's own tools — ``loginctl show-session`` and
``dbus-send`` — so no D-Bus library is needed; their output is parsed by the pure
functions here. The command runner is injected, so tests run the real tools against a
bus of their own or give their output.

- logind: ``IdleHint``, ``IdleSinceHintMonotonic`` (CLOCK_MONOTONIC, µs) and ``LockedHint``
  — the idle fallback of the X11 watcher when the XScreenSaver extension is missing, and
  all the Wayland watcher has.
- MPRIS: every ``org.mpris.MediaPlayer2.*`` name on the session bus, asked for
  ``org.mpris.MediaPlayer2.Player.PlaybackStatus``; media plays when one says
  ``"Playing"`` (a film watched without touching the mouse still counts).
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

Runner = Callable[[Sequence[str]], str]
MPRIS_PREFIX = "org.mpris.MediaPlayer2."
MPRIS_PATH = "/org/mpris/MediaPlayer2"
MPRIS_PLAYER = "org.mpris.MediaPlayer2.Player"
MAX_PLAYERS = 8  # each is one call per sample; a session has one or two
_STRING = re.compile(r'^\s*string "((?:[^"\\]|\\.)*)"\s*$')
_VARIANT_STRING = re.compile(r'^\s*variant\s+string "((?:[^"\\]|\\.)*)"\s*$')


def run_tool(command: Sequence[str]) -> str:
    """The tool's standard output; raises OSError or SubprocessError when it fails."""
    done = subprocess.run(list(command), capture_output=True, text=True, timeout=2, check=True)
    return done.stdout


# -- logind ---------------------------------------------------------------------------------


def parse_session_idle(text: str, monotonic_now: float) -> tuple[float, bool]:
    """(idle seconds, locked) from ``loginctl show-session -p IdleHint -p
    IdleSinceHintMonotonic -p LockedHint`` output; `monotonic_now` is CLOCK_MONOTONIC in
    seconds (``time.monotonic()`` on Linux)."""
    values = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    idle = 0.0
    if values.get("IdleHint", "").strip() == "yes":
        since = values.get("IdleSinceHintMonotonic", "0").strip()
        if since.isdigit() and int(since) > 0:
            idle = max(0.0, monotonic_now - int(since) / 1_000_000)
    return idle, values.get("LockedHint", "").strip() == "yes"


class LogindSession:
    """One session's idle and lock, as logind knows them."""

    def __init__(
        self,
        session: str = "auto",
        run: Runner = run_tool,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session or "auto"
        self._run = run
        self._monotonic = monotonic

    def idle_and_locked(self) -> tuple[float, bool]:
        """(idle seconds, locked); (0, False) when logind does not answer."""
        try:
            text = self._run(
                [
                    "loginctl", "show-session", self._session,
                    "-p", "IdleHint", "-p", "IdleSinceHintMonotonic", "-p", "LockedHint",
                ]
            )
        except (OSError, subprocess.SubprocessError) as error:
            log.debug("logind did not answer: %s", error)
            return 0.0, False
        return parse_session_idle(text, self._monotonic())


def logind_session(session: str | None, run: Runner = run_tool) -> LogindSession | None:
    """logind's view of `session`, or None where there is no ``loginctl``."""
    if run is run_tool and shutil.which("loginctl") is None:
        return None
    return LogindSession(session or "auto", run)


# -- MPRIS ----------------------------------------------------------------------------------


def parse_bus_names(text: str) -> tuple[str, ...]:
    """The names in ``dbus-send --print-reply … org.freedesktop.DBus.ListNames`` output."""
    found = []
    for line in text.splitlines():
        match = _STRING.match(line)
        if match:
            found.append(match.group(1))
    return tuple(found)


def parse_variant_string(text: str) -> str | None:
    """The string of a ``dbus-send --print-reply … Properties.Get`` answer (``variant
    string "Playing"``), or None when the answer is not one."""
    for line in text.splitlines():
        match = _VARIANT_STRING.match(line)
        if match:
            return match.group(1)
    return None


class MprisMedia:
    """Whether any MPRIS player on the session bus is playing."""

    def __init__(self, run: Runner = run_tool) -> None:
        self._run = run

    def players(self) -> tuple[str, ...]:
        text = self._run(
            [
                "dbus-send", "--session", "--print-reply", "--reply-timeout=1000",
                "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus.ListNames",
            ]
        )
        names = [name for name in parse_bus_names(text) if name.startswith(MPRIS_PREFIX)]
        return tuple(sorted(names))[:MAX_PLAYERS]

    def status(self, player: str) -> str | None:
        text = self._run(
            [
                "dbus-send", "--session", "--print-reply", "--reply-timeout=1000",
                f"--dest={player}", MPRIS_PATH, "org.freedesktop.DBus.Properties.Get",
                f"string:{MPRIS_PLAYER}", "string:PlaybackStatus",
            ]
        )
        return parse_variant_string(text)

    def playing(self) -> bool:
        try:
            players = self.players()
        except (OSError, subprocess.SubprocessError) as error:
            log.debug("the session bus did not answer: %s", error)
            return False
        for player in players:
            try:
                if self.status(player) == "Playing":
                    return True
            except (OSError, subprocess.SubprocessError):
                continue  # a player that went away, or does not answer: not playing
        return False


def mpris_media(run: Runner = run_tool) -> MprisMedia | None:
    """MPRIS over the session bus, or None where there is no ``dbus-send``."""
    if run is run_tool and shutil.which("dbus-send") is None:
        return None
    return MprisMedia(run)
