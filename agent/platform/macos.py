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
