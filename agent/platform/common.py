"""Pieces the OS modules share."""

from __future__ import annotations

import logging

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
