"""Linux: the active session from systemd-logind (loginctl), else from utmp via psutil."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from agent.platform.common import psutil_local_addresses

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


PASSWD = Path("/etc/passwd")
LOGIN_DEFS = Path("/etc/login.defs")
# useradd's defaults (login.defs UID_MIN / UID_MAX): the people's accounts, not the system's.
DEFAULT_UID_MIN = 1000
DEFAULT_UID_MAX = 60000
NO_LOGIN_SHELLS = frozenset({"/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false"})


def parse_login_defs(text: str) -> tuple[int, int]:
    """(UID_MIN, UID_MAX) from /etc/login.defs text, else useradd's defaults."""
    found = {"UID_MIN": DEFAULT_UID_MIN, "UID_MAX": DEFAULT_UID_MAX}
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if len(parts) == 2 and parts[0] in found and parts[1].isdigit():
            found[parts[0]] = int(parts[1])
    return found["UID_MIN"], found["UID_MAX"]


def parse_passwd(
    text: str, uid_min: int = DEFAULT_UID_MIN, uid_max: int = DEFAULT_UID_MAX
) -> frozenset[str]:
    """The people's accounts in /etc/passwd text: a uid from `uid_min` to `uid_max` and a
    shell one can log in with (system accounts and ``nobody`` are left out)."""
    names: set[str] = set()
    for line in text.splitlines():
        if not line.strip() or line.startswith(("#", "+", "-")):
            continue
        fields = line.split(":")
        if len(fields) < 7 or not fields[2].isdigit():
            continue
        name, uid, shell = fields[0], int(fields[2]), fields[6].strip()
        if uid_min <= uid <= uid_max and shell not in NO_LOGIN_SHELLS:
            names.add(name)
    return frozenset(names)


def os_accounts() -> frozenset[str] | None:
    """The people's accounts of /etc/passwd (accounts only in a directory service, LDAP or
    SSSD, are not seen)."""
    try:
        passwd = PASSWD.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        logger.debug("cannot read %s: %s", PASSWD, error)
        return None
    try:
        defs = LOGIN_DEFS.read_text(encoding="utf-8", errors="replace")
        uid_min, uid_max = parse_login_defs(defs)
    except OSError:
        uid_min, uid_max = DEFAULT_UID_MIN, DEFAULT_UID_MAX
    return parse_passwd(passwd, uid_min, uid_max)
