"""macOS: the console user is the owner of /dev/console (as `stat -f %Su /dev/console`)."""

from __future__ import annotations

import logging
import os
import pwd
import subprocess

from agent.platform.common import OsAccount, psutil_local_addresses

logger = logging.getLogger(__name__)

FIRST_PERSON_UID = 501  # macOS gives people ids from 501; below are the system's


def active_session_user() -> str | None:
    try:
        owner = os.stat("/dev/console").st_uid
        name = pwd.getpwuid(owner).pw_name
    except (OSError, KeyError):
        return None
    return None if name in {"root", "_mbsetupuser"} else name


def local_addresses() -> frozenset[str]:
    return psutil_local_addresses()


def parse_dscl_users(listing: str) -> tuple[OsAccount, ...]:
    """People's accounts from `dscl . -list /Users UniqueID`: ids from 501, and not the
    system's own (`_spotlight`, `nobody`)."""
    accounts: list[OsAccount] = []
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) != 2 or not parts[1].lstrip("-").isdigit():
            continue
        name, uid = parts[0], int(parts[1])
        if uid >= FIRST_PERSON_UID and not name.startswith("_") and name != "nobody":
            accounts.append(OsAccount(name))
    return tuple(sorted(accounts, key=lambda account: account.name.casefold()))


def list_user_accounts() -> tuple[OsAccount, ...]:
    try:
        done = subprocess.run(
            ["dscl", ".", "-list", "/Users", "UniqueID"],
            capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.warning("cannot list the accounts of this PC: %s", error)
        return ()
    return parse_dscl_users(done.stdout) if done.returncode == 0 else ()
