"""What a Linux session says of itself: media playing from MPRIS players on a real session
bus (a private dbus-daemon, real dbus-send, a stand-in player), and the parse functions
with the tools' real output; logind's idle as the Wayland watcher reads it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence

import pytest

from gui.tray.watchers.linux_session import (
    MprisMedia,
    Runner,
    parse_bus_names,
    parse_session_idle,
    parse_variant_string,
)
from gui.tray.watchers.linux_wayland import WaylandWatcher

# Real output of `dbus-send --session --print-reply --dest=org.freedesktop.DBus
# /org/freedesktop/DBus org.freedesktop.DBus.ListNames` and of `… Properties.Get
# string:org.mpris.MediaPlayer2.Player string:PlaybackStatus`, from dbus-send 1.14.
LIST_NAMES = """\
method return time=1796165419.666435 sender=org.freedesktop.DBus -> destination=:1.1 serial=3 reply_serial=2
   array [
      string "org.freedesktop.DBus"
      string ":1.0"
      string ":1.1"
      string "org.mpris.MediaPlayer2.vlc"
   ]
"""  # noqa: E501
PLAYBACK = """\
method return time=1796165419.675721 sender=:1.0 -> destination=:1.2 serial=3 reply_serial=2
   variant       string "Playing"
"""


def test_the_parse_functions_read_dbus_sends_real_output() -> None:
    assert parse_bus_names(LIST_NAMES) == (
        "org.freedesktop.DBus", ":1.0", ":1.1", "org.mpris.MediaPlayer2.vlc"
    )
    assert parse_variant_string(PLAYBACK) == "Playing"
    assert parse_variant_string(PLAYBACK.replace("Playing", "Paused")) == "Paused"
    assert parse_variant_string("Error org.freedesktop.DBus.Error.ServiceUnknown: x") is None


def test_logind_idle_from_real_loginctl_output() -> None:
    text = "IdleHint=yes\nIdleSinceHintMonotonic=100000000\nLockedHint=no\n"
    assert parse_session_idle(text, 400.0) == (pytest.approx(300.0), False)
    assert parse_session_idle("IdleHint=no\nIdleSinceHintMonotonic=0\nLockedHint=yes\n",
                              400.0) == (0.0, True)


needs_bus = pytest.mark.skipif(
    not sys.platform.startswith("linux")
    or shutil.which("dbus-daemon") is None
    or shutil.which("dbus-send") is None,
    reason="needs dbus-daemon and dbus-send",
)


class StandInPlayer:
    """An MPRIS player on the bus (jeepney, in the tree through keyring): it answers
    ``Properties.Get`` with its PlaybackStatus."""

    def __init__(self, address: str, name: str, status: str) -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.status = status
        self._connection = open_dbus_connection(bus=address)
        self._connection.send_and_get_reply(message_bus.RequestName(name))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        from jeepney import HeaderFields, MessageType, new_method_return

        while not self._stop.is_set():
            try:
                message = self._connection.receive(timeout=0.1)
            except TimeoutError:
                continue
            except OSError:
                return
            header = message.header
            if (
                header.message_type == MessageType.method_call
                and header.fields.get(HeaderFields.member) == "Get"
            ):
                self._connection.send(new_method_return(message, "v", (("s", self.status),)))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._connection.close()


@pytest.fixture
def session_bus() -> Iterator[str]:
    pytest.importorskip("jeepney")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    assert address, "dbus-daemon did not start"
    yield address
    daemon.terminate()
    daemon.wait(timeout=10)


def on_bus(address: str) -> Runner:
    def run(command: Sequence[str]) -> str:
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address}
        done = subprocess.run(
            list(command), capture_output=True, text=True, timeout=5, check=True, env=env
        )
        return done.stdout

    return run


@needs_bus
def test_media_playing_from_a_real_session_bus(session_bus: str) -> None:
    media = MprisMedia(on_bus(session_bus))
    assert media.playing() is False  # no player at all
    paused = StandInPlayer(session_bus, "org.mpris.MediaPlayer2.vlc", "Paused")
    other = StandInPlayer(session_bus, "org.example.NotAPlayer", "Playing")
    try:
        assert media.players() == ("org.mpris.MediaPlayer2.vlc",)
        assert media.status("org.mpris.MediaPlayer2.vlc") == "Paused"
        assert media.playing() is False
        playing = StandInPlayer(session_bus, "org.mpris.MediaPlayer2.chromium.instance42",
                                "Playing")
        try:
            assert media.playing() is True
            # The Wayland watcher says so in its sample, with logind's idle.
            def run(command: Sequence[str]) -> str:
                if command[0] == "loginctl":
                    return "IdleHint=yes\nIdleSinceHintMonotonic=1000000\nLockedHint=no\n"
                return on_bus(session_bus)(command)

            sample = WaylandWatcher("c2", run, monotonic=lambda: 601.0, media=media).sample()
            assert sample.media_playing is True and sample.idle_seconds == pytest.approx(600.0)
        finally:
            playing.close()
        assert media.playing() is False
    finally:
        paused.close()
        other.close()


def test_no_bus_is_no_media() -> None:
    def broken(command: Sequence[str]) -> str:
        raise subprocess.CalledProcessError(1, list(command))

    assert MprisMedia(broken).playing() is False
