"""The facts of the PC the doctor looks at: desktop sessions and trays (psutil), free disk,
the clock's zone, whether a caregiver's server answers. One small class, so a test hands
in another."""

from __future__ import annotations

import logging
import shutil
import socket
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path, PureWindowsPath
from typing import Protocol
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 3.0


class PcProbe(Protocol):
    def session_accounts(self) -> Sequence[str] | None:
        """The OS accounts with a session on this PC now (None: cannot tell)."""
        ...

    def tray_accounts(self) -> Sequence[str] | None:
        """The OS accounts running a Bảo An tray now (None: cannot tell)."""
        ...

    def disk_usage(self, path: Path) -> tuple[int, int] | None:
        """(free, total) bytes of the disk holding `path`."""
        ...

    def utc_offset(self) -> timedelta | None: ...

    def connect(self, host: str, port: int) -> str | None:
        """None when a TCP connection to host:port opens, else why not."""
        ...


def _short_account(name: str | None) -> str:
    """`PC\\minh` (Windows) → `minh`."""
    return (name or "").rsplit("\\", 1)[-1]


def is_tray_command(cmdline: Sequence[str]) -> bool:
    """`baoan tray ...`, `python -m baoan tray`, or the Windows build's `baoan-tray.exe`."""
    names = [PureWindowsPath(part).name.casefold() for part in cmdline]
    if any(name.startswith("baoan-tray") for name in names):
        return True
    for position, name in enumerate(names):
        if name in ("baoan", "baoan.exe") or (
            name == "baoan" and position > 0 and names[position - 1] == "-m"
        ):
            return "tray" in names[position + 1:position + 2]
    return False


class SystemProbe:
    """The real PC."""

    def session_accounts(self) -> Sequence[str] | None:
        import psutil

        try:
            return sorted({_short_account(user.name) for user in psutil.users()})
        except (OSError, RuntimeError) as error:
            logger.debug("cannot list sessions: %s", error)
            return None

    def tray_accounts(self) -> Sequence[str] | None:
        import psutil

        found = set()
        try:
            for process in psutil.process_iter(["username", "cmdline", "name"], ad_value=None):
                # Another account's command line may be hidden even from an administrator
                # (Windows): its program's name still tells `baoan-tray.exe`.
                cmdline = process.info.get("cmdline") or [process.info.get("name") or ""]
                if is_tray_command(cmdline):
                    found.add(_short_account(process.info.get("username")))
        except (OSError, RuntimeError) as error:
            logger.debug("cannot list processes: %s", error)
            return None
        return sorted(found - {""})

    def disk_usage(self, path: Path) -> tuple[int, int] | None:
        for candidate in (path, *path.parents):
            try:
                usage = shutil.disk_usage(candidate)
            except OSError:
                continue
            return usage.free, usage.total
        return None

    def utc_offset(self) -> timedelta | None:
        return datetime.now().astimezone().utcoffset()

    def connect(self, host: str, port: int) -> str | None:
        try:
            with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_SECONDS):
                return None
        except OSError as error:
            return error.strerror or str(error)


def host_and_port(url: str, default_port: int) -> tuple[str, int]:
    """`https://ntfy.sh` → ("ntfy.sh", 443); `smtp.example:587` → ("smtp.example", 587)."""
    if "://" not in url:
        url = "//" + url
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme, default_port)
    return parts.hostname or "", port
