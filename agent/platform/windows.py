"""Windows: the active console session's user (WTS API), written against the documented API.

`WTSGetActiveConsoleSessionId` gives the session on the physical console;
`WTSQuerySessionInformationW(WTSUserName)` its user. Only imported on Windows.
"""

from __future__ import annotations

import json
import logging
import subprocess

from agent.platform.common import OsAccount, psutil_local_addresses

logger = logging.getLogger(__name__)

_WTS_CURRENT_SERVER_HANDLE = 0
_WTS_USER_NAME = 5
_NO_SESSION = 0xFFFFFFFF


def active_session_user() -> str | None:
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined,unused-ignore]
    wtsapi32 = ctypes.WinDLL("wtsapi32")  # type: ignore[attr-defined,unused-ignore]
    session_id = kernel32.WTSGetActiveConsoleSessionId()
    if session_id == _NO_SESSION:
        return None
    buffer = wintypes.LPWSTR()
    size = wintypes.DWORD()
    ok = wtsapi32.WTSQuerySessionInformationW(
        _WTS_CURRENT_SERVER_HANDLE, session_id, _WTS_USER_NAME,
        ctypes.byref(buffer), ctypes.byref(size),
    )
    if not ok:
        logger.debug("WTSQuerySessionInformationW failed for session %s", session_id)
        return None
    try:
        return buffer.value or None
    finally:
        wtsapi32.WTSFreeMemory(buffer)


def local_addresses() -> frozenset[str]:
    return psutil_local_addresses()


# Enabled local accounts, without the built-in ones Windows makes for itself.
_LIST_ACCOUNTS = (
    "Get-LocalUser | Where-Object { $_.Enabled -and $_.SID.Value -match '-1[0-9]{3,}$' } "
    "| Select-Object Name, FullName | ConvertTo-Json -Compress"
)


def parse_local_users(text: str) -> tuple[OsAccount, ...]:
    """Accounts from PowerShell's `Get-LocalUser | ConvertTo-Json` (one object when there
    is one account, a list otherwise)."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    items = value if isinstance(value, list) else [value]
    accounts = [
        OsAccount(str(item["Name"]), str(item.get("FullName") or ""))
        for item in items
        if isinstance(item, dict) and isinstance(item.get("Name"), str) and item["Name"]
    ]
    return tuple(sorted(accounts, key=lambda account: account.name.casefold()))


def list_user_accounts() -> tuple[OsAccount, ...]:
    try:
        done = subprocess.run(
            ["powershell", "-NoProfile", "-NonInteractive", "-Command", _LIST_ACCOUNTS],
            capture_output=True, text=True, timeout=15, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.warning("cannot list the accounts of this PC: %s", error)
        return ()
    return parse_local_users(done.stdout) if done.returncode == 0 else ()
