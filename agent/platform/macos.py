"""macOS: the console user is the owner of /dev/console (as `stat -f %Su /dev/console`)."""

from __future__ import annotations

import os
import pwd

from agent.platform.common import psutil_local_addresses


def active_session_user() -> str | None:
    try:
        owner = os.stat("/dev/console").st_uid
        name = pwd.getpwuid(owner).pw_name
    except (OSError, KeyError):
        return None
    return None if name in {"root", "_mbsetupuser"} else name


def local_addresses() -> frozenset[str]:
    return psutil_local_addresses()


FIRST_PERSON_UID = 501  # macOS gives the people's accounts uids from 501


def parse_dscl_uids(text: str) -> frozenset[str]:
    """The people's accounts in ``dscl . -list /Users UniqueID`` output: a uid of 501 or
    more, and not a service account (``_name``)."""
    names: set[str] = set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 2 or not parts[1].lstrip("-").isdigit():
            continue
        name, uid = parts[0], int(parts[1])
        if uid >= FIRST_PERSON_UID and not name.startswith("_"):
            names.add(name)
    return frozenset(names)


def os_accounts() -> frozenset[str] | None:
    import subprocess

    try:
        done = subprocess.run(
            ["dscl", ".", "-list", "/Users", "UniqueID"],
            capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse_dscl_uids(done.stdout) if done.returncode == 0 else None
