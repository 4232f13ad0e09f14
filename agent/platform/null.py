"""The fallback for an OS without its own module: knows nothing, breaks nothing."""

from __future__ import annotations

from agent.platform.common import psutil_local_addresses


def active_session_user() -> str | None:
    return None


def local_addresses() -> frozenset[str]:
    return psutil_local_addresses()


def os_accounts() -> frozenset[str] | None:
    return None
