"""Linux: the active session from systemd-logind (loginctl), else from utmp via psutil."""

from __future__ import annotations

import logging
import shutil
import subprocess

from agent.platform.common import OsAccount, parse_passwd, psutil_local_addresses

logger = logging.getLogger(__name__)


def _loginctl(*args: str) -> str | None:
    if shutil.which("loginctl") is None:
        return None
    try:
        done = subprocess.run(
            ["loginctl", *args], capture_output=True, text=True, timeout=2, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.debug("loginctl failed: %s", error)
        return None
    return done.stdout if done.returncode == 0 else None


def parse_loginctl_sessions(listing: str) -> list[str]:
    """Session ids from `loginctl list-sessions --no-legend` output."""
    return [line.split()[0] for line in listing.splitlines() if line.strip()]


def parse_session_properties(text: str) -> dict[str, str]:
    properties: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            properties[key.strip()] = value.strip()
    return properties


def active_session_user() -> str | None:
    listing = _loginctl("list-sessions", "--no-legend")
    if listing is not None:
        for session_id in parse_loginctl_sessions(listing):
            shown = _loginctl(
                "show-session", session_id, "-p", "Name", "-p", "Active", "-p", "Type",
                "-p", "LockedHint",
            )
            if shown is None:
                continue
            props = parse_session_properties(shown)
            graphical = props.get("Type") in {"x11", "wayland", "mir"}
            if props.get("Active") == "yes" and graphical and props.get("LockedHint") != "yes":
                return props.get("Name") or None
    # No logind: the user on a local display (":0") in utmp is the best guess.
    import psutil

    for user in psutil.users():
        if (user.host or "").startswith(":") or (user.terminal or "").startswith(":"):
            return user.name
    return None


def local_addresses() -> frozenset[str]:
    return psutil_local_addresses()


def list_user_accounts() -> tuple[OsAccount, ...]:
    """The people's accounts on this PC (`/etc/passwd`: user ids from 1000, a login
    shell), for the parent to pick a child's account from."""
    try:
        with open("/etc/passwd", encoding="utf-8", errors="replace") as passwd:
            return parse_passwd(passwd.read())
    except OSError as error:
        logger.warning("cannot read the accounts of this PC: %s", error)
        return ()
