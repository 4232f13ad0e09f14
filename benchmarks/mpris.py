"""A private session bus with stand-in MPRIS players, for the monitoring benchmark: the
tray's media check (``gui/tray/watchers/linux_session.py``: one ``dbus-send`` for the bus's
names, then one per player, every heartbeat) then costs what it costs on a desktop with
players open. As tests/test_tray_session_bus.py does: a real ``dbus-daemon``, players
answering ``Properties.Get`` (jeepney, in the tree through keyring)."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import psutil

# Checked in name order; the playing one last, so that every player is asked each time.
PLAYERS: tuple[tuple[str, str], ...] = (
    ("org.mpris.MediaPlayer2.chromium", "Paused"),
    ("org.mpris.MediaPlayer2.vlc", "Playing"),
)


class StandInPlayer:
    """One MPRIS player on the bus: it answers ``Properties.Get`` with its status."""

    def __init__(self, address: str, name: str, status: str) -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.status = status
        self.answered = 0
        self._connection = open_dbus_connection(bus=address)
        self._connection.send_and_get_reply(message_bus.RequestName(name))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"mpris {name}", daemon=True)
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
                self.answered += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._connection.close()


@dataclass(frozen=True)
class SessionBus:
    address: str  # for DBUS_SESSION_BUS_ADDRESS
    daemon: psutil.Process
    players: tuple[StandInPlayer, ...]

    @property
    def answered(self) -> int:
        """``Properties.Get`` answered by the players (proof that the tray asked)."""
        return sum(player.answered for player in self.players)


@contextmanager
def private_session_bus(players: Sequence[tuple[str, str]] = PLAYERS) -> Iterator[SessionBus]:
    """A ``dbus-daemon --session`` of its own with `players` (name, status) on it."""
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    started: list[StandInPlayer] = []
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()
        if not address:
            raise RuntimeError("dbus-daemon did not start")
        started.extend(StandInPlayer(address, name, status) for name, status in players)
        yield SessionBus(address, psutil.Process(daemon.pid), tuple(started))
    finally:
        for player in started:
            player.close()
        daemon.terminate()
        daemon.wait(timeout=10)
