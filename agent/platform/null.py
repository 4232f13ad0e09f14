"""The fallback for an OS without its own module: knows nothing, breaks nothing."""

from __future__ import annotations

from agent.platform.common import OsAccount, psutil_local_addresses


def active_session_user() -> str | None:
    return None


def local_addresses() -> frozenset[str]:
    return psutil_local_addresses()


def list_user_accounts() -> tuple[OsAccount, ...]:
    return ()
