"""Pieces the OS modules share."""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

LOOPBACK = frozenset({"127.0.0.1", "::1"})


def psutil_local_addresses() -> frozenset[str]:
    import socket

    import psutil

    found: set[str] = set(LOOPBACK)
    try:
        for addresses in psutil.net_if_addrs().values():
            for address in addresses:
                if address.family in (socket.AF_INET, socket.AF_INET6):
                    found.add(address.address.split("%", 1)[0])
    except OSError as error:  # a sandbox may hide interfaces; loopback still counts
        logger.debug("cannot list local addresses: %s", error)
    return frozenset(found)


@dataclass(frozen=True)
class OsAccount:
    """A person's account on this PC: its login name and, when the OS keeps one, the full
    name ("Nguyễn Minh")."""

    name: str
    full_name: str = ""


# Login shells of accounts no person logs in with.
NO_LOGIN_SHELLS = frozenset({"/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false"})


def parse_passwd(
    text: str, *, first_uid: int = 1000, last_uid: int = 59999
) -> tuple[OsAccount, ...]:
    """People's accounts from `/etc/passwd` lines: a user id in the range a distribution
    gives people (1000 up; 65534 is `nobody`) and a shell one can log in with."""
    accounts: list[OsAccount] = []
    for line in text.splitlines():
        fields = line.strip().split(":")
        if len(fields) < 7 or line.startswith("#"):
            continue
        name, _password, uid_text, _gid, gecos, _home, shell = fields[:7]
        if not uid_text.isdigit() or not first_uid <= int(uid_text) <= last_uid:
            continue
        if shell.strip() in NO_LOGIN_SHELLS or not name:
            continue
        accounts.append(OsAccount(name, gecos.split(",", 1)[0].strip()))
    return tuple(sorted(accounts, key=lambda account: account.name.casefold()))
